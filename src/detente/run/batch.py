"""Ingest: inputs → articles → coder → store, resumable and failure-tolerant.

Articles already in the store (same id or same normalised text) are not coded again, so a run
interrupted at any point (Ctrl-C, kill -9) finishes the rest when re-run with the same inputs.
A near-copy of a stored article (a reprint: ``run/stories.py``) is not coded either: it is
stored as one more document of that article. After each batch the new mentions are folded
into events across articles.
Each article is stored with its events, claims and counts in one transaction (claims and counts
are found from the actor mentions the coder found anyway: no second NLP pass); every bad item is
recorded in the store (item, stage, reason) and in the returned summary, and the batch goes on.

A run holds the store's writer lock (a second ingest fails with ``StoreBusy``) but not the file:
it opens the DuckDB file only to screen a batch and to store it, and closes it in between, so
that listings and exports (read-only, waiting while the file is held) run during a long ingest.
The store's own files (``PATH``, ``PATH.wal``, ...) are never read as inputs.
"""

from __future__ import annotations

import multiprocessing as mp
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace

from detente.claims import code_and_analyse
from detente.errors import DetenteError
from detente.ingest.sources import Failure, Found, SourceOptions, read_inputs
from detente.records import MODALITIES, Article, ArticleAnalysis, Event
from detente.run.stories import Folder, Reprints, fold_pending
from detente.settings import Settings
from detente.store.db import StageClock, Store, StoreError, ToStore
from detente.store.stories import count_pending


@dataclass
class IngestSummary:
    run_id: int
    stored: int = 0  # new articles stored
    skipped: int = 0  # already stored (same id): nothing coded
    duplicates: int = 0  # same text as a stored article: only the URL/source added
    reprints: int = 0  # near-copies of an article (reprint groups): only the URL/source added
    folded: int = 0  # mentions folded into events (stories) by this run
    failed: int = 0
    events: int = 0  # events stored by this run, every modality
    asserted: int = 0  # of which asserted: what listings and exports show by default
    claims: int = 0  # claims stored by this run
    counts: int = 0  # counts (killed, wounded, ...) stored by this run
    failures: list[Failure] = field(default_factory=list)
    warnings: list[tuple[str, str]] = field(default_factory=list)  # (item, warning): coded
    # seconds per stage: code, screen (copies and reprints), store, fold, series (Store.clock)
    seconds: dict[str, float] = field(default_factory=dict)

    @property
    def seen(self) -> int:
        return self.stored + self.skipped + self.duplicates + self.reprints + self.failed


Progress = Callable[[IngestSummary], None]
# events and claims/counts, or the reason coding failed
Coded = tuple[Article, list[Event] | None, ArticleAnalysis | None, str | None]
Batch = list[tuple[str, Article]]  # (item, article)


def ingest(
    inputs: Iterable[str | Article],
    store: Store,
    coder=None,
    *,
    options: SourceOptions | None = None,
    modalities: Iterable[str] = MODALITIES,
    workers: int = 1,
    ingest_batch: int | None = None,
    progress: Progress | None = None,
    settings: Settings | None = None,
) -> IngestSummary:
    """Code and store every article of ``inputs`` (paths, folders, URLs, "-", or ``Article``s).

    ``coder`` is used when ``workers == 1``; with more workers each worker process builds its
    own coder from ``coder.settings`` (else ``settings``, else the environment's). ``options``
    default to the limits of those settings, ``ingest_batch`` (articles per store transaction)
    too. Workers are spawned, so a script calling this with ``workers > 1`` needs the
    ``if __name__ == "__main__":`` guard.
    """
    if (attached := store.attached_dataset()) is not None:
        raise StoreError(
            f"{store.path}: reads the Parquet dataset {attached} (read-only); ingest into the"
            " dataset: detente ingest --engine dask --out DATASET"
        )
    inputs = list(inputs)
    names = [i if isinstance(i, str) else f"article:{i.id}" for i in inputs]
    modalities = tuple(modalities)
    settings = getattr(coder, "settings", None) or settings or Settings.from_env()
    options = options or SourceOptions.from_settings(settings)
    options = replace(options, skip=(*options.skip, *store.own_files()))
    per_batch = ingest_batch or settings.ingest_batch
    with store.writing():
        summary = IngestSummary(run_id=store.start_run(names))
        before = dict(store.clock.seconds)
        _run(inputs, store, summary, coder, options, modalities, workers, per_batch, progress,
             settings)  # fmt: skip
        store.finish_run(
            summary.run_id,
            summary.stored,
            summary.skipped + summary.duplicates + summary.reprints,
            summary.failed,
            summary.events,
        )
        summary.seconds = store.clock.since(before)
    return summary


