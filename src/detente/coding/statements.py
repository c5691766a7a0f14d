"""Statements (CAMEO 01) from reporting verbs, without double counting.

A reporting pattern (``reporting: true``: "said", "told", "announced", "a statement") codes a
plain statement, speaker → the actor the statement is about. CAMEO codes the embedded event
when there is one ("X said Y attacked Z" is Y→Z attack, attributed to X), so a statement is
kept only when no clause under its verb codes an event of its own (in any modality).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from spacy.tokens import Token

if TYPE_CHECKING:
    from detente.coding.raw import RawEvent

_DEPTH = 8  # parse trees of news sentences are shallow


def governs(head: Token, tok: Token) -> bool:
    """Is ``head`` an ancestor of ``tok`` (within a few links)?"""
    current = tok
    for _ in range(_DEPTH):
        if current.head.i == current.i:
            return False  # the root
        current = current.head
        if current.i == head.i:
            return True
    return False


def without_covered(raws: list[RawEvent]) -> list[RawEvent]:
    """``raws`` without the reporting statements whose complement codes an event."""
    others = [r for r in raws if not r.pattern.reporting]
    return [
        r
        for r in raws
        if not r.pattern.reporting or not any(governs(r.trigger, o.trigger) for o in others)
    ]
