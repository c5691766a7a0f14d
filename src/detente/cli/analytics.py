"""CLI commands for analytics: ``series``, ``alerts``, ``changepoints`` (thin adapters over
``detente.analytics.queries``). Registered on the app of ``detente.cli.main``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

import pandas as pd
import typer

from detente.cli.options import FROM_OPTIONS, By, BySeries, ByWeek, filtered_command
from detente.cli.progress import progress_bar
from detente.cli.store import Db, _err, _open, _print
from detente.settings import Settings
from detente.store.db import DEFAULT_DB, EventFilter, Store

LEVELS = ("pairs", "country_pairs", "countries", "actors")
Level = Annotated[
    str, typer.Option(help="pairs (actor codes), country_pairs, countries or actors.")
]


def _steps():
    """A spinner naming the step under way (on a terminal only)."""
    from rich.progress import SpinnerColumn, TextColumn, TimeElapsedColumn

    return progress_bar(
        _err(), SpinnerColumn(), TextColumn("{task.fields[step]}"), TimeElapsedColumn(), step=""
    )


def _read_series(db: str, read: Callable[[Store], pd.DataFrame]) -> pd.DataFrame:
    """``read(store)`` under a spinner; a ValueError (a filter the series cannot answer) is a
    bad parameter."""
    with _open(db) as store, _steps() as bar:
        if bar:
            bar(step="reading the series")
        try:
            return read(store)
        except ValueError as exc:
            raise typer.BadParameter(str(exc)) from exc


def _dates(frame: pd.DataFrame, *cols: str) -> pd.DataFrame:
    for col in cols:
        frame[col] = pd.to_datetime(frame[col]).dt.strftime("%Y-%m-%d")
    return frame


@filtered_command("series")
def series_cmd(
    db: Db = DEFAULT_DB,
    by: By = "month",
    level: Level = "pairs",
    flt: EventFilter = FROM_OPTIONS,
) -> None:
    """Counts per period from the pre-aggregated series: QuadClasses, PLOVER types, mean
    Goldstein, conflict share; per actor pair, country pair, country or actor."""
    from detente.analytics.queries import series

    if level not in LEVELS:
        raise typer.BadParameter(f"must be one of {', '.join(LEVELS)}", param_hint="--level")
    frame = _read_series(db, lambda store: series(store, level, by, flt))
    empty = [c for c in frame if c.startswith("plover_") and not frame[c].any()]
    frame = frame.drop(columns=empty)  # the PLOVER types never counted here
    frame["mean_goldstein"] = frame["mean_goldstein"].round(2)
    frame["conflict_share"] = frame["conflict_share"].round(2)
    short = {c: c.removeprefix("plover_").upper() for c in frame if c.startswith("plover_")}
    short |= {"source_country": "src_cty", "target_country": "tgt_cty", "statements": "stmt"}
    short |= {"verbal_coop": "vcoop", "material_coop": "mcoop", "verbal_conflict": "vconf"}
    short |= {"material_conflict": "mconf", "mean_goldstein": "goldstein"}
    short |= {"conflict_share": "conflict"}
    _print(_dates(frame, "period").rename(columns=short))


@filtered_command("alerts")
def alerts_cmd(db: Db = DEFAULT_DB, by: ByWeek = "week", flt: EventFilter = FROM_OPTIONS) -> None:
    """Dyads and countries whose events or conflict share shift against the 4- and 52-week
    baselines, new actors, and breaks in a dyad's Goldstein series; each with the command
    listing its events. --since: report every complete period from then (default: the last)."""
    from dataclasses import replace

    from detente.analytics.queries import alerts

    if flt.country or flt.dyad or flt.until:
        raise typer.BadParameter("alerts take --since, --event and --all-modalities only")
    since = flt.since
    with _open(db) as store, _steps() as bar:
        found = alerts(
            store,
            Settings.from_env(),
            since=since,
            by=by,
            flt=replace(flt, since=None),
            progress=(lambda s: bar(step=s)) if bar else None,
        )
    for col in ("current", "expected", "change"):
        found[col] = found[col].astype(float).round(2)
    shown = found.drop(columns=["since", "until", "dyad", "country"])
    _print(_dates(shown, "period"))


@filtered_command("changepoints")
def changepoints_cmd(
    db: Db = DEFAULT_DB,
    by: BySeries = "week",
    level: Level = "country_pairs",
    flt: EventFilter = FROM_OPTIONS,
) -> None:
    """Segments of the mean Goldstein series of the --dyad given (binary segmentation)."""
    from dataclasses import replace

    from detente.analytics.queries import changepoints

    if not flt.dyad:
        raise typer.BadParameter("give the dyad: --dyad SOURCE,TARGET", param_hint="--dyad")
    frame = _read_series(
        db,
        lambda store: changepoints(
            store, flt.dyad, by=by, level=level, flt=replace(flt, dyad=None),
            settings=Settings.from_env(),
        ),
    )  # fmt: skip
    _print(_dates(frame, "start", "end"))
