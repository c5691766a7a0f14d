"""Ingest on a Dask cluster: shards → Parquet part files of a dataset, then the client's index.

``ingest_dataset(inputs, dataset)`` plans the shards of the inputs (``ingest/shards.py``: a file,
or a byte range of a large JSON Lines file), and codes each shard not finished yet as one task
on a Dask cluster: a ``LocalCluster`` (worker processes on 127.0.0.1, one thread each) unless a
scheduler address is given. Each worker loads the coder once (``CoderPlugin``, a distributed
worker plugin: never a pickled ``Language`` or ``Doc``); a task gets paths in and writes files
out (``store/dataset.py``), so nothing large crosses the network. A long-running spaCy process
grows (its StringStore keeps every string), so a worker loads a fresh coder after
``max_shards`` shards, and its process can be replaced after a lifetime (``lifetime``: Dask's
own worker lifetime, restarted by the nanny; a shard running then is coded again elsewhere,
which is harmless: a shard's files are written whole or not at all). A shard's per-item
failures go to its errors part, as a local ingest records them; a shard whose task fails is
reported and the others go on.

Then the client screens and folds, in input order, what the workers coded (``index_dataset``):
what a local ingest does article after article before and after coding (a stored id or text is
a copy, a near-copy a reprint, mentions fold into stories after each batch of
``Settings.ingest_batch`` articles) is done here the same way, with the same code
(``Reprints``, ``fold_pending``), on the dataset's index store. So the dataset's events are a
local ingest's: same ids, same fields, same stories. Finished shards are skipped on a re-run,
and a killed run (client or workers) resumes: only shards without their marker are coded again,
and the index picks up at the first article it has not screened.
"""

from __future__ import annotations

import contextlib
import gc
import os
import resource
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from detente.ingest.shards import SHARD_BYTES, Shard, plan, read_shard
from detente.ingest.sources import Failure, SourceOptions
from detente.records import MODALITIES, Article
from detente.run.batch import IngestSummary, code_batch
from detente.run.stories import Folder, Reprints, fold_pending
from detente.settings import Settings
from detente.store import dataset as ds
from detente.store.db import text_hash
from detente.store.rows import TABLES, RowBatch
from detente.store.stories import count_pending
from detente.stories.reprints import sketch

PLUGIN = "detente-coder"


def plugin_name(settings: Settings) -> str:
    """One coder per worker and settings: the plugin's name carries a hash of them."""
    import hashlib

    return f"{PLUGIN}-{hashlib.sha1(settings.model_dump_json().encode()).hexdigest()[:12]}"


@dataclass
class DatasetSummary(IngestSummary):
    shards: int = 0  # shards of the inputs
    coded_shards: int = 0  # coded by this run
    done_before: int = 0  # finished by an earlier run: skipped
    failed_shards: int = 0
    seconds: float = 0.0  # coding on the cluster (wall clock)
    workers: int = 0


Progress = Callable[[DatasetSummary], None]


# --- workers ------------------------------------------------------------------------------
try:
    from distributed import WorkerPlugin as _PluginBase
except ImportError:  # the cluster extra is not installed: ``ingest_dataset`` says so
    _PluginBase = object  # type: ignore[assignment,misc]


class CoderPlugin(_PluginBase):  # type: ignore[valid-type,misc]
    """Loads the coder once per worker process. After ``max_shards`` shards it loads a fresh
    one (the old one, with everything its StringStore kept, is dropped); the process itself
    is recycled by the worker's lifetime (``cluster(lifetime=...)``, ``dask worker
    --lifetime``), which its nanny restarts."""

    idempotent = True  # registered again by a second client: the workers keep their coder

    def __init__(self, settings: Settings, max_shards: int | None = None) -> None:
        self.name = plugin_name(settings)
        self.settings, self.max_shards = settings, max_shards
        self.coder = None
        self.shards = 0

    def setup(self, worker) -> None:
        """Nothing heavy here: setup runs inside the registration call, whose connection a busy
        machine may close before a model is loaded; the first shard loads the coder."""
        self.coder = None

    def warm(self) -> None:
        """Load the coder now (``client.run(warm_worker, name)``: before timing, say)."""
        if self.coder is None:
            self._load()

    def _load(self) -> None:
        from detente.coding.coder import load_coder

        self.coder = None
        gc.collect()
        self.coder = load_coder(self.settings)
        self.shards = 0

    def teardown(self, worker) -> None:
        self.coder = None

    def for_shard(self):
        """The coder for the next shard."""
        if self.coder is None or (self.max_shards and self.shards >= self.max_shards):
            self._load()
        self.shards += 1
        return self.coder


