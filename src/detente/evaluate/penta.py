"""Coarse scoring on single sentences: the five "penta" event classes and actor spans.

Two gold formats, one sentence a record, each sentence coded as its own undated article:

* ``penta``: JSON Lines with ``text``, ``penta_class`` (0-4), ``source``, ``target`` and
  ``reciprocal`` (lists of actor span texts as human coders marked them) and an optional ``id``.
* ``negatives``: YAML ``sentences: [{domain, text}]`` of sentences that report no event.

The classes group CAMEO roots: 0 statements and appeals (01-02), 1 verbal cooperation (03-05),
2 material cooperation (06-08), 3 verbal conflict (09-13, 16), 4 material conflict (14-15,
17-20). Per record, over its *asserted* events:

* **found**: at least one asserted event (on negatives: a false event);
* **class**: the gold class is among the classes of the asserted events;
* **source** / **target**: per gold span, it shares a content word (:func:`content_words`)
  with the text of an actor in that role of an event of the gold class; a reciprocal event's
  actors count in both roles, and a gold ``reciprocal`` span may match either role.
"""

from __future__ import annotations

import json
import random
import re
import time
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import TypeVar

import yaml
from pydantic import BaseModel, ConfigDict, Field

from detente.errors import InputError
from detente.records import Event
from detente.text import make_article

T = TypeVar("T")
PENTA_FORMATS = ("penta", "negatives")
CLASSES = (0, 1, 2, 3, 4)
CLASS_NAMES = {
    0: "statement/appeal",
    1: "verbal cooperation",
    2: "material cooperation",
    3: "verbal conflict",
    4: "material conflict",
}
_ROOT_CLASS = {
    **dict.fromkeys(("01", "02"), 0),
    **dict.fromkeys(("03", "04", "05"), 1),
    **dict.fromkeys(("06", "07", "08"), 2),
    **dict.fromkeys(("09", "10", "11", "12", "13", "16"), 3),
    **dict.fromkeys(("14", "15", "17", "18", "19", "20"), 4),
}
# Function words: determiners, pronouns, prepositions, conjunctions, auxiliaries. ("us" is
# left out on purpose: lowercased, it is also the country.)
_FUNCTION_WORDS = frozenset(
    """a an the this that these those some any each every all both no another other such
    i me my we our you your he him his she her it its they them their who whom whose which
    what of in on at by for from to with without into onto over under about against between
    among through during before after above below near off out up down upon across along
    within and or but nor so yet as than if then also not too very
    is are was were be been being am has have had do does did will would shall should can
    could may might must s""".split()
)


def penta_class(root: str) -> int | None:
    """The penta class of a CAMEO root ("01".."20"); ``None`` for a code outside them."""
    return _ROOT_CLASS.get(root[:2])


def content_words(span: str) -> frozenset[str]:
    """The lowercased words of ``span`` without function words, possessive 's dropped
    ("Israel's army" and "Israel 's army" both give {israel, army}). A span of function words
    only ("they") keeps its words, so it can still match itself."""
    text = re.sub(r"[’ʼ`´]", "'", span.lower())
    text = re.sub(r"'s?\b", " ", text)
    words = re.findall(r"\w+", text)
    content = frozenset(w for w in words if w not in _FUNCTION_WORDS)
    return content or frozenset(words)


def shares_word(gold_span: str, actor_texts: Iterable[str]) -> bool:
    """Does ``gold_span`` share a content word with any of ``actor_texts``?"""
    want = content_words(gold_span)
    return any(want & content_words(t) for t in actor_texts)


class PentaRecord(BaseModel):
    model_config = ConfigDict(extra="ignore")

    id: str
    text: str
    penta_class: int | None = Field(default=None, ge=0, le=4)  # None: a negative
    source: list[str] = Field(default_factory=list)
    target: list[str] = Field(default_factory=list)
    reciprocal: list[str] = Field(default_factory=list)
    domain: str | None = None

    @property
    def group(self) -> str:
        return str(self.penta_class) if self.penta_class is not None else self.domain or "-"


def load_penta(path: Path | str) -> list[PentaRecord]:
    """Read a ``penta`` JSON Lines file; :class:`InputError` if it cannot be read."""
    path = _file(path)
    try:
        rows = [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines() if x.strip()]
        records = [
            PentaRecord.model_validate({"id": f"line-{n}", **r}) for n, r in enumerate(rows, 1)
        ]
    except ValueError as exc:
        raise InputError(str(path), f"not a valid penta gold file: {exc!r}") from exc
    if any(r.penta_class is None for r in records):
        raise InputError(str(path), "every penta record needs a penta_class (0-4)")
    return records


