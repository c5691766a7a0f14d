"""What the endpoints share: the store (opened read-only for each read), the coder (loaded
once, on first use or at start), the settings and the token rule."""

from __future__ import annotations

import contextlib
import ipaddress
import secrets
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from detente.errors import DetenteError
from detente.settings import Settings
from detente.store.db import Store, StoreBusy, open_store

READ_WAIT = 10.0  # seconds a read waits for an ingest batch to let go of the store file


class ApiError(Exception):
    """An error the client is told about: HTTP ``status`` and a message for a person."""

    def __init__(self, status: int, detail: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(detail)
        self.status, self.detail, self.headers = status, detail, headers


def is_loopback(host: str) -> bool:
    """Is ``host`` (a bind address) reachable from this machine only?"""
    host = host.strip().strip("[]")
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class Service:
    """The store, the coder and the rules of one app (``app.state.detente``).

    ``store_path``: the DuckDB file, opened read-only for each read and closed after it (so an
    ingest can write between reads). ``store``: an open ``Store`` to use instead (shared, one
    request at a time). ``coder_factory(settings)`` builds the coder, once. ``token``: required
    (``Authorization: Bearer``) by the endpoints that code or write; ``token_required`` is true
    when a token is set."""

    def __init__(
        self,
        store_path: str | Path | None = None,
        store: Store | None = None,
        coder_factory: Callable[[Settings], Any] | None = None,
        settings: Settings | None = None,
        token: str | None = None,
        read_wait: float = READ_WAIT,
    ) -> None:
        self.store_path = str(store_path) if store_path is not None else None
        self._store = store
        self._store_lock = threading.Lock()
        self.settings = settings or Settings.from_env()
        self._coder_factory = coder_factory
        self._coder: Any = None
        self._coder_lock = threading.Lock()
        self.token = token
        self.read_wait = read_wait

    @property
    def token_required(self) -> bool:
        return self.token is not None

    def check_token(self, authorization: str | None) -> None:
        """Raise 401 unless ``authorization`` is ``Bearer <the token>`` (when one is set)."""
        if self.token is None:
            return
        challenge = {"WWW-Authenticate": "Bearer"}
        if not authorization:
            raise ApiError(
                401, "this endpoint needs the token: send 'Authorization: Bearer TOKEN'", challenge
            )
        scheme, _, given = authorization.partition(" ")
        if scheme.lower() != "bearer" or not secrets.compare_digest(
            given.strip().encode(), self.token.encode()
        ):
            raise ApiError(401, "wrong token (send 'Authorization: Bearer TOKEN')", challenge)

    @contextlib.contextmanager
    def reading(self) -> Iterator[Store]:
        """The store, read-only, for one request."""
        if self._store is not None:
            with self._store_lock:
                yield self._store
            return
        if self.store_path is None:
            raise ApiError(503, "this server has no store")
        if not Path(self.store_path).is_file():
            raise ApiError(503, f"no store at {self.store_path}: run `detente ingest` first")
        try:
            store = open_store(self.store_path, read_only=True, wait=self.read_wait)
        except StoreBusy as exc:
            raise ApiError(503, str(exc), {"Retry-After": "5"}) from exc
        except DetenteError as exc:
            raise ApiError(503, str(exc)) from exc
        try:
            yield store
        finally:
            store.close()

    @property
    def coder_loaded(self) -> bool:
        return self._coder is not None

    def coder(self) -> Any:
        """The coder, built on first use (one for the app's lifetime)."""
        if self._coder is None:
            with self._coder_lock:
                if self._coder is None:
                    factory = self._coder_factory
                    if factory is None:
                        from detente.coding.coder import load_coder as factory
                    try:
                        self._coder = factory(self.settings)
                    except DetenteError as exc:
                        raise ApiError(503, f"the coder could not be loaded: {exc}") from exc
        return self._coder