def warm_worker(name: str, dask_worker=None) -> None:
    """For ``client.run``: load the coder of plugin ``name`` on every worker."""
    dask_worker.plugins[name].warm()


def _rows(batch: RowBatch, table: str) -> int:
    cols = batch.cols[table]
    return len(next(iter(cols.values()))) if cols else 0


@dataclass(frozen=True)
class ShardRun:
    """What every task of a run shares."""

    dataset: str
    options: SourceOptions
    modalities: tuple[str, ...]
    per_batch: int
    run_id: int
    plugin: str  # the name of the worker plugin holding the coder


def code_shard(shard: Shard, run: ShardRun, coder=None) -> dict[str, Any]:
    """Code one shard and write its part files (the task; ``coder`` outside a worker)."""
    if coder is None:
        from distributed import get_worker

        coder = get_worker().plugins[run.plugin].for_shard()
    dataset, options, modalities = run.dataset, run.options, run.modalities
    per_batch, run_id = run.per_batch, run.run_id
    started, cpu = time.perf_counter(), time.process_time()
    batch = RowBatch()
    ordinals: dict[str, list[int]] = {t: [] for t in TABLES}
    months: dict[int, str | None] = {}
    errors: list[dict[str, Any]] = []
    pending: list[tuple[int, str, Article]] = []
    found = warnings = events = 0
    stamp = _now()

    def fail(item: str, stage: str, reason: str, ordinal: int | None = None) -> None:
        errors.append({"run_id": run_id, "item": item, "stage": stage, "reason": reason,
                       "recorded": stamp, "shard": shard.id, "ordinal": ordinal})  # fmt: skip

    def flush() -> None:
        nonlocal events
        coded = code_batch(coder, [a for _, _, a in pending], modalities)
        for (ordinal, item, article), (_, got, analysis, error) in zip(pending, coded, strict=True):
            if error is not None:
                fail(item, "code", error, ordinal)
                continue
            before = {t: _rows(batch, t) for t in TABLES}
            batch.add(article, got, item, text_hash(article.text), run_id, analysis)
            for t in TABLES:
                ordinals[t] += [ordinal] * (_rows(batch, t) - before[t])
            months[ordinal] = article.published.strftime("%Y-%m") if article.published else None
            events += len(got)
        pending.clear()

    for result in read_shard(shard, options):
        if isinstance(result, Failure):
            fail(result.item, result.stage, result.reason)
            continue
        pending.append((found, result.item, result.article))
        found += 1
        warnings += len(result.warnings)
        if len(pending) >= per_batch:
            flush()
    if pending:
        flush()
    tables = {
        t: ds.conform(t, table, ordinals[t], shard.id, stamp) for t, table in batch.tables()
        if t in TABLES
    }  # fmt: skip
    marker = {
        "shard": shard.id, "name": shard.name, "found": found, "coded": len(months),
        "failed": len(errors), "events": events, "warnings": warnings,
        "seconds": round(time.perf_counter() - started, 3), "pid": os.getpid(),
        "cpu_seconds": round(time.process_time() - cpu, 3),
        "rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "run_id": run_id, "bytes": shard.size,
    }  # fmt: skip
    row_months = {t: [months[o] for o in ordinals[t]] for t in TABLES}
    ds.write_shard(dataset, shard.id, tables, row_months, ds.errors_table(errors), marker)
    return marker


def _now():
    from datetime import datetime

    return datetime.now().replace(microsecond=0)


