"""The bundled illustrative sample articles (invented text, not real news)."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, ConfigDict, Field

from detente.knowledge.files import KnowledgeFile, load_validated
from detente.records import Article
from detente.text import make_article


class SampleArticle(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str = Field(min_length=1)
    text: str = Field(min_length=1)
    title: str | None = None
    published: date | str | None = None
    source: str | None = None


class SamplesFile(KnowledgeFile):
    """``samples/articles.yaml``."""

    articles: list[SampleArticle]


def sample_articles() -> list[Article]:
    data = load_validated("samples/articles.yaml", SamplesFile)
    return [
        make_article(
            a.text,
            item=a.id,
            article_id=a.id,
            title=a.title,
            published=a.published,
            source=a.source,
        )
        for a in data.articles
    ]
