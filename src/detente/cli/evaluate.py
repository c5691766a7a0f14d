"""CLI adapters for evaluation and dictionary import: ``detente evaluate`` and ``detente dict``.

Registered on :data:`detente.cli.app` when :mod:`detente.cli.main` imports this module.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from detente.cli import penta
from detente.cli.app import app
from detente.cli.options import ActorFiles, PatternFiles, RequireDyad, TyperProfile
from detente.errors import DetenteError, InputError
from detente.evaluate.formats import FORMATS, load_gold
from detente.evaluate.penta import PENTA_FORMATS, load_sentences, pick
from detente.evaluate.scoring import LEVELS, UNNEGATED, Report, evaluate
from detente.records import MODALITIES
from detente.settings import Settings

dict_app = typer.Typer(help="Actor and pattern dictionaries.", no_args_is_help=True)
app.add_typer(dict_app, name="dict")


def _report_table(report: Report, console: Console) -> None:
    groups = sorted({g for s in report.levels.values() for g in s.groups})
    table = Table(header_style="bold", title=f"{report.records} records ({report.scheme})")
    table.add_column("type")
    for level in LEVELS:
        table.add_column(f"{level}\nC/M/X", justify="right")
        table.add_column("P/R/F1", justify="right")
    for key in [*groups, "overall"]:
        row = [f"[bold]{key}[/]" if key == "overall" else key]
        for level in LEVELS:
            score = report.levels.get(level)
            c = None
            if score is not None:
                c = score.overall if key == "overall" else score.groups.get(key)
            if c is None:
                row += ["", ""]
            else:
                row += [
                    f"{c.correct}/{c.missed}/{c.extra}",
                    f"{c.precision:.2f}/{c.recall:.2f}/{c.f1:.2f}",
                ]
        table.add_row(*row)
    console.print(table)
    for level, score in report.levels.items():
        tiers = ", ".join(f"{t} {f}/{n}" for t, (f, n) in sorted(score.tiers.items()))
        console.print(
            f"{level}: {score.records_correct}/{report.records} records fully correct"
            + (f"; found {tiers}" if tiers else "")
        )
    cats = report.categories("actor")
    if len(cats) > 1:
        worst = ", ".join(f"{k} {ok}/{n}" for k, (n, ok) in list(cats.items())[:8])
        console.print(f"categories, fully correct (actor level), worst first: {worst}")
    hits = [(r.id, h) for r in report.results for h in r.forbidden_hits]
    if hits:
        console.print(f"[red]forbidden events coded[/]: {', '.join(f'{i}:{h}' for i, h in hits)}")
    if report.skipped:
        console.print(f"skipped {len(report.skipped)} records (invalid or error records)")


@app.command("evaluate")
def evaluate_cmd(
    gold: Annotated[Path, typer.Argument(help="The gold file.")],
    fmt: Annotated[
        str, typer.Option("--format", "-f", help="detente, petrarch, plover, penta or negatives.")
    ] = "detente",
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
    actors: ActorFiles = None,
    patterns: PatternFiles = None,
    builtin_patterns: Annotated[
        bool,
        typer.Option(
            "--builtin-patterns/--only-user-patterns",
            help="Also use detente's own patterns, or only the --patterns files.",
        ),
    ] = True,
    builtin_actors: Annotated[
        bool,
        typer.Option(
            "--builtin-actors/--only-user-actors",
            help="Also use detente's own actor knowledge, or only the --actors files.",
        ),
    ] = True,
    limit: Annotated[int | None, typer.Option(help="Only the first N records.")] = None,
    sample: Annotated[
        bool, typer.Option("--sample", help="With --limit: N records at random (seed 0).")
    ] = False,
    require_dyad: RequireDyad = False,
    learned: TyperProfile = None,
    modality: Annotated[
        list[str] | None,
        typer.Option(
            "--modality",
            help="Score events of this modality; repeatable. Default: asserted "
            "(petrarch format: all but negated, as PETRARCH codes them).",
        ),
    ] = None,
) -> None:
    """Score the coder against a gold file: per event type and overall, at three levels."""
    err = Console(stderr=True, soft_wrap=True)
    if fmt not in FORMATS + PENTA_FORMATS:
        raise typer.BadParameter(f"--format must be one of {', '.join(FORMATS + PENTA_FORMATS)}")
    try:
        if fmt in PENTA_FORMATS:
            sentences = pick(load_sentences(gold, fmt), limit, sample)
        else:
            gold_set = load_gold(gold, fmt)
            gold_set.records = pick(gold_set.records, limit, sample)
        from detente.coding.coder import load_coder

        settings = Settings.from_env(
            actor_files=actors or None,
            pattern_files=patterns or None,
            builtin_patterns=builtin_patterns,
            builtin_actors=builtin_actors,
            require_dyad=require_dyad,
            typer=learned and learned.value,
        )
        coder = load_coder(settings)
    except DetenteError as exc:
        err.print(f"[red]error[/]: {exc}")
        raise typer.Exit(1 if isinstance(exc, InputError) else 3) from exc
    bad = [m for m in modality or [] if m not in MODALITIES]
    if bad:
        raise typer.BadParameter(f"--modality must be among {', '.join(MODALITIES)}")
    if fmt in PENTA_FORMATS:
        return penta.run(sentences, coder, fmt, as_json)
    keep = modality or (UNNEGATED if fmt == "petrarch" else ("asserted",))
    report = evaluate(gold_set, coder, keep)
    if as_json:
        sys.stdout.write(json.dumps(report.as_json(), indent=1) + "\n")
    else:
        _report_table(report, Console() if sys.stdout.isatty() else Console(width=150))


@dict_app.command("import-petrarch")
def import_petrarch_cmd(
    inputs: Annotated[
        list[Path], typer.Argument(help="PETRARCH dictionary files or folders of them.")
    ],
    out: Annotated[Path, typer.Option("--out", help="Folder for the converted files.")],
    standalone: Annotated[
        bool,
        typer.Option(
            "--standalone",
            help="A whole dictionary, to be used without detente's built-in actors "
            "(--only-user-actors): no alias is dropped for clashing with them.",
        ),
    ] = False,
) -> None:
    """Convert PETRARCH/TABARI dictionaries into a detente actor file and pattern file."""
    from detente.knowledge.actors import load_actor_knowledge
    from detente.knowledge.codes import load_codebook
    from detente.petrarch.importer import import_petrarch, write_import

    console = Console()
    err = Console(stderr=True, soft_wrap=True)
    start = time.perf_counter()
    try:
        knowledge = load_actor_knowledge(builtin=not standalone)
        result = import_petrarch(inputs, knowledge, load_codebook())
        paths = write_import(result, out)
    except DetenteError as exc:
        err.print(f"[red]error[/]: {exc}")
        raise typer.Exit(1) from exc
    for key, value in result.counts.items():
        console.print(f"{key:>22}: {value:,}")
    console.print(f"{'time':>22}: {time.perf_counter() - start:.2f} s")
    for key, path in paths.items():
        console.print(f"{key:>22}: {path}")