def load_negatives(path: Path | str) -> list[PentaRecord]:
    """Read a ``negatives`` YAML file (``sentences: [{domain, text}]``)."""
    path = _file(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        rows = data["sentences"]
        return [
            PentaRecord(id=f"negative-{n}", text=str(r["text"]), domain=r.get("domain"))
            for n, r in enumerate(rows, 1)
        ]
    except (KeyError, TypeError, ValueError, yaml.YAMLError) as exc:
        raise InputError(str(path), f"not a valid negatives file: {exc!r}") from exc


def load_sentences(path: Path | str, fmt: str) -> list[PentaRecord]:
    if fmt not in PENTA_FORMATS:
        raise InputError(str(path), f"unknown sentence format {fmt!r}; use one of {PENTA_FORMATS}")
    return load_penta(path) if fmt == "penta" else load_negatives(path)


def pick(records: Sequence[T], limit: int | None, sample: bool = False, seed: int = 0) -> list[T]:
    """The first ``limit`` records (of any kind), or with ``sample`` a seeded random ``limit``
    of them, in file order."""
    if limit is None or limit >= len(records):
        return list(records)
    if not sample:
        return list(records[:limit])
    chosen = sorted(random.Random(seed).sample(range(len(records)), limit))
    return [records[i] for i in chosen]


def _file(path: Path | str) -> Path:
    path = Path(path)
    if not path.is_file():
        raise InputError(str(path), "no such file")
    return path


# --------------------------------------------------------------------------- scoring


class SentenceResult(BaseModel):
    id: str
    group: str
    gold: int | None
    predicted: list[int]  # the distinct classes of the asserted events
    source: list[bool]  # one per gold source span: matched?
    target: list[bool]
    reciprocal: list[bool]
    events: list[str]  # "code source->target 'trigger'" per asserted event

    @property
    def found(self) -> bool:
        return bool(self.events)

    @property
    def class_ok(self) -> bool:
        return self.gold in self.predicted


def _label(e: Event) -> str:
    def side(actors) -> str:
        return "+".join(a.text for a in actors) or "-"

    return f"{e.cameo.code} {side(e.source)}->{side(e.target)} '{e.trigger.text}'"


def score_sentence(record: PentaRecord, events: Sequence[Event]) -> SentenceResult:
    """Score one sentence's coded events (only the asserted ones count)."""
    asserted = [e for e in events if e.modality == "asserted"]
    same = [e for e in asserted if penta_class(e.cameo.root) == record.penta_class]
    sources = [a.text for e in same for a in (e.source + e.target if e.reciprocal else e.source)]
    targets = [a.text for e in same for a in (e.target + e.source if e.reciprocal else e.target)]
    return SentenceResult(
        id=record.id,
        group=record.group,
        gold=record.penta_class,
        predicted=sorted({c for e in asserted if (c := penta_class(e.cameo.root)) is not None}),
        source=[shares_word(s, sources) for s in record.source],
        target=[shares_word(t, targets) for t in record.target],
        reciprocal=[shares_word(r, sources + targets) for r in record.reciprocal],
        events=[_label(e) for e in asserted],
    )


def _share(hits: int, n: int) -> float | None:
    return hits / n if n else None


class Figures(BaseModel):
    """The four shares over some records (``None``: nothing to count)."""

    records: int
    found: float | None
    class_: float | None = Field(serialization_alias="class")
    class_only: float | None  # the gold class and no other
    source: float | None
    source_spans: int
    target: float | None
    target_spans: int
    reciprocal: float | None
    reciprocal_spans: int

    @classmethod
    def of(cls, results: Sequence[SentenceResult]) -> Figures:
        def spans(field: str) -> tuple[float | None, int]:
            hits = [h for r in results for h in getattr(r, field)]
            return _share(sum(hits), len(hits)), len(hits)

        n = len(results)
        (src, n_src), (tgt, n_tgt), (rec, n_rec) = map(spans, ("source", "target", "reciprocal"))
        return cls(
            records=n,
            found=_share(sum(r.found for r in results), n),
            class_=_share(sum(r.class_ok for r in results), n),
            class_only=_share(sum(r.predicted == [r.gold] for r in results), n),
            source=src,
            source_spans=n_src,
            target=tgt,
            target_spans=n_tgt,
            reciprocal=rec,
            reciprocal_spans=n_rec,
        )


class PentaReport(BaseModel):
    kind: str  # "penta" or "negatives"
    results: list[SentenceResult] = Field(default_factory=list)
    skipped: dict[str, str] = Field(default_factory=dict)
    seconds: float = 0.0

    def overall(self) -> Figures:
        return Figures.of(self.results)

    def groups(self) -> dict[str, Figures]:
        """Per gold class (penta) or per domain (negatives)."""
        keys = sorted({r.group for r in self.results})
        return {k: Figures.of([r for r in self.results if r.group == k]) for k in keys}

    def confusion(self) -> dict[str, dict[str, int]]:
        """gold class -> predicted class (or "none") -> sentences; a sentence whose events
        fall in several classes counts once under each."""
        table: dict[str, dict[str, int]] = {}
        for r in self.results:
            row = table.setdefault(r.group, {})
            for key in [str(c) for c in r.predicted] or ["none"]:
                row[key] = row.get(key, 0) + 1
        return {k: dict(sorted(v.items())) for k, v in sorted(table.items())}

    def as_json(self) -> dict:
        return {
            "kind": self.kind,
            "seconds": round(self.seconds, 2),
            "overall": self.overall().model_dump(by_alias=True),
            "groups": {k: f.model_dump(by_alias=True) for k, f in self.groups().items()},
            "confusion": self.confusion(),
            "skipped": self.skipped,
            "results": [r.model_dump() for r in self.results],
        }


Progress = Callable[[int, int], None]  # (done, total)


def evaluate_sentences(
    records: Sequence[PentaRecord],
    coder,
    kind: str = "penta",
    progress: Progress | None = None,
) -> PentaReport:
    """Code each record's sentence as its own undated article (batched through the coder)
    and score it; ``progress(done, total)`` is called after each sentence."""
    report = PentaReport(kind=kind)
    articles, by_id = [], {}
    start = time.perf_counter()
    for i, r in enumerate(records):
        try:
            article = make_article(
                r.text, item=r.id, article_id=f"s{i}", max_chars=coder.settings.max_chars
            )
        except InputError as exc:
            report.skipped[r.id] = exc.reason
            continue
        articles.append(article)
        by_id[article.id] = r
    for done, (article, events) in enumerate(coder.code_articles(articles, ("asserted",)), 1):
        report.results.append(score_sentence(by_id[article.id], events))
        if progress is not None:
            progress(done, len(articles))
    report.seconds = time.perf_counter() - start
    return report
