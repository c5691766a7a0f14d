"""Printing for ``detente evaluate --format penta|negatives`` (called from ``cli.evaluate``)."""

from __future__ import annotations

import json
import sys

from rich.console import Console
from rich.table import Table

from detente.cli.progress import progress_bar
from detente.evaluate.penta import (
    CLASS_NAMES,
    CLASSES,
    PentaRecord,
    PentaReport,
    evaluate_sentences,
)


def _pct(x: float | None) -> str:
    return "-" if x is None else f"{100 * x:.1f}%"


def run(records: list[PentaRecord], coder, kind: str, as_json: bool) -> None:
    from rich.progress import BarColumn, MofNCompleteColumn, TimeElapsedColumn

    columns = (BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with progress_bar(Console(stderr=True), *columns) as bar:

        def progress(done: int, total: int) -> None:
            bar(completed=done, total=total)

        report = evaluate_sentences(records, coder, kind, progress if bar else None)
    if as_json:
        sys.stdout.write(json.dumps(report.as_json(), indent=1) + "\n")
    elif kind == "negatives":
        _negatives(report, _console())
    else:
        _penta(report, _console())


def _console() -> Console:
    return Console() if sys.stdout.isatty() else Console(width=150)


def _penta(report: PentaReport, console: Console) -> None:
    table = Table(header_style="bold", title=f"{len(report.results)} sentences (penta classes)")
    for col in ("class", "n", "found", "class ok", "only", "source", "target", "reciprocal"):
        table.add_column(col, justify="left" if col == "class" else "right")
    rows = [(f"{k} {CLASS_NAMES[int(k)]}", f) for k, f in report.groups().items()]
    for name, f in [*rows, ("[bold]overall[/]", report.overall())]:
        table.add_row(
            name,
            str(f.records),
            _pct(f.found),
            _pct(f.class_),
            _pct(f.class_only),
            f"{_pct(f.source)} of {f.source_spans}",
            f"{_pct(f.target)} of {f.target_spans}",
            f"{_pct(f.reciprocal)} of {f.reciprocal_spans}",
        )
    console.print(table)
    confusion = Table(header_style="bold", title="gold class -> classes coded (sentences)")
    confusion.add_column("gold")
    keys = [*map(str, CLASSES), "none"]
    for k in keys:
        confusion.add_column(k, justify="right")
    for gold, row in report.confusion().items():
        confusion.add_row(gold, *(str(row.get(k, "")) for k in keys))
    console.print(confusion)
    _footer(report, console)


def _negatives(report: PentaReport, console: Console) -> None:
    table = Table(header_style="bold", title=f"{len(report.results)} sentences with no event")
    for col in ("domain", "n", "false events"):
        table.add_column(col, justify="left" if col == "domain" else "right")
    for name, f in [*report.groups().items(), ("[bold]overall[/]", report.overall())]:
        table.add_row(name, str(f.records), _pct(f.found))
    console.print(table)
    for r in report.results:
        if r.events:
            console.print(f"{r.id} ({r.group}): {'; '.join(r.events)}", highlight=False)
    _footer(report, console)


def _footer(report: PentaReport, console: Console) -> None:
    if report.skipped:
        console.print(f"skipped {len(report.skipped)} records: {report.skipped}")
    console.print(f"coded in {report.seconds:.1f} s")
