"""What a pattern match alone does not decide, applied to a sentence's pattern events at once:
senses excluded by the actors' sectors, statements covered by an embedded event
(``statements.py``), promises and threats from commitment wording (``commitments.py``),
rejections from its negation (``refusals.py``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from detente.coding import commitments, refusals, statements

if TYPE_CHECKING:
    from detente.coding.events import SentenceCoder
    from detente.coding.raw import RawEvent


def _fits(raw: RawEvent) -> bool:
    """Do the event's actors allow the pattern's sense? An actor without a sector always does;
    "the company warned", "researchers said" do not make political statements."""
    p = raw.pattern
    if p.not_source_sectors:
        raw.sources = [s for s in raw.sources if s[0].sector not in p.not_source_sectors]
        if not raw.sources:
            return False
    banned = p.not_target_sectors
    return not (banned and raw.targets and all(a.sector in banned for a, _ in raw.targets))


def refine(coder: SentenceCoder, raws: list[RawEvent]) -> list[RawEvent]:
    """The sentence's events from its pattern events."""
    raws = [r for r in raws if _fits(r)]
    raws = statements.without_covered(raws)
    return refusals.derive(coder, commitments.derive(coder, raws))
