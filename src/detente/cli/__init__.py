"""Command-line adapter: parse arguments, call the library, format the output.

``app`` (in :mod:`detente.cli.app`) is the Typer application; each command module registers
its commands on it when imported here: ``code``, ``evaluate`` and ``dict``, and the store
commands (``ingest``, ``events``, ``dyads``, ``claims``, ``counts``, ``export``) and the analytics
ones (``series``, ``alerts``, ``changepoints``).
"""

from detente.cli import analytics, code, evaluate, store  # noqa: F401  (registers the commands)
from detente.cli.app import app

__all__ = ["app"]
