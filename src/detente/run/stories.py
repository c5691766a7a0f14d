"""Reprint groups and folded events at ingest: ``detente.stories`` decides, the store keeps.

``Reprints`` screens each new article before it is coded: a near-copy of a stored article
(MinHash LSH over word shingles) is not coded but recorded as one more document of that
article's group; a near-copy of an article still being coded in this run waits until that one
is stored. ``fold_pending`` folds every mention not folded yet into the stored stories, in
chunks in date order, so it both keeps a store current after each batch and folds a store
filled before folding existed; ``sketch_pending`` gives such a store's articles their reprint
signatures.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta

import pandas as pd

from detente.records import Article
from detente.settings import Settings
from detente.store.db import Sketches, Store, text_hash
from detente.store.stories import (
    STORY_FIELDS,
    add_sketches,
    count_pending,
    count_unsketched,
    fold_candidates,
    pending_mentions,
    save_folding,
    unsketched_articles,
)
from detente.stories.fold import Folding, Mention, Story, fold
from detente.stories.reprints import Sketch, best_match, sketch

FOLD_CHUNK = 5000  # mentions folded per store transaction
SKETCH_CHUNK = 1000  # articles sketched per store transaction


@dataclass
class Reprints:
    """The reprint screen of one ingest run."""

    store: Store
    settings: Settings
    inflight: dict[str, Sketch] = field(default_factory=dict)  # screened, not stored yet
    waiting: list[tuple[str, Article, str | None, float]] = field(default_factory=list)
    hashes: dict[str, str] = field(default_factory=dict)  # text hash → in-flight article id

    def screen(
        self,
        article: Article,
        item: str | None,
        mine: Sketch | None = None,
        stored: list[tuple[str, list[int]]] | None = None,
    ) -> tuple[str, float] | None:
        """(group article id, similarity) when ``article`` is a reprint: recorded at once for
        a stored group, after it is stored for one in flight. ``None``: code it. ``mine`` and
        ``stored`` (its sketch, and the stored candidates ``Store.reprint_candidates`` gives
        for its band keys) when the caller has them already."""
        mine = mine or sketch(article.text, self.settings)
        threshold = self.settings.reprint_threshold
        if stored is None:
            stored = self.store.reprint_candidates(list(mine.keys))
        match = best_match(mine, stored, threshold)
        if match is not None:
            self.store.add_source(match[0], article, item, round(match[1], 4))
            return match
        digest = text_hash(article.text)
        if digest in self.hashes:  # an exact copy in flight: the store counts it a duplicate
            return None
        keys = set(mine.keys)
        flying = [(i, s.signature) for i, s in self.inflight.items() if keys & set(s.keys)]
        match = best_match(mine, flying, threshold)
        if match is not None:
            self.waiting.append((match[0], article, item, round(match[1], 4)))
            return match
        self.inflight[article.id] = mine
        self.hashes[digest] = article.id
        return None

    def sketches(self, ids: list[str]) -> Sketches:
        return {i: (s.signature, s.keys) for i in ids if (s := self.inflight.get(i))}

    def settle(self, ids: list[str], stored: set[str]) -> list[tuple[str, str]]:
        """After articles ``ids`` were handled (``stored`` of them stored): record the reprints
        that waited for them; returns (item, reason) of those whose group was not stored."""
        done = set(ids)
        for i in done:
            self.inflight.pop(i, None)
        self.hashes = {h: i for h, i in self.hashes.items() if i not in done}
        failed, still = [], []
        for group, article, item, score in self.waiting:
            if group not in done:
                still.append((group, article, item, score))
            elif group in stored:
                self.store.add_source(group, article, item, score)
            else:
                failed.append((item or article.id, f"reprint of {group}, which was not stored"))
        self.waiting = still
        return failed


def _day(value) -> date | None:
    return None if pd.isna(value) else pd.Timestamp(value).date()


def _place(r: dict, prefix: str = "") -> dict:
    """The city (GeoNames id), division and country of a frame row (columns ``prefix`` +
    geonameid, admin1, country), missing values as None."""
    geonameid, admin1, country = (r[prefix + c] for c in ("geonameid", "admin1", "country"))
    return {
        "geonameid": None if pd.isna(geonameid) else int(geonameid),
        "admin1": None if pd.isna(admin1) else admin1,
        "country": None if pd.isna(country) else country,
    }


def _mentions(frame: pd.DataFrame) -> list[Mention]:
    return [
        Mention(
            id=r["id"],
            root=r["root"] or "",
            modality=r["modality"] or "",
            reciprocal=bool(r["reciprocal"]),
            source_key=r["source_key"],
            target_key=r["target_key"],
            day=_day(r["day"]),
            text=r["text"],
            **_place(r),
        )
        for r in frame.to_dict("records")
    ]


def _windows(mentions: list[Mention], days: int) -> dict[str, list]:
    """One row per block and day within ``days`` of a mention of that block (or undated): the
    stored stories to fold ``mentions`` into are those of these blocks and days."""
    windows = set()
    for m in mentions:
        span = [None] if m.day is None else [m.day + timedelta(d) for d in range(-days, days + 1)]
        windows.update((m.block(), day) for day in span)
    cols: dict[str, list] = {c: [] for c in ("root", "modality", "source_key", "target_key")}
    cols["day"] = []
    for block, day in sorted(windows, key=lambda w: (w[0], w[1] or date.min)):
        for col, v in zip(cols, block, strict=False):
            cols[col].append(v)
        cols["day"].append(day)
    return cols


def _stories(frame: pd.DataFrame) -> list[Story]:
    return [
        Story(
            id=r["id"],
            block=(r["cameo_root"], r["modality"], r["source_key"], r["target_key"]),
            day=_day(r["event_date"]),
            texts=list(r["texts"] if r["texts"] is not None else []),
            **_place(r, "place_"),
        )
        for r in frame.to_dict("records")
    ]


def _row(s: Story) -> dict:
    root, modality, source_key, target_key = s.block
    values = (
        s.id, root, modality, source_key, target_key, s.day, s.geonameid, s.admin1, s.country,
        s.texts,
    )  # fmt: skip
    return dict(zip(STORY_FIELDS, values, strict=True))


def _fold(store: Store, settings: Settings, mentions: list[Mention]) -> Folding:
    known = _stories(fold_candidates(store, _windows(mentions, settings.fold_days)))
    return fold(mentions, known, settings)


def _written(folding: Folding) -> tuple[dict[str, str], list[dict], list[dict]]:
    writes = folding.to_write()
    new = [_row(s) for s in writes if s.new]
    return folding.assigned, new, [_row(s) for s in writes if not s.new]


@dataclass
class Folder:
    """Folds each batch before the store inserts it (``Store.store_articles(fold=...)``):
    its mentions join the stored stories of their blocks and days, or each other; ``folded``
    counts them."""

    store: Store
    settings: Settings
    folded: int = 0

    def __call__(self, frame: pd.DataFrame) -> tuple[dict[str, str], list[dict], list[dict]]:
        mentions = _mentions(frame)
        self.folded += len(mentions)
        return _written(_fold(self.store, self.settings, mentions))


def fold_pending(
    store: Store,
    settings: Settings,
    progress: Callable[[int, int], None] | None = None,
    chunk: int = FOLD_CHUNK,
) -> int:
    """Fold every mention not folded yet (stored before folding existed, through
    ``Store.store_article``, or unlinked by ``Store.delete_articles``); returns how many were
    folded. ``progress(done, total)`` after each chunk."""
    total, done = count_pending(store), 0
    while done < total:
        mentions = _mentions(pending_mentions(store, chunk))
        if not mentions:
            break
        save_folding(store, *_written(_fold(store, settings, mentions)))
        done += len(mentions)
        if progress is not None:
            progress(done, total)
    return done


def sketch_pending(
    store: Store,
    settings: Settings,
    progress: Callable[[int, int], None] | None = None,
    chunk: int = SKETCH_CHUNK,
) -> int:
    """Sketch the stored articles that have no reprint signature yet (so that later reprints
    of them are found); returns how many. ``progress(done, total)`` after each chunk."""
    total, done = count_unsketched(store), 0
    while done < total:
        rows = unsketched_articles(store, chunk)
        if not rows:
            break
        sketches = {}
        for article_id, text in rows:
            mine = sketch(text, settings)
            sketches[article_id] = (mine.signature, mine.keys)
        add_sketches(store, sketches)
        done += len(rows)
        if progress is not None:
            progress(done, total)
    return done