def _run(
    inputs: list[str | Article],
    store: Store,
    summary: IngestSummary,
    coder,
    options: SourceOptions,
    modalities: tuple[str, ...],
    workers: int,
    per_batch: int,
    progress: Progress | None,
    settings: Settings,
) -> None:
    """Read, screen, code and store in batches. The store is used in two short windows per
    batch (screening the batch's articles against it; storing them) and released after each,
    so that other processes can read it while this one reads inputs and codes."""
    reprints = Reprints(store, settings)

    def tick() -> None:
        if progress is not None:
            progress(summary)

    def fail(item: str, stage: str, reason: str) -> None:
        summary.failures.append(Failure(item, stage, reason))
        summary.failed += 1
        store.record_error(summary.run_id, item, stage, reason)
        tick()

    def screen(results: list) -> list[tuple[str, Article]]:
        """Record the failures, skip what is stored already, keep the rest; release."""
        with store.clock("screen"):
            chunk = screen_results(results)
        store.release()
        return chunk

    def screen_results(results: list) -> list[tuple[str, Article]]:
        chunk = []
        for result in results:
            if isinstance(result, Failure):
                fail(result.item, result.stage, result.reason)
            elif store.remember_if_known(result.article, result.item):
                summary.skipped += 1
                tick()
            elif reprints.screen(result.article, result.item) is not None:
                summary.reprints += 1
                tick()
            else:
                summary.warnings += [(result.item, w) for w in result.warnings]
                chunk.append((result.item, result.article))
        return chunk

    def save(ready: list[ToStore], ids: list[str]) -> None:
        """One transaction for the lot: each article all-or-nothing, one commit; then its
        mentions are folded and the reprints that waited for the batch (``ids``) recorded."""
        sketches = reprints.sketches([x[0].id for x in ready])
        folder = Folder(store, settings)
        results = store.store_articles(ready, summary.run_id, sketches, folder) if ready else []
        stored = {x[0].id for x, r in zip(ready, results, strict=True) if r == "stored"}
        summary.folded += folder.folded
        with store.clock("fold"):
            if stored and count_pending(store):  # mentions stored before, never folded
                summary.folded += fold_pending(store, settings)
        with store.clock("screen"):
            settled = reprints.settle(ids, stored)
        for item, reason in settled:
            summary.reprints -= 1
            fail(item, "reprint", reason)
        store.release()
        for (_, events, _, analysis), result in zip(ready, results, strict=True):
            if result == "stored":
                summary.stored += 1
                summary.events += len(events)
                summary.asserted += sum(e.modality == "asserted" for e in events)
                if analysis is not None:
                    summary.claims += len(analysis.claims)
                    summary.counts += len(analysis.counts)
            elif result == "duplicate":
                summary.duplicates += 1
            else:
                summary.skipped += 1
            tick()

    def batches() -> Iterator[list[tuple[str, Article]]]:
        pending: list = []
        found = 0
        for result in _results(inputs, options):
            pending.append(result)
            found += isinstance(result, Found)
            if found >= per_batch:
                if chunk := screen(pending):
                    yield chunk
                pending, found = [], 0
        if pending and (chunk := screen(pending)):
            yield chunk

    with _coding(coder, settings, modalities, workers, store.clock) as code_stream:
        for chunk, coded in code_stream(batches()):
            items = {a.id: item for item, a in chunk}
            ready: list[ToStore] = []
            for article, events, analysis, error in coded:
                item = items.get(article.id, article.id)
                if error is not None:
                    fail(item, "code", error)
                else:
                    ready.append((article, events, item, analysis))
            save(ready, [a.id for _, a in chunk])


