"""A Parquet dataset of coded shards, and the store over it (``detente store attach``).

A cluster ingest (``run/cluster.py``) writes one set of part files per shard, each written to a
hidden temporary name and renamed, and the shard's marker last::

    DATASET/dataset.json                              the layout version
    DATASET/parts/<table>/month=YYYY-MM/<shard>.parquet   articles, article_sources, sentences,
                                                      events, event_actors, claims, counts by
                                                      the article's publication month
                                                      (month=none: undated, or no rows)
    DATASET/parts/errors/<shard>.parquet              the shard's per-item failures
    DATASET/shards/<shard>.json                       done: counts, seconds, worker, peak RSS

Every part row carries the store table's columns plus ``_shard`` and ``_ordinal`` (the article's
position among the shard's articles). Workers code every article of their shard; what a local
ingest decides one article after another (a stored id or text is not stored again, a reprint joins
its group, mentions fold into events) is decided by the client afterwards in the dataset's
*index* (``DATASET/index.duckdb``, a store holding the articles' ids and hashes, their reprint
sketches, the slim event columns folding needs, and the stories), in the order of the inputs.
The index's results are exported to ``DATASET/index/*.parquet``: which (shard, ordinal) articles
are kept, every article source, the stories and each mention's story.

``attach(con, dataset)`` makes a DuckDB connection read the dataset through views with the
store's own table names and column types: the part tables restricted to the kept articles, the
index exports, and the series tables (``store/series.py``) computed from the events at query
time rather than pre-aggregated. Nothing is copied: every listing, export and analytics command
reads the Parquet files. ``open_dataset`` gives such a store in memory (``--db DATASET``);
``attach_file`` writes the views into a DuckDB file (``detente store attach``).
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import duckdb

from detente.errors import DetenteError
from detente.store import series
from detente.store.db import READ_WAIT, Folder, Sketches, Store, StoreError, open_store
from detente.store.migrations import MIGRATIONS
from detente.store.rows import TABLES

FORMAT = 1
MARKER = "dataset.json"
PART_TABLES = TABLES  # articles, article_sources, sentences, events, event_actors, claims, counts
ERRORS_COLUMNS = ("run_id", "item", "stage", "reason", "recorded")
INDEX_EXPORTS = (
    "kept", "article_sources", "stories", "story_links", "shards", "ingest_runs", "errors"
)  # fmt: skip
_SLIM_EVENTS = (
    "id article_id published sentence_index sentence_text trigger_start cameo_code cameo_root "
    "goldstein quad_class plover_event modality reciprocal event_date location_geonameid "
    "location_admin1 location_country location_feature location_name source_codes target_codes"
).split()
_SLIM_ACTORS = ("event_id", "role", "position", "code", "country")
_SLIM_ARTICLES = ("id", "url", "title", "published", "source", "text_hash", "n_chars", "stored_at")


class DatasetError(DetenteError):
    """Not a detente dataset, or one this detente cannot read."""


def is_dataset(path: str | Path) -> bool:
    return (Path(path) / MARKER).is_file()


def create(dataset: str | Path) -> Path:
    """Make (or check) the dataset folder."""
    root = Path(dataset)
    if root.exists() and not root.is_dir():
        raise DatasetError(f"{root}: not a folder")
    marker = root / MARKER
    if marker.is_file():
        found = json.loads(marker.read_text()).get("format")
        if found != FORMAT:
            raise DatasetError(f"{root}: dataset format {found}, this detente reads {FORMAT}")
        return root
    if root.is_dir() and any(root.iterdir()):
        raise DatasetError(f"{root}: a folder with other files in it, not a detente dataset")
    for sub in ("parts", "shards", "index"):
        (root / sub).mkdir(parents=True, exist_ok=True)
    _write_text(marker, json.dumps({"format": FORMAT}))
    return root


def samples_file(root: Path, articles: list) -> str:
    """The bundled sample articles as ``inputs/samples.jsonl`` in the dataset (rewritten only
    when they changed, so that a re-run finds its shard done)."""
    lines = [
        json.dumps({"id": a.id, "title": a.title, "source": a.source, "text": a.text,
                    "published": a.published.isoformat() if a.published else None})
        for a in articles
    ]  # fmt: skip
    path = root / "inputs" / "samples.jsonl"
    text = "\n".join(lines) + "\n"
    if not path.is_file() or path.read_text(encoding="utf-8") != text:
        path.parent.mkdir(exist_ok=True)
        _write_text(path, text)
    return str(path)


# --- schema --------------------------------------------------------------------------
_SCHEMA: dict[str, list[tuple[str, str]]] = {}


def schema() -> dict[str, list[tuple[str, str]]]:
    """(column, DuckDB type) of every store table, from the migrations themselves."""
    if not _SCHEMA:
        con = duckdb.connect()
        for statements in MIGRATIONS:
            for sql in statements:
                con.execute(sql)
        for table, column, kind in con.execute(
            "SELECT table_name, column_name, data_type FROM duckdb_columns()"
            " WHERE schema_name = 'main' ORDER BY table_name, column_index"
        ).fetchall():
            _SCHEMA.setdefault(table, []).append((column, kind))
        con.close()
    return _SCHEMA


def arrow_schema(table: str):
    """The pyarrow schema of a store table's part files (the table's columns + ``_shard``,
    ``_ordinal``)."""
    if table not in _ARROW:
        con = duckdb.connect()
        cols = ", ".join(
            f"CAST(NULL AS {'VARCHAR' if kind == 'JSON' else kind}) AS {name}"
            for name, kind in schema()[table]
        )
        got = con.sql(f"SELECT {cols}, '' AS _shard, 0::BIGINT AS _ordinal LIMIT 0")
        _ARROW[table] = got.to_arrow_table().schema
        con.close()
    return _ARROW[table]


_ARROW: dict[str, Any] = {}
_STAMPED = {"articles": "stored_at", "article_sources": "added"}


def conform(table: str, rows, ordinals: list[int], shard: str, stamp):
    """A ``RowBatch`` table in its part schema: every column of the store table (missing ones
    null, ``stored_at``/``added`` the coding time), then ``_shard`` and ``_ordinal``."""
    import pyarrow as pa

    target = arrow_schema(table)
    n = rows.num_rows
    cols = []
    for f in target:
        if f.name == "_shard":
            cols.append(pa.array([shard] * n, type=f.type))
        elif f.name == "_ordinal":
            cols.append(pa.array(ordinals, type=f.type))
        elif f.name in rows.column_names:
            cols.append(rows.column(f.name).cast(f.type))
        elif f.name == _STAMPED.get(table):
            cols.append(pa.array([stamp] * n, type=f.type))
        elif f.name == "similarity":
            cols.append(pa.array([1.0] * n, type=f.type))
        else:
            cols.append(pa.nulls(n, type=f.type))
    return pa.Table.from_arrays(cols, schema=target)


# --- writing parts (workers) ------------------------------------------------------------
def _write_text(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def _write_parquet(table, path: Path) -> None:
    import pyarrow.parquet as pq

    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    pq.write_table(table, tmp, compression="zstd")
    os.replace(tmp, path)


def part_path(dataset: str | Path, table: str, shard: str, month: str | None = None) -> Path:
    if table == "errors":
        return Path(dataset) / "parts" / "errors" / f"{shard}.parquet"
    return Path(dataset) / "parts" / table / f"month={month or 'none'}" / f"{shard}.parquet"


def shard_done(dataset: str | Path, shard: str) -> dict[str, Any] | None:
    """The marker of a finished shard, or None."""
    path = Path(dataset) / "shards" / f"{shard}.json"
    return json.loads(path.read_text()) if path.is_file() else None


def done_shards(dataset: str | Path) -> dict[str, dict[str, Any]]:
    return {p.stem: json.loads(p.read_text()) for p in (Path(dataset) / "shards").glob("*.json")}


def write_shard(
    dataset: str | Path,
    shard: str,
    tables: dict[str, Any],
    months: dict[str, list[str | None]],
    errors,
    marker: dict[str, Any],
) -> None:
    """Write a shard's part files (``tables``: table → pyarrow table in the part schema,
    ``months[table]`` each row's publication month), its errors, then its marker."""
    import pyarrow as pa
    import pyarrow.compute as pc

    for table in PART_TABLES:
        got = tables.get(table)
        if got is None or got.num_rows == 0:
            empty = arrow_schema(table).empty_table()
            _write_parquet(empty, part_path(dataset, table, shard))
            continue
        labels = pa.array([m or "none" for m in months[table]])
        for month in sorted(set(labels.to_pylist())):
            rows = got.filter(pc.equal(labels, month))
            _write_parquet(rows, part_path(dataset, table, shard, month))
    _write_parquet(errors, part_path(dataset, "errors", shard))
    _write_text(Path(dataset) / "shards" / f"{shard}.json", json.dumps(marker))


