"""Alerts: dyads and countries whose events or conflict share shift, new actors, Goldstein breaks.

For each complete period (week or month) from ``since`` and each trailing baseline window
(``Settings.alert_baselines``, 4 and 52 weeks), over the country pairs (dyads) and countries of
the store's series tables:

- **events**: the period's count ``c`` against the window's mean ``b`` fires when it changes by
  at least ``alert_change`` (25%, ACLED's trend rule), by more than Poisson noise
  (``|c - b| >= alert_z * sqrt(max(b, 1) * (1 + 1/w))``, the spread of a count minus a mean of
  ``w`` counts), and ``max(c, b) >= alert_min_events`` (the low-base rule: 1 → 3 is no alert);
- **conflict_share**: the share of QuadClass 3–4 events in the period against the window's
  pooled share fires when it moves by ``alert_share_change`` and a two-proportion z-test
  passes ``alert_z``, with ``alert_min_events`` in both;
- **new_actor**: an actor code counted for the first time in the store, with at least
  ``alert_new_actor_events`` events in that period;
- **goldstein**: a break (``changepoint.breaks``) in a dyad's mean Goldstein series over the
  history read, starting in a reported period.

A window needs its whole span after the store's first period (no zeros invented before it);
the last period counts only once complete (the store's last day ends it). Each alert carries
the filter of the events behind it (``since``, ``until``, ``dyad`` or ``country``) and the
``detente events`` command that lists them.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import replace
from datetime import date, timedelta

import numpy as np
import pandas as pd

from detente.analytics import changepoint
from detente.settings import Settings
from detente.store.db import EventFilter, Store

COLUMNS = [
    "period", "level", "unit", "measure", "baseline", "direction", "current", "expected",
    "change", "since", "until", "dyad", "country", "events_command",
]  # fmt: skip
BY = ("week", "month")


def period_start(day: date, by: str) -> date:
    return day - timedelta(days=day.weekday()) if by == "week" else day.replace(day=1)


def shift(start: date, by: str, n: int) -> date:
    """The start of the period ``n`` periods after the one starting on ``start``."""
    if by == "week":
        return start + timedelta(weeks=n)
    months = start.year * 12 + start.month - 1 + n
    return date(months // 12, months % 12 + 1, 1)


def period_end(start: date, by: str) -> date:
    return shift(start, by, 1) - timedelta(days=1)


def window_periods(weeks: int, by: str) -> int:
    """A window of ``weeks`` in periods of ``by`` (4 weeks = 1 month, 52 weeks = 12)."""
    return weeks if by == "week" else max(1, round(weeks * 12 / 52))


def alerts(
    store: Store,
    settings: Settings | None = None,
    *,
    since: date | None = None,
    by: str = "week",
    flt: EventFilter | None = None,
    progress: Callable[[str], None] | None = None,
) -> pd.DataFrame:
    """The alerts of each complete period from ``since`` (the last complete one by default)."""
    if by not in BY:
        raise ValueError(f"alerts are by week or month, not {by!r}")
    settings = settings or Settings()
    flt = flt or EventFilter(modalities=("asserted",))
    step = progress or (lambda _: None)
    first, last = store.span()
    if last is None:
        return pd.DataFrame(columns=COLUMNS)
    store_first = period_start(first, by)
    final = period_start(last, by)
    if period_end(final, by) != last:
        final = shift(final, by, -1)
    start = period_start(since, by) if since else final
    if start > final:
        return pd.DataFrame(columns=COLUMNS)
    windows = [window_periods(w, by) for w in settings.alert_baselines]
    history = max(store_first, shift(start, by, -max(windows, default=1)))
    periods = [history]
    while periods[-1] < final:
        periods.append(shift(periods[-1], by, 1))
    read = replace(flt, since=history, until=period_end(final, by))
    rows: list[dict] = []
    for level, keys in (("dyad", ["source_country", "target_country"]), ("country", ["country"])):
        step(f"reading {level} series")
        frame = store.series("country_pairs" if level == "dyad" else "countries", by, read)
        frame = frame.dropna(subset=keys)
        frame["period"] = pd.to_datetime(frame["period"]).dt.date
        step(f"comparing {level} counts")
        rows += _shifts(frame, keys, level, periods, start, windows, by, settings, flt)
        if level == "dyad":
            step("searching Goldstein change points")
            rows += _breaks(frame, keys, periods, start, by, settings, flt)
    step("finding new actors")
    for r in store.first_seen(by, flt, start, settings.alert_new_actor_events).itertuples():
        if pd.Timestamp(r.period).date() <= final:
            day = pd.Timestamp(r.period).date()
            row = _row(day, "actor", r.actor, "new_actor", None, r.events, 0.0, None, by, flt)
            rows.append(row | {"country": r.actor})
    for row in rows:
        row["events_command"] = _command(row, flt)
    out = pd.DataFrame(rows, columns=COLUMNS)
    return out.sort_values(["period", "level", "measure", "unit"], ignore_index=True)


def _matrix(frame: pd.DataFrame, keys: list[str], periods: list[date], column: str):
    """Units × periods of ``column`` (zeros where a unit has no row), and the units."""
    table = frame.pivot_table(index=keys, columns="period", values=column, aggfunc="sum")
    table = table.reindex(columns=periods, fill_value=0).fillna(0)
    return table.to_numpy(dtype=float), list(table.index)


def _shifts(frame, keys, level, periods, start, windows, by, settings, flt) -> list[dict]:
    if frame.empty:
        return []
    frame = frame.assign(conflict=frame["verbal_conflict"] + frame["material_conflict"])
    counts, units = _matrix(frame, keys, periods, "events")
    conflict, _ = _matrix(frame, keys, periods, "conflict")
    zero = np.zeros((len(units), 1))
    csum = np.hstack([zero, counts.cumsum(axis=1)])
    ksum = np.hstack([zero, conflict.cumsum(axis=1)])
    z, low = settings.alert_z, settings.alert_min_events
    rows = []
    for t, period in enumerate(periods):
        if period < start:
            continue
        c, k = counts[:, t], conflict[:, t]
        for w in windows:
            if t - w < 0:  # the window would reach before the store's first period
                continue
            total = csum[:, t] - csum[:, t - w]
            base = total / w
            diff = c - base
            noise = z * np.sqrt(np.maximum(base, 1.0) * (1 + 1 / w))
            fire = (np.maximum(c, base) >= low) & (np.abs(diff) >= noise)
            fire &= np.abs(diff) >= settings.alert_change * base
            fire &= diff != 0
            for i in np.flatnonzero(fire):
                change = diff[i] / base[i] if base[i] else np.inf
                rows.append(_row(period, level, units[i], "events", w, c[i], base[i], change,
                                 by, flt))  # fmt: skip
            kb = ksum[:, t] - ksum[:, t - w]
            with np.errstate(divide="ignore", invalid="ignore"):
                now, before = k / c, kb / total
                pooled = (k + kb) / (c + total)
                spread = np.sqrt(pooled * (1 - pooled) * (1 / c + 1 / total))
            d = now - before
            ok = (c >= low) & (total >= low)
            fire = ok & (np.abs(d) >= settings.alert_share_change) & (np.abs(d) >= z * spread)
            for i in np.flatnonzero(fire):
                rows.append(_row(period, level, units[i], "conflict_share", w, now[i],
                                 before[i], d[i], by, flt))  # fmt: skip
    return rows


def _breaks(frame, keys, periods, start, by, settings, flt) -> list[dict]:
    """Breaks in each dyad's mean Goldstein series (periods with enough events) that start in
    a reported period. Every segment has at least ``changepoint_min_size`` periods, so a dyad
    with fewer periods from ``start`` on can have no reported break: it is not searched."""
    rows = []
    enough = frame[frame["events"] >= settings.changepoint_min_events].dropna(
        subset=["mean_goldstein"]
    )
    enough = enough.sort_values([*keys, "period"])
    units = [enough[k] for k in keys]
    size = enough.groupby(units)["period"].transform("size")
    late = (enough["period"] >= start).groupby(units).transform("sum")
    searched = (size >= settings.changepoint_min_periods) & (late >= settings.changepoint_min_size)
    for unit, group in enough[searched].groupby(keys, sort=True):
        x = group["mean_goldstein"].to_numpy(dtype=float)
        when = group["period"].tolist()
        segs = changepoint.segments(
            x, penalty=settings.changepoint_penalty, min_size=settings.changepoint_min_size
        )
        for before, after in itertools.pairwise(segs):
            if when[after.start] < start:
                continue
            row = _row(when[after.start], "dyad", unit, "goldstein", None, after.mean,
                       before.mean, after.mean - before.mean, by, flt)  # fmt: skip
            row["until"] = period_end(when[after.end - 1], by)
            rows.append(row)
    return rows


def _row(period, level, unit, measure, window, current, expected, change, by, flt) -> dict:
    unit = tuple(unit) if isinstance(unit, tuple) else (unit,)
    return {
        "period": period if isinstance(period, date) else pd.Timestamp(period).date(),
        "level": level,
        "unit": "→".join(map(str, unit)),
        "measure": measure,
        "baseline": f"{window}{by[0]}" if window else None,
        "direction": None if change is None else ("up" if change > 0 else "down"),
        "current": float(current),
        "expected": float(expected),
        "change": None if change is None else float(change),
        "since": pd.Timestamp(period).date(),
        "until": period_end(pd.Timestamp(period).date(), by),
        "dyad": ",".join(unit) if level == "dyad" else None,
        "country": unit[0] if level == "country" else None,
        "events_command": None,
    }


def _command(row: dict, flt: EventFilter) -> str:
    parts = ["detente events", f"--since {row['since']}", f"--until {row['until']}"]
    if row["dyad"]:
        parts.append(f"--dyad {row['dyad']}")
    if row["country"]:
        parts.append(f"--country {row['country']}")
    if flt.event:
        parts.append(f"--event {flt.event}")
    if not flt.modalities:
        parts.append("--all-modalities")
    return " ".join(parts)


def alert_events(store: Store, alert: pd.Series | dict, flt: EventFilter | None = None):
    """The events behind an alert (a row of ``alerts``), as ``Store.events`` gives them."""
    base = flt or EventFilter(modalities=("asserted",))

    def value(key: str):
        v = alert.get(key)
        return None if v is None or (isinstance(v, float) and np.isnan(v)) else v

    dyad = tuple(value("dyad").split(",")) if value("dyad") else None
    return store.events(
        replace(
            base, since=value("since"), until=value("until"), dyad=dyad, country=value("country")
        )
    )
