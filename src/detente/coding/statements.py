"""Statements (CAMEO 01) from reporting verbs, without double counting.

A reporting pattern (``reporting: true``: "said", "told", "announced", "a statement") codes a
plain statement, speaker → the actor the statement is about. CAMEO codes the embedded event
when there is one ("X said Y attacked Z" is Y→Z attack, attributed to X), so a statement is
kept only when no clause under its verb codes an event of its own (in any modality). Two
statements say more than that: a speaker's outlook ("X said it is skeptical of Y": 012, 013)
and a speaker claiming its own act of force (015).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from spacy.tokens import Token

if TYPE_CHECKING:
    from detente.coding.raw import RawEvent
    from detente.knowledge.patterns import Modality

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


# the roots of acts of force whose doer claiming them claims responsibility (015)
_FORCE_ROOTS = {"14", "15", "17", "18", "19", "20"}
RESPONSIBILITY = "015"


PESSIMISTIC, OPTIMISTIC = "012", "013"


def outlooks(raws: list[RawEvent], cues: Modality) -> list[RawEvent]:
    """A reporting statement whose clause states the speaker's outlook ("X said it is
    skeptical of Y", "... was optimistic that the talks would resume") is a pessimistic (012)
    or optimistic (013) comment; the events of a clause of doubt ("skeptical") are
    hypothetical."""
    for r in raws:
        if not r.pattern.reporting or r.code is not None:
            continue
        for clause in (c for c in r.trigger.children if c.dep_ == "ccomp"):
            heads = [clause] if clause.pos_ == "ADJ" else []
            heads += [c for c in clause.children if c.dep_ == "acomp"]
            words = {w for c in heads for w in (c.lower_, c.lemma_.lower())}
            if words & cues.pessimistic_words:
                r.code = PESSIMISTIC
            elif words & cues.optimistic_words:
                r.code = OPTIMISTIC
            else:
                continue
            if words & cues.doubt_words:
                for o in raws:
                    if o is not r and o.modality == "asserted" and governs(clause, o.trigger):
                        o.modality = "hypothetical"
            break
    return raws


def without_covered(raws: list[RawEvent], claiming: set[str] = frozenset()) -> list[RawEvent]:
    """``raws`` without the plain reporting statements (010) whose complement codes an event:
    one with a code of its own (an outlook, 012/013) stands. A statement
    on a verb of ``claiming`` ("claimed", "admitted") over an asserted act of force by the
    speaker itself ("X claimed it had attacked Y") becomes X's claim of responsibility (015)
    for it instead, with the act's targets."""
    others = [r for r in raws if not r.pattern.reporting]
    out = []
    for r in raws:
        if not r.pattern.reporting or r.code is not None:
            out.append(r)
            continue
        covered = [o for o in others if governs(r.trigger, o.trigger)]
        if not covered:
            out.append(r)
            continue
        owned = _own_act(r, covered) if r.trigger.lemma_.lower() in claiming else None
        if owned is not None:
            r.code, r.targets, r.about = RESPONSIBILITY, owned.targets, owned
            out.append(r)
    return out


_STATE = {None, "GOV"}  # a state speaking for itself: the country, its government
_STATE_FORCES = {None, "GOV", "MIL", "COP"}


def _own_act(statement: RawEvent, covered: list[RawEvent]) -> RawEvent | None:
    """The asserted act of force under ``statement`` done by its own speaker, if any: the
    same actor, or a state's own forces ("Iran admitted its forces had shot down ...")."""
    speakers = {a.code for a, _ in statement.sources}
    states = {a.country for a, _ in statement.sources if a.country and a.sector in _STATE}
    for o in covered:
        code = o.code or o.pattern.code or ""
        if o.modality != "asserted" or code[:2] not in _FORCE_ROOTS:
            continue
        if any(
            a.code in speakers or (a.country in states and a.sector in _STATE_FORCES)
            for a, _ in o.sources
        ):
            return o
    return None
