"""``create_app``: the FastAPI application over a store and a coder (docs/api.md).

Safety lives here: the body limit (413 before a larger body is read), the token rule (a
server bound to another address than loopback refuses to start without one), CORS only for
the origins configured, and every error a JSON ``{"detail": message}``, 4xx for bad input.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from detente.api.service import READ_WAIT, ApiError, Service, is_loopback
from detente.settings import Settings
from detente.store.db import Store
from detente.version import __version__

log = logging.getLogger("detente.api")

DESCRIPTION = (
    "detente's events, stories, dyads, series, alerts, claims and counts from a store, and "
    "POST /code to code a text. Every listing answers {total, limit, offset, items} and "
    "downloads as JSON Lines, CSV or Parquet (format=...). See docs/api.md."
)


def create_app(
    store_path: str | Path | None = None,
    *,
    store: Store | None = None,
    coder_factory: Callable[[Settings], Any] | None = None,
    settings: Settings | None = None,
    host: str = "127.0.0.1",
    token: str | None = None,
    preload: bool = False,
    read_wait: float = READ_WAIT,
    code_workers: int = 0,
) -> FastAPI:
    """The app over the store at ``store_path`` (opened read-only for each read) or the open
    ``store``, coding with ``coder_factory(settings)`` (``load_coder`` by default), built once:
    from the start, in the background, with ``preload`` (reads are served meanwhile; a
    ``POST /code`` waits for it), else on the first ``POST /code``.

    ``code_workers`` > 0 codes in that many worker processes (spawned at start, each loading
    its coder from ``settings``; ``coder_factory`` is then unused), so that coding never holds
    up the reads served beside it.

    ``host`` is the address the server binds: any other than loopback needs a ``token``
    (``ValueError`` without one); a token given is required by ``POST /code`` either way."""
    if not is_loopback(host) and not token:
        raise ValueError(
            f"bound to {host}, not loopback: the endpoints that code need a token (--token)"
        )
    from fastapi_offline import FastAPIOffline

    from detente.api import coding, reads

    service = Service(
        store_path, store, coder_factory, settings, token or None, read_wait, code_workers
    )

    def load() -> None:
        try:
            service.coder()
        except ApiError as exc:  # told again to each POST /code
            log.error("%s", exc.detail)

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI):
        if code_workers > 0:  # spawned now, each loading its coder while reads are served
            service.start_workers()
        elif preload:  # in the background: reads are served at once, POST /code waits for it
            threading.Thread(target=load, name="detente-coder", daemon=True).start()
        try:
            yield
        finally:
            service.close()

    app = FastAPIOffline(
        title="detente", version=__version__, description=DESCRIPTION, lifespan=lifespan
    )
    app.state.detente = service
    app.add_middleware(BodyLimit, max_bytes=service.settings.max_body)
    if service.settings.cors_origins:
        from fastapi.middleware.cors import CORSMiddleware

        app.add_middleware(
            CORSMiddleware,
            allow_origins=service.settings.cors_origins,
            allow_methods=["GET", "POST"],
            allow_headers=["Authorization", "Content-Type"],
        )
    _handlers(app)
    app.include_router(reads.router)
    app.include_router(coding.router)
    return app


def _handlers(app: FastAPI) -> None:
    @app.exception_handler(ApiError)
    async def api_error(request: Request, exc: ApiError) -> JSONResponse:
        return JSONResponse({"detail": exc.detail}, exc.status, headers=exc.headers)

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        return JSONResponse({"detail": validation_message(exc.errors())}, 422)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        detail = exc.detail
        if exc.status_code == 404 and detail == "Not Found":
            detail = f"no such path: {request.url.path} (the API is described at /docs)"
        elif exc.status_code == 405:
            detail = f"{request.method} is not allowed on {request.url.path}"
        return JSONResponse({"detail": detail}, exc.status_code, headers=exc.headers)

    @app.exception_handler(Exception)
    async def crash(request: Request, exc: Exception) -> JSONResponse:
        log.exception("%s %s failed", request.method, request.url.path)
        return JSONResponse({"detail": f"internal error: {type(exc).__name__}: {exc}"}, 500)


def validation_message(errors: list[dict[str, Any]]) -> str:
    """One sentence per wrong value: where it was, what is wrong, what was given."""
    parts = []
    for e in errors:
        loc = [str(x) for x in e.get("loc", ())]
        where = {"query": "query parameter", "path": "path parameter", "body": "body field"}
        if loc and loc[0] in where and len(loc) > 1:
            place = f"{where[loc[0]]} '{'.'.join(loc[1:])}'"
        else:
            place = "request body" if loc[:1] == ["body"] else ".".join(loc) or "request"
        msg = e.get("msg", "invalid")
        if e.get("type") == "json_invalid":
            msg = f"not valid JSON ({e.get('ctx', {}).get('error', 'decode error')})"
        given = e.get("input")
        shown = "" if given is None or isinstance(given, dict) else f" (got {str(given)[:60]!r})"
        parts.append(f"{place}: {msg}{shown}")
    return "; ".join(parts) or "invalid request"


class BodyLimit:
    """ASGI middleware: a request whose body passes ``max_bytes`` gets 413 (by its
    Content-Length before anything is read, else as soon as the chunks read pass it)."""

    def __init__(self, app: Any, max_bytes: int) -> None:
        self.app, self.max_bytes = app, max_bytes

    def _message(self, size: str) -> str:
        return (
            f"request body of {size} bytes is over the limit of {self.max_bytes:,} bytes"
            " (Settings.max_body)"
        )

    async def __call__(self, scope: dict, receive: Callable, send: Callable) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        length = dict(scope.get("headers") or []).get(b"content-length")
        if length is not None:
            text = length.decode("latin-1").strip()
            if not text.isdigit():
                await _reply(send, 400, f"bad Content-Length header: {text[:40]!r}")
                return
            if int(text) > self.max_bytes:
                await _reply(send, 413, self._message(f"{int(text):,}"))
                return
        seen = 0
        started = False

        async def limited() -> dict:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_bytes:
                    raise StarletteHTTPException(413, self._message(f"over {self.max_bytes:,}"))
            return message

        async def sending(message: dict) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, limited, sending)
        except StarletteHTTPException as exc:
            if started or exc.status_code != 413:
                raise
            await _reply(send, 413, exc.detail)


async def _reply(send: Callable, status: int, detail: str) -> None:
    import json

    body = json.dumps({"detail": detail}).encode("utf-8")
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
