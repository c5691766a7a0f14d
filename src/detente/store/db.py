"""The DuckDB store: the one module that holds SQL.

``open_store(path)`` connects and applies the numbered migrations (``migrations.py``);
``Store`` wraps the connection. Each article is stored with its sentences, events, event
actors, claims and counts in one transaction, so an interrupted ingest leaves either all of an
article or none.
Values always go in as parameters, never formatted into SQL.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Literal

import duckdb
import pandas as pd

from detente.errors import DetenteError
from detente.records import Article, ArticleAnalysis, Event
from detente.store import series, series_read
from detente.store.migrations import MIGRATIONS
from detente.store.rows import TABLES, RowBatch

DEFAULT_DB = "detente.duckdb"
StoreResult = Literal["stored", "skipped", "duplicate"]
# What ``Store.store_articles`` takes per article: its events, the input item it came from, and
# its claims and counts (or None).
ToStore = tuple[Article, list[Event], str | None, ArticleAnalysis | None]
# An article's reprint signature and LSH band keys (``stories.reprints.Sketch`` as plain values)
Sketches = dict[str, tuple[tuple[int, ...], tuple[int, ...]]]
# Folding a batch before it is stored: its mentions (``stories.mentions_of``'s frame) →
# (mention id → story id, new stories, changed stories), as ``stories.write_folding`` takes them
Folder = Callable[[pd.DataFrame], tuple[dict[str, str], list[dict], list[dict]]]
_WS = re.compile(r"\s+")


class StoreError(DetenteError):
    """The store file cannot be opened or migrated."""


def text_hash(text: str) -> str:
    """Hash of the normalised text (whitespace collapsed): exact duplicates share it."""
    return hashlib.sha1(_WS.sub(" ", text).strip().encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class EventFilter:
    """Filters shared by queries and exports; ``None`` means no filter."""

    since: date | None = None
    until: date | None = None
    country: str | None = None  # any actor whose country or code prefix is this
    dyad: tuple[str, str] | None = None  # (source, target): country or code prefix each
    event: str | None = None  # PLOVER event type or CAMEO code prefix
    modalities: tuple[str, ...] | None = None
    require_dyad: bool = False  # only events with both a source and a target
    folded: bool = False  # each folded event once (its first mention), not every mention

    def _dates(self, column: str) -> tuple[list[str], list[Any]]:
        """``TRUE`` and the since/until bounds on ``column``."""
        sql, params = ["TRUE"], []
        for op, day in ((">=", self.since), ("<=", self.until)):
            if day:
                sql.append(f"{column} {op} ?")
                params.append(day)
        return sql, params

    def where(self) -> tuple[str, list[Any]]:
        sql, params = self._dates("e.published")
        actor = "(a.country = ? OR a.code LIKE ? || '%')"
        if self.country:
            sql.append(f"EXISTS (SELECT 1 FROM event_actors a WHERE a.event_id = e.id AND {actor})")
            params += [self.country.upper()] * 2
        if self.dyad:
            for role, who in zip(("source", "target"), self.dyad, strict=True):
                sql.append(
                    "EXISTS (SELECT 1 FROM event_actors a WHERE a.event_id = e.id"
                    f" AND a.role = '{role}' AND {actor})"
                )
                params += [who.upper()] * 2
        if self.event:
            sql.append("(upper(e.plover_event) = ? OR e.cameo_code LIKE ? || '%')")
            params += [self.event.upper(), self.event]
        if self.require_dyad:
            sql.append("e.dyad = 'full'")
        if self.folded:
            sql.append("coalesce(e.story_id = e.id, e.story_id IS NULL)")
        if self.modalities:
            sql.append(f"e.modality IN ({', '.join('?' * len(self.modalities))})")
            params += list(self.modalities)
        return " AND ".join(sql), params

    def where_linked(self, alias: str) -> tuple[str, list[Any]]:
        """The filter for claims or counts (table alias ``alias``, joined to ``articles ar``):
        dates on the article's publication; country on the claimant or the linked event's
        actors; dyad and event type on the linked event (rows without one are left out).
        Modalities do not apply: a claim is not negated or future."""
        sql, params = self._dates("ar.published")
        linked = f"EXISTS (SELECT 1 FROM events e WHERE e.id = {alias}.event_id AND "
        if self.country:
            inner, inner_params = EventFilter(country=self.country).where()
            sql.append(
                f"({alias}.claimant_country = ? OR {alias}.claimant_code LIKE ? || '%' OR "
                f"{linked}{inner}))"
            )
            params += [self.country.upper()] * 2 + inner_params
        if self.dyad or self.event:
            inner, inner_params = EventFilter(dyad=self.dyad, event=self.event).where()
            sql.append(f"{linked}{inner})")
            params += inner_params
        return " AND ".join(sql), params


def _page(sql: str, params: list[Any], limit: int | None, offset: int = 0) -> tuple[str, list[Any]]:
    """``sql`` with its LIMIT and OFFSET (none when ``limit`` is None and ``offset`` is 0)."""
    if limit is not None:
        sql += " LIMIT ?"
        params = [*params, int(limit)]
    if offset:
        sql += " OFFSET ?"
        params = [*params, int(offset)]
    return sql, params


READ_WAIT = 30.0  # seconds a reader waits for a writer to release the store
WRITE_WAIT = 120.0  # seconds a writer waits for readers to let go between its batches
_POLL = 0.05
Waiting = Callable[[str], None]


class StageClock:
    """Seconds spent in each named stage of a run (``Store.clock``: code, screen, store, fold,
    series, as ingest names them). A stage timed inside another is counted in its own stage
    only, so the stages add up to the time timed."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}
        self._inner: list[float] = []  # per open stage: the seconds of the stages inside it

    @contextlib.contextmanager
    def __call__(self, stage: str) -> Iterator[None]:
        start = time.perf_counter()
        self._inner.append(0.0)
        try:
            yield
        finally:
            took = time.perf_counter() - start
            self.seconds[stage] = self.seconds.get(stage, 0.0) + took - self._inner.pop()
            if self._inner:
                self._inner[-1] += took

    def since(self, before: dict[str, float]) -> dict[str, float]:
        """The seconds of each stage added since ``before`` (an earlier ``dict(seconds)``)."""
        return {k: v - before.get(k, 0.0) for k, v in self.seconds.items()}


