"""Word-order constraints of a pattern: words before and after its trigger, and actor slots.

Dependency roles say *who*; some patterns also need *which words*: "did not clash over the
efforts" is not "clashed over the efforts", "contributed a million dollars" is not
"contributed troops". A pattern's ``before`` and ``after`` lists name such words, in text order:

* ``"ties"`` a word, matched on its lowercase form or its lemma; ``"swiss francs"`` several
  words in a row; ``"military|economic|cultural"`` any one of them.
* gaps are allowed between elements unless glued: in ``after``, a leading ``=`` glues an element
  to the one before it (the first to the trigger); in ``before``, a trailing ``=`` glues it to
  the one after it (the last to the trigger). ``after: ["=out"]`` is "walked out".
* ``"<target>"``, ``"<source>"`` and ``"<both>"`` are slots: the event's target, its source,
  or both (a compound actor coded both ways). In ``after``, the first actor from that point
  on; in ``before``, the nearest actor before the element to its right (or the trigger).

Matching is leftmost and greedy, within the sentence. It returns the tokens it used (the
coder does not read them again as modality cues: a pattern that names "not" has coded the
negation) and where the slots are.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

SLOTS = {"<target>": "target", "<source>": "source", "<both>": "both"}


@dataclass(frozen=True)
class Element:
    alternatives: tuple[tuple[str, ...], ...] = ()  # empty for a slot
    slot: str | None = None
    glued: bool = False  # no gap toward the trigger


@dataclass(frozen=True)
class Phrase:
    """A pattern's parsed ``before``/``after`` elements, with the words a sentence must contain
    for them to match (one of each element's first words): a cheap test before matching."""

    before: tuple[Element, ...]
    after: tuple[Element, ...]
    needs: tuple[frozenset[str], ...]

    @classmethod
    def of(cls, before: Sequence[Element], after: Sequence[Element]) -> Phrase:
        needs = tuple(
            frozenset(a[0] for a in el.alternatives) for el in (*before, *after) if el.slot is None
        )
        return cls(tuple(before), tuple(after), needs)

    def possible(self, words: set[str]) -> bool:
        return all(not need.isdisjoint(words) for need in self.needs)


@dataclass
class PhraseMatch:
    used: set[int] = field(default_factory=set)
    # slot -> (token index where the search starts, +1 rightward / -1 leftward)
    slots: dict[str, tuple[int, int]] = field(default_factory=dict)


def parse_element(text: str, side: str) -> Element:
    """One ``before``/``after`` element; raises ValueError for a malformed one."""
    glued = text.startswith("=") if side == "after" else text.endswith("=")
    body = text.strip("=").strip()
    if body in SLOTS:
        return Element(slot=SLOTS[body], glued=glued)
    alts = tuple(tuple(a.lower().split()) for a in body.split("|"))
    if not body or any(not a for a in alts) or any("<" in w for a in alts for w in a):
        raise ValueError(f"bad phrase element {text!r}")
    return Element(alternatives=alts, glued=glued)


def _fits(words: Sequence[str], forms: Sequence[tuple[str, str]], at: int) -> bool:
    if at < 0 or at + len(words) > len(forms):
        return False
    return all(w in forms[at + k] for k, w in enumerate(words))


def match(
    forms: Sequence[tuple[str, str]],
    trigger: int,
    before: Sequence[Element],
    after: Sequence[Element],
    limit: int | None = None,
) -> PhraseMatch | None:
    """Match the elements around ``trigger``; ``forms`` are (lowercase, lemma) per token.
    ``after`` elements must start before ``limit`` (the end of the trigger's phrase)."""
    found = PhraseMatch()
    pos = trigger + 1
    limit = len(forms) if limit is None else limit
    for el in after:
        if el.slot is not None:
            found.slots[el.slot] = (pos, 1)
            continue
        hit = None
        last = pos if el.glued else limit - 1
        for at in range(pos, last + 1):
            words = next((a for a in el.alternatives if _fits(a, forms, at)), None)
            if words is not None:
                hit = (at, len(words))
                break
        if hit is None:
            return None
        found.used |= set(range(hit[0], hit[0] + hit[1]))
        pos = hit[0] + hit[1]
    end = trigger  # the elements must end before this index
    for el in reversed(before):
        if el.slot is not None:  # the actor nearest before the element to its right
            found.slots[el.slot] = (end - 1, -1)
            continue
        hit = None
        for stop in range(end, 0, -1):
            words = next((a for a in el.alternatives if _fits(a, forms, stop - len(a))), None)
            if words is not None:
                hit = (stop - len(words), len(words))
                break
            if el.glued:
                break
        if hit is None:
            return None
        found.used |= set(range(hit[0], hit[0] + hit[1]))
        end = hit[0]
    return found
