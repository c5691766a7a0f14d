"""Demands and appeals from obligation wording (``data/patterns/commitments.yaml``).

"X said Y must end the blockade", "X says Y has to / needs to release Z": the statement is
X's demand (10x) on Y; with "should" it is an appeal (02x). "X urged Y to lift the ban",
"X demanded that Y free Z": a generic appeal (020) or demand (100) takes its sub-code from
the requested act. In both, the code comes from the requested event's code as CAMEO's parallel
structure has it (release 084 → demand 1053, appeal 0253); without a coded act the demand is
generic. The requested event is kept (``requested``) and linked by ``about``. Not for
conditionals, questions, "whether" clauses, a negated obligation, or an obligation on no
named actor or on the speaker's own country.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from spacy.tokens import Token

from detente.coding.commitments import conditional, on_condition
from detente.coding.raw import RawEvent

if TYPE_CHECKING:
    from detente.coding.events import SentenceCoder

_GENERIC = {"020", "100"}


def _prohibition(coder: SentenceCoder, clause: Token) -> bool | None:
    """For a negated complement clause: is "Y should not Z" an appeal (True), "Y must not Z"
    a demand (False), or is it no prohibition (None: "Y does not have to Z", "need not")?"""
    words = coder.patterns.commitments
    assert words is not None
    for c in clause.children:
        if c.dep_ == "aux" and c.lower_ in words.demand_aux:
            return False
        if c.dep_ == "aux" and c.lower_ in words.appeal_aux:
            return True
    return None


def _obligation(coder: SentenceCoder, clause: Token) -> tuple[bool, Token] | None:
    """For a complement clause: (is it an appeal, the verb of the requested act), or None
    when the clause states no obligation."""
    words = coder.patterns.commitments
    assert words is not None
    kids = list(clause.children)
    if any(c.dep_ == "neg" for c in kids):
        return None  # "Y must not ..." (a prohibition), "Y does not have to ..."
    for c in kids:
        if c.dep_ == "aux" and c.lower_ in words.demand_aux:
            return False, clause
        if c.dep_ == "aux" and c.lower_ in words.appeal_aux:
            return True, clause
    if clause.lemma_.lower() in words.obligation_heads:
        for act in (c for c in kids if c.dep_ == "xcomp"):
            if any(a.dep_ == "aux" and a.lower_ == "to" for a in act.children):
                return False, act  # "Y has to release Z", "Y needs to talk"
    return None


def _predicates(coder: SentenceCoder, raws: list[RawEvent]) -> dict[int, RawEvent]:
    """The sentence's events by the token of their predicate (a noun's light verb)."""
    out: dict[int, RawEvent] = {}
    for raw in raws:
        out.setdefault(coder.predicate(raw.trigger, raw.pattern.pos).i, raw)
    return out


def _stops_conflict(coder: SentenceCoder, verb: Token) -> bool:
    """Does ``verb`` end a conflictual act ("end its attacks", "halt the shelling")?"""
    words = coder.patterns.commitments
    assert words is not None
    if verb.lemma_.lower() not in words.stop_heads:
        return False
    # the object's own patterns, not its event: "stop attacks on shipping" names a conflict
    # whether or not the attack found both sides
    return any(
        (p.code or "")[:2] in words.conflict_roots
        for obj in verb.children
        if obj.dep_ in ("dobj", "nsubjpass")
        for p in coder.patterns.candidates(obj.lemma_.lower(), "NOUN")
    )


def _conflictual(coder: SentenceCoder, act: RawEvent | None) -> bool:
    """Is ``act`` a conflictual act, whose prohibition ("Y must not attack Z") demands that Y
    refrain from fighting: CAMEO's demand for de-escalation (1056, appeal 0256)?"""
    words = coder.patterns.commitments
    assert words is not None
    return act is not None and (act.code or act.pattern.code or "")[:2] in words.conflict_roots


def _code(coder: SentenceCoder, act: RawEvent | None, appeal: bool, stops: bool = False) -> str:
    """The demand's (or appeal's) code: by the requested act, or de-escalation when the act
    ends a conflictual one."""
    words = coder.patterns.commitments
    assert words is not None
    base = words.deescalation if stops else act.code or act.pattern.code if act else None
    found = words.demand_for(base, appeal) if base else None
    return found or ("020" if appeal else "100")


def _from_statement(coder: SentenceCoder, raw: RawEvent, acts: dict[int, RawEvent]) -> None:
    """A reporting statement whose complement states an obligation becomes the demand."""
    for clause in (c for c in raw.trigger.children if c.dep_ == "ccomp"):
        found = _obligation(coder, clause)
        banned = _prohibition(coder, clause) if found is None else None
        if banned is not None:
            found = (banned, clause)
        if found is None or conditional(clause) or on_condition(clause):
            continue
        appeal, verb = found
        speakers = {a.code for a, _ in raw.sources}
        countries = {a.country for a, _ in raw.sources}
        found = [t for s in coder.subjects(clause) for t in coder.actors_at(s)]
        targets = [t for t in found if t[0].code not in speakers and not t[1]]
        if not targets:
            return  # "told Y it must wait": an obligation on no named actor is a statement
        if all(t[0].country and t[0].country in countries for t in targets):
            return  # "the minister said Pakistan must respond": a stance, no demand on another
        act = acts.get(verb.i)
        if banned is not None and not _conflictual(coder, act):
            return  # "Y must not sign the deal": no CAMEO demand for a refrained-from act
        raw.pattern = coder.patterns.demand
        stops = banned is not None or _stops_conflict(coder, verb)
        raw.code = _code(coder, act, appeal, stops)
        raw.targets = targets
        if act is not None and act is not raw:
            act.modality = "requested" if banned is None else "negated"
            raw.about = act
        return


def _refine(coder: SentenceCoder, raw: RawEvent, acts: dict[int, RawEvent]) -> None:
    """A generic appeal or demand takes the sub-code of the act it requests."""
    for verb in (c for c in raw.trigger.children if c.dep_ in ("xcomp", "ccomp")):
        act = acts.get(verb.i)
        if act is raw or conditional(verb):
            continue  # "asked whether Y would Z": a question, no request
        stops = _stops_conflict(coder, verb)
        if act is None and not stops:
            continue
        appeal = (raw.code or raw.pattern.code or "").startswith("02")
        raw.code = _code(coder, act, appeal, stops)
        raw.about = raw.about or act
        return


def derive(coder: SentenceCoder, raws: list[RawEvent]) -> list[RawEvent]:
    """``raws`` with the demands and appeals their obligation wording makes (changed in place)."""
    words = coder.patterns.commitments
    if words is None or not words.demand_codes:
        return raws
    acts = _predicates(coder, raws)
    requests = coder.patterns.modality.request_heads
    for raw in raws:
        if raw.pattern.reporting:
            _from_statement(coder, raw, acts)
        elif (raw.code or raw.pattern.code) in _GENERIC and raw.trigger.lemma_ in requests:
            _refine(coder, raw, acts)
    return raws
