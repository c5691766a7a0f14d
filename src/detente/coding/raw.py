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
    # set for an event the learned typer typed (a candidate no pattern typed): its probability
    learned: float | None = None


@dataclass
class Candidate:
    """A predicate of a parsed sentence (a verb or an eventive noun) and the actors the
    argument-attachment mechanism finds for it, whether or not a pattern types it: what the
    learned typer reads (``SentenceCoder.candidates``)."""

    trigger: Token
    sources: list[tuple[Actor, bool]]
    targets: list[tuple[Actor, bool]]


def confidence(raw: RawEvent) -> float:
    """An event's confidence: the learned typer's probability for a learned event; else its
    pattern's, lower for actors inferred from context, a side the pattern wants that is no
    known actor, and a modality other than asserted."""
    if raw.learned is not None:
        return raw.learned
    inferred = any(f for _, f in raw.sources + raw.targets)
    value = raw.pattern.confidence * (0.85 if inferred else 1.0)
    if not raw.sources or not (raw.targets or raw.pattern.target_optional):
        value *= 0.7  # a side the pattern wants is no known actor
    if raw.modality != "asserted":
        value *= 0.9
    return value
