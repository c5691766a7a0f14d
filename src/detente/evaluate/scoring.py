"""Scoring coded events against gold records (``detente evaluate``).

Events are compared as dyads (one source, one target): a coded event with two sources gives
two dyads. Gold and coded dyads are matched one-to-one, greedily in gold order (``must``
before ``should``), at three strictness levels:

* ``type``    the event type only (CAMEO code prefix, or PLOVER event);
* ``country`` type, and source/target country (the first three letters of a PETRARCH/PLOVER
  code; ``---`` means no country);
* ``actor``   type, and the full actor codes (or every field a detente spec names).

Tallies are reported overall and per group (CAMEO root, or PLOVER event): correct (gold found),
missed (gold not found), extra (coded, matching no gold); precision, recall, F1. Only asserted
events are scored unless told otherwise (PETRARCH gold: every modality but negated).
``forbidden`` specs (``must_not``/``absent``) hit by a coded event of any sentence (their
``evidence`` is not required) are listed apart and do not enter the counts. Expected events
are matched only by events of a sentence holding their ``evidence`` (see ``specs``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from pydantic import BaseModel, Field

from detente.errors import InputError
from detente.evaluate.formats import GoldEvent, GoldRecord, GoldSet, Scheme
from detente.evaluate.specs import ActorSpec, holds_evidence
from detente.records import Actor, Event
from detente.text import make_article

LEVELS: tuple[str, ...] = ("type", "country", "actor")


@dataclass(frozen=True)
class CodedDyad:
    cameo: str
    plover: str
    source: Actor | None
    target: Actor | None
    sentence: str = ""  # the text of the event's sentence

    def group(self, scheme: Scheme) -> str:
        return self.plover.upper() if scheme == "plover" else self.cameo[:2]


def dyads(events: Iterable[Event]) -> list[CodedDyad]:
    """One dyad per (source, target) pair of every event."""
    out = []
    for e in events:
        for s in e.source or [None]:
            for t in e.target or [None]:
                out.append(CodedDyad(e.cameo.code, e.plover.event, s, t, e.sentence.text))
    return out


# --------------------------------------------------------------------------- matching


def _norm_code(code: str | None) -> str:
    return (code or "").removeprefix("---")


def _actor_ok(spec: ActorSpec | None, actor: Actor | None, level: str) -> bool:
    if spec is None or level == "type":
        return True
    if spec.any_of is not None:
        return any(_actor_ok(s, actor, level) for s in spec.any_of)
    if spec == ActorSpec():  # a wildcard (an actor PETRARCH leaves uncoded)
        return True
    if actor is None:
        return False
    if level == "country":
        if spec.country is not None:
            return spec.country == (actor.country or actor.code[:3])
        if spec.code is not None:
            want = spec.code[:3]
            if want == "---":
                return actor.country is None
            return want in (actor.country, actor.code[:3])
        return spec.matches(actor)
    if spec.code is not None:
        rest = spec.model_copy(update={"code": None})
        return _norm_code(spec.code) == _norm_code(actor.code) and rest.matches(actor)
    return spec.matches(actor)


def _type_ok(gold: GoldEvent, coded: CodedDyad, scheme: Scheme) -> bool:
    if not gold.types:
        return True
    if scheme == "plover":
        return coded.plover.upper() in {t.upper() for t in gold.types}
    return any(coded.cameo.startswith(t) for t in gold.types)


def matches(gold: GoldEvent, coded: CodedDyad, level: str, scheme: Scheme = "cameo") -> bool:
    return (
        holds_evidence(coded.sentence, gold.evidence)
        and _type_ok(gold, coded, scheme)
        and _actor_ok(gold.source, coded.source, level)
        and _actor_ok(gold.target, coded.target, level)
    )


def align(
    gold: Sequence[GoldEvent], coded: Sequence[CodedDyad], level: str, scheme: Scheme = "cameo"
) -> tuple[list[int | None], list[bool]]:
    """Greedy one-to-one alignment: for each gold event the index of its coded dyad (or None),
    and for each coded dyad whether it was used."""
    used = [False] * len(coded)
    found: list[int | None] = []
    for g in sorted(range(len(gold)), key=lambda i: gold[i].tier != "must"):
        hit = next(
            (j for j, c in enumerate(coded) if not used[j] and matches(gold[g], c, level, scheme)),
            None,
        )
        if hit is not None:
            used[hit] = True
        found.append(hit)
    # back to gold order
    order = sorted(range(len(gold)), key=lambda i: gold[i].tier != "must")
    by_gold: list[int | None] = [None] * len(gold)
    for pos, g in enumerate(order):
        by_gold[g] = found[pos]
    return by_gold, used


# --------------------------------------------------------------------------- counts


class Tally(BaseModel):
    correct: int = 0
    missed: int = 0
    extra: int = 0

    @property
    def precision(self) -> float:
        return self.correct / (self.correct + self.extra) if self.correct + self.extra else 0.0

    @property
    def recall(self) -> float:
        return self.correct / (self.correct + self.missed) if self.correct + self.missed else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def add(self, other: Tally) -> None:
        self.correct += other.correct
        self.missed += other.missed
        self.extra += other.extra

    def summary(self) -> dict[str, float | int]:
        return {
            **self.model_dump(),
            "precision": round(self.precision, 4),
            "recall": round(self.recall, 4),
            "f1": round(self.f1, 4),
        }


class LevelScore(BaseModel):
    overall: Tally = Field(default_factory=Tally)
    groups: dict[str, Tally] = Field(default_factory=dict)
    tiers: dict[str, list[int]] = Field(default_factory=dict)  # tier -> [found, total]
    records_correct: int = 0  # records with nothing missed, nothing extra, no forbidden hit

    def group(self, key: str) -> Tally:
        return self.groups.setdefault(key, Tally())


class RecordResult(BaseModel):
    id: str
    category: str | None = None
    counts: dict[str, Tally]
    forbidden_hits: list[str] = Field(default_factory=list)
    coded: list[str] = Field(default_factory=list)  # "code SRC->TGT" of each coded dyad


class Report(BaseModel):
    scheme: Scheme = "cameo"
    records: int = 0
    skipped: dict[str, str] = Field(default_factory=dict)
    levels: dict[str, LevelScore] = Field(default_factory=dict)
    results: list[RecordResult] = Field(default_factory=list)

    def fully_correct(self, result: RecordResult, level: str) -> bool:
        c = result.counts[level]
        return not c.missed and not c.extra and not result.forbidden_hits

    def categories(self, level: str = "actor") -> dict[str, tuple[int, int]]:
        """category -> (records, records fully correct), worst pass rate first."""
        seen: dict[str, list[int]] = {}
        for r in self.results:
            row = seen.setdefault(r.category or "-", [0, 0])
            row[0] += 1
            row[1] += self.fully_correct(r, level)
        return dict(
            sorted(
                ((k, (n, ok)) for k, (n, ok) in seen.items()),
                key=lambda kv: (kv[1][1] / kv[1][0], -kv[1][0]),
            )
        )

    def as_json(self) -> dict:
        """Plain data with precision/recall/F1 filled in (for ``--json``)."""
        return {
            "scheme": self.scheme,
            "records": self.records,
            "skipped": self.skipped,
            "levels": {
                name: {
                    "overall": s.overall.summary(),
                    "groups": {k: c.summary() for k, c in sorted(s.groups.items())},
                    "tiers": s.tiers,
                    "records_correct": s.records_correct,
                    "categories": {k: list(v) for k, v in self.categories(name).items()},
                }
                for name, s in self.levels.items()
            },
            "results": [r.model_dump() for r in self.results],
        }


def _label(d: CodedDyad) -> str:
    def code(a: Actor | None) -> str:
        return a.code if a is not None else "-"

    return f"{d.cameo}/{d.plover} {code(d.source)}->{code(d.target)}"


def score_record(record: GoldRecord, coded: Sequence[CodedDyad], report: Report) -> RecordResult:
    """Score one record's coded dyads (asserted events only) and add them to ``report``."""
    result = RecordResult(id=record.id, category=record.category, counts={})
    for f in record.forbidden:
        anywhere = f.model_copy(update={"evidence": None})  # wrong in any sentence
        if any(matches(anywhere, c, "actor", record.scheme) for c in coded):
            result.forbidden_hits.append(f.id or "forbidden")
    result.coded = [_label(c) for c in coded]
    for level in LEVELS:
        score = report.levels.setdefault(level, LevelScore())
        found, used = align(record.events, coded, level, record.scheme)
        counts = Tally()
        for g, hit in zip(record.events, found, strict=True):
            one = Tally(correct=1) if hit is not None else Tally(missed=1)
            counts.add(one)
            score.group(g.group).add(one)
            tier = score.tiers.setdefault(g.tier, [0, 0])
            tier[0] += hit is not None
            tier[1] += 1
        for c, was_used in zip(coded, used, strict=True):
            if not was_used:
                counts.extra += 1
                score.group(c.group(record.scheme)).extra += 1
        score.overall.add(counts)
        if not counts.missed and not counts.extra and not result.forbidden_hits:
            score.records_correct += 1
        result.counts[level] = counts
    report.records += 1
    report.results.append(result)
    return result


# PETRARCH codes what its patterns match whatever the modality ("will abandon ties" is an
# event there); its dictionaries code negation in patterns ("did not clash" → its own code).
UNNEGATED = ("asserted", "future", "hypothetical", "requested")


def evaluate(gold: GoldSet, coder, modalities: Iterable[str] = ("asserted",)) -> Report:
    """Code every gold record's text with ``coder`` (dated by the record) and score the
    events of the given modalities."""
    scheme = gold.records[0].scheme if gold.records else "cameo"
    report = Report(scheme=scheme, skipped=dict(gold.skipped))
    articles, by_id = [], {}
    for i, r in enumerate(gold.records):
        try:
            article = make_article(
                r.text,
                item=r.id,
                article_id=f"gold-{i}",
                published=r.published,
                max_chars=coder.settings.max_chars,
            )
        except InputError as exc:
            report.skipped[r.id] = exc.reason
            continue
        articles.append(article)
        by_id[article.id] = r
    keep = tuple(modalities)
    for article, events in coder.code_articles(articles, keep):
        score_record(by_id[article.id], dyads(events), report)
    return report
