"""Reading the series tables (``series.py``): summaries per period, first appearances.

A query reads the coarsest stored grain that the period and the date bounds allow (months for
``by="month"`` when ``since`` is a first and ``until`` a last day of a month; days otherwise), so
a monthly summary over millions of events reads thousands of rows. Filters on actors apply to
the unit of the level (a pair's source and target, a country, an actor), not to the event's other
actors. An event-type filter cannot be read from the tables (they count each PLOVER type and
QuadClass in a column, not by key): those summaries are counted from the events table with the
same measures.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

import pandas as pd
import pyarrow as pa

from detente.store.series import (
    DIRTY,
    EVENT_KEYS,
    GRAINS,
    LEVELS,
    MEASURES,
    PLOVER_TYPES,
    RANKED,
    rank_scope,
    unit_measures,
    units_sql,
)

if TYPE_CHECKING:
    import duckdb

    from detente.store.db import EventFilter

PERIODS = ("day", "week", "month", "year")
_READ_GRAINS = {"day": ("day",), "week": ("week", "day"), "month": ("month", "day")}
_READ_GRAINS["year"] = _READ_GRAINS["month"]


def _trunc(day: date, grain: str) -> date:
    if grain == "week":
        return day - timedelta(days=day.weekday())
    if grain == "month":
        return day.replace(day=1)
    if grain == "year":
        return day.replace(month=1, day=1)
    return day


def period_start(day: date, grain: str) -> date:
    """The first day of the ``grain`` period holding ``day``."""
    return _trunc(day, grain)


def read_grain(by: str, since: date | None, until: date | None) -> str:
    """The coarsest stored grain whose periods add up to ``by`` periods within the bounds."""
    if by not in PERIODS:
        raise ValueError(f"by must be day, week, month or year, not {by!r}")
    for grain in _READ_GRAINS[by]:
        after = until + timedelta(days=1) if until else None
        if (since is None or _trunc(since, grain) == since) and (
            after is None or _trunc(after, grain) == after
        ):
            return grain
    return "day"


def _from_table(flt: EventFilter) -> bool:
    """Can the series tables answer ``flt``? (They keep no event types.)"""
    return not flt.event


def _unit_filter(level: str, flt: EventFilter) -> tuple[list[str], list[Any]]:
    """The actor filters on the level's units."""
    sql: list[str] = []
    params: list[Any] = []

    def side(country: str, code: str | None, who: str) -> str:
        params.extend([who.upper(), who.upper()] if code else [who.upper()])
        return f"({country} = ? OR {code} LIKE ? || '%')" if code else f"{country} = ?"

    if level in ("pairs", "country_pairs"):
        code = {"source": "source", "target": "target"} if level == "pairs" else {}
        if flt.country:
            sql.append(
                f"({side('source_country', code.get('source'), flt.country)} OR "
                f"{side('target_country', code.get('target'), flt.country)})"
            )
        if flt.dyad:
            sql.append(side("source_country", code.get("source"), flt.dyad[0]))
            sql.append(side("target_country", code.get("target"), flt.dyad[1]))
    else:
        if flt.dyad:
            raise ValueError(f"a dyad filter needs a level of pairs, not {level}")
        if flt.country:
            sql.append(side("country", "actor" if level == "actors" else None, flt.country))
    return sql, params


def rows_sql(
    level: str, by: str, flt: EventFilter, only: str | None = None
) -> tuple[str, list[Any]]:
    """``WITH ..., r AS (...)``: series rows (period truncated to ``by``) passing ``flt`` (and
    the condition ``only`` on the table's rows, when read from the table)."""
    from dataclasses import replace

    keys = ", ".join((*LEVELS[level].keys, *EVENT_KEYS))
    units, unit_params = _unit_filter(level, flt)
    if _from_table(flt):
        grain = read_grain(by, flt.since, flt.until)
        where, params = ["grain = ?"], [grain]
        for op, day in ((">=", flt.since), ("<=", flt.until)):
            if day:
                where.append(f"period {op} ?")
                params.append(day)
        if flt.modalities:
            where.append(f"modality IN ({', '.join('?' * len(flt.modalities))})")
            params += list(flt.modalities)
        if flt.require_dyad:
            where.append("full_dyad")
        if flt.folded:
            where.append("lead")
        where += [*units, *([only] if only else [])]
        sql = (
            f"WITH r AS (SELECT CAST(date_trunc(?, period) AS DATE) AS period, {keys},"
            f" {', '.join(MEASURES)} FROM {LEVELS[level].table} WHERE {' AND '.join(where)})"
        )
        return sql, [by, *params, *unit_params]
    event_where, params = replace(flt, country=None, dyad=None).where()
    sql = (
        units_sql(level, f"(SELECT * FROM events e WHERE {event_where})", "event_actors")
        + f", r AS (SELECT CAST(date_trunc(?, published) AS DATE) AS period, {keys},"
        f" {unit_measures()} FROM u WHERE {' AND '.join(['TRUE', *units])})"
    )
    return sql, [*params, by, *unit_params]


