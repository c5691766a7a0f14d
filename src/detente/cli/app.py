"""The Typer application every command module registers on.

Exit codes: 0 all inputs coded, 1 some inputs could not be coded (each named on stderr),
2 usage error, 3 the model or a knowledge file could not be loaded, 4 the store is in use (another
ingest writing, or the file held past the wait), 5 the store cannot be opened or migrated.
"""

from __future__ import annotations

import typer

app = typer.Typer(
    help="detente: code news text into political events (CAMEO + PLOVER).",
    no_args_is_help=True,
    add_completion=False,
)


@app.callback()
def main() -> None:
    """detente: code news text into political events (CAMEO + PLOVER)."""
