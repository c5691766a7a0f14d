"""Command-line adapter: parse arguments, call the library, format the output.

``app`` (in :mod:`detente.cli.app`) is the Typer application; each command module registers
its commands on it when imported here: ``code``, ``evaluate`` and ``dict``, and the store
commands (``ingest``, ``events``, ``dyads``, ``claims``, ``counts``, ``export``), the analytics
ones (``series``, ``alerts``, ``changepoints``) and ``serve`` (the HTTP API, ``detente.api``).
"""

from detente.cli import analytics, code, evaluate, serve, store  # noqa: F401  (registers them)
from detente.cli.app import app

__all__ = ["app"]
