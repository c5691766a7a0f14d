"""The bundled illustrative sample articles (invented text, not real news)."""

from __future__ import annotations

from detente.errors import KnowledgeError
from detente.knowledge.files import load_yaml
from detente.records import Article
from detente.text import make_article


def sample_articles() -> list[Article]:
    data = load_yaml("samples/articles.yaml")
    try:
        return [
            make_article(
                a["text"],
                item=a["id"],
                article_id=a["id"],
                title=a.get("title"),
                published=a.get("published"),
                source=a.get("source"),
            )
            for a in data["articles"]
        ]
    except (KeyError, TypeError) as exc:
        raise KnowledgeError(f"samples/articles.yaml: malformed entry ({exc})") from exc
