"""Folding mentions into events across articles (the store keeps both; no SQL here).

Every coded event is a mention. A mention joins a folded event (a *story*) when they share

* the block: CAMEO root code, modality, and the source and target keys (each side's actors
  as their countries, or their codes for actors of no country, sorted; the two sides in
  sorted order for a reciprocal event, so "A and B met" and "B and A met" block together);
* the date: the mention's date (the event date, else the publication date) at most
  ``Settings.fold_days`` days from the story's (its first mention's);
* the place, where both know it: the same city (GeoNames id) when both name a city, else the
  same first-level division when both know one, and never two different countries;

and when its sentence shares at least ``Settings.fold_similarity`` of its content words with
one of the story's kept sentences (of the shorter one's words). Of several stories that
qualify it joins the most similar; otherwise it starts a story of its own, whose id is the
mention's. Mentions are taken in date order, so folding the store at once or article by
article gives the same stories (up to ties).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache

from detente.settings import Settings

_WORD = re.compile(r"[^\W_]+")

Block = tuple[str, str, str, str]  # CAMEO root, modality, source key, target key


@dataclass
class Mention:
    """What folding needs of a stored event."""

    id: str
    root: str
    modality: str
    reciprocal: bool
    source_key: str
    target_key: str
    day: date | None
    text: str
    geonameid: int | None = None
    admin1: str | None = None
    country: str | None = None

    def block(self) -> Block:
        s, t = self.source_key, self.target_key
        if self.reciprocal and t < s:
            s, t = t, s
        return (self.root, self.modality, s, t)


@dataclass
class Story:
    """A folded event as folding sees it: its block, date, place and kept sentences."""

    id: str
    block: Block
    day: date | None
    texts: list[str] = field(default_factory=list)
    geonameid: int | None = None
    admin1: str | None = None
    country: str | None = None
    new: bool = False  # not in the store yet
    changed: bool = False  # kept sentences or place to update in the store


@dataclass
class Folding:
    """The result: mention id → story id, and the stories to insert or update."""

    assigned: dict[str, str] = field(default_factory=dict)
    stories: dict[str, Story] = field(default_factory=dict)

    def to_write(self) -> list[Story]:
        return [s for s in self.stories.values() if s.new or s.changed]


@lru_cache(maxsize=1)
def _stop_words() -> frozenset[str]:
    from spacy.lang.en.stop_words import STOP_WORDS  # the word list only, no model

    return frozenset(STOP_WORDS)


def content_words(text: str) -> frozenset[str]:
    """Lower-cased words of ``text`` that are not stop words, cut to six letters (a crude
    stem: "airstrikes" and "airstrike" meet)."""
    stop = _stop_words()
    return frozenset(
        w[:6] for w in (m.group().lower() for m in _WORD.finditer(text)) if w not in stop
    )


def text_similarity(a: str, b: str) -> float:
    """Shared content words over the shorter sentence's: 1 when one contains the other."""
    wa, wb = content_words(a), content_words(b)
    if not wa or not wb:
        return 0.0
    return len(wa & wb) / min(len(wa), len(wb))


def same_place(m: Mention, s: Story) -> bool:
    if m.country and s.country and m.country != s.country:
        return False
    if m.geonameid is not None and s.geonameid is not None:
        return m.geonameid == s.geonameid
    if m.admin1 and s.admin1:
        return m.admin1 == s.admin1
    return True


def fold(mentions: Iterable[Mention], known: Iterable[Story], settings: Settings) -> Folding:
    """Fold ``mentions`` into the ``known`` stories (those of the store that share a block
    and a date window with them) and into each other."""
    out = Folding()
    by_day: dict[tuple[Block, date | None], list[Story]] = {}
    for s in known:
        out.stories[s.id] = s
        by_day.setdefault((s.block, s.day), []).append(s)
    ordered = sorted(mentions, key=lambda m: (m.day is None, m.day or date.min, m.id))
    for m in ordered:
        block = m.block()
        best, score = None, settings.fold_similarity
        for s in _nearby(by_day, block, m.day, settings.fold_days):
            if not same_place(m, s):
                continue
            sim = max((text_similarity(m.text, t) for t in s.texts), default=0.0)
            if sim >= score and (best is None or sim > score):
                best, score = s, sim
        if best is None:
            best = Story(m.id, block, m.day, [m.text], m.geonameid, m.admin1, m.country, new=True)
            out.stories[best.id] = best
            by_day.setdefault((block, m.day), []).append(best)
        else:
            _join(best, m, settings.fold_texts)
        out.assigned[m.id] = best.id
    return out


def _nearby(
    by_day: dict[tuple[Block, date | None], list[Story]], block: Block, day: date | None, days: int
) -> list[Story]:
    """The stories of ``block`` at most ``days`` days from ``day`` (undated: the undated)."""
    if day is None:
        return by_day.get((block, None), [])
    span = (day + timedelta(days=d) for d in range(-days, days + 1))
    return [s for d in span for s in by_day.get((block, d), [])]


def _join(s: Story, m: Mention, keep: int) -> None:
    if len(s.texts) < keep and m.text not in s.texts:
        s.texts.append(m.text)
        s.changed = True
    if s.geonameid is None and m.geonameid is not None:
        s.geonameid, s.admin1 = m.geonameid, m.admin1 or s.admin1
        s.changed = True
    elif s.admin1 is None and m.admin1:
        s.admin1 = m.admin1
        s.changed = True
    if s.country is None and m.country:
        s.country = m.country
        s.changed = True
