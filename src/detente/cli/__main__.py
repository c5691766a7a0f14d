"""``python -m detente.cli``."""

from detente.cli import app

app()
