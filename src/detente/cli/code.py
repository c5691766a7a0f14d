"""``detente code``: code files, folders, URLs or stdin (read as ``detente ingest`` reads them)
and print the events, claims and casualty counts."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from detente.cli.app import app
from detente.cli.display import when
from detente.cli.options import (
    ActorFiles,
    AllModalities,
    Inputs,
    NoFollow,
    PatternFiles,
    RequireDyad,
    Samples,
    TyperProfile,
    day_option,
)
from detente.errors import DetenteError
from detente.ingest.sources import Failure, SourceOptions, read_inputs
from detente.knowledge.samples import sample_articles
from detente.records import MODALITIES, Article, ArticleAnalysis, Event
from detente.run.batch import Coded, code_batch
from detente.settings import MAX_CHARS, Settings


def _read_inputs(
    files: list[str], options: SourceOptions, err: Console
) -> tuple[list[Article], int]:
    """The articles of ``files`` (read by the library); each bad item and warning on stderr."""
    articles, failures = [], 0
    for result in read_inputs(files, options):
        if isinstance(result, Failure):
            err.print(f"[red]error[/]: {escape(result.item)}: {escape(result.reason)}")
            failures += 1
            continue
        for warning in result.warnings:
            err.print(f"[yellow]warning[/]: {escape(result.item)}: {warning}")
        articles.append(result.article)
    return articles, failures


def _table(events: list[Event], console: Console) -> None:
    table = Table(show_lines=False, header_style="bold")
    columns = ("sent", "CAMEO", "PLOVER", "source", "target", "modality", "trigger")
    for col in (*columns, "where", "when"):
        table.add_column(col)
    for e in events:
        table.add_row(
            str(e.sentence.index),
            f"{e.cameo.code} {e.cameo.name}",
            e.plover.event,
            ", ".join(_actor(a) for a in e.source),
            ", ".join(_actor(a) for a in e.target),
            e.modality,
            e.trigger.text,
            _where(e),
            _when(e),
        )
    console.print(table)


def _where(e: Event) -> str:
    loc = e.location
    if loc is None:
        return ""
    tail = "" if loc.method != "fallback" else "?"
    return f"{loc.name} ({loc.country or '-'}){tail}"


def _when(e: Event) -> str:
    return when(e.date, e.date_precision, e.date_method)


def _actor(a) -> str:
    label = a.name if a.name and a.kind != "state" else a.text
    return f"{a.code} ({label})"


@app.command("code")
def code_cmd(
    files: Inputs = None,
    fmt: Annotated[str, typer.Option("--format", "-f", help="table or jsonl.")] = "table",
    published: Annotated[
        str | None, typer.Option(help="Publication date YYYY-MM-DD for all inputs.")
    ] = None,
    all_modalities: AllModalities = False,
    samples: Samples = False,
    max_chars: Annotated[
        int, typer.Option(help="Refuse texts longer than this many characters.")
    ] = MAX_CHARS,
    actors: ActorFiles = None,
    patterns: PatternFiles = None,
    require_dyad: RequireDyad = False,
    no_follow: NoFollow = False,
    learned: TyperProfile = None,
) -> None:
    """Code text files (or stdin) into events."""
    out = Console() if sys.stdout.isatty() else Console(width=150)
    err = Console(stderr=True, soft_wrap=True)
    if fmt not in ("table", "jsonl"):
        raise typer.BadParameter("--format must be table or jsonl", param_hint="--format")
    day = day_option(published)
    if not files and not samples:
        raise typer.BadParameter("give files, '-' for stdin, or --samples")
    settings = Settings.from_env(
        max_chars=max_chars,
        actor_files=actors or None,
        pattern_files=patterns or None,
        require_dyad=require_dyad,
        typer=learned and learned.value,
    )
    options = SourceOptions.from_settings(settings, published=day, follow_links=not no_follow)
    articles, failures = _read_inputs(files or [], options, err)
    if samples:
        articles += sample_articles()
    try:
        from detente.coding.coder import load_coder

        coder = load_coder(settings)
    except DetenteError as exc:
        err.print(f"[red]error[/]: {exc}")
        raise typer.Exit(3) from exc
    modalities = MODALITIES if all_modalities else ("asserted",)
    for article, events, analysis, error in _coded(coder, articles, modalities, settings):
        if error is not None:  # this article only (over Settings.max_events, ...)
            item = article.source or article.url or article.id
            err.print(f"[red]error[/]: {escape(item)}: {escape(error)}")
            failures += 1
            continue
        if fmt == "jsonl":
            for e in events:
                sys.stdout.write(e.model_dump_json() + "\n")
        else:
            title = article.title or article.source or article.id
            out.print(f"[bold]{title}[/] — {len(events)} events")
            _table(events, out)
            if analysis is not None:
                _claims_tables(analysis, out, events)
    raise typer.Exit(1 if failures else 0)


def _coded(coder, articles: list[Article], modalities, settings: Settings) -> Iterator[Coded]:
    """Each article's events and claims, or the reason it could not be coded, in order (a
    batch at a time, as ingest codes them)."""
    for n in range(0, len(articles), settings.ingest_batch):
        yield from code_batch(coder, articles[n : n + settings.ingest_batch], modalities)


def _claims_tables(analysis: ArticleAnalysis, console: Console, events: list[Event]) -> None:
    """Claims (who says what, how hedged) and casualty/other counts, when the text has any,
    each with the event it is linked to (CAMEO code and trigger)."""
    linked = {e.id: f"{e.cameo.code} {e.trigger.text}" for e in events}

    def hedges(items) -> str:
        return "; ".join(h.text for h in items)

    def who(actor) -> str:
        return _actor(actor) if actor is not None else ""

    if analysis.claims:
        table = Table(title="claims", header_style="bold", title_justify="left")
        for col in ("sent", "claimant", "cue", "about", "stance", "hedges", "event"):
            table.add_column(col)
        for c in analysis.claims:
            table.add_row(
                str(c.sentence), who(c.claimant), c.cue, c.about or "", c.stance or "",
                hedges(c.hedges), linked.get(c.event or "", ""),
            )  # fmt: skip
        console.print(table)
    if analysis.counts:
        table = Table(title="counts", header_style="bold", title_justify="left")
        for col in ("sent", "category", "low", "high", "text", "claimant", "hedges", "event"):
            table.add_column(col)
        for n in analysis.counts:
            table.add_row(
                str(n.sentence), n.category, _num(n.low), _num(n.high), n.text.text,
                who(n.claimant), hedges(n.hedges), linked.get(n.event or "", ""),
            )  # fmt: skip
        console.print(table)


def _num(value: int | None) -> str:
    return "" if value is None else f"{value:,}"
