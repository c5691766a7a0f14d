"""Coding in worker processes, so that the server's own process stays free for reads.

spaCy holds the GIL for most of its work: coded in the server's process, a ``POST /code``
would stall every ``GET`` running beside it. ``Pool`` keeps ``workers`` spawned processes,
each with its own coder (loaded by the initializer, once), and codes one article a call.
"""

from __future__ import annotations

import multiprocessing as mp
import os
import threading
import time
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any

from detente.records import Article, ArticleAnalysis, Event
from detente.settings import Settings

_WORKER: dict[str, Any] = {}
Result = tuple[list[Event] | None, ArticleAnalysis | None, str | None, float]


def _exit_with(parent: int) -> None:
    """End this worker once the server that spawned it is gone: a server killed outright
    (SIGKILL, a crash) runs no shutdown, and its idle workers, a coder each, would live on."""
    while os.getppid() == parent:
        time.sleep(1.0)
    os._exit(0)


def _init(settings: Settings, server: int) -> None:
    # the server's pid comes from the server: a worker still starting when its server went
    # (a server stopped at once) would otherwise watch its new parent, and live on, its coder
    # loaded, for good
    if os.getppid() != server:
        os._exit(0)
    threading.Thread(target=_exit_with, args=(server,), daemon=True).start()
    from detente.coding.coder import load_coder

    _WORKER["coder"] = load_coder(settings)


def _ready() -> bool:
    return "coder" in _WORKER


def _code(article: Article, modalities: tuple[str, ...]) -> Result:
    from detente.run.batch import code_batch

    began = time.perf_counter()
    _, events, analysis, error = code_batch(_WORKER["coder"], [article], modalities)[0]
    return events, analysis, error, time.perf_counter() - began


class PoolError(RuntimeError):
    """The worker processes could not code (their coder failed to load, or one died)."""


class Pool:
    """``workers`` coder processes (spawned at once; each loads its coder as it starts)."""

    def __init__(self, settings: Settings, workers: int) -> None:
        self.settings, self.workers = settings, workers
        self._start()

    def _start(self) -> None:
        self.executor = ProcessPoolExecutor(
            self.workers, mp_context=mp.get_context("spawn"), initializer=_init,
            initargs=(self.settings, os.getpid()),
        )  # fmt: skip
        self.started: list[Future] = [self.executor.submit(_ready) for _ in range(self.workers)]

    @property
    def loaded(self) -> bool:
        return all(f.done() and f.exception() is None for f in self.started)

    def code(self, article: Article, modalities: tuple[str, ...]) -> Result:
        """The article's events, claims and counts, error, and seconds spent coding."""
        try:
            return self.executor.submit(_code, article, modalities).result()
        except BrokenProcessPool as exc:
            self.executor.shutdown(wait=False, cancel_futures=True)
            self._start()  # for the next request
            raise PoolError(
                "the coding process failed (its coder could not be loaded, or it died):"
                " see the server's log"
            ) from exc

    def close(self) -> None:
        self.executor.shutdown(wait=False, cancel_futures=True)
