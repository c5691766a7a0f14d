"""``detente serve``: the HTTP API (``detente.api``) over a store, with the dashboard of
``detente.web`` mounted on it (``--no-dashboard``: the API alone)."""

from __future__ import annotations

import os
import secrets
from typing import Annotated

import typer

from detente.cli.app import app
from detente.cli.store import Db, _err
from detente.settings import Settings
from detente.store.db import DEFAULT_DB


def compose(
    db: str,
    host: str,
    token: str | None,
    settings: Settings,
    code_workers: int = 1,
    preload: bool = True,
    dashboard: bool = True,
):
    """The API app over ``db``, with the dashboard of ``detente.web`` mounted on it unless
    ``dashboard`` is false: ``detente.web.AssetsMissing`` when its npm packages are not
    installed (``make web-assets``)."""
    from detente.api import create_app

    api = create_app(
        db, settings=settings, host=host, token=token, preload=preload, code_workers=code_workers
    )
    if dashboard:
        from detente.web import mount

        mount(api)
    return api


@app.command("serve")
def serve_cmd(
    db: Db = DEFAULT_DB,
    host: Annotated[
        str, typer.Option(help="Address to bind; any other than loopback needs the token.")
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=0, max=65535, help="TCP port.")] = 8000,
    token: Annotated[
        str | None,
        typer.Option(
            envvar="DETENTE_API_TOKEN",
            help="Token POST /code requires (Authorization: Bearer TOKEN); one is made and"
            " printed when binding another address than loopback without one.",
        ),
    ] = None,
    dashboard: Annotated[
        bool, typer.Option(help="Serve the dashboard at / (its npm packages: make web-assets).")
    ] = True,
    cors: Annotated[
        list[str] | None,
        typer.Option(
            "--cors", help="An origin allowed to call the API from a browser; repeatable."
        ),
    ] = None,
    code_workers: Annotated[
        int,
        typer.Option(
            "--code-workers",
            min=0,
            max=32,
            help="Processes that code POST /code texts, each with its own coder (0: in the"
            " server's process, where coding holds up the reads beside it).",
        ),
    ] = 1,
) -> None:
    """Serve the store and the coder over HTTP: GET /events, /stories, /dyads, /series,
    /alerts, /claims, /counts, /articles/{id}; POST /code; OpenAPI at /docs."""
    import uvicorn

    from detente.api import is_loopback

    err = _err()
    if not is_loopback(host) and not token:
        token = secrets.token_urlsafe(24)
        err.print(
            f"bound to {host}: POST /code needs 'Authorization: Bearer {token}'"
            " (give your own with --token or DETENTE_API_TOKEN)"
        )
    if not os.path.isfile(db):
        err.print(f"[yellow]note[/]: no store at {db} yet: listings answer 503 until an ingest")
    settings = Settings.from_env(cors_origins=cors or None)
    from detente.web import AssetsMissing

    try:
        api = compose(db, host, token, settings, code_workers, dashboard=dashboard)
    except AssetsMissing as exc:
        err.print(f"[red]error[/]: {exc}; or serve the API alone with --no-dashboard")
        raise typer.Exit(3) from None
    if dashboard:
        shown = f"[{host}]" if ":" in host else host
        err.print(f"dashboard: http://{shown}:{port}/ (the API's description: /docs)")
    uvicorn.run(api, host=host, port=port, log_level="info")