def frame(con: duckdb.DuckDBPyConnection, sql: str, params: list[Any]) -> pd.DataFrame:
    """The rows of ``sql`` as a DataFrame, by way of Arrow: for a summary of millions of rows
    this is several times faster than DuckDB's ``.df()``, which makes a Python object of every
    string. DATE columns come as ``datetime64[us]``, as ``.df()`` gives them; the series
    queries return no nullable integers (their sums are cast to BIGINT over counted rows)."""
    con.complete()  # a result left half-read (``fetchone``) would block the next query
    table = con.sql(sql, params=params).to_arrow_table()
    out = table.to_pandas(date_as_object=False)
    for name, kind in zip(table.column_names, table.schema.types, strict=True):
        if pa.types.is_date(kind):
            out[name] = out[name].astype("datetime64[us]")
    return out


COUNTS = [m for m in MEASURES if m not in ("goldstein_sum", "goldstein_n")]


def _sums(*names: str) -> str:
    return ", ".join(f"CAST(sum({n}) AS BIGINT) AS {n}" for n in names)


def series(con: duckdb.DuckDBPyConnection, level: str, by: str, flt: EventFilter) -> pd.DataFrame:
    """One row per period and unit of ``level``: events, statements, the four QuadClasses, one
    ``plover_<type>`` count per PLOVER type, mean Goldstein and conflict share."""
    if level not in LEVELS:
        raise ValueError(f"level must be one of {', '.join(LEVELS)}, not {level!r}")
    head, params = rows_sql(level, by, flt)
    keys = ", ".join(LEVELS[level].keys)
    sql = (
        f"{head} SELECT period, {keys}, {_sums(*COUNTS)},"
        " sum(goldstein_sum) / nullif(sum(goldstein_n), 0) AS mean_goldstein,"
        " sum(verbal_conflict + material_conflict) / sum(events) AS conflict_share"
        f" FROM r GROUP BY period, {keys} HAVING sum(events) > 0"
        f" ORDER BY period NULLS LAST, events DESC, {keys}"
    )
    return frame(con, sql, params)


def _plover_string() -> str:
    """'TYPE:n, ...' of the PLOVER counts of a row of sums, most first (as ``Store.dyads``)."""
    items = ", ".join(
        f"{{'k': -plover_{p.lower()}, 'p': '{p}'}}" for p in (*PLOVER_TYPES, "UNLISTED")
    )
    return (
        f"nullif(array_to_string(list_transform(list_sort(list_filter([{items}],"
        " lambda x: x.k < 0)), lambda x: x.p || ':' || CAST(-x.k AS VARCHAR)), ', '), '')"
    )


def ranked_scope(by: str, flt: EventFilter, top: int | None) -> str | None:
    """The ``series_pair_ranks`` scope that answers ``flt``'s ``top`` pairs by ``by``, if any:
    whole periods of a ranked grain, no actor or event-type filter, ``top`` within the ranks."""
    if top is None or top > RANKED or by not in GRAINS or not _from_table(flt):
        return None
    if flt.country or flt.dyad or flt.require_dyad or read_grain(by, flt.since, flt.until) != by:
        return None
    return rank_scope(flt.modalities, flt.folded)


def _keeps_ranks(con: duckdb.DuckDBPyConnection) -> bool:
    """Does the store keep ranks? (A dataset's tables are views computed from its events: it
    keeps none, and its ranked reads would compute the pair series twice.)"""
    kind = con.execute(
        "SELECT table_type FROM information_schema.tables WHERE table_name = 'series_pair_ranks'"
    ).fetchall()
    return kind == [("BASE TABLE",)]


