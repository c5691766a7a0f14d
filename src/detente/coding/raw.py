"""The raw event: what the events stage finds in a parsed sentence, before it becomes an
``Event`` record (trigger token, pattern, sources, targets, modality). Its own module so that
the events stage and its helpers (statements, commitments) all build on it without a cycle."""

from __future__ import annotations

from dataclasses import dataclass

from spacy.tokens import Token

from detente.knowledge.patterns import Pattern
from detente.records import Actor

# token index → actors, with a flag for actors inferred from context (lower confidence)
ActorRef = tuple[Actor, bool]
ActorMap = dict[int, list[ActorRef]]


@dataclass
class RawEvent:
    trigger: Token
    pattern: Pattern
    sources: list[tuple[Actor, bool]]
    targets: list[tuple[Actor, bool]]
    modality: str
    reciprocal: bool = False
    attribution: Actor | None = None
    code: str | None = None  # instead of the pattern's code (its ``reverse_code``)
    about: RawEvent | None = None  # the promised or threatened event (commitments.py)
