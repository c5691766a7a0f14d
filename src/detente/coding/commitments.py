"""Promises, offers and threats from commitment wording (``data/patterns/commitments.yaml``).

"X will send aid to Y", "X said it would send aid", "X promised to send aid": besides the
promised event (kept, future, linked), X expresses intent to provide aid (033) to Y. A
conflictual event forecast this way is a threat ("vowed to strike Y": 1384). When a pattern on
the commitment word already coded it ("threatened Y with sanctions"), that event is linked to
the committed one (and a generic 030/130 gets the committed event's more precise code).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from spacy.tokens import Token

from detente.coding.modality import modality_of
from detente.coding.raw import RawEvent

if TYPE_CHECKING:
    from detente.coding.events import SentenceCoder

_UP = {"xcomp", "acomp", "ccomp", "conj", "pcomp", "pobj", "prep", "acl", "dobj", "oprd"}
_CONDITIONAL = {"if", "unless", "whether"}
_GENERIC = {"030", "130"}
_IF = {"if"}


def conditional(tok: Token) -> bool:
    """Is ``tok`` (or a clause above it) conditional or a question?"""
    if tok.sent.text.rstrip().endswith("?"):
        return True
    current = tok
    for _ in range(10):
        if any(c.dep_ == "mark" and c.lower_ in _CONDITIONAL for c in current.children):
            return True
        if current.head.i == current.i:
            return False
        current = current.head
    return False


def on_condition(tok: Token) -> bool:
    """Is the predicate ``tok`` qualified by an "if" clause ("will not ratify the deal if X",
    "if X attacks, Y must respond")? "unless" and "until" name what would end a refusal
    that stands."""
    return any(
        c.dep_ == "advcl" and any(m.dep_ == "mark" and m.lower_ in _IF for m in c.children)
        for c in tok.children
    )


def _cue(coder: SentenceCoder, tok: Token) -> tuple[Token, bool] | None:
    """The commitment cue of the event at ``tok``: (the token that carries it, whether it is
    the event's own auxiliary), or None when the closest cue is no commitment."""
    words = coder.patterns.commitments
    if words is None:
        return None
    kids = list(tok.children)
    if any(c.dep_ == "neg" for c in kids):
        return None  # "will not attack": no threat
    for c in kids:
        if c.dep_ == "aux" and (c.lower_ in words.future_aux or c.lemma_ in words.future_aux):
            return c, True
        if c.dep_ == "aux" and c.lower_ in words.reported_aux:
            head = tok.head
            reporting = coder.patterns.modality.reporting_heads
            if tok.dep_ == "ccomp" and head.lemma_.lower() in reporting:
                return c, True
            return None
    current = tok
    for _ in range(4):
        if current.dep_ not in _UP or current.head.i == current.i:
            return None
        current = current.head
        lemma = current.lemma_.lower()
        if lemma in words.heads:
            return current, False
        cues = coder.patterns.modality
        if lemma in cues.intent_heads | cues.request_heads | cues.negating_heads:
            return None  # "plans to", "urged X to", "refused to": not a commitment
    return None


def _offered_force(coder: SentenceCoder, raw: RawEvent, tok: Token, cue: Token) -> bool:
    """Is ``raw`` a show of force offered rather than threatened: a deployment under an
    offer or readiness word ("is ready to send troops to Y"), the forces going to Y, not
    against, along or into it, nor to its border?"""
    words = coder.patterns.commitments
    assert words is not None
    base = raw.code or raw.pattern.code or ""
    if base[:2] not in words.force_roots or cue.lemma_.lower() not in words.offer_heads:
        return False
    preps = [c for c in tok.children if c.dep_ in ("prep", "dative") and c.pos_ == "ADP"]
    preps += [c for o in coder.objects(tok) for c in o.children if c.dep_ == "prep"]
    if any(p.lower_ in words.hostile_preps for p in preps):
        return False
    goals = [o for p in preps if p.lower_ == "to" for o in p.children if o.dep_ == "pobj"]
    return bool(goals) and not any(o.lemma_.lower() in words.border_words for o in goals)


def _decided(words, cue: Token, code: str) -> bool:
    """Is the event under ``cue`` a decided policy act ("decided to lift the sanctions"),
    the act itself rather than a commitment to it?"""
    return cue.lemma_.lower() in words.decision_heads and code[:2] in words.decided_roots


def _refines(code: str, have: str) -> bool:
    """Is ``code`` a sub-code of the intent ``have`` (0334 of 033)?"""
    return have.startswith("03") and len(code) > len(have) and code.startswith(have)


def _own_side(raw: RawEvent) -> bool:
    """Are all of ``raw``'s targets on its source's side ("offered to send troops", the
    troops being the source's own)?"""
    countries = {a.country for a, _ in raw.sources if a.country}
    return bool(raw.targets) and all(a.country in countries for a, _ in raw.targets)


def derive(coder: SentenceCoder, raws: list[RawEvent]) -> list[RawEvent]:
    """``raws`` plus the commitments they are the object of."""
    words = coder.patterns.commitments
    if words is None:
        return raws
    out = list(raws)
    by_trigger = {r.trigger.i: r for r in raws}
    for raw in raws:
        if raw.modality not in ("future", "hypothetical") or raw.reciprocal:
            continue
        base = raw.code or raw.pattern.code
        code = words.code_for(base) if base else None
        if base and base[:2] == "03":
            code = base  # "is willing to offer aid": the offer is the intent
        tok = coder.predicate(raw.trigger, raw.pattern.pos)
        if base and base[:2] in words.verbal_roots:
            found = _cue(coder, tok)
            if found is not None and not conditional(found[0]):
                cue, own = found  # "said it would call on Y to Z": the appeal, made by saying so
                raw.modality = "asserted" if own else modality_of(cue, coder.patterns.modality)
            continue
        if code is None:
            continue
        found = _cue(coder, tok)
        if found is None or conditional(found[0]):
            continue
        cue, own = found
        if not own and _decided(words, cue, base):
            raw.modality = modality_of(cue, coder.patterns.modality)
            continue  # "decided to ease sanctions": the easing itself
        if own and on_condition(tok):
            continue  # "would close the border if the unrest spread": no commitment; a word
            # of commitment stands with its condition ("threatened to strike if", "was willing
            # to withdraw if": a conditional threat or offer is still one)
        if not own and raw.modality != "future":
            continue
        if not own and words.offered_force and _offered_force(coder, raw, tok, cue):
            code = words.offered_force
        raw.modality = "future"  # "said it would attack": reported future, not hypothetical
        existing = by_trigger.get(cue.i)
        if existing is not None:
            existing.about = raw
            have = existing.code or existing.pattern.code
            if (have in _GENERIC and code[:2] == have[:2]) or (have and _refines(code, have)):
                existing.code = code  # "offered to send troops to help Y": 033 -> 0334
            if (_own_side(existing) or not existing.targets) and raw.targets and not _own_side(raw):
                # "offered to send troops": not the troops; "threatened to shell Haifa"
                existing.targets = raw.targets
            continue
        modality = "asserted" if own else modality_of(cue, coder.patterns.modality)
        out.append(
            RawEvent(
                cue,
                coder.patterns.commitment,
                raw.sources,
                raw.targets,
                modality,
                attribution=raw.attribution,
                code=code,
                about=raw,
            )
        )
    return out