def shard_errors(dataset: str | Path, shard: str) -> list[dict[str, Any]]:
    import pyarrow.parquet as pq

    return pq.read_table(part_path(dataset, "errors", shard)).to_pylist()


def errors_table(rows: list[dict[str, Any]]):
    import pyarrow as pa

    cols = {
        "run_id": pa.array([r.get("run_id") for r in rows], type=pa.int32()),
        "item": pa.array([r["item"] for r in rows], type=pa.string()),
        "stage": pa.array([r["stage"] for r in rows], type=pa.string()),
        "reason": pa.array([r["reason"] for r in rows], type=pa.string()),
        "recorded": pa.array([r["recorded"] for r in rows], type=pa.timestamp("us")),
        "_shard": pa.array([r["shard"] for r in rows], type=pa.string()),
        "_ordinal": pa.array([r.get("ordinal") for r in rows], type=pa.int64()),
    }
    return pa.table(cols)


# --- the index (client) -----------------------------------------------------------------
_INDEX_TABLES = [
    "CREATE TABLE IF NOT EXISTS dataset_shards (shard VARCHAR PRIMARY KEY, seq INTEGER,"
    " first BIGINT, n_found INTEGER, n_coded INTEGER, name VARCHAR)",
    "CREATE TABLE IF NOT EXISTS dataset_seen (shard VARCHAR, ordinal BIGINT,"
    " PRIMARY KEY (shard, ordinal))",
    "CREATE TABLE IF NOT EXISTS dataset_kept (shard VARCHAR, ordinal BIGINT,"
    " article_id VARCHAR, PRIMARY KEY (shard, ordinal))",
]


