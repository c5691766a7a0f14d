"""Read-only access to the store for requests, without blocking an ingest.

Opening a DuckDB file costs tens of milliseconds (a loaded machine: a hundred), more than most
queries, so requests share one read-only connection (each request a cursor of it) while they
keep coming. It is closed as soon as no request has used it for ``IDLE`` seconds, at the first
moment no request uses it once it is ``MAX_AGE`` seconds old (then ``HOLD_OFF`` seconds pass
before another is kept), and never kept while an ingest holds the store's writer lock
(``PATH.lock`` names its PID while it writes): each request then opens the file and closes it
after, as the CLI's listings do, so the ingest gets the file between its batches. A writer that
finds the file held says so (``PATH.want``): new reads then wait for it (up to the read wait)
and the shared connection is closed once the reads under way end, so the writer goes first.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Iterator

from detente.store.db import Store, open_store, writer_holding, writer_waiting

IDLE = 0.5  # seconds unused before the shared connection is closed
MAX_AGE = 2.0  # seconds a shared connection is kept at most (closed when next unused)
HOLD_OFF = 0.5  # seconds after that before another is shared


class Reader:
    def __init__(self, path: str, wait: float) -> None:
        self.path, self.wait = path, wait
        self._shared: Store | None = None
        self._opened = self._used = self._hold_until = 0.0
        self._users = 0
        self._lock = threading.Lock()
        self._janitor: threading.Thread | None = None
        self._stop = threading.Event()

    @contextlib.contextmanager
    def reading(self) -> Iterator[Store]:
        shared = self._take()
        if shared is None:
            store = open_store(self.path, read_only=True, wait=self.wait)
            try:
                yield store
            finally:
                store.close()
            return
        try:
            cursor = Store(shared.con.cursor(), self.path, read_only=True)
        except BaseException:
            self._give_back()
            raise
        try:
            yield cursor
        finally:
            cursor.close()
            self._give_back()

    def _take(self) -> Store | None:
        deadline = time.monotonic() + self.wait
        while writer_waiting(self.path) and time.monotonic() < deadline:
            time.sleep(0.05)  # a writer goes first: it gets the file once the reads under way end
        writing = writer_waiting(self.path) or writer_holding(self.path)
        with self._lock:
            now = time.monotonic()
            if (
                self._shared is not None
                and self._users == 0
                and (writing or now - self._opened > MAX_AGE)
            ):
                self._close_shared(now)
            if writing or (self._shared is None and now < self._hold_until):
                return None
            if self._shared is None:
                self._shared = open_store(self.path, read_only=True, wait=self.wait)
                self._opened = now
                self._start_janitor()
            self._users += 1
            return self._shared

    def _give_back(self) -> None:
        with self._lock:
            self._users -= 1
            self._used = time.monotonic()

    def _close_shared(self, now: float) -> None:
        """Close the shared connection (the caller holds the lock and no request uses it)."""
        if self._shared is not None:
            self._shared.close()
            self._shared = None
            if now - self._opened > MAX_AGE:
                self._hold_until = now + HOLD_OFF

    def _start_janitor(self) -> None:
        if self._janitor is None:
            self._janitor = threading.Thread(target=self._sweep, name="detente-reader", daemon=True)
            self._janitor.start()

    def _sweep(self) -> None:
        while not self._stop.wait(IDLE / 4):
            with self._lock:
                now = time.monotonic()
                if (
                    self._shared is not None
                    and self._users == 0
                    and (now - self._used > IDLE or now - self._opened > MAX_AGE)
                ):
                    self._close_shared(now)

    def close(self) -> None:
        self._stop.set()
        with self._lock:
            if self._shared is not None and self._users == 0:
                self._shared.close()
                self._shared = None
