"""What a pattern match alone does not decide, applied to a sentence's pattern events at once:
senses excluded by the actors' sectors, statements covered by an embedded event
(``statements.py``), demands and appeals from obligation wording (``demands.py``), promises
and threats from commitment wording (``commitments.py``), rejections from its negation
(``refusals.py``), options considered from deliberation wording (``deliberations.py``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from detente.coding import commitments, deliberations, demands, refusals, statements

if TYPE_CHECKING:
    from detente.coding.events import SentenceCoder
    from detente.coding.raw import RawEvent


def _fits(coder: SentenceCoder, raw: RawEvent) -> bool:
    """Do the event's actors allow the pattern's sense? An actor without a sector always does;
    "the company warned", "researchers said" do not make political statements. A sense kept
    from some sources ``not_source_sectors`` gives no event once they are all removed; without
    any source it stands (target only) where nothing names a doer who might be one of them."""
    p = raw.pattern
    if (p.source_required and not raw.sources) or (p.target_required and not raw.targets):
        return False
    if p.not_source_sectors:
        had = bool(raw.sources)
        raw.sources = [s for s in raw.sources if s[0].sector not in p.not_source_sectors]
        if not raw.sources and (had or not _unnamed_doer(coder, raw)):
            return False
    banned = p.not_target_sectors
    return not (banned and raw.targets and all(a.sector in banned for a, _ in raw.targets))


def _unnamed_doer(coder: SentenceCoder, raw: RawEvent) -> bool:
    """May a sourceless event stand? Only where its doer is unnamed or named as nobody known:
    an agentless passive ("hundreds of prisoners were released"), a verb without a subject,
    or a proper-name subject that is no known actor ("ICE returned the artefacts to Peru").
    A common-noun subject ("the rains contributed to ...") is a doer outside the sense, and a
    statement needs its speaker."""
    if raw.pattern.reporting:
        return False
    pred = coder.predicate(raw.trigger, raw.pattern.pos)
    return all(s.pos_ == "PROPN" for s in coder.subjects(pred))


def refine(coder: SentenceCoder, raws: list[RawEvent]) -> list[RawEvent]:
    """The sentence's events from its pattern events."""
    raws = [r for r in raws if _fits(coder, r)]
    raws = deliberations.derive(coder, demands.derive(coder, raws))
    raws = statements.outlooks(raws, coder.patterns.modality)
    raws = statements.without_covered(raws, coder.patterns.modality.responsibility_heads)
    return refusals.derive(coder, commitments.derive(coder, raws))
