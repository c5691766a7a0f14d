"""Gold-standard event specs and matching (used by the tests, later by ``detente evaluate``).

A spec names what a human coder expects: CAMEO code prefixes ("04", "112"), and for source and
target any subset of country / sector / name / kind / code / text, or ``any_of`` several such
subsets.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from detente.records import Actor, Event


class ActorSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")

    country: str | None = None
    sector: str | None = None
    name: str | None = None
    kind: str | None = None
    code: str | None = None
    unresolved: bool | None = None  # true: an actor the knowledge base does not know
    text: str | None = None  # the words that name it in the sentence (case-insensitive)
    any_of: list[ActorSpec] | None = None

    def matches(self, actor: Actor) -> bool:
        if self.any_of is not None:
            return any(spec.matches(actor) for spec in self.any_of)
        for field in ("country", "sector", "kind", "code", "unresolved"):
            want = getattr(self, field)
            if want is not None and getattr(actor, field) != want:
                return False
        if self.text is not None and actor.text.casefold() != self.text.casefold():
            return False
        return self.name is None or (actor.name or "").casefold() == self.name.casefold()


class EventSpec(BaseModel):
    model_config = ConfigDict(extra="ignore")

    id: str | None = None
    cameo: list[str] = Field(default_factory=list)
    source: ActorSpec | None = None
    target: ActorSpec | None = None
    modality: str | None = None
    attribution: ActorSpec | None = None
    reciprocal: bool | None = None
    # text the event's sentence must hold: alternatives separated by ";", and "..." for a gap
    evidence: str | None = None
    dyad: str | None = None  # full, source_only, target_only

    @model_validator(mode="before")
    @classmethod
    def _normalise(cls, raw: Any) -> Any:
        if isinstance(raw, dict):
            raw = dict(raw)
            codes = raw.pop("cameo_roots", None) or raw.get("cameo") or []
            raw["cameo"] = [codes] if isinstance(codes, str) else list(codes)
        return raw

    def matches(self, event: Event) -> bool:
        if not holds_evidence(event.sentence.text, self.evidence):
            return False
        if self.cameo and not any(event.cameo.code.startswith(c) for c in self.cameo):
            return False
        if self.modality is not None and event.modality != self.modality:
            return False
        if self.reciprocal is not None and event.reciprocal != self.reciprocal:
            return False
        if self.dyad is not None and event.dyad != self.dyad:
            return False
        if self.attribution is not None and (
            event.attribution is None or not self.attribution.matches(event.attribution)
        ):
            return False
        if self.source is not None and not any(self.source.matches(a) for a in event.source):
            return False
        return self.target is None or any(self.target.matches(a) for a in event.target)


def _squash(text: str) -> str:
    """Lowercase, no quotes or apostrophes, single spaces: how evidence meets sentences."""
    text = re.sub(r"[\"'\u2018\u2019\u201c\u201d\u02bc`]", "", text.lower())
    return " ".join(text.split())


def holds_evidence(sentence: str, evidence: str | None) -> bool:
    """Does ``sentence`` hold ``evidence``? One of its ";"-separated alternatives must appear
    in the sentence with all of its "..."-separated pieces, in order. No evidence: true."""
    if not evidence:
        return True
    text = _squash(sentence)
    for alternative in evidence.split(";"):
        pieces = [_squash(p) for p in alternative.split("...") if p.strip()]
        at = 0
        for piece in pieces:
            at = text.find(piece, at)
            if at < 0:
                break
            at += len(piece)
        else:
            if pieces:
                return True
    return False


def matched(spec: EventSpec, events: Iterable[Event]) -> list[Event]:
    """The events that satisfy ``spec``."""
    return [e for e in events if spec.matches(e)]


def specs(raw: Sequence[dict] | None) -> list[EventSpec]:
    return [EventSpec.model_validate(r) for r in raw or []]


def case_failures(case: dict, events: Sequence[Event]) -> list[str]:
    """What a golden case (``expect``/``absent`` lists) finds wrong with coded ``events``:
    expected entries must match an asserted event; absent entries must match no event."""
    asserted = [e for e in events if e.modality == "asserted"]
    got = "\n".join(describe(e) for e in events) or "(no events)"
    problems = [f"missing {s}" for s in specs(case.get("expect")) if not matched(s, asserted)]
    problems += [f"unexpected {s}" for s in specs(case.get("absent")) if matched(s, events)]
    return [f"{p}\ncoded:\n{got}" for p in problems]


def describe(event: Event) -> str:
    """One line for test failure messages."""

    def actors(xs: list[Actor]) -> str:
        return "+".join(f"{a.code}:{a.name or a.text}" for a in xs) or "-"

    return (
        f"{event.cameo.code} {actors(event.source)} -> {actors(event.target)} "
        f"[{event.modality}] '{event.trigger.text}'"
    )
