"""Modality of an event trigger: asserted, negated, hypothetical, future or requested.

The closest cue wins, walking from the trigger (or the light verb that carries a noun trigger)
up through complement links: "Russia's failure to condemn" (negated), "aimed to discuss"
(future), "urged X to halt attacks" (requested), "if X attacks" (hypothetical).
"""

from __future__ import annotations

from spacy.tokens import Token

from detente.knowledge.patterns import Modality as Cues

_UP = {"xcomp", "ccomp", "acl", "conj", "pcomp", "pobj", "prep", "advcl", "dobj", "oprd", "csubj"}


def modality_of(tok: Token, cues: Cues, named: frozenset[int] | set[int] = frozenset()) -> str:
    """The modality of the event whose predicate is ``tok``. Tokens in ``named`` (words the
    matched pattern itself names, e.g. "did not" in a pattern for "not clash") are no cues."""
    current = previous = tok
    through_conj = False
    via_purpose = False  # "called Y to congratulate him": the call's own sense is no cue
    stop_after = False
    for _ in range(12):  # depth bound: parse trees of news sentences are shallow
        kids = [c for c in current.children if c.i not in named]
        if current is tok and any(c.dep_ == "neg" for c in kids):
            return "negated"  # before its own auxiliary: "will not attack" is negated
        for child in kids:
            low = child.lower_
            if child.dep_ == "neg" and not through_conj:
                return "negated"
            if child.dep_ in ("aux", "auxpass"):
                if low in cues.future_aux or child.lemma_ in cues.future_aux:
                    return "future"
                if low in cues.hypothetical_aux:
                    return "hypothetical"
            if child.dep_ == "mark" and low in cues.hypothetical_marks:
                return "hypothetical"
        if current is not tok and not through_conj and not via_purpose:
            # a coordinated predicate's own meaning does not govern its sibling:
            # in "denied the claim and called on X", "called" is not negated by "denied"
            lemma = current.lemma_.lower()
            if current.dep_ == "acomp" and any(c.dep_ == "neg" for c in current.head.children):
                return "negated"  # "is not ready to negotiate"
            if lemma in cues.negating_heads:
                return "negated"
            if lemma in cues.request_heads:
                return "requested"
            if lemma in cues.intent_heads:
                return "future"
            if lemma in cues.deliberation_heads and _weighed(previous):
                return "hypothetical"
            if lemma in cues.doubt_words:
                return "hypothetical"  # "skeptical of Y's ability to meet the targets"
            if lemma in cues.transparent_heads:
                stop_after = True
        dep = current.dep_
        if stop_after or dep not in _UP or current.head is current:
            return "asserted"
        if (
            dep == "advcl"
            and not _purpose(current)
            and not any(
                c.dep_ == "mark" and c.lower_ in cues.hypothetical_marks for c in current.children
            )
        ):
            return "asserted"
        through_conj = dep == "conj"
        via_purpose = dep == "advcl"
        previous, current = current, current.head
    return "asserted"


def _weighed(tok: Token) -> bool:
    """Is ``tok``, reached from a deliberation verb, the option weighed: a verbal complement
    ("considering sending"), or a noun of possibility with one ("the possibility of sending")?
    A noun object ("considers the attack a provocation") is not an option."""
    if tok.pos_ in ("VERB", "AUX"):
        return tok.dep_ in ("xcomp", "ccomp", "dobj", "pcomp")
    return tok.dep_ == "dobj" and tok.lemma_.lower() in _OPTION_NOUNS


_OPTION_NOUNS = {"possibility", "option", "prospect", "idea", "proposal", "plan"}


def _purpose(tok: Token) -> bool:
    """Is ``tok`` a purpose infinitive ("offered to send troops to help Y")? It takes the
    modality of the act it is the purpose of."""
    return tok.tag_ == "VB" and any(c.dep_ == "aux" and c.lower_ == "to" for c in tok.children)
