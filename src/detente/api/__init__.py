"""HTTP adapter: ``create_app(...)`` builds the FastAPI application of ``detente serve`` over
a store (read-only listings) and a coder (``POST /code``). docs/api.md is its contract.

It imports the layers below it (run, analytics, store, coding, ...), never ``detente.cli`` nor
``detente.web``: ``detente serve`` (in the CLI) composes the app and the dashboard.
"""

from detente.api.app import create_app
from detente.api.service import Service, is_loopback

__all__ = ["Service", "create_app", "is_loopback"]
