"""Refusals from negated commitment wording (``data/patterns/commitments.yaml``).

"X says it will not lift the ban on Y", "X would not accept refugees" (under a reporting
verb), "X is not ready to negotiate with Y", "X refused to release Y": the refused event is
kept, negated, and X rejects (12x) — the rejection's code chosen by the refused event's code
as CAMEO's parallel structure has it (lift a ban 081 → 1241, release 084 → 1243, meet 04 → 125).
A rejection a pattern on "refused" / "declined" already coded takes the refused event's code
when its own is the generic 120, and its target when it has none. Not for conditionals,
"whether" clauses or questions; a refused conflict ("will not attack Y") rejects nothing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from spacy.tokens import Token

from detente.coding.commitments import conditional, on_condition
from detente.coding.modality import modality_of
from detente.coding.raw import RawEvent

if TYPE_CHECKING:
    from detente.coding.events import SentenceCoder

_GENERIC = {"120"}
# "will not lift" reads as future, "would not accept" as hypothetical (the first cue wins)
_REFUSABLE = {"negated", "future", "hypothetical"}


def _negated(tok: Token) -> bool:
    """Does ``tok`` (or, for "is not ready", its copula) carry a negation ("not only" aside)?"""
    heads = [tok, tok.head] if tok.dep_ == "acomp" else [tok]
    return any(c.dep_ == "neg" and not _only(c) for h in heads for c in h.children)


def _only(neg: Token) -> bool:
    """ "not only ... but also": no negation."""
    return neg.i + 1 < len(neg.doc) and neg.doc[neg.i + 1].lower_ == "only"


def _cue(coder: SentenceCoder, tok: Token) -> tuple[Token, bool] | None:
    """The refusal cue of the negated event at ``tok``: (the token that carries it, whether it
    is the event's own auxiliary), or None when the negation is no refusal."""
    words = coder.patterns.commitments
    assert words is not None
    if _negated(tok):
        for c in tok.children:
            if c.dep_ != "aux":
                continue
            if c.lower_ in words.future_aux or c.lemma_ in words.future_aux or c.lower_ == "wo":
                return c, True  # "will not lift", "won't end"
            if c.lower_ in words.reported_aux:
                reporting = coder.patterns.modality.reporting_heads
                if tok.dep_ == "ccomp" and tok.head.lemma_.lower() in reporting:
                    return c, True  # "said it would not accept"
        return None
    if tok.dep_ != "xcomp":
        return None
    head = tok.head
    lemma = head.lemma_.lower()
    if lemma in words.refusal_heads and not _negated(head):
        return head, False  # "refused to release", "declined to resign"
    if lemma in words.readiness_heads and _negated(head):
        return head, False  # "is not ready to negotiate"
    return None


def derive(coder: SentenceCoder, raws: list[RawEvent]) -> list[RawEvent]:
    """``raws`` plus the rejections their negated events are refused by."""
    words = coder.patterns.commitments
    if words is None or not words.reject_codes:
        return raws
    out = list(raws)
    by_trigger = {r.trigger.i: r for r in raws}
    for raw in raws:
        if raw.modality not in _REFUSABLE or raw.reciprocal:
            continue
        base = raw.code or raw.pattern.code
        code = words.reject_for(base) if base else None
        if code is None:
            continue
        tok = coder.predicate(raw.trigger, raw.pattern.pos)
        found = _cue(coder, tok)
        if found is None or conditional(found[0]) or on_condition(tok):
            continue
        cue, own = found
        raw.modality = "negated"  # the refused event: "will not lift" is no future lifting
        src_codes = {a.code for a, _ in raw.sources}
        targets = [t for t in raw.targets if t[0].code not in src_codes]
        existing = by_trigger.get(cue.i)
        if existing is not None:
            existing.about = raw
            if (existing.code or existing.pattern.code) in _GENERIC:
                existing.code = code
            if not existing.targets:
                have = {a.code for a, _ in existing.sources}
                existing.targets = [t for t in targets if t[0].code not in have]
            continue
        sources = raw.sources
        if not sources and raw.attribution is not None:
            sources = [(raw.attribution, True)]  # "they will not end the strike, X said"
        if not sources and not targets:
            continue
        modality = "asserted" if own else modality_of(cue, coder.patterns.modality)
        refusal = RawEvent(cue, coder.patterns.refusal, sources, targets, modality)
        refusal.attribution, refusal.code, refusal.about = raw.attribution, code, raw
        out.append(refusal)
    return out
