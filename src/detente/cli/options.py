"""Options shared by several commands, each declared once (``Annotated`` aliases), and the
store's event filter options added to a command by :func:`event_filter_options`."""

import functools
import inspect
from collections.abc import Callable
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from detente.store.db import EventFilter

ActorFiles = Annotated[
    list[Path] | None,
    typer.Option(
        "--actors", help="A user actor dictionary (YAML); repeatable; wins over built-ins."
    ),
]
PatternFiles = Annotated[
    list[Path] | None,
    typer.Option(
        "--patterns", help="A user pattern file (YAML); repeatable; tried before built-ins."
    ),
]
RequireDyad = Annotated[
    bool,
    typer.Option("--require-dyad", help="Only events with both a source and a target actor."),
]


class Profile(StrEnum):
    """The learned typer's profiles (``Settings.typer``)."""

    off = "off"
    combined = "combined"
    only = "only"


TyperProfile = Annotated[
    Profile | None,
    typer.Option(
        "--typer",
        help="The learned typer: off (patterns only, the default), combined (patterns with "
        "the typer's second opinion) or only (the typer alone); needs detente[learned].",
    ),
]
AllModalities = Annotated[
    bool,
    typer.Option("--all-modalities", help="Include negated/future/... events, not only asserted."),
]
Folded = Annotated[
    bool,
    typer.Option(
        "--folded",
        help="Count each folded event once (its first mention), not every mention of it.",
    ),
]
Samples = Annotated[
    bool, typer.Option("--samples", help="The bundled illustrative sample articles.")
]
Inputs = Annotated[
    list[str] | None,
    typer.Argument(help="Files, folders, feeds, WARCs, JSONL, URLs; '-' is stdin."),
]
NoFollow = Annotated[
    bool,
    typer.Option(
        "--no-follow",
        help="Code a feed item's summary instead of fetching its page (items without content).",
    ),
]
Rows = Annotated[int, typer.Option("--limit", help="At most this many rows.")]


def _periods(*names: str) -> Any:
    """A ``--by`` option taking one of ``names`` (any other is a usage error)."""
    words = f"{', '.join(names[:-1])} or {names[-1]}" if len(names) > 1 else names[0]

    def check(value: str) -> str:
        if value not in names:
            raise typer.BadParameter(f"must be {words}")
        return value

    return Annotated[str, typer.Option(help=f"{words}.", callback=check)]


By = _periods("day", "week", "month", "year")  # a summary's period
ByWeek = _periods("week", "month")  # alerts' period
BySeries = _periods("day", "week", "month")  # a change-point series' period

Since = Annotated[str | None, typer.Option(help="Events published on or after YYYY-MM-DD.")]
Until = Annotated[str | None, typer.Option(help="Events published on or before YYYY-MM-DD.")]
Country = Annotated[
    str | None, typer.Option(help="Any actor with this country (ISO3) or code prefix.")
]
Dyad = Annotated[str | None, typer.Option(help="SOURCE,TARGET (country or code prefix each).")]
EventType = Annotated[str | None, typer.Option("--event", help="PLOVER type or CAMEO prefix.")]


def day_option(value: str | None, param_hint: str = "--published") -> date | None:
    """A YYYY-MM-DD option's date (a usage error otherwise)."""
    try:
        return date.fromisoformat(value) if value else None
    except ValueError as exc:
        raise typer.BadParameter(f"{value!r} is not YYYY-MM-DD", param_hint=param_hint) from exc


FROM_OPTIONS = EventFilter()  # the default of ``flt``: replaced by the filter of the options
_FILTER = {"since": Since, "until": Until, "country": Country, "dyad": Dyad, "event": EventType}


def filtered_command(name: str, *, modalities: bool = True) -> Callable[[Callable], Callable]:
    """Register command ``name``, its event filter options declared (``event_filter_options``)."""
    from detente.cli.app import app

    def decorate(command: Callable) -> Callable:
        return app.command(name)(event_filter_options(modalities=modalities)(command))

    return decorate


def event_filter_options(*, modalities: bool = True) -> Callable[[Callable], Callable]:
    """For a command with a parameter ``flt: EventFilter = FROM_OPTIONS``: declare --since,
    --until, --country, --dyad, --event (and --all-modalities and --folded when
    ``modalities``; else every modality and mention is kept) in its place, and call the
    command with the filter they make."""
    options: dict[str, Any] = dict(_FILTER)
    if modalities:
        options["all_modalities"] = AllModalities
        options["folded"] = Folded

    def decorate(command: Callable) -> Callable:
        signature = inspect.signature(command, eval_str=True)
        params = list(signature.parameters.values())
        at = [p.name for p in params].index("flt")
        added = [
            inspect.Parameter(
                name,
                inspect.Parameter.POSITIONAL_OR_KEYWORD,
                annotation=kind,
                default=False if name in ("all_modalities", "folded") else None,
            )
            for name, kind in options.items()
        ]

        @functools.wraps(command)
        def run(**kwargs: Any) -> Any:
            chosen = {name: kwargs.pop(name) for name in options}
            return command(**kwargs, flt=_make_filter(**chosen))

        run.__signature__ = signature.replace(parameters=[*params[:at], *added, *params[at + 1 :]])
        run.__annotations__ = {p.name: p.annotation for p in run.__signature__.parameters.values()}
        return run

    return decorate


def _make_filter(
    all_modalities: bool = True, folded: bool = False, **chosen: str | None
) -> EventFilter:
    from detente.store.queries import make_filter

    try:
        modalities = None if all_modalities else ("asserted",)
        return make_filter(**chosen, modalities=modalities, folded=folded)
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from exc