def _results(inputs: list[str | Article], options: SourceOptions) -> Iterator:
    paths: list[str] = []
    for i in [*inputs, None]:
        if isinstance(i, str):
            paths.append(i)
            continue
        if paths:
            yield from read_inputs(paths, options)
            paths = []
        if i is not None:
            yield Found(f"article:{i.id}", i)


class _coding:
    """Context manager giving a function: list of article batches → iterator of ``Coded``."""

    def __init__(
        self,
        coder,
        settings: Settings,
        modalities: tuple[str, ...],
        workers: int,
        clock: StageClock,
    ):
        self.coder, self.settings, self.modalities, self.workers = (
            coder,
            settings,
            modalities,
            workers,
        )
        self.clock = clock  # times the coding (the wait for the workers) as "code"
        self.pool = None

    def __enter__(self) -> Callable[[Iterator[Batch]], Iterator[tuple[Batch, list[Coded]]]]:
        if self.workers > 1:
            ctx = mp.get_context("spawn")  # never fork a process holding a DuckDB connection
            self.pool = ctx.Pool(self.workers, _init_worker, (self.settings, self.modalities))
            return self._parallel
        if self.coder is None:
            from detente.coding.coder import load_coder

            self.coder = load_coder(self.settings)
        return self._local

    def _local(self, batches: Iterator[Batch]) -> Iterator[tuple[Batch, list[Coded]]]:
        for b in batches:
            with self.clock("code"):
                coded = code_batch(self.coder, [a for _, a in b], self.modalities)
            yield b, coded

    def _parallel(self, batches: Iterator[Batch]) -> Iterator[tuple[Batch, list[Coded]]]:
        """Keep 2 batches per worker in flight; the batches are read (and the store checked)
        in this thread only, between results."""
        window: deque = deque()
        for b in batches:
            window.append((b, self.pool.apply_async(_code_in_worker, ([a for _, a in b],))))
            if len(window) >= 2 * self.workers:
                done, result = window.popleft()
                with self.clock("code"):  # waiting for the workers
                    coded = result.get()
                yield done, coded
        while window:
            done, result = window.popleft()
            with self.clock("code"):
                coded = result.get()
            yield done, coded

    def __exit__(self, *exc: object) -> None:
        if self.pool is not None:
            self.pool.terminate()
            self.pool.join()


def code_batch(coder, articles: list[Article], modalities: tuple[str, ...]) -> list[Coded]:
    """Code a batch (events, claims and counts); if the batch fails, code its articles one by
    one to find the bad one."""
    try:
        return [
            (a, events, analysis, None)
            for a, events, analysis in code_and_analyse(coder, articles, modalities)
        ]
    except (DetenteError, ValueError, RuntimeError) as exc:
        if len(articles) == 1:
            return [(articles[0], None, None, f"{type(exc).__name__}: {exc}")]
    return [c for a in articles for c in code_batch(coder, [a], modalities)]


_WORKER: dict = {}


def _init_worker(settings: Settings, modalities: tuple[str, ...]) -> None:
    from detente.coding.coder import load_coder

    _WORKER["coder"] = load_coder(settings)
    _WORKER["modalities"] = modalities


def _code_in_worker(articles: list[Article]) -> list[Coded]:
    return code_batch(_WORKER["coder"], articles, _WORKER["modalities"])