class _IndexStore(Store):
    """The index is the client's alone while it runs (readers read its exports): it keeps its
    connection, and with it the temporary tables of the loaded shards."""

    def release(self) -> None:
        pass


class DatasetIndex:
    """The client's store of the dataset's decisions (``DATASET/index.duckdb``)."""

    def __init__(self, dataset: str | Path) -> None:
        self.root = Path(dataset)
        path = str(self.root / "index.duckdb")
        open_store(path).close()  # made and migrated
        self.store = _IndexStore(None, path, wait=READ_WAIT)
        for sql in _INDEX_TABLES:
            self.store._q(sql)
        self._loaded: set[str] = set()

    def close(self) -> None:
        self.store.close()

    def indexed(self) -> dict[str, tuple[int, int, int]]:
        """shard → (seq, first global ordinal, articles found) of the shards in the index."""
        rows = self.store._q("SELECT shard, seq, first, n_found FROM dataset_shards")
        return {r[0]: (r[1], r[2], r[3]) for r in rows}

    def add_shards(self, shards: list[tuple[str, int, int, str]]) -> None:
        """Append (shard, articles found, articles coded, name) in reading order after the
        indexed ones."""
        seq, first = self.store._q(
            "SELECT coalesce(max(seq) + 1, 0), coalesce(max(first + n_found), 0)"
            " FROM dataset_shards"
        )[0]
        for shard, n_found, n_coded, name in shards:
            self.store._q(
                "INSERT INTO dataset_shards VALUES (?, ?, ?, ?, ?, ?)",
                [shard, seq, first, n_found, n_coded, name],
            )
            seq, first = seq + 1, first + n_found
        self.store.release()

    def unseen(self) -> list[tuple[str, int, int]]:
        """(shard, first global ordinal, articles found) of the shards whose articles are not
        all screened yet, in order."""
        return self.store._q(
            "SELECT s.shard, s.first, s.n_found FROM dataset_shards s"
            " WHERE s.n_coded > (SELECT count(*) FROM dataset_seen v WHERE v.shard = s.shard)"
            " ORDER BY s.seq"
        )

    def seen(self, shard: str) -> set[int]:
        return {r[0] for r in self.store._q("SELECT ordinal FROM dataset_seen WHERE shard = ?",
                                            [shard])}  # fmt: skip

    def shard_articles(self, shard: str) -> list[dict[str, Any]]:
        """The coded articles of a shard (text included), in ordinal order."""
        glob = str(self.root / "parts" / "articles" / "*" / f"{shard}.parquet")
        return self.store._df(
            "SELECT ar.id, ar.url, ar.title, ar.published, ar.source, ar.text, ar.text_hash,"
            " ar._ordinal AS ordinal, s.item FROM read_parquet(?) ar LEFT JOIN"
            " (SELECT _ordinal, any_value(item) AS item FROM read_parquet(?) GROUP BY ALL) s"
            " ON s._ordinal = ar._ordinal ORDER BY ar._ordinal",
            [glob, str(self.root / "parts" / "article_sources" / "*" / f"{shard}.parquet")],
        ).to_dict("records")

    def load(self, shard: str) -> None:
        """Bring a shard's slim rows into temporary tables (once)."""
        if shard in self._loaded:
            return
        parts = self.root / "parts"
        spec = (
            ("_ix_articles", "articles", _SLIM_ARTICLES),
            ("_ix_sources", "article_sources", ("article_id", "url", "source", "item", "title",
                                                "published", "similarity")),
            ("_ix_events", "events", _SLIM_EVENTS),
            ("_ix_actors", "event_actors", _SLIM_ACTORS),
            ("_ix_claims", "claims", ()),
            ("_ix_counts", "counts", ()),
        )  # fmt: skip
        for temp, table, cols in spec:
            glob = _sql_path(str(parts / table / "*" / f"{shard}.parquet"))
            picked = "".join(f"{c}, " for c in cols)
            exists = self.store._q(
                "SELECT count(*) FROM duckdb_tables() WHERE table_name = ? AND temporary",
                [temp],
            )[0][0]
            head = f"INSERT INTO {temp}" if exists else f"CREATE TEMP TABLE {temp} AS"
            self.store._q(f"{head} SELECT {picked}_shard, _ordinal FROM read_parquet('{glob}')")
        self._loaded.add(shard)

    def unload(self, shard: str) -> None:
        for temp in ("_ix_articles", "_ix_sources", "_ix_events", "_ix_actors", "_ix_claims",
                     "_ix_counts"):  # fmt: skip
            self.store._q(f"DELETE FROM {temp} WHERE _shard = ?", [shard])
        self._loaded.discard(shard)

    def keep(
        self,
        kept: list[tuple[str, int, str]],
        seen: list[tuple[str, int]],
        sketches: Sketches,
        fold: Folder | None = None,
    ) -> dict[str, int]:
        """In one transaction: store the slim rows of the ``kept`` (shard, ordinal, article id)
        articles with their reprint sketches, and mark ``seen`` (shard, ordinal) screened;
        returns the number of their events (``events``, ``asserted``). With ``fold``, their
        mentions are folded before they are inserted, as ``Store.store_articles`` folds them:
        each stored with its story, so no stored row is updated to link them."""
        import pyarrow as pa

        con = self.store
        added = {"events": 0, "asserted": 0, "claims": 0, "counts": 0}
        with con.transaction():
            if kept:
                con.con.register("_ix_kept", pa.table({
                    "shard": [k[0] for k in kept], "ordinal": [k[1] for k in kept],
                    "article_id": [k[2] for k in kept],
                }))  # fmt: skip
                on = "USING (_shard, _ordinal)"
                keys = "(SELECT shard AS _shard, ordinal AS _ordinal FROM _ix_kept)"
                con._q("INSERT INTO dataset_kept BY NAME SELECT * FROM _ix_kept")
                for temp, table in (("_ix_articles", "articles"),
                                    ("_ix_sources", "article_sources")):  # fmt: skip
                    con._q(
                        f"INSERT INTO {table} BY NAME SELECT * EXCLUDE (_shard, _ordinal)"
                        f"{', ' + repr('') + ' AS text' if table == 'articles' else ''}"
                        f" FROM {temp} SEMI JOIN {keys} k {on}"
                    )
                folding = self._insert_events(keys, on, fold)
                n, asserted = con._q(
                    "SELECT count(*), count(*) FILTER (WHERE modality = 'asserted')"
                    f" FROM _ix_events SEMI JOIN {keys} k {on}"
                )[0]
                added = {"events": n, "asserted": asserted}
                for table in ("claims", "counts"):
                    added[table] = con._q(
                        f"SELECT count(*) FROM _ix_{table} SEMI JOIN {keys} k {on}"
                    )[0][0]
                con._q(
                    "INSERT INTO event_actors BY NAME SELECT * EXCLUDE (_shard, _ordinal)"
                    f" FROM _ix_actors SEMI JOIN {keys} k {on}"
                )
                con.con.unregister("_ix_kept")
                if folding is not None:
                    from detente.store.stories import write_folding

                    write_folding(con, *folding, linked=True)
            if seen:
                con.con.register("_ix_seen", pa.table({
                    "shard": [s[0] for s in seen], "ordinal": [s[1] for s in seen],
                }))  # fmt: skip
                con._q("INSERT OR IGNORE INTO dataset_seen BY NAME SELECT * FROM _ix_seen")
                con.con.unregister("_ix_seen")
        if sketches:
            from detente.store.stories import add_sketches

            add_sketches(con, sketches)
        return added

    def _insert_events(self, keys: str, on: str, fold: Folder | None):
        """Insert the kept articles' events (``keys``: their shards and ordinals), folded first
        with ``fold`` (each with its story); returns the folding, or None."""
        con = self.store
        if fold is None:
            con._q(
                "INSERT INTO events BY NAME SELECT * EXCLUDE (_shard, _ordinal)"
                f" FROM _ix_events SEMI JOIN {keys} k {on}"
            )
            return None
        import pyarrow as pa

        from detente.store.stories import mentions_of

        for temp, rows in (("_ix_new_events", "_ix_events"), ("_ix_new_actors", "_ix_actors")):
            con._q(
                f"CREATE OR REPLACE TEMP TABLE {temp} AS SELECT * EXCLUDE (_shard, _ordinal)"
                f" FROM {rows} SEMI JOIN {keys} k {on}"
            )
        folding = fold(mentions_of(con, "_ix_new_events", "_ix_new_actors"))
        assigned = folding[0]
        con.con.register(
            "_ix_assigned",
            pa.table({"id": list(assigned), "story_id": list(assigned.values())}),
        )
        try:
            con._q(
                "INSERT INTO events BY NAME SELECT n.*, a.story_id FROM _ix_new_events n"
                " LEFT JOIN _ix_assigned a ON a.id = n.id ORDER BY n.rowid"
            )
        finally:
            con.con.unregister("_ix_assigned")
        con._q("DROP TABLE _ix_new_events")
        con._q("DROP TABLE _ix_new_actors")
        return folding

    def export(self) -> None:
        """Write the index's decisions for the views (each file replaced atomically)."""
        queries = {
            "kept": "SELECT shard, ordinal, article_id FROM dataset_kept",
            "article_sources": "SELECT * FROM article_sources",
            "stories": "SELECT * FROM stories",
            "story_links": "SELECT id, story_id FROM events WHERE story_id IS NOT NULL",
            "shards": "SELECT * FROM dataset_shards",
            "ingest_runs": "SELECT * FROM ingest_runs",
            "errors": "SELECT *, NULL::VARCHAR AS _shard FROM ingest_errors",
        }
        for name, sql in queries.items():
            final = self.root / "index" / f"{name}.parquet"
            tmp = final.with_name(f".{final.name}.{os.getpid()}.tmp")
            self.store._q(f"COPY ({sql}) TO '{_sql_path(str(tmp))}' (FORMAT parquet)")
            os.replace(tmp, final)