# --- the cluster --------------------------------------------------------------------------
@contextlib.contextmanager
def cluster(
    scheduler: str | None,
    workers: int,
    settings: Settings,
    *,
    lifetime: str | None = None,
    memory_limit: str | None = None,
) -> Iterator[Any]:
    """A Dask client: on a new ``LocalCluster`` of ``workers`` processes (recycled after
    ``lifetime``, e.g. "1 hour"), or on the scheduler at ``scheduler`` (whose workers are
    started, and recycled, as that cluster says: ``dask worker --lifetime 1h --lifetime-restart``).
    ``ingest_dataset`` registers the coder plugin."""
    try:
        from distributed import Client, LocalCluster
    except ImportError as exc:
        raise ds.DatasetError(
            "the Dask engine needs the cluster extra: pip install 'detente[cluster]'"
        ) from exc
    local = None
    if scheduler:
        client = Client(scheduler, set_as_default=False)
    else:
        extra: dict[str, Any] = {}
        if lifetime:
            from dask.utils import parse_timedelta

            seconds = parse_timedelta(lifetime)  # staggered by a tenth: not all at once
            extra = {
                "lifetime": seconds,
                "lifetime_stagger": seconds / 10,
                "lifetime_restart": True,
            }
        local = LocalCluster(
            n_workers=workers,
            threads_per_worker=1,
            processes=True,
            host="127.0.0.1",
            dashboard_address=None,
            memory_limit=memory_limit or "auto",
            silence_logs=40,
            **extra,
        )
        client = Client(local, set_as_default=False)
    try:
        yield client
    finally:
        client.close()
        if local is not None:
            local.close()


# --- the run ------------------------------------------------------------------------------
def ingest_dataset(
    inputs: Iterable[str],
    dataset: str | Path,
    *,
    scheduler: str | None = None,
    workers: int = 2,
    settings: Settings | None = None,
    options: SourceOptions | None = None,
    modalities: Iterable[str] = MODALITIES,
    shard_bytes: int = SHARD_BYTES,
    lifetime: str | None = None,
    max_shards: int | None = None,
    client=None,
    progress: Progress | None = None,
) -> DatasetSummary:
    """Code ``inputs`` (files and folders) into the Parquet dataset ``dataset`` on a Dask
    cluster (``client`` if given, else ``scheduler``, else a ``LocalCluster`` of ``workers``),
    then index it; see the module docstring."""
    inputs = list(inputs)
    root = ds.create(dataset)
    settings = settings or Settings.from_env()
    options = options or SourceOptions.from_settings(settings)
    own = tuple(str((root / p).resolve()) for p in ("parts", "shards", "index", "index.duckdb"))
    options = replace(options, skip=(*options.skip, *own))
    modalities = tuple(modalities)
    shards, missing = plan(inputs, options, shard_bytes)
    index = ds.DatasetIndex(root)
    try:
        with index.store.writing():
            summary = DatasetSummary(run_id=index.store.start_run(inputs), shards=len(shards))
            for f in missing:
                _fail(index, summary, f)
            todo = [s for s in shards if ds.shard_done(root, s.id) is None]
            summary.done_before = len(shards) - len(todo)
            index.store.release()
            if todo:
                started = time.perf_counter()
                run = ShardRun(str(root), options, modalities, settings.ingest_batch,
                               summary.run_id, plugin_name(settings))  # fmt: skip
                with contextlib.ExitStack() as stack:
                    if client is None:
                        client = stack.enter_context(
                            cluster(scheduler, workers, settings, lifetime=lifetime)
                        )  # fmt: skip
                    summary.workers = len(client.scheduler_info()["workers"])
                    client.register_plugin(CoderPlugin(settings, max_shards), name=run.plugin)
                    _code(client, todo, run, index, summary, progress)
                summary.seconds = time.perf_counter() - started
            index_dataset(index, shards, settings, summary)
            index.store.finish_run(
                summary.run_id,
                summary.stored,
                summary.skipped + summary.duplicates + summary.reprints,
                summary.failed,
                summary.events,
            )
            index.export()
    finally:
        index.close()
    return summary


def _fail(index: ds.DatasetIndex, summary: DatasetSummary, f: Failure) -> None:
    summary.failures.append(f)
    summary.failed += 1
    index.store.record_error(summary.run_id, f.item, f.stage, f.reason)
    index.store.release()


def _code(client, todo, run: ShardRun, index, summary, progress) -> None:
    from distributed import as_completed

    futures = {
        client.submit(
            code_shard, s, run, key=f"detente-shard-{s.id}-{run.run_id}", pure=False, retries=0
        ): s
        for s in todo
    }
    for future in as_completed(futures, loop=client.loop):
        shard = futures[future]
        try:
            marker = future.result()
        except Exception as exc:  # the task failed (or its worker died): report, go on
            summary.failed_shards += 1
            _fail(index, summary, Failure(shard.name, "shard", f"{type(exc).__name__}: {exc}"))
            continue
        summary.coded_shards += 1
        summary.failed += marker["failed"]
        summary.failures += [
            Failure(r["item"], r["stage"], r["reason"])
            for r in ds.shard_errors(run.dataset, shard.id)
        ]
        if progress is not None:
            progress(summary)