def dyads(
    con: duckdb.DuckDBPyConnection, by: str, flt: EventFilter, top: int | None = None
) -> pd.DataFrame:
    """``Store.dyads`` from ``series_pairs``: the same columns and rows as counted from events
    (with ``top``, only each period's ``top`` pairs with most events: read from the ranks of
    each period where they are kept and current, ``ranked_scope``)."""
    quads = ("verbal_coop", "material_coop", "verbal_conflict", "material_conflict")
    plover = [f"plover_{p.lower()}" for p in PLOVER_TYPES] + ["plover_unlisted"]
    scope = ranked_scope(by, flt, top)
    scope = scope if scope and _keeps_ranks(con) else None  # the catalog asked only when it matters
    head, params = rows_sql("pairs", by, flt, DIRTY.format(t="series_pairs") if scope else None)
    summed = (
        f"SELECT period, source, target, {_sums('events', 'statements', *quads)},"
        " round(sum(goldstein_sum) / nullif(sum(goldstein_n), 0), 2) AS mean_goldstein,"
        f" {_sums(*plover)} FROM r GROUP BY period, source, target HAVING sum(events) > 0"
    )
    if scope:  # the marked periods summed from the table, the others read from their ranks
        where = ["grain = ?", "scope = ?", "rank <= ?", f"NOT {DIRTY.format(t='k')}"]
        ranked = [by, scope, int(top)]
        for op, day in ((">=", flt.since), ("<=", flt.until)):
            if day:
                where.append(f"period {op} ?")
                ranked.append(day)
        counts = ", ".join(("events", "statements", *quads))
        summed += (
            f" UNION ALL SELECT period, source, target, {counts},"
            " round(goldstein_sum / nullif(goldstein_n, 0), 2) AS mean_goldstein,"
            f" {', '.join(plover)} FROM series_pair_ranks k WHERE {' AND '.join(where)}"
        )
        params = [*params, *ranked]
    kept = ", t AS (SELECT * FROM s)"
    if top is not None:
        kept = (
            ", t AS (SELECT * FROM s QUALIFY row_number() OVER (PARTITION BY period"
            " ORDER BY events DESC, source, target) <= ?)"
        )
        params = [*params, int(top)]
    sql = (
        f"{head}, s AS ({summed}){kept}"
        f" SELECT period, source, target, events, statements, {', '.join(quads)},"
        f" mean_goldstein, {_plover_string()} AS plover FROM t"
        " ORDER BY period NULLS LAST, events DESC, source, target"
    )
    return frame(con, sql, params)


def first_seen(
    con: duckdb.DuckDBPyConnection, by: str, flt: EventFilter, after: date, min_events: int
) -> pd.DataFrame:
    """Actors whose first period (over the whole store, ``flt``'s dates aside) is on or after
    ``after`` with at least ``min_events`` events in it: actor, country, period, events."""
    from dataclasses import replace

    if by not in ("week", "month"):
        raise ValueError(f"first appearances are by week or month, not {by!r}")
    head, params = rows_sql("actors", by, replace(flt, since=None, until=None))
    sql = (
        f"{head}, n AS (SELECT actor, any_value(country) AS country, period, sum(events) AS events"
        " FROM r GROUP BY actor, period HAVING sum(events) > 0),"
        " f AS (SELECT actor, min(period) AS first FROM n GROUP BY actor)"
        " SELECT n.actor, n.country, n.period, CAST(n.events AS BIGINT) AS events FROM n"
        " JOIN f ON f.actor = n.actor AND f.first = n.period"
        " WHERE n.period >= ? AND n.events >= ? ORDER BY n.period, n.events DESC, n.actor"
    )
    return frame(con, sql, [*params, after, min_events])


def span(con: duckdb.DuckDBPyConnection) -> tuple[date | None, date | None]:
    """The first and last publication day counted."""
    row = con.execute(
        "SELECT min(period), max(period) FROM series_actors WHERE grain = 'day'"
    ).fetchone()
    return (row[0], row[1]) if row else (None, None)
