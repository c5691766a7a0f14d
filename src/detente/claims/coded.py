"""Code articles, then find their claims and counts: the one composition every runner uses.

The claims and counts build on the sentences and actor mentions the coder found while coding
(``Coder.code_with_actors``), so no second NLP pass runs.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import NamedTuple

from detente.claims.claims import analyse
from detente.records import MODALITIES, Article, ArticleAnalysis, Event


class Analysed(NamedTuple):
    article: Article
    events: list[Event]
    analysis: ArticleAnalysis | None  # None when the coder has no lexicon (no claim cues)


def code_and_analyse(
    coder, articles: Iterable[Article], modalities: Iterable[str] = MODALITIES
) -> Iterator[Analysed]:
    """Events (of ``modalities``) and claims/counts of each article, in input order."""
    for article, events, actors in coder.code_with_actors(articles, modalities):
        analysis = analyse(article, coder, events, actors) if coder.lexicon else None
        yield Analysed(article, events, analysis)
