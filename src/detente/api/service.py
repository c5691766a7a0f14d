"""What the endpoints share: the store (opened read-only for each read), the coder (loaded
once, on first use or at start), the settings and the token rule."""

from __future__ import annotations

import contextlib
import ipaddress
import secrets
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from detente.errors import DetenteError
from detente.records import Article, ArticleAnalysis, Event
from detente.settings import Settings
from detente.store.db import Store, StoreBusy

READ_WAIT = 10.0  # seconds a read waits for an ingest batch to let go of the store file
# events (of the modalities asked), claims and counts, the reason it failed, seconds coding
Coded = tuple[list[Event] | None, ArticleAnalysis | None, str | None, float]


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
    when a token is set. ``code_workers``: code in that many worker processes (each with its
    own coder, from ``load_coder(settings)``) instead of in this process with the factory's
    coder; ``start_workers`` starts them."""

    def __init__(
        self,
        store_path: str | Path | None = None,
        store: Store | None = None,
        coder_factory: Callable[[Settings], Any] | None = None,
        settings: Settings | None = None,
        token: str | None = None,
        read_wait: float = READ_WAIT,
        code_workers: int = 0,
    ) -> None:
        self.store_path = str(store_path) if store_path is not None else None
        self._store = store
        self._store_lock = threading.Lock()
        self._reader: Any = None  # reader.Reader, made on the first read of store_path
        self.settings = settings or Settings.from_env()
        self._coder_factory = coder_factory
        self._coder: Any = None
        self._coder_lock = threading.Lock()
        self.token = token
        self.read_wait = read_wait
        self.code_workers = code_workers
        self.pool: Any = None  # workers.Pool once started (code_workers > 0)

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
        """The store, read-only, for one request (``reader.Reader``: a connection shared while
        requests come, let go of when they stop or an ingest writes)."""
        if self._store is not None:
            with self._store_lock:
                yield self._store
            return
        if self.store_path is None:
            raise ApiError(503, "this server has no store")
        from detente.store.dataset import is_dataset, open_dataset

        dataset = is_dataset(self.store_path)
        if not dataset and not Path(self.store_path).is_file():
            raise ApiError(503, f"no store at {self.store_path}: run `detente ingest` first")
        try:
            if dataset:  # a Parquet dataset (ingest --engine dask): views over its files
                with contextlib.closing(open_dataset(self.store_path)) as store:
                    yield store
                return
            if self._reader is None:
                from detente.api.reader import Reader

                self._reader = Reader(self.store_path, self.read_wait)
            with self._reader.reading() as store:
                yield store
        except StoreBusy as exc:
            raise ApiError(503, str(exc), {"Retry-After": "5"}) from exc
        except DetenteError as exc:
            raise ApiError(503, str(exc)) from exc

    def close(self) -> None:
        """Let go of the store file and stop the coding processes."""
        if self._reader is not None:
            self._reader.close()
        self.stop_workers()

    def start_workers(self) -> None:
        if self.code_workers > 0 and self.pool is None:
            from detente.api.workers import Pool

            self.pool = Pool(self.settings, self.code_workers)

    def stop_workers(self) -> None:
        if self.pool is not None:
            self.pool.close()
            self.pool = None

    @property
    def coder_loaded(self) -> bool:
        return self.pool.loaded if self.pool is not None else self._coder is not None

    def code(self, article: Article, modalities: tuple[str, ...]) -> Coded:
        """The article's events, claims and counts (or the reason it could not be coded), and
        the seconds spent coding: in a worker process when there are any, else here."""
        if self.code_workers > 0:
            from detente.api.workers import PoolError

            self.start_workers()
            try:
                return self.pool.code(article, modalities)
            except PoolError as exc:
                raise ApiError(503, str(exc)) from exc
        coder = self.coder()
        from detente.run.batch import code_batch

        began = time.perf_counter()
        _, events, analysis, error = code_batch(coder, [article], modalities)[0]
        return events, analysis, error, time.perf_counter() - began

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
