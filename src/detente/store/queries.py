"""Queries over the store, each returning a pandas DataFrame (the SQL lives in ``store.py``)."""

from __future__ import annotations

from datetime import date

import pandas as pd

from detente.store.db import EventFilter, Store
from detente.store.stories import (
    count_mentions,
    count_stories,
    documents_of,
    stories_frame,
    story_mentions,
)


def make_filter(
    *,
    since: date | str | None = None,
    until: date | str | None = None,
    country: str | None = None,
    dyad: tuple[str, str] | str | None = None,
    event: str | None = None,
    modalities: tuple[str, ...] | None = ("asserted",),
    require_dyad: bool = False,
    folded: bool = False,
) -> EventFilter:
    """An ``EventFilter`` from loose values: ISO date strings, "A,B" dyads. ``folded``: each
    folded event counted (or listed) once, by its first mention, instead of every mention."""
    if isinstance(dyad, str):
        parts = [p.strip() for p in dyad.split(",")]
        if len(parts) != 2 or not all(parts):
            raise ValueError(f"a dyad is SOURCE,TARGET (e.g. RUS,UKR), not {dyad!r}")
        dyad = (parts[0], parts[1])
    return EventFilter(
        since=date.fromisoformat(since) if isinstance(since, str) else since,
        until=date.fromisoformat(until) if isinstance(until, str) else until,
        country=country or None,
        dyad=dyad,
        event=event or None,
        modalities=tuple(modalities) if modalities else None,
        require_dyad=require_dyad,
        folded=folded,
    )


def events(
    store: Store, flt: EventFilter | None = None, limit: int | None = None, offset: int = 0
) -> pd.DataFrame:
    """One row per event (all contract fields, first source/target actor flattened)."""
    return store.events(flt or make_filter(), limit, offset)


def dyads(
    store: Store, by: str = "month", flt: EventFilter | None = None, *, top: int | None = None
) -> pd.DataFrame:
    """Source→target summary per period: events per QuadClass, PLOVER types, mean Goldstein;
    with ``top``, only each period's ``top`` pairs with most events (a dashboard's view: its
    cost follows the pairs kept, where the whole summary's follows every pair and period)."""
    return store.dyads(by, flt or make_filter(), top)


def series(
    store: Store, level: str = "pairs", by: str = "month", flt: EventFilter | None = None
) -> pd.DataFrame:
    """Counts per period and unit from the pre-aggregated series tables: ``level`` is pairs
    (actor codes with their countries), country_pairs, countries or actors; columns events,
    statements, verbal_coop, material_coop, verbal_conflict, material_conflict, one
    ``plover_<type>`` count per PLOVER type, mean_goldstein, conflict_share. ``flt``'s country
    and dyad apply to the unit (a pair's sides, a country, an actor)."""
    return store.series(level, by, flt or make_filter())


def claims(
    store: Store, flt: EventFilter | None = None, limit: int | None = None, offset: int = 0
) -> pd.DataFrame:
    """One row per stored claim: claimant (flattened), cue, stance, about, hedges (JSON), the
    linked event's id (or null) and the article's metadata. Modalities do not filter claims."""
    return store.claims(flt or make_filter(), limit, offset)


def counts(
    store: Store, flt: EventFilter | None = None, limit: int | None = None, offset: int = 0
) -> pd.DataFrame:
    """One row per stored count: category, low, high, unit, claimant, hedges (JSON), the
    linked event's id (or null) and the article's metadata."""
    return store.casualty_counts(flt or make_filter(), limit, offset)


def total(store: Store, what: str, flt: EventFilter | None = None, min_articles: int = 1) -> int:
    """How many rows ``events``, ``claims``, ``counts`` or ``stories`` (``what``) list in all
    for ``flt`` (without a limit)."""
    flt = flt or make_filter()
    if what == "events":
        return store.count_events(flt)
    if what in ("claims", "counts"):
        return store.count_linked(what, flt)
    if what == "stories":
        return count_stories(store, flt, min_articles)
    raise ValueError(f"no total for {what!r}")


def errors(store: Store, run_id: int | None = None) -> pd.DataFrame:
    """Recorded ingest errors: run, item, stage, reason."""
    return store.errors(run_id)


def stories(
    store: Store,
    flt: EventFilter | None = None,
    limit: int | None = None,
    *,
    min_articles: int = 1,
    offset: int = 0,
) -> pd.DataFrame:
    """One row per folded event (mentions folded across articles), described by its first
    mention: event date, first-seen date, CAMEO and PLOVER codes, actors, place, NumMentions,
    NumSources and NumArticles (GDELT's meanings), first URL and sentence; only those carried
    by at least ``min_articles`` documents. The filter applies to the first mention."""
    return stories_frame(store, flt or make_filter(), limit, min_articles, offset)


def mentions(
    store: Store, story_id: str, limit: int | None = None, offset: int = 0
) -> pd.DataFrame | None:
    """The mentions folded into one folded event (``stories``' ``id``), one row per mention as
    ``events`` gives it, in publication order; None when no folded event has that id."""
    return story_mentions(store, story_id, limit, offset)


def mention_total(store: Store, story_id: str) -> int:
    """How many mentions ``mentions`` lists in all for ``story_id``."""
    return count_mentions(store, story_id)


def documents(store: Store, article_ids: list[str]) -> pd.DataFrame:
    """The documents (a stored article and each copy or reprint of it) that carried these
    articles: ``article_id``, ``url``, ``source``, ``title``, ``published``."""
    return documents_of(store, article_ids)