class StoreBusy(StoreError):
    """The store is in use: another process holds the file, or another ingest is writing."""


def _is_lock_error(exc: duckdb.Error) -> bool:
    return isinstance(exc, duckdb.IOException) and "lock" in str(exc).lower()


def _connect(
    path: str, read_only: bool, wait: float, on_wait: Waiting | None
) -> duckdb.DuckDBPyConnection:
    """Connect, retrying while another process holds the file, for at most ``wait`` seconds
    (``on_wait`` is told once, when the wait begins)."""
    deadline = time.monotonic() + wait
    told, pause = False, _POLL
    wanting: Path | None = None
    try:
        while True:
            try:
                return duckdb.connect(path, read_only=read_only)
            except duckdb.Error as exc:
                if not _is_lock_error(exc):
                    raise StoreError(f"{path}: cannot open the store ({exc})") from exc
                if time.monotonic() >= deadline:
                    raise StoreBusy(
                        f"{path}: store in use by another process (waited {wait:g} s): {exc}"
                    ) from exc
                if on_wait is not None and not told:
                    on_wait(f"{path}: store in use by another process; waiting up to {wait:g} s")
                    told = True
                if not read_only and wanting is None:
                    wanting = _want(path)
                time.sleep(min(pause, max(deadline - time.monotonic(), 0)))
                pause = min(pause * 2, 1.0)
    finally:
        if wanting is not None:
            with contextlib.suppress(OSError):
                wanting.unlink()


def _want(path: str) -> Path | None:
    """Say that a writer waits for the file (``PATH.want``, its PID): a reader that keeps the
    file open between its queries (``detente serve``) lets go of it (``writer_waiting``)."""
    want = Path(f"{path}.want")
    try:
        want.write_text(str(os.getpid()), encoding="utf-8")
    except OSError:
        return None
    return want


WANT_STALE = 300.0  # seconds after which a left-over PATH.want (its writer killed) is ignored


def writer_waiting(path: str | Path) -> bool:
    """Does a writer wait for the store file (a fresh ``PATH.want``)? Read from the file only:
    nothing is locked here."""
    with contextlib.suppress(OSError):
        return time.time() - Path(f"{path}.want").stat().st_mtime < WANT_STALE
    return False


def writer_holding(path: str | Path) -> bool:
    """Does an ingest hold the store's writer lock (``PATH.lock`` names its PID while it
    writes)? Read, never locked: a lock taken here, even for a moment, could make a starting
    ingest fail as busy."""
    try:
        return bool(Path(f"{path}.lock").read_text(encoding="utf-8").strip())
    except OSError:
        return False


def open_store(
    path: str | Path = DEFAULT_DB,
    *,
    read_only: bool = False,
    wait: float | None = None,
    on_wait: Waiting | None = None,
) -> Store:
    """Connect to (or create) the DuckDB file and bring its schema up to date.

    While another process holds the file (an ingest between two of its writes, a reader), the
    connection is retried for ``wait`` seconds (``READ_WAIT`` read-only, ``WRITE_WAIT``
    otherwise), ``on_wait`` told once; then ``StoreBusy``. A read-only store whose schema is
    older than this detente is migrated first (briefly read-write)."""
    path = str(path)
    wait = (READ_WAIT if read_only else WRITE_WAIT) if wait is None else wait
    store = Store(None, path, read_only=read_only, wait=wait, on_wait=on_wait)
    if read_only and store.schema_version() < len(MIGRATIONS):
        store.close()
        with open_store(path, wait=wait, on_wait=on_wait):
            pass
    elif not read_only:
        store.migrate()
    return store


