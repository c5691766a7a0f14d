"""CLI commands for the store: ``ingest``, ``export``, ``events``, ``stories``, ``dyads``,
``claims``, ``counts`` (thin adapters over ``ingest_run``, ``export`` and ``queries``).
Registered on the app of ``detente.cli.main``."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import pandas as pd
import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from detente.cli.app import app
from detente.cli.display import when
from detente.cli.options import (
    FROM_OPTIONS,
    By,
    Inputs,
    NoFollow,
    RequireDyad,
    Rows,
    Samples,
    TyperProfile,
    day_option,
    filtered_command,
)
from detente.cli.progress import progress_bar
from detente.errors import DetenteError
from detente.settings import FETCH_TIMEOUT, Settings
from detente.store.db import (
    DEFAULT_DB,
    EventFilter,
    Store,
    StoreBusy,
    StoreError,
    open_store,
)

Db = Annotated[
    str, typer.Option("--db", help="DuckDB store file, or a Parquet dataset folder (read-only).")
]
store_app = typer.Typer(help="The store: attach a Parquet dataset.", no_args_is_help=True)
app.add_typer(store_app, name="store")


def _err() -> Console:
    return Console(stderr=True, soft_wrap=True)


STORE_BUSY, STORE_BROKEN = 4, 5  # exit codes: store in use; store cannot be opened


def _open(db: str, must_exist: bool = True, read_only: bool = True) -> Store:
    """Open the store (read-only for listings and exports), waiting while another process
    holds it, with a message; exit 4 if it stays in use, 5 if it cannot be opened."""
    from detente.store.dataset import is_dataset, open_dataset

    err = _err()
    if is_dataset(db):
        if not read_only:
            err.print(f"[red]error[/]: {db} is a Parquet dataset: read-only here")
            raise typer.Exit(2)
        try:
            return open_dataset(db)
        except DetenteError as exc:
            raise _store_exit(exc) from exc
    if must_exist and not Path(db).is_file():
        err.print(f"[red]error[/]: no store at {db}: run `detente ingest` first")
        raise typer.Exit(2)
    try:
        return open_store(db, read_only=read_only, on_wait=lambda m: err.print(f"waiting: {m}"))
    except DetenteError as exc:
        raise _store_exit(exc) from exc


def _store_exit(exc: DetenteError) -> typer.Exit:
    _err().print(f"[red]error[/]: {escape(str(exc))}")
    return typer.Exit(STORE_BUSY if isinstance(exc, StoreBusy) else STORE_BROKEN)


@app.command("ingest")
def ingest_cmd(
    inputs: Inputs = None,
    db: Db = DEFAULT_DB,
    glob: Annotated[str, typer.Option(help="File pattern inside folders.")] = "*",
    allow_private: Annotated[
        bool, typer.Option("--allow-private", help="Allow fetching private/loopback addresses.")
    ] = False,
    workers: Annotated[int, typer.Option(min=1, help="Coding processes.")] = 1,
    samples: Samples = False,
    require_dyad: RequireDyad = False,
    timeout: Annotated[float, typer.Option(help="Seconds per URL fetch, in all.")] = FETCH_TIMEOUT,
    field: Annotated[
        list[str] | None,
        typer.Option(help="JSON Lines field name, e.g. text=body or url=link; repeatable."),
    ] = None,
    published: Annotated[
        str | None,
        typer.Option(help="Publication date YYYY-MM-DD of inputs that carry no date."),
    ] = None,
    no_follow: NoFollow = False,
    learned: TyperProfile = None,
    engine: Annotated[
        str,
        typer.Option(
            help="local: worker processes on this machine, into --db; dask: a Dask cluster"
            " (a LocalCluster of --workers, or --scheduler), into the Parquet dataset --out."
        ),
    ] = "local",
    scheduler: Annotated[
        str | None, typer.Option(help="Dask scheduler address (engine dask), e.g. tcp://h:8786.")
    ] = None,
    out: Annotated[
        str | None, typer.Option(help="Parquet dataset folder written by the dask engine.")
    ] = None,
    lifetime: Annotated[
        str | None,
        typer.Option(help="Restart each local Dask worker process after this long, e.g. '2h'."),
    ] = None,
    recycle: Annotated[
        int,
        typer.Option(
            "--recycle-shards", min=0, help="A worker loads a fresh coder after this many shards."
        ),
    ] = 20,
) -> None:
    """Code inputs and keep them in the store (already stored articles are skipped)."""
    from detente.coding.coder import load_coder
    from detente.ingest.sources import JSONL_FIELDS, SourceOptions
    from detente.knowledge.samples import sample_articles
    from detente.run.batch import ingest

    err = _err()
    if not inputs and not samples:
        raise typer.BadParameter("give files, folders, URLs, '-' for stdin, or --samples")
    items: list = list(inputs or []) + (sample_articles() if samples else [])
    fields = dict(f.split("=", 1) for f in field or [] if "=" in f)
    if len(fields) != len(field or []) or not set(fields) <= set(JSONL_FIELDS):
        raise typer.BadParameter(
            f"use NAME=FIELD with NAME one of {', '.join(JSONL_FIELDS)}", param_hint="--field"
        )
    settings = Settings.from_env(
        fetch_timeout=timeout, require_dyad=require_dyad, typer=learned and learned.value
    )
    options = SourceOptions.from_settings(
        settings,
        glob=glob,
        allow_private=allow_private,
        jsonl_fields=fields,
        default_published=day_option(published),
        follow_links=not no_follow,
    )
    if engine not in ("local", "dask"):
        raise typer.BadParameter("must be local or dask", param_hint="--engine")
    if engine == "dask":
        _ingest_dataset(items, out, scheduler, workers, (lifetime, recycle), settings, options)
        return
    if scheduler or out:
        raise typer.BadParameter("--scheduler and --out go with --engine dask")
    try:
        coder = load_coder(settings) if workers == 1 else None
    except DetenteError as exc:
        err.print(f"[red]error[/]: {exc}")
        raise typer.Exit(3) from exc
    store = _open(db, must_exist=False, read_only=False)
    with store, _ingest_progress(err) as bar:

        def progress(s) -> None:
            bar(completed=s.seen, rate=s.seen / bar.elapsed(), events=s.events, failed=s.failed)

        try:
            summary = ingest(
                items,
                store,
                coder,
                options=options,
                workers=workers,
                progress=progress if bar else None,
                settings=settings,
            )
        except StoreError as exc:
            raise _store_exit(exc) from exc
    for item, warning in summary.warnings:
        err.print(f"[yellow]warning[/]: {escape(item)}: {warning}")
    for f in summary.failures:
        err.print(f"[red]error[/]: {escape(f.item)}: {f.stage}: {escape(f.reason)}")
    print(
        f"{db}: stored {summary.stored} articles ({summary.events} events of every modality, "
        f"{summary.asserted} asserted; {summary.claims} claims, {summary.counts} counts); "
        f"skipped {summary.skipped} already stored, {summary.duplicates} duplicates, "
        f"{summary.reprints} reprints; {summary.folded} mentions folded into events; "
        f"failed {summary.failed}"
    )
    if summary.events > summary.asserted:
        err.print(
            "note: `detente events` and `export` show the asserted events; add --all-modalities "
            "for the negated, future, hypothetical and requested ones"
        )
    raise typer.Exit(1 if summary.failed else 0)


def _ingest_dataset(items, out, scheduler, workers, recycling, settings, options) -> None:
    """``detente ingest --engine dask``: the cluster runner, then its summary."""
    from detente.run.cluster import ingest_dataset
    from detente.store.dataset import create, samples_file

    err = _err()
    if not out:
        raise typer.BadParameter("the dask engine writes a Parquet dataset: give --out DATASET")
    paths = [i for i in items if isinstance(i, str)]
    try:
        if len(paths) < len(items):  # --samples: a JSON Lines file in the dataset's inputs/
            paths.append(samples_file(create(out), [i for i in items if not isinstance(i, str)]))
        summary = ingest_dataset(
            paths, out, scheduler=scheduler, workers=workers, settings=settings,
            options=options, lifetime=recycling[0], max_shards=recycling[1] or None,
        )  # fmt: skip
    except DetenteError as exc:
        raise _store_exit(exc) from exc
    for f in summary.failures:
        err.print(f"[red]error[/]: {escape(f.item)}: {f.stage}: {escape(f.reason)}")
    rate = summary.stored / summary.seconds if summary.seconds else 0.0
    print(
        f"{out}: {summary.shards} shards ({summary.coded_shards} coded on {summary.workers}"
        f" workers in {summary.seconds:.1f} s, {summary.done_before} done before,"
        f" {summary.failed_shards} failed); stored {summary.stored} articles ({rate:.1f}/s;"
        f" {summary.events} events of every modality, {summary.asserted} asserted;"
        f" {summary.claims} claims, {summary.counts} counts); skipped {summary.skipped} already"
        f" stored, {summary.duplicates} duplicates, {summary.reprints} reprints;"
        f" {summary.folded} mentions folded into events; failed {summary.failed}"
    )
    raise typer.Exit(1 if summary.failed else 0)


@store_app.command("attach")
def attach_cmd(
    dataset: Annotated[str, typer.Argument(help="Parquet dataset folder (ingest --out).")],
    db: Annotated[
        str, typer.Option("--db", help="DuckDB file to hold the views (made or replaced).")
    ] = DEFAULT_DB,
) -> None:
    """Make a DuckDB file whose tables are views over a Parquet dataset: every listing, export
    and analytics command then reads the dataset through --db FILE, nothing copied. (--db
    DATASET works too, building the views in memory each time.)"""
    from detente.store.dataset import attach_file

    try:
        n = attach_file(dataset, db)
    except DetenteError as exc:
        raise _store_exit(exc) from exc
    print(f"{db}: views over {Path(dataset).resolve()} ({n} articles)")


def _ingest_progress(console: Console):
    """The ingest bar: articles seen, rate, events and failures so far."""
    from rich.progress import SpinnerColumn, TextColumn, TimeElapsedColumn

    return progress_bar(
        console,
        SpinnerColumn(),
        TextColumn("{task.completed} articles"),
        TextColumn("{task.fields[rate]:.1f}/s"),
        TextColumn("{task.fields[events]} events, {task.fields[failed]} failed"),
        TimeElapsedColumn(),
        rate=0.0,
        events=0,
        failed=0,
    )


@filtered_command("export")
def export_cmd(
    fmt: Annotated[
        str,
        typer.Option(
            "--format",
            "-f",
            help="Events: plover, gdelt (folded events), mentions (GDELT mentions table),"
            " parquet or csv; or claims or counts (JSON Lines).",
        ),
    ],
    db: Db = DEFAULT_DB,
    out: Annotated[str | None, typer.Option(help="Output file (stdout if absent).")] = None,
    flt: EventFilter = FROM_OPTIONS,
) -> None:
    """Export stored events (asserted only unless --all-modalities), claims or counts.

    For claims and counts, --since/--until select by publication date, --country by claimant
    or linked event, --dyad/--event by linked event."""
    from detente.store.export import FORMATS, export

    if fmt not in FORMATS:
        raise typer.BadParameter(f"must be one of {', '.join(FORMATS)}", param_hint="--format")
    if fmt == "parquet" and not out:
        raise typer.BadParameter("Parquet needs --out FILE", param_hint="--out")
    with _open(db) as store:
        n = export(fmt, store, out or sys.stdout, flt)
    if out:
        what = fmt if fmt in ("claims", "counts") else "events"
        _err().print(f"{n} {what} written to {out}")


@filtered_command("events")
def events_cmd(db: Db = DEFAULT_DB, flt: EventFilter = FROM_OPTIONS, limit: Rows = 50) -> None:
    """List stored events."""
    from detente.store.queries import events

    with _open(db) as store:
        frame = events(store, flt, limit)
    frame["date"] = [
        when(d, p, m)
        for d, p, m in zip(
            frame["event_date"], frame["date_precision"], frame["date_method"], strict=True
        )
    ]
    cols = {
        "date": "date",
        "published": "published",
        "source_codes": "source",
        "cameo_code": "CAMEO",
        "plover_event": "PLOVER",
        "target_codes": "target",
        "modality": "modality",
        "trigger_text": "trigger",
        "article_id": "article",
    }
    frame = frame[list(cols)].rename(columns=cols)
    frame["published"] = pd.to_datetime(frame["published"]).dt.strftime("%Y-%m-%d")
    _print(frame)


@filtered_command("stories")
def stories_cmd(
    db: Db = DEFAULT_DB,
    flt: EventFilter = FROM_OPTIONS,
    limit: Rows = 50,
    min_articles: Annotated[
        int, typer.Option("--min-articles", min=1, help="Only events carried by this many.")
    ] = 1,
    fold: Annotated[
        bool,
        typer.Option(
            "--fold",
            help="First fold the mentions not folded yet and sketch the articles that have no"
            " reprint signature (stores filled before folding).",
        ),
    ] = False,
) -> None:
    """List folded events: mentions of one event across articles counted once, with
    NumMentions, NumSources and NumArticles as GDELT counts them."""
    from detente.store.queries import stories

    if fold:
        _fold(db)
    with _open(db) as store:
        frame = stories(store, flt, limit, min_articles=min_articles)
    frame["date"] = pd.to_datetime(frame["event_date"]).dt.strftime("%Y-%m-%d")
    frame["first seen"] = pd.to_datetime(frame["first_seen"]).dt.strftime("%Y-%m-%d")
    cols = {
        "date": "date",
        "first seen": "first seen",
        "source_codes": "source",
        "cameo_code": "CAMEO",
        "plover_event": "PLOVER",
        "target_codes": "target",
        "place": "place",
        "num_mentions": "mentions",
        "num_sources": "sources",
        "num_articles": "articles",
        "source_url": "first URL",
    }
    _print(frame[list(cols)].rename(columns=cols))


def _fold(db: str) -> None:
    """Fold the store's unfolded mentions, with a progress bar on a terminal."""
    from rich.progress import BarColumn, MofNCompleteColumn, TimeElapsedColumn

    from detente.run.stories import fold_pending, sketch_pending

    err = _err()
    columns = (BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    try:
        with (
            _open(db, read_only=False) as store,
            store.writing(),
            progress_bar(err, *columns) as bar,
        ):
            tick = (lambda done, total: bar(completed=done, total=total)) if bar else None
            settings = Settings.from_env()
            sketched = sketch_pending(store, settings, tick)
            n = fold_pending(store, settings, tick)
    except DetenteError as exc:
        raise _store_exit(exc) from exc
    err.print(f"{sketched} articles sketched, {n} mentions folded")


@filtered_command("dyads")
def dyads_cmd(
    db: Db = DEFAULT_DB,
    by: By = "month",
    flt: EventFilter = FROM_OPTIONS,
    top: Annotated[
        int | None, typer.Option("--top", min=1, help="Only each period's N busiest pairs.")
    ] = None,
) -> None:
    """Dyad summary: events per source→target pair and period, by QuadClass and PLOVER type."""
    from detente.store.queries import dyads

    with _open(db) as store:
        frame = dyads(store, by, flt, top=top)
    frame["period"] = pd.to_datetime(frame["period"]).dt.strftime("%Y-%m-%d")
    _print(frame)


@filtered_command("claims", modalities=False)
def claims_cmd(db: Db = DEFAULT_DB, flt: EventFilter = FROM_OPTIONS, limit: Rows = 50) -> None:
    """List stored claims: who says what, how hedged, about which event."""
    from detente.store.queries import claims

    with _open(db) as store:
        frame = claims(store, flt, limit)
    _print(_linked_columns(frame, {"cue": "cue", "stance": "stance", "about": "about"}))


@filtered_command("counts", modalities=False)
def counts_cmd(db: Db = DEFAULT_DB, flt: EventFilter = FROM_OPTIONS, limit: Rows = 50) -> None:
    """List stored counts of people killed, wounded, abducted, arrested, displaced or missing."""
    from detente.store.queries import counts

    with _open(db) as store:
        frame = counts(store, flt, limit)
    cols = {"category": "category", "low": "low", "high": "high", "text": "text"}
    _print(_linked_columns(frame, cols))


def _linked_columns(frame: pd.DataFrame, middle: dict[str, str]) -> pd.DataFrame:
    """The columns shown for claims or counts: date, claimant, ``middle``, hedges, event."""
    import json

    out = pd.DataFrame({"date": pd.to_datetime(frame["published"]).dt.strftime("%Y-%m-%d")})
    out["claimant"] = frame["claimant_code"]
    for col, name in middle.items():
        out[name] = frame[col]
    out["hedges"] = ["; ".join(h["text"] for h in json.loads(v)) for v in frame["hedges"]]
    linked = frame["event_cameo"].fillna("") + " " + frame["event_trigger"].fillna("")
    out["event"] = linked.str.strip()
    out["article"] = frame["article_id"]
    return out


def _print(frame: pd.DataFrame) -> None:
    out = Console() if sys.stdout.isatty() else Console(width=200)
    table = Table(header_style="bold")
    for col in frame.columns:
        table.add_column(str(col))
    for row in frame.itertuples(index=False):
        table.add_row(*("" if pd.isna(v) else str(v) for v in row))
    out.print(table)
    out.print(f"{len(frame)} rows")