def _sql_path(path: str) -> str:
    return path.replace("'", "''")


# --- reading (views) --------------------------------------------------------------------
def _typed(table: str, source: str, alias: str = "p") -> str:
    cols = ", ".join(f"CAST({alias}.{name} AS {kind}) AS {name}" for name, kind in schema()[table])
    return f"SELECT {cols} FROM {source}"


def _empty(table: str) -> str:
    cols = ", ".join(f"CAST(NULL AS {kind}) AS {name}" for name, kind in schema()[table])
    return f"SELECT {cols} WHERE FALSE"


def view_statements(dataset: str | Path) -> list[str]:
    """The CREATE VIEW statements reading ``dataset`` as the store's tables."""
    root = Path(dataset).resolve()
    if not is_dataset(root):
        raise DatasetError(f"{root}: not a detente dataset (no {MARKER})")
    index = root / "index"
    have = {n for n in INDEX_EXPORTS if (index / f"{n}.parquet").is_file()}

    def rp(path: Path) -> str:
        return f"read_parquet('{_sql_path(str(path))}', union_by_name = true)"

    out: list[str] = []
    kept = rp(index / "kept.parquet") if "kept" in have else None
    for table in PART_TABLES:
        if table == "article_sources":
            continue
        parts = root / "parts" / table
        if kept is None or not any(parts.glob("*/*.parquet")):
            out.append(f"CREATE OR REPLACE VIEW {table} AS {_empty(table)}")
            continue
        source = (
            f"{rp(parts / '*' / '*.parquet')} p SEMI JOIN {kept} k"
            " ON k.shard = p._shard AND k.ordinal = p._ordinal"
        )
        if table == "events":
            source = (
                f"(SELECT p.* EXCLUDE (story_id), l.story_id FROM {source}"
                f" LEFT JOIN {rp(index / 'story_links.parquet')} l ON l.id = p.id) p"
            )
        out.append(f"CREATE OR REPLACE VIEW {table} AS {_typed(table, source)}")
    for table, name in (("article_sources", "article_sources"), ("stories", "stories"),
                        ("ingest_runs", "ingest_runs")):  # fmt: skip
        body = _typed(table, f"{rp(index / (name + '.parquet'))} p") if name in have else None
        out.append(f"CREATE OR REPLACE VIEW {table} AS {body or _empty(table)}")
    errors = root / "parts" / "errors"
    found = [_empty("ingest_errors")]
    if "shards" in have and any(errors.glob("*.parquet")):
        source = (
            f"{rp(errors / '*.parquet')} p SEMI JOIN {rp(index / 'shards.parquet')} s"
            " ON s.shard = p._shard"
        )
        found.append(_typed("ingest_errors", source))
    if "errors" in have:  # the run's own: inputs not there, shards whose task failed
        found.append(_typed("ingest_errors", f"{rp(index / 'errors.parquet')} p"))
    out.append(f"CREATE OR REPLACE VIEW ingest_errors AS {' UNION ALL '.join(found)}")
    for table in ("article_minhash", "article_bands"):  # kept in the index, not needed here
        out.append(f"CREATE OR REPLACE VIEW {table} AS {_empty(table)}")
    for level, view in series.LEVELS.items():
        counted = f"({series.counts_sql(level, 'events', 'event_actors')}) p"
        out.append(f"CREATE OR REPLACE VIEW {view.table} AS {_typed(view.table, counted)}")
    # no ranks kept: every period marked, so ranked reads sum the (computed) pair series
    out.append(f"CREATE OR REPLACE VIEW series_pair_ranks AS {_empty('series_pair_ranks')}")
    out.append(
        "CREATE OR REPLACE VIEW series_dirty AS SELECT DISTINCT grain, period FROM series_pairs"
    )
    return out


