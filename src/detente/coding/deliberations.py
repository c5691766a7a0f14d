"""Options weighed: "X is considering sending troops to Y", "X weighs imposing sanctions on Y".

CAMEO codes deliberating a policy option as 014 (consider policy option). An event in the
verbal complement of a deliberation verb (``deliberation_heads`` in
``data/patterns/modality.yaml``) is hypothetical (``modality.py``); here its source also
considers it: 014, source -> the option's target, on the deliberation verb, with ``about``
pointing at the option. A deliberation verb a pattern already coded ("weighed sanctions on Y":
014) gets the link, and the option's target when it has none of its own.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from detente.coding.modality import modality_of
from detente.coding.raw import RawEvent
from detente.knowledge.patterns import Pattern

if TYPE_CHECKING:
    from spacy.tokens import Token

    from detente.coding.events import SentenceCoder

# the pattern derived deliberations are recorded with
CONSIDER = Pattern(
    id="deliberation", lemmas=["consider"], code="014", source=["subj"], target=["obj"],
    target_optional=True, confidence=0.6,
)  # fmt: skip
_UP = {"xcomp", "ccomp", "pcomp", "pobj", "prep", "dobj"}


def _deliberation(coder: SentenceCoder, tok: Token) -> Token | None:
    """The deliberation verb whose option the predicate ``tok`` is, if any (within three
    links: "considering the possibility of sending aid")."""
    heads = coder.patterns.modality.deliberation_heads
    current = tok
    for _ in range(4):
        if current.dep_ not in _UP or current.head.i == current.i:
            return None
        current = current.head
        if current.lemma_.lower() in heads and current.pos_ in ("VERB", "AUX"):
            return current
    return None


def derive(coder: SentenceCoder, raws: list[RawEvent]) -> list[RawEvent]:
    """``raws`` plus the deliberations they are the option of."""
    if not coder.patterns.modality.deliberation_heads:
        return raws
    out = list(raws)
    by_trigger = {r.trigger.i: r for r in raws}
    for raw in raws:
        if raw.modality != "hypothetical" or raw.reciprocal or not raw.sources:
            continue
        cue = _deliberation(coder, coder.predicate(raw.trigger, raw.pattern.pos))
        if cue is None:
            continue
        existing = by_trigger.get(cue.i)
        if existing is not None:
            existing.about = existing.about or raw
            existing.targets = existing.targets or raw.targets
            continue
        event = RawEvent(
            cue, CONSIDER, raw.sources, raw.targets, modality_of(cue, coder.patterns.modality),
            attribution=raw.attribution, about=raw,
        )  # fmt: skip
        by_trigger[cue.i] = event
        out.append(event)
    return out
