"""Claims and casualty counts: who says what, how hedged, and how many were killed, wounded...

``analyse(article, coder, events, actors)`` returns an :class:`ArticleAnalysis`;
``code_and_analyse(coder, articles)`` codes articles and analyses each in one go.
"""

from detente.claims.claims import analyse
from detente.claims.coded import Analysed, code_and_analyse

__all__ = ["Analysed", "analyse", "code_and_analyse"]