def attach(con: duckdb.DuckDBPyConnection, dataset: str | Path) -> None:
    """Create the views of ``dataset`` on ``con``, and the schema version the store expects."""
    root = str(Path(dataset).resolve())
    con.execute(
        "CREATE TABLE IF NOT EXISTS schema_version "
        "(version INTEGER PRIMARY KEY, applied TIMESTAMP DEFAULT current_timestamp)"
    )
    con.execute("DELETE FROM schema_version")
    con.execute(
        "INSERT INTO schema_version (version) SELECT range FROM range(1, ?)",
        [len(MIGRATIONS) + 1],
    )
    con.execute("CREATE OR REPLACE TABLE dataset_attached (path VARCHAR, attached TIMESTAMP)")
    con.execute("INSERT INTO dataset_attached VALUES (?, current_timestamp)", [root])
    for sql in view_statements(root):
        con.execute(sql)


def open_dataset(dataset: str | Path) -> Store:
    """A read-only store in memory over the dataset's files (``--db DATASET``)."""
    con = duckdb.connect()
    attach(con, dataset)
    return Store(con, ":memory:", read_only=True)


def attach_file(dataset: str | Path, db: str | Path) -> int:
    """Write the dataset's views into the DuckDB file ``db`` (made, or replaced if it is an
    attached one already); returns the number of articles visible."""
    db = Path(db)
    if db.exists():
        con = duckdb.connect(str(db))
        attached = con.execute(
            "SELECT count(*) FROM duckdb_tables() WHERE table_name = 'dataset_attached'"
        ).fetchone()[0]
        if not attached:
            con.close()
            raise StoreError(f"{db}: a store with its own data; attach into a new file")
    else:
        con = duckdb.connect(str(db))
    try:
        attach(con, dataset)
        return con.execute("SELECT count(*) FROM articles").fetchone()[0]
    finally:
        con.close()


def counts(dataset: str | Path) -> dict[str, int]:
    with open_dataset(dataset) as store:
        return store.counts()


def now() -> float:
    return time.time()


def months_of(published: Iterable[Any]) -> list[str | None]:
    return [d.strftime("%Y-%m") if d is not None else None for d in published]
