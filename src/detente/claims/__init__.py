"""Claims and casualty counts: who says what, how hedged, and how many were killed, wounded...

``analyse(article, coder, events, actors)`` returns an :class:`ArticleAnalysis`.
"""

from detente.claims.claims import analyse

__all__ = ["analyse"]