class Store:
    """A DuckDB connection with detente's schema. Build it with ``open_store``."""

    def __init__(
        self,
        con: duckdb.DuckDBPyConnection | None,
        path: str = ":memory:",
        *,
        read_only: bool = False,
        wait: float = 0.0,
        on_wait: Waiting | None = None,
    ) -> None:
        self._con = con
        self.path = path
        self.read_only, self.wait, self.on_wait = read_only, wait, on_wait
        self._touched: set[date | None] = set()  # days whose series rows may need compacting
        self.clock = StageClock()  # where a run's time goes (store, fold, series, ...)
        if con is None:
            self._con = _connect(path, read_only, wait, on_wait)

    @property
    def con(self) -> duckdb.DuckDBPyConnection:
        """The connection, opened again (waiting as ``open_store`` does) after ``release``."""
        if self._con is None:
            self._con = _connect(self.path, self.read_only, self.wait, self.on_wait)
        return self._con

    def release(self) -> None:
        """Close the file so that other processes can read it; the next use reopens it. A
        no-op for an in-memory store or inside a transaction's caller."""
        if self._con is not None and self.path != ":memory:":
            self._con.close()
            self._con = None

    def own_files(self) -> tuple[str, ...]:
        """The resolved store path: it, and every file named after it (``.wal``, ``.lock``,
        ``.want``, the ``.tmp`` folder), are the store's own files, never inputs."""
        return () if self.path == ":memory:" else (str(Path(self.path).resolve()),)

    @contextlib.contextmanager
    def writing(self) -> Iterator[None]:
        """Hold the store's writer lock (``PATH.lock``) for a run: a second writer gets
        ``StoreBusy`` at once rather than interleaving with the first."""
        if self.path == ":memory:" or self.read_only:
            yield
            return
        import fcntl

        with open(f"{self.path}.lock", "a+", encoding="utf-8") as fh:
            try:
                fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError as exc:
                fh.seek(0)
                holder = fh.read().strip() or "?"
                raise StoreBusy(
                    f"{self.path}: store in use: another ingest (PID {holder}) is writing to it"
                ) from exc
            fh.seek(0)
            fh.truncate()
            fh.write(str(os.getpid()))
            fh.flush()
            try:
                yield
            finally:
                fh.truncate(0)
                fcntl.flock(fh, fcntl.LOCK_UN)

    # --- plumbing -----------------------------------------------------------------------
    def _q(self, sql: str, params: list[Any] | tuple = ()) -> list[tuple]:
        return self.con.execute(sql, list(params)).fetchall()

    def _df(self, sql: str, params: list[Any] | tuple = ()) -> pd.DataFrame:
        return self.con.execute(sql, list(params)).df()

    def close(self) -> None:
        if self._con is not None:
            self._con.close()
            self._con = None

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def migrate(self) -> int:
        """Apply the migrations not applied yet; returns the schema version."""
        self._q(
            "CREATE TABLE IF NOT EXISTS schema_version "
            "(version INTEGER PRIMARY KEY, applied TIMESTAMP DEFAULT current_timestamp)"
        )
        current = self.schema_version()
        for number, statements in enumerate(MIGRATIONS, start=1):
            if number <= current:
                continue
            self._q("BEGIN TRANSACTION")
            try:
                for sql in statements:
                    self._q(sql)
                self._q("INSERT INTO schema_version (version) VALUES (?)", [number])
                self._q("COMMIT")
            except duckdb.Error as exc:
                self._q("ROLLBACK")
                raise StoreError(f"{self.path}: migration {number} failed ({exc})") from exc
        return self.schema_version()

    def attached_dataset(self) -> str | None:
        """The Parquet dataset whose views this store holds (``store/dataset.py``), or None."""
        found = self._q(
            "SELECT count(*) FROM duckdb_tables() WHERE table_name = 'dataset_attached'"
        )[0][0]
        return self._q("SELECT any_value(path) FROM dataset_attached")[0][0] if found else None

    def schema_version(self) -> int:
        return self._q("SELECT coalesce(max(version), 0) FROM schema_version")[0][0]

    # --- articles -----------------------------------------------------------------------
    def known(self, article: Article) -> str | None:
        """The id of the stored article this one is (same id, or same normalised text). Two
        index lookups (``id = ? OR text_hash = ?`` scanned the articles)."""
        rows = self._q(
            "SELECT id, 0 AS k FROM articles WHERE id = ?"
            " UNION ALL SELECT id, 1 FROM articles WHERE text_hash = ? ORDER BY k, id LIMIT 1",
            [article.id, text_hash(article.text)],
        )
        return rows[0][0] if rows else None

    def article_ids(self) -> set[str]:
        return {r[0] for r in self._q("SELECT id FROM articles")}

    def add_source(
        self,
        article_id: str,
        article: Article,
        item: str | None = None,
        similarity: float = 1.0,
    ) -> bool:
        """Remember that ``article`` (a copy or a reprint of the stored article ``article_id``,
        ``similarity`` its estimated likeness) was also carried by its URL/source; the folded
        events of the stored article count it. The article's sources are found by index
        (migration 12)."""
        exists = self._q(
            "SELECT count(*) FROM article_sources WHERE article_id = ? AND url IS NOT DISTINCT"
            " FROM ? AND source IS NOT DISTINCT FROM ?",
            [article_id, article.url, article.source],
        )[0][0]
        if not exists:
            self._q(
                "INSERT INTO article_sources (article_id, url, source, item, title, published,"
                " similarity) VALUES (?, ?, ?, ?, ?, ?, ?)",
                [
                    article_id, article.url, article.source, item, article.title,
                    article.published, similarity,
                ],
            )  # fmt: skip
            from detente.store.stories import refresh_article

            refresh_article(self, article_id)
        return not exists

    def reprint_candidates(self, keys: list[int]) -> list[tuple[str, list[int]]]:
        """(article id, MinHash signature) of the stored articles sharing an LSH band key with
        ``keys``, earliest stored first."""
        if not keys:
            return []
        from detente.store.stories import marks

        ids = [
            r[0]
            for r in self._q(
                f"SELECT DISTINCT article_id FROM article_bands WHERE key IN {marks(keys)}",
                list(keys),
            )
        ]
        if not ids:
            return []
        return self._q(
            "SELECT m.article_id, m.signature FROM article_minhash m"
            f" JOIN (SELECT * FROM articles WHERE id IN {marks(ids)}) ar ON ar.id = m.article_id"
            f" WHERE m.article_id IN {marks(ids)} ORDER BY ar.stored_at, ar.id",
            [*ids, *ids],
        )

    def known_many(self, articles: list[Article]) -> list[str | None]:
        """``known`` for several articles (what is stored now), by index: one lookup of the
        ids, one of the text hashes."""
        hashes = [text_hash(a.text) for a in articles]
        ids = {i for i, _ in self._lookup("id", [a.id for a in articles])}
        by_hash: dict[str, str] = {}
        for i, h in sorted(self._lookup("text_hash", hashes), reverse=True):
            by_hash[h] = i  # the least id of a hash, as ``known`` takes it
        return [
            a.id if a.id in ids else by_hash.get(h) for a, h in zip(articles, hashes, strict=True)
        ]

    def _lookup(self, column: str, values: list[str]) -> list[tuple[str, str]]:
        """(id, ``column``) of the articles whose ``column`` (``id`` or ``text_hash``, both
        indexed) is one of ``values``, found by index."""
        from detente.store.stories import marks

        if not values:
            return []
        values = sorted(set(values))
        return self._q(
            f"SELECT id, {column} FROM articles WHERE {column} IN {marks(values)}", values
        )

    def reprint_candidates_keyed(self, keys: list[int]) -> list[tuple[str, list[int], list[int]]]:
        """(article id, signature, its band keys among ``keys``) of the stored articles sharing
        a band key with ``keys``, in ``reprint_candidates`` order: what it gives for any subset
        of ``keys`` is the rows whose keys meet that subset. The bands, signatures and articles
        are found by index (joining the whole tables scanned them)."""
        from detente.store.stories import marks

        if not keys:
            return []
        keys = sorted(set(keys))
        bands = self._q(
            f"SELECT article_id, list(key ORDER BY key) FROM article_bands WHERE key IN"
            f" {marks(keys)} GROUP BY article_id",
            keys,
        )
        if not bands:
            return []
        ids = sorted(b[0] for b in bands)
        keyed = dict(bands)
        rows = self._q(
            "SELECT m.article_id, m.signature FROM article_minhash m"
            f" JOIN (SELECT * FROM articles WHERE id IN {marks(ids)}) ar ON ar.id = m.article_id"
            f" WHERE m.article_id IN {marks(ids)} ORDER BY ar.stored_at, ar.id",
            [*ids, *ids],
        )
        return [(i, signature, keyed[i]) for i, signature in rows]

    def remember_if_known(self, article: Article, item: str | None = None) -> bool:
        """Is this article stored already? If so, also remember its URL/source (if new)."""
        existing = self.known(article)
        if existing is None:
            return False
        self.add_source(existing, article, item)
        return True

    def store_article(
        self,
        article: Article,
        events: list[Event],
        *,
        item: str | None = None,
        run_id: int | None = None,
        analysis: ArticleAnalysis | None = None,
    ) -> StoreResult:
        """Store an article with its events (and its claims and counts) in one transaction.

        Same id already stored → "skipped" (nothing written but a new URL/source); same
        normalised text under another id → "duplicate" (only the URL/source is added).
        """
        return self.store_articles([(article, events, item, analysis)], run_id)[0]

    def store_articles(
        self,
        items: list[ToStore],
        run_id: int | None = None,
        sketches: Sketches | None = None,
        fold: Folder | None = None,
    ) -> list[StoreResult]:
        """Store several articles in one transaction (one commit, one insert per table), with
        the reprint sketches of those in ``sketches`` (by article id); with ``fold``, their
        mentions are folded before they are inserted (each stored with its story, the stories
        written in the same transaction), so no stored row is updated to link them.

        Each article is all-or-nothing either way; if the batch fails, it is rolled back and
        its articles are stored one by one, so one bad article cannot sink the others.
        """
        with self.clock("store"):
            return self._store_articles(items, run_id, sketches, fold)

    def _store_articles(
        self,
        items: list[ToStore],
        run_id: int | None,
        sketches: Sketches | None,
        fold: Folder | None,
    ) -> list[StoreResult]:
        self._q("BEGIN TRANSACTION")
        try:
            results = self._store_batch(items, run_id, sketches or {}, fold)
            self._q("COMMIT")
        except duckdb.Error:
            self._q("ROLLBACK")
            if len(items) == 1:
                raise
            return [self.store_articles([x], run_id, sketches, fold)[0] for x in items]
        except BaseException:
            self._q("ROLLBACK")
            raise
        return results

    def _store_batch(
        self, items: list[ToStore], run_id: int | None, sketches: Sketches, fold: Folder | None
    ) -> list[StoreResult]:
        from detente.store.stories import marks

        hashes = [text_hash(x[0].text) for x in items]
        ids = [x[0].id for x in items]
        rows = self._q(
            f"SELECT id, text_hash FROM articles WHERE id IN {marks(ids)}", ids
        ) + self._q(
            f"SELECT id, text_hash FROM articles WHERE text_hash IN {marks(hashes)}", hashes
        )
        by_id = {i: i for i, _ in rows}
        by_hash = {h: i for i, h in rows}
        batch, results = RowBatch(), []
        for (article, events, item, analysis), digest in zip(items, hashes, strict=True):
            existing = by_id.get(article.id) or by_hash.get(digest)
            if existing is None:
                batch.add(article, events, item, digest, run_id, analysis)
                if article.id in sketches:
                    batch.add_sketch(article.id, *sketches[article.id])
                by_id[article.id] = by_hash[digest] = article.id
                results.append("stored")
                continue
            if existing in batch.sources_of:
                batch.add_source(existing, article, item)
            else:
                self.add_source(existing, article, item)
            results.append("skipped" if existing == article.id else "duplicate")
        tables = dict(batch.tables())
        folding = None
        if "events" in tables:
            import pyarrow as pa

            events = tables["events"]
            story: list[str | None] = [None] * events.num_rows
            if fold is not None and "event_actors" in tables:
                from detente.store.stories import mentions_of

                with (
                    self.clock("fold"),
                    self._registered(_new_events=events, _new_actors=tables["event_actors"]),
                ):
                    folding = fold(mentions_of(self, "_new_events", "_new_actors"))
                story = [folding[0].get(i) for i in events.column("id").to_pylist()]
            tables["events"] = events.append_column("story_id", pa.array(story, pa.string()))
        for table, arrow in tables.items():
            with self._registered(_detente_rows=arrow):
                self._q(f"INSERT INTO {table} BY NAME SELECT * FROM _detente_rows")
        if "events" in tables and "event_actors" in tables:
            new = {"_new_events": tables["events"], "_new_actors": tables["event_actors"]}
            with self.clock("series"), self._registered(**new):
                for sql in series.delta_inserts("_new_events", "_new_actors"):
                    self._q(sql)
            self.touched(tables["events"].column("published").to_pylist())
        if folding is not None:
            from detente.store.stories import write_folding

            with self.clock("fold"):
                write_folding(self, *folding, linked=True)
        return results

    @contextlib.contextmanager
    def transaction(self) -> Iterator[None]:
        """One transaction for the block: committed when it ends, rolled back if it raises
        (whatever it raises: an interrupted write leaves nothing half-stored)."""
        self._q("BEGIN TRANSACTION")
        try:
            yield
            self._q("COMMIT")
        except BaseException:
            self._q("ROLLBACK")
            raise

    @contextlib.contextmanager
    def _registered(self, **relations: Any):
        """Python objects (pyarrow tables) visible to SQL under the given names for a while."""
        for name, obj in relations.items():
            self.con.register(name, obj)
        try:
            yield
        finally:
            for name in relations:
                with contextlib.suppress(duckdb.Error):  # fails in an aborted transaction
                    self.con.unregister(name)

    def delete_articles(self, ids: list[str]) -> int:
        """Remove articles with everything stored with them, and their counts from the series
        tables, in one transaction; returns the number of articles removed. A folded event
        keeps its other mentions (its counts refreshed); one whose first mention goes is
        dissolved: its other mentions are unlinked, each counted as an event of its own until
        they are folded again (``run.stories.fold_pending``, as every ingest does)."""
        from detente.store.stories import refresh

        with self.transaction():
            self._q(
                "CREATE OR REPLACE TEMP TABLE _gone_events AS SELECT * FROM events"
                " WHERE article_id IN (SELECT unnest(?))",
                [ids],
            )
            self._q(
                "CREATE OR REPLACE TEMP TABLE _gone_actors AS SELECT * FROM event_actors"
                " WHERE event_id IN (SELECT id FROM _gone_events)"
            )
            for sql in series.delta_inserts("_gone_events", "_gone_actors", sign=-1):
                self._q(sql)
            self.touched(r[0] for r in self._q("SELECT DISTINCT published FROM _gone_events"))
            # the stories that lose a mention: dissolved if it was their first, else refreshed
            stories = self._q(
                "SELECT DISTINCT story_id, story_id IN (SELECT id FROM _gone_events) FROM"
                " _gone_events WHERE story_id IS NOT NULL"
            )
            self._q("DELETE FROM event_actors WHERE event_id IN (SELECT id FROM _gone_events)")
            for table in ("events", "sentences", "claims", "counts", "article_sources",
                          "article_minhash", "article_bands"):  # fmt: skip
                self._q(f"DELETE FROM {table} WHERE article_id IN (SELECT unnest(?))", [ids])
            self._unfold([s for s, first in stories if first])
            refresh(self, [s for s, first in stories if not first])
            n = self._q("DELETE FROM articles WHERE id IN (SELECT unnest(?)) RETURNING id", [ids])
            self._q("DROP TABLE _gone_events")
            self._q("DROP TABLE _gone_actors")
        return len(n)

    def _unfold(self, story_ids: list[str]) -> None:
        """Dissolve stories: their remaining mentions are unlinked (each its own ``lead`` in
        the series until folded again) and the story rows removed."""
        from detente.store.stories import marks

        if not story_ids:
            return
        self._q(
            "CREATE OR REPLACE TEMP TABLE _loose_events AS SELECT * FROM events"
            f" WHERE story_id IN {marks(story_ids)}",
            story_ids,
        )
        loose = [r[0] for r in self._q("SELECT id FROM _loose_events")]
        self._q(
            "CREATE OR REPLACE TEMP TABLE _loose_actors AS SELECT * FROM event_actors"
            f" WHERE event_id IN {marks(loose)}",
            loose,
        )
        for sql in series.delta_inserts("_loose_events", "_loose_actors", sign=-1):
            self._q(sql)
        self._q("UPDATE _loose_events SET story_id = NULL")
        for sql in series.delta_inserts("_loose_events", "_loose_actors"):
            self._q(sql)
        self.touched(r[0] for r in self._q("SELECT DISTINCT published FROM _loose_events"))
        self._q(
            f"UPDATE events SET story_id = NULL WHERE story_id IN {marks(story_ids)}", story_ids
        )
        self._q(f"DELETE FROM stories WHERE id IN {marks(story_ids)}", story_ids)
        self._q("DROP TABLE _loose_events")
        self._q("DROP TABLE _loose_actors")

    # --- series (pre-aggregated counts, store/series.py) --------------------------------
    def _in_transaction(self, statements: list[str]) -> None:
        with self.transaction():
            for sql in statements:
                self._q(sql)

    def execute_in_transaction(self, statements: list[str]) -> None:
        """Statements of the store package (``synthetic.fill``'s batches) in one transaction."""
        self._in_transaction(statements)

    def touched(self, days: Iterable[date | None]) -> None:
        """Publication days whose series rows changed (``compact_series`` folds them)."""
        self._touched.update(days)

    def rebuild_series(self) -> None:
        """Recount the series tables from the events (one transaction)."""
        self._in_transaction(series.rebuild())

    def compact_series(self, *, everything: bool = False) -> None:
        """Fold the delta rows of the series tables (one transaction; counts unchanged): the
        rows of the periods this ``Store`` added to or removed from (all with ``everything``);
        then rank the pairs of the periods marked as changed (``series.rank_again``)."""
        with self.clock("series"):
            self._compact_series(everything)

    def _compact_series(self, everything: bool) -> None:
        if everything:
            compacted = [s for level in series.LEVELS for s in series.compact(level)]
            self._in_transaction([*compacted, *series.rank_again(everything=True)])
            self._touched.clear()  # every period compacted: none left to fold again
            return
        if not self._touched:
            if self._q("SELECT count(*) FROM series_dirty")[0][0]:
                self._in_transaction(series.rank_again())
            return
        days = sorted(d for d in self._touched if d is not None)
        weeks = sorted({series_read.period_start(d, "week") for d in days})
        months = sorted({d.replace(day=1) for d in days})
        params = [days, weeks, months, None in self._touched]
        with self.transaction():
            for level in series.LEVELS:
                for n, sql in enumerate(series.compact(level, series.TOUCHED)):
                    self._q(sql, params if n < 2 else [])
            for sql in series.rank_again():
                self._q(sql)
        self._touched.clear()

    def series(self, level: str, by: str = "month", flt: EventFilter | None = None) -> pd.DataFrame:
        """Counts per period and unit of ``level`` (pairs, country_pairs, countries, actors):
        events, statements, QuadClasses, ``plover_<type>`` counts, mean Goldstein, conflict
        share; read from the series tables (``store/series_read.py``)."""
        flt = flt or EventFilter()
        return series_read.series(self.con, level, by, flt)

    def first_seen(
        self, by: str, flt: EventFilter | None, after: date, min_events: int
    ) -> pd.DataFrame:
        """Actors first counted on or after ``after``, with at least ``min_events`` then."""
        return series_read.first_seen(self.con, by, flt or EventFilter(), after, min_events)

    def span(self) -> tuple[date | None, date | None]:
        """The first and last publication day of the stored events."""
        return series_read.span(self.con)

    # --- runs and errors ----------------------------------------------------------------
    def start_run(self, inputs: list[str]) -> int:
        return self._q(
            "INSERT INTO ingest_runs (id, inputs) VALUES (nextval('ingest_run_ids'), ?)"
            " RETURNING id",
            [json.dumps(inputs)],
        )[0][0]

    def finish_run(self, run_id: int, stored: int, skipped: int, failed: int, events: int) -> None:
        self._q(
            "UPDATE ingest_runs SET finished = current_timestamp, stored = ?, skipped = ?,"
            " failed = ?, events = ? WHERE id = ?",
            [stored, skipped, failed, events, run_id],
        )
        self.compact_series()

    def record_error(self, run_id: int | None, item: str, stage: str, reason: str) -> None:
        self._q(
            "INSERT INTO ingest_errors (run_id, item, stage, reason) VALUES (?, ?, ?, ?)",
            [run_id, item, stage, reason],
        )

    def errors(self, run_id: int | None = None) -> pd.DataFrame:
        return self._df(
            "SELECT run_id, item, stage, reason, recorded FROM ingest_errors"
            " WHERE ? IS NULL OR run_id = ? ORDER BY recorded, item",
            [run_id, run_id],
        )

    def counts(self) -> dict[str, int]:
        """Number of rows of each per-article table (articles, ..., claims, counts)."""
        return {t: self._q(f"SELECT count(*) FROM {t}")[0][0] for t in TABLES}

    # --- reading ------------------------------------------------------------------------
    def events(
        self, flt: EventFilter | None = None, limit: int | None = None, offset: int = 0
    ) -> pd.DataFrame:
        """One row per event: every event column plus the article's url, title and source
        (``limit`` rows from the ``offset``-th, in date order)."""
        where, params = (flt or EventFilter()).where()
        sql = (
            "SELECT e.*, ar.url AS article_url, ar.title AS article_title,"
            " ar.source AS article_source FROM events e JOIN articles ar ON ar.id = e.article_id"
            f" WHERE {where} ORDER BY e.published NULLS LAST, e.article_id, e.sentence_index,"
            " e.trigger_start, e.id"
        )
        return self._df(*_page(sql, params, limit, offset))

    def count_events(self, flt: EventFilter | None = None) -> int:
        """How many events ``events(flt)`` lists in all."""
        where, params = (flt or EventFilter()).where()
        return self._q(f"SELECT count(*) FROM events e WHERE {where}", params)[0][0]

    def article(self, article_id: str) -> dict[str, Any] | None:
        """A stored article (id, url, title, published, source, text), or None."""
        rows = self._df(
            "SELECT id, url, title, published, source, text FROM articles WHERE id = ?",
            [article_id],
        )
        return rows.to_dict("records")[0] if len(rows) else None

    def article_records(
        self, article_id: str, modalities: tuple[str, ...] | None = None
    ) -> tuple[list[str], list[tuple[int, str]], list[tuple[int, str]]]:
        """The stored records (JSON text) of an article's events (of ``modalities``; all when
        None), and its claims and counts as (position, record), in text order."""
        flt = EventFilter(modalities=modalities)
        where, params = flt.where()
        events = self._q(
            f"SELECT e.record FROM events e WHERE e.article_id = ? AND {where}"
            " AND e.record IS NOT NULL ORDER BY e.sentence_index, e.trigger_start, e.id",
            [article_id, *params],
        )
        linked = [
            self._q(
                f"SELECT idx, record FROM {table} WHERE article_id = ? AND record IS NOT NULL"
                " ORDER BY idx",
                [article_id],
            )
            for table in ("claims", "counts")
        ]
        return [r[0] for r in events], linked[0], linked[1]

    def event_actors(self, flt: EventFilter | None = None) -> pd.DataFrame:
        where, params = (flt or EventFilter()).where()
        return self._df(
            "SELECT a.* FROM event_actors a JOIN events e ON e.id = a.event_id"
            f" WHERE {where} ORDER BY a.event_id, a.role, a.position",
            params,
        )

    def gdelt_rows(self, flt: EventFilter | None = None) -> pd.DataFrame:
        """One row per folded event (its first mention's columns) with the counts a GDELT row
        needs; a mention not folded yet stands for itself, counted over its article's copies.
        The actors of each event are in ``event_actors``."""
        where, params = (flt or EventFilter()).where()
        return self._df(
            "WITH src AS (SELECT article_id, count(*) AS n_articles,"
            " count(DISTINCT coalesce(source, url, item)) AS n_sources"
            " FROM article_sources GROUP BY article_id)"
            " SELECT e.*, coalesce(st.source_url, ar.url, ar.source) AS source_url,"
            " coalesce(st.date_added, ar.stored_at) AS stored_at,"
            " coalesce(st.num_mentions, src.n_articles, 1) AS n_mentions,"
            " coalesce(st.num_articles, src.n_articles, 1) AS n_articles,"
            " coalesce(st.num_sources, src.n_sources, 1) AS n_sources"
            " FROM events e JOIN articles ar ON ar.id = e.article_id"
            " LEFT JOIN src ON src.article_id = e.article_id"
            " LEFT JOIN stories st ON st.id = e.id"
            f" WHERE {where} AND (e.story_id IS NULL OR e.story_id = e.id)"
            " ORDER BY e.published NULLS LAST, e.article_id, e.sentence_index, e.id",
            params,
        )

    def dyads(
        self, by: str = "month", flt: EventFilter | None = None, top: int | None = None
    ) -> pd.DataFrame:
        """Source→target pairs per period: counts per QuadClass, PLOVER types, mean Goldstein.
        Plain statements (CAMEO root 01) are counted apart (``statements``), not in
        ``verbal_coop``, so that they do not drown the other verbal cooperation. Read from the
        series tables, unless the filter names a country or dyad (those select events by any
        of their actors) or an event type: such summaries are counted from the events. With
        ``top``, only the ``top`` pairs of each period with most events."""
        if by not in ("day", "week", "month", "year"):
            raise ValueError(f"by must be day, week, month or year, not {by!r}")
        if top is not None and top < 1:
            raise ValueError(f"top must be at least 1, not {top}")
        flt = flt or EventFilter()
        if flt.country is None and flt.dyad is None:  # no filter on the event's other actors
            return series_read.dyads(self.con, by, flt, top)
        frame = self._dyads_from_events(by, flt)
        if top is None:
            return frame
        return frame.groupby("period", dropna=False, sort=False).head(top).reset_index(drop=True)

    def _dyads_from_events(self, by: str, flt: EventFilter) -> pd.DataFrame:
        where, params = flt.where()
        return self._df(
            "WITH pairs AS (SELECT DISTINCT CAST(date_trunc(?, e.published) AS DATE) AS period,"
            " s.code AS source, t.code AS target, e.id, e.plover_event, e.quad_class,"
            " e.cameo_root,"
            " e.goldstein FROM events e"
            " JOIN event_actors s ON s.event_id = e.id AND s.role = 'source'"
            " JOIN event_actors t ON t.event_id = e.id AND t.role = 'target'"
            f" WHERE {where}),"
            " types AS (SELECT period, source, target, plover_event, count(*) AS n FROM pairs"
            " GROUP BY ALL),"
            " plover AS (SELECT period, source, target,"
            " string_agg(plover_event || ':' || n, ', ' ORDER BY n DESC, plover_event) AS plover"
            " FROM types GROUP BY ALL)"
            " SELECT p.period, p.source, p.target, count(*) AS events,"
            " count(*) FILTER (WHERE cameo_root = '01') AS statements,"
            " count(*) FILTER (WHERE quad_class = 1 AND cameo_root <> '01') AS verbal_coop,"
            " count(*) FILTER (WHERE quad_class = 2) AS material_coop,"
            " count(*) FILTER (WHERE quad_class = 3) AS verbal_conflict,"
            " count(*) FILTER (WHERE quad_class = 4) AS material_conflict,"
            " round(avg(goldstein), 2) AS mean_goldstein, any_value(pl.plover) AS plover"
            " FROM pairs p JOIN plover pl ON pl.period IS NOT DISTINCT FROM p.period"
            " AND pl.source = p.source AND pl.target = p.target"
            " GROUP BY p.period, p.source, p.target"
            " ORDER BY p.period NULLS LAST, events DESC, p.source, p.target",
            [by, *params],
        )

    def claims(
        self, flt: EventFilter | None = None, limit: int | None = None, offset: int = 0
    ) -> pd.DataFrame:
        """One row per stored claim, with the article's date, url, title and source and the
        linked event's CAMEO code, PLOVER type and trigger."""
        return self._linked("claims", flt, limit, offset)

    def casualty_counts(
        self, flt: EventFilter | None = None, limit: int | None = None, offset: int = 0
    ) -> pd.DataFrame:
        """One row per stored count (killed, wounded, ...), with the article's metadata and the
        linked event's CAMEO code, PLOVER type and trigger."""
        return self._linked("counts", flt, limit, offset)

    def count_linked(self, table: str, flt: EventFilter | None = None) -> int:
        """How many claims (``table="claims"``) or counts (``"counts"``) the filter keeps."""
        if table not in ("claims", "counts"):
            raise ValueError(table)
        where, params = (flt or EventFilter()).where_linked("c")
        return self._q(
            f"SELECT count(*) FROM {table} c JOIN articles ar ON ar.id = c.article_id"
            f" WHERE {where}",
            params,
        )[0][0]

    def _linked(
        self, table: str, flt: EventFilter | None, limit: int | None, offset: int = 0
    ) -> pd.DataFrame:
        if table not in ("claims", "counts"):
            raise ValueError(table)
        where, params = (flt or EventFilter()).where_linked("c")
        sql = (
            "SELECT c.*, ar.published, ar.url AS article_url, ar.title AS article_title,"
            " ar.source AS article_source, ev.cameo_code AS event_cameo,"
            " ev.plover_event AS event_plover, ev.trigger_text AS event_trigger"
            f" FROM {table} c JOIN articles ar ON ar.id = c.article_id"
            " LEFT JOIN events ev ON ev.id = c.event_id"
            f" WHERE {where} ORDER BY ar.published NULLS LAST, c.article_id, c.idx"
        )
        return self._df(*_page(sql, params, limit, offset))

    def to_arrow(self, flt: EventFilter | None = None):
        """Events as a pyarrow Table (for Parquet)."""
        where, params = (flt or EventFilter()).where()
        return self.con.sql(
            "SELECT e.*, ar.url AS article_url, ar.title AS article_title,"
            " ar.source AS article_source FROM events e JOIN articles ar ON ar.id = e.article_id"
            f" WHERE {where} ORDER BY e.published NULLS LAST, e.article_id, e.sentence_index,"
            " e.id",
            params=params,
        ).to_arrow_table()