def index_dataset(
    index: ds.DatasetIndex, shards: list[Shard], settings: Settings, summary: DatasetSummary
) -> None:
    """Screen the coded articles of the finished shards in input order (copies, reprints),
    keep the rest, and fold their mentions as they are kept, a batch at a time, as a local
    ingest does."""
    known = index.indexed()
    new = []
    for s in shards:
        marker = ds.shard_done(index.root, s.id)
        if s.id not in known and marker is not None:
            new.append((s.id, marker["found"], marker["coded"], s.name))
    index.add_shards(new)
    store, per_batch = index.store, settings.ingest_batch
    reprints = Reprints(store, settings)
    chunk: list[tuple[str, int, Article, str | None]] = []
    seen: list[tuple[str, int]] = []
    screened: list[str] = []  # shards whose every article is screened, rows still loaded

    def save() -> None:
        by_id: dict[str, str] = {}
        by_hash: dict[str, str] = {}
        kept, copies = [], []
        for shard, ordinal, article, item in chunk:
            digest = text_hash(article.text)
            existing = by_id.get(article.id) or by_hash.get(digest)
            if existing is None:
                kept.append((shard, ordinal, article.id))
                by_id[article.id] = by_hash[digest] = article.id
            else:
                copies.append((existing, article, item))
        sketches = reprints.sketches([k[2] for k in kept])
        folder = Folder(store, settings)
        added = index.keep(kept, seen, sketches, folder)
        for existing, article, item in copies:
            store.add_source(existing, article, item)
            if existing == article.id:
                summary.skipped += 1
            else:
                summary.duplicates += 1
        stored = {k[2] for k in kept}
        summary.stored += len(kept)
        summary.events += added["events"]
        summary.asserted += added["asserted"]
        summary.claims += added["claims"]
        summary.counts += added["counts"]
        summary.folded += folder.folded
        if stored and count_pending(store):  # mentions stored before, never folded
            summary.folded += fold_pending(store, settings)
        for item, reason in reprints.settle([a.id for _, _, a, _ in chunk], stored):
            summary.reprints -= 1
            _fail(index, summary, Failure(item, "reprint", reason))
        for shard in screened:
            index.unload(shard)
        screened.clear()
        chunk.clear()
        seen.clear()
        store.release()

    def screen(rows: list[tuple[str, dict[str, Any]]]) -> None:
        """Screen a batch's articles one after another, as ``batch._run`` does, with what they
        need from the store fetched at once (nothing screening does changes it)."""
        articles = [_article(row) for _, row in rows]
        stored = store.known_many(articles)
        mines = [sketch(a.text, settings) for a in articles]
        candidates = store.reprint_candidates_keyed(sorted({k for m in mines for k in m.keys}))
        for (shard, row), article, existing, mine in zip(rows, articles, stored, mines,
                                                         strict=True):  # fmt: skip
            item = row["item"]
            seen.append((shard, int(row["ordinal"])))
            if existing is not None:
                store.add_source(existing, article, item)
                summary.skipped += 1
                continue
            keys = set(mine.keys)
            mine_stored = [(i, sig) for i, sig, ks in candidates if keys.intersection(ks)]
            if reprints.screen(article, item, mine, mine_stored) is not None:
                summary.reprints += 1
            else:
                chunk.append((shard, int(row["ordinal"]), article, item))

    batch_no = None
    rows: list[tuple[str, dict[str, Any]]] = []
    for shard, first, _ in index.unseen():
        index.load(shard)
        done = index.seen(shard)
        for row in index.shard_articles(shard):
            ordinal = int(row["ordinal"])
            number = (first + ordinal) // per_batch
            if batch_no is not None and number != batch_no and rows:
                screen(rows)
                rows = []
                save()
            batch_no = number
            if ordinal not in done:
                rows.append((shard, row))
        screened.append(shard)
    if rows:
        screen(rows)
    if chunk or seen or screened:
        save()


def _article(row: dict[str, Any]) -> Article:
    """The stored article's fields that screening reads (built, not validated again)."""
    import pandas as pd

    published = row["published"]
    published = None if published is None or pd.isna(published) else pd.Timestamp(published).date()
    values = {k: (None if _missing(row[k]) else row[k]) for k in ("url", "title", "source")}
    return Article.model_construct(id=row["id"], text=row["text"], published=published, **values)


def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and value != value)
