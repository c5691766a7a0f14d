"""Analytics queries, each returning a pandas DataFrame: ``series``, ``alerts``, ``changepoints``
(and ``alert_events``, the events behind an alert)."""

from __future__ import annotations

from dataclasses import replace

import pandas as pd

from detente.analytics import changepoint
from detente.analytics.alerts import alert_events, alerts, period_end
from detente.settings import Settings
from detente.store.db import EventFilter, Store
from detente.store.queries import series

__all__ = ["alert_events", "alerts", "changepoints", "series"]
SEGMENT_COLUMNS = ["start", "end", "periods", "events", "mean_goldstein"]


def changepoints(
    store: Store,
    dyad: tuple[str, str] | str,
    *,
    by: str = "week",
    level: str = "country_pairs",
    flt: EventFilter | None = None,
    settings: Settings | None = None,
) -> pd.DataFrame:
    """The segments of a dyad's mean Goldstein series (``changepoint.segments`` over the periods
    with at least ``Settings.changepoint_min_events`` events): start, end (last day), periods,
    events, mean_goldstein. Several units of ``level`` matching the dyad are pooled, weighted by
    their events."""
    settings = settings or Settings()
    if isinstance(dyad, str):
        parts = [p.strip() for p in dyad.split(",")]
        if len(parts) != 2 or not all(parts):
            raise ValueError(f"a dyad is SOURCE,TARGET (e.g. RUS,UKR), not {dyad!r}")
        dyad = (parts[0], parts[1])
    base = flt or EventFilter(modalities=("asserted",))
    frame = series(store, level, by, replace(base, dyad=dyad)).dropna(subset=["mean_goldstein"])
    frame = frame.assign(g=frame["mean_goldstein"] * frame["events"])
    per = frame.groupby("period", as_index=False)[["events", "g"]].sum().sort_values("period")
    per = per[per["events"] >= settings.changepoint_min_events]
    x = (per["g"] / per["events"]).to_numpy(dtype=float)
    days = [pd.Timestamp(p).date() for p in per["period"]]
    segs = changepoint.segments(
        x, penalty=settings.changepoint_penalty, min_size=settings.changepoint_min_size
    )
    rows = [
        {
            "start": days[s.start],
            "end": period_end(days[s.end - 1], by) if by in ("week", "month") else days[s.end - 1],
            "periods": s.end - s.start,
            "events": int(per["events"].iloc[s.start : s.end].sum()),
            "mean_goldstein": round(s.mean, 3),
        }
        for s in segs
    ]
    return pd.DataFrame(rows, columns=SEGMENT_COLUMNS)
