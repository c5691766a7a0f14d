"""Records → column lists for bulk inserts into the store (no SQL here; ``store.py`` inserts).

Column names match the tables of ``migrations.py``; ``RowBatch.tables()`` gives pyarrow tables
that the store inserts ``BY NAME`` in one statement per table.
"""

from __future__ import annotations

import json
from collections import defaultdict
from typing import Any

from detente.records import Actor, Article, ArticleAnalysis, CasualtyCount, Claim, Event, Hedge
from detente.store.migrations import ACTOR_FIELDS

EVENT_COLUMNS = (
    "id article_id published sentence_index sentence_text sentence_start sentence_end "
    "trigger_text trigger_start trigger_end cameo_code cameo_root cameo_name goldstein "
    "quad_class plover_event plover_mode plover_context modality reciprocal confidence "
    "coder_name coder_version source_codes target_codes"
).split() + [f"actor{n}_{f}" for n in (1, 2) for f in ACTOR_FIELDS]
LOCATION_FIELDS = (
    "name", "geonameid", "lat", "lon", "admin1", "country", "feature", "precision", "method"
)  # fmt: skip
EVENT_COLUMNS += [
    "event_date", "date_precision", "date_method", "attribution_code", "attribution_text",
    *(f"location_{f}" for f in LOCATION_FIELDS), "record", "dyad", "about_event",
]  # fmt: skip
ACTOR_COLUMNS = [
    "event_id", "role", "position", "text", "start_char", "end_char", *ACTOR_FIELDS, "unresolved"
]  # fmt: skip
TABLES = ("articles", "article_sources", "sentences", "events", "event_actors", "claims", "counts")
SKETCH_TABLES = ("article_minhash", "article_bands")  # reprint signatures and LSH band keys


class RowBatch:
    """New articles with their sources, sentences, events, actors, claims and counts, as column
    lists."""

    def __init__(self) -> None:
        self.cols: dict[str, dict[str, list[Any]]] = {
            t: defaultdict(list) for t in TABLES + SKETCH_TABLES
        }
        self.sources: set[tuple[str, str | None, str | None]] = set()
        self.sources_of: set[str] = set()  # ids of the articles new in this batch

    def _row(self, table: str, **values: Any) -> None:
        for k, v in values.items():
            self.cols[table][k].append(v)

    def add_source(
        self, article_id: str, article: Article, item: str | None, similarity: float = 1.0
    ) -> bool:
        key = (article_id, article.url, article.source)
        if key in self.sources:
            return False
        self.sources.add(key)
        self._row(
            "article_sources", article_id=article_id, url=article.url, source=article.source,
            item=item, title=article.title, published=article.published, similarity=similarity,
        )  # fmt: skip
        return True

    def add_sketch(self, article_id: str, signature: tuple[int, ...], keys: tuple[int, ...]):
        """The article's MinHash signature and its LSH band keys (``stories.reprints``)."""
        self._row("article_minhash", article_id=article_id, signature=list(signature))
        for key in keys:
            self._row("article_bands", key=key, article_id=article_id)

    def add(
        self,
        article: Article,
        events: list[Event],
        item: str | None,
        digest: str,
        run: int | None,
        analysis: ArticleAnalysis | None = None,
    ) -> None:
        self._row(
            "articles", id=article.id, url=article.url, title=article.title,
            published=article.published, source=article.source, text_hash=digest,
            text=article.text, n_chars=len(article.text), run_id=run,
        )  # fmt: skip
        self.sources_of.add(article.id)
        self.add_source(article.id, article, item)
        for s in {e.sentence.index: e.sentence for e in events}.values():
            self._row(
                "sentences", article_id=article.id, idx=s.index, start_char=s.start,
                end_char=s.end, text=s.text,
            )  # fmt: skip
        for e in events:
            self._row("events", **dict(zip(EVENT_COLUMNS, event_row(e), strict=True)))
            for role, group in (("source", e.source), ("target", e.target)):
                for n, a in enumerate(group):
                    values = [e.id, role, n, a.text, a.start, a.end]
                    values += [getattr(a, f) for f in ACTOR_FIELDS] + [a.unresolved]
                    self._row("event_actors", **dict(zip(ACTOR_COLUMNS, values, strict=True)))
        if analysis is not None:
            for n, c in enumerate(analysis.claims):
                self._row("claims", **claim_row(article.id, n, c))
            for n, k in enumerate(analysis.counts):
                self._row("counts", **count_row(article.id, n, k))

    def tables(self):
        """(table name, pyarrow Table) for each table with rows."""
        import pyarrow as pa

        types = {"signature": pa.list_(pa.uint32()), "key": pa.int64()}
        return [
            (t, pa.table({k: pa.array(v, type=types.get(k)) for k, v in c.items()}))
            for t, c in self.cols.items()
            if c
        ]


def _first(actors: list[Actor]) -> list[Any]:
    a = actors[0] if actors else None
    return [getattr(a, f) if a else None for f in ACTOR_FIELDS]


def event_row(e: Event) -> list[Any]:
    """The values of an ``events`` row, in ``EVENT_COLUMNS`` order."""
    return [
        e.id,
        e.article.id,
        e.article.published,
        e.sentence.index,
        e.sentence.text,
        e.sentence.start,
        e.sentence.end,
        e.trigger.text,
        e.trigger.start,
        e.trigger.end,
        e.cameo.code,
        e.cameo.root,
        e.cameo.name,
        e.cameo.goldstein,
        e.cameo.quad_class,
        e.plover.event,
        e.plover.mode,
        json.dumps(e.plover.context),
        e.modality,
        e.reciprocal,
        e.confidence,
        e.coder.name,
        e.coder.version,
        ",".join(a.code for a in e.source),
        ",".join(a.code for a in e.target),
        *_first(e.source),
        *_first(e.target),
        e.date,
        e.date_precision,
        e.date_method,
        e.attribution.code if e.attribution else None,
        e.attribution.text if e.attribution else None,
        *(getattr(e.location, f) if e.location else None for f in LOCATION_FIELDS),
        e.model_dump_json(),
        e.dyad,
        e.about,
    ]


def _claimant(actor: Actor | None) -> dict[str, Any]:
    row = {f"claimant_{f}": getattr(actor, f) if actor else None for f in ACTOR_FIELDS}
    row["claimant_text"] = actor.text if actor else None
    return row


def _hedges(hedges: list[Hedge]) -> str:
    return json.dumps([h.model_dump() for h in hedges], ensure_ascii=False)


def claim_row(article_id: str, idx: int, c: Claim) -> dict[str, Any]:
    """The values of a ``claims`` row by column name."""
    return {
        "article_id": article_id, "idx": idx, "sentence_index": c.sentence, "text": c.text.text,
        "start_char": c.text.start, "end_char": c.text.end, "cue": c.cue, "stance": c.stance,
        "about": c.about, "event_id": c.event, **_claimant(c.claimant),
        "hedges": _hedges(c.hedges), "record": c.model_dump_json(),
    }  # fmt: skip


def count_row(article_id: str, idx: int, k: CasualtyCount) -> dict[str, Any]:
    """The values of a ``counts`` row by column name."""
    return {
        "article_id": article_id, "idx": idx, "sentence_index": k.sentence,
        "category": k.category, "low": k.low, "high": k.high, "unit": k.unit,
        "text": k.text.text, "start_char": k.text.start, "end_char": k.text.end,
        "event_id": k.event, **_claimant(k.claimant), "hedges": _hedges(k.hedges),
        "record": k.model_dump_json(),
    }  # fmt: skip
