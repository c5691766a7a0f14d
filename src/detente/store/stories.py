"""The SQL of reprint groups and folded events (``stories``); the folding itself is
``detente.stories``, and ``run`` passes its results here.

A story's counts follow GDELT's meanings, over the documents that carried its mentions (a
stored article and every copy or reprint of it in ``article_sources``): ``num_mentions`` every
mention in every document (a mention in a reprinted article counts once per copy),
``num_articles`` the distinct documents, ``num_sources`` the distinct sources (source name,
else URL); ``first_seen`` the earliest publication date of those documents, ``date_added``
when its first document was stored, ``source_url`` the URL of its first mention's article.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pandas as pd

if TYPE_CHECKING:
    from detente.store.db import EventFilter, Store

STORY_FIELDS = (
    "id", "cameo_root", "modality", "source_key", "target_key", "event_date",
    "place_geonameid", "place_admin1", "place_country", "texts",
)  # fmt: skip


# a story's block and date as one indexed number (migration 9): the stories a mention may join
# are found by the keys of its block on each day of its window
def window_key(alias: str = "", root: str = "cameo_root", day: str = "event_date") -> str:
    """The SQL of the key, from the columns of a story (or of a window: ``root``, ``day``)."""
    cols = (root, "modality", "source_key", "target_key")
    return (
        "hash("
        + ", ".join(f"CAST({alias}{c} AS VARCHAR)" for c in cols)
        + f", CAST({alias}{day} AS DATE))"
    )


WINDOW_KEY = window_key()


def _register(store: Store, name: str, frame: pd.DataFrame | dict[str, list]) -> None:
    import pyarrow as pa

    store.con.register(name, pa.table(frame) if isinstance(frame, dict) else frame)


def marks(values: list) -> str:
    """``(?, ?, ...)`` for ``values``: an IN list of parameters, which DuckDB answers from an
    index where the column has one (``IN (SELECT unnest(?))`` scans the table)."""
    return "(" + ", ".join("?" * len(values)) + ")" if values else "(NULL)"


_MENTION_COLS = (
    " SELECT p.id, p.cameo_root AS root, p.modality, coalesce(p.reciprocal, false)"
    " AS reciprocal, coalesce(ks.k, '') AS source_key, coalesce(kt.k, '') AS target_key,"
    " coalesce(p.event_date, p.published) AS day, coalesce(p.sentence_text, '') AS text,"
    " CASE WHEN p.location_feature = 'city' THEN p.location_geonameid END AS geonameid,"
    " CASE WHEN p.location_feature IN ('city', 'admin') AND p.location_admin1 IS NOT NULL"
    " THEN p.location_country || '.' || p.location_admin1 END AS admin1,"
    " CASE WHEN p.location_feature IN ('city', 'admin', 'country')"
    " THEN p.location_country END AS country"
    " FROM p LEFT JOIN k ks ON ks.event_id = p.id AND ks.role = 'source'"
    " LEFT JOIN k kt ON kt.event_id = p.id AND kt.role = 'target'"
    " ORDER BY day NULLS LAST, p.article_id, p.sentence_index, p.id"
)


def _mentions_sql(events: str, actors: str) -> str:
    """What folding needs of the mentions of relation ``events`` (actors in ``actors``)."""
    return (
        f"WITH p AS (SELECT * FROM {events}),"
        " k AS (SELECT a.event_id, a.role, array_to_string(list_sort(list_distinct("
        f" list(coalesce(a.country, a.code)))), ',') AS k FROM {actors} a"
        " JOIN p ON p.id = a.event_id GROUP BY ALL)" + _MENTION_COLS
    )


def pending_mentions(store: Store, limit: int | None = None) -> pd.DataFrame:
    """Mentions not folded yet, in date order, with what folding needs: block fields
    (``root``, ``modality``, ``reciprocal``, ``source_key``, ``target_key``: each side's actor
    countries, or codes for actors of no country, distinct and sorted), ``day`` (event date,
    else publication date), ``text`` (the sentence) and the place (``geonameid`` for a city,
    ``admin1`` as ``country.admin1`` for a city or a division, ``country``)."""
    if limit is None:
        return store._df(_mentions_sql("events WHERE story_id IS NULL", "event_actors"))
    # the first ``limit`` pending mentions in the order of the frame, then their rows and actors
    # by index (joined to the pending mentions, every actor row was read)
    ids = [
        r[0]
        for r in store._q(
            "SELECT id FROM events WHERE story_id IS NULL ORDER BY"
            " coalesce(event_date, published) NULLS LAST, article_id, sentence_index, id LIMIT ?",
            [int(limit)],
        )
    ]
    if not ids:
        return store._df(_mentions_sql("events WHERE FALSE", "event_actors"))
    rows = {
        "_detente_pending": _small(store, f"SELECT * FROM events WHERE id IN {marks(ids)}", ids),
        "_detente_pending_actors": _small(
            store, f"SELECT * FROM event_actors WHERE event_id IN {marks(ids)}", ids
        ),
    }
    for name, table in rows.items():
        store.con.register(name, table)
    try:
        return mentions_of(store, "_detente_pending", "_detente_pending_actors")
    finally:
        for name in rows:
            store.con.unregister(name)


def mentions_of(store: Store, events: str, actors: str) -> pd.DataFrame:
    """``pending_mentions``' columns for the events of registered relations (a batch about to
    be stored: ``Store.store_articles`` folds it before inserting it)."""
    return store._df(_mentions_sql(events, actors))


def count_pending(store: Store) -> int:
    return store._q("SELECT count(*) FROM events WHERE story_id IS NULL")[0][0]


def fold_candidates(store: Store, windows: dict[str, list]) -> pd.DataFrame:
    """Stored stories of the given blocks and days (columns ``root``, ``modality``,
    ``source_key``, ``target_key``, ``day``: one row per day of each mention's window, ``day``
    null for undated mentions); columns ``STORY_FIELDS``. Found by ``window_key`` (indexed),
    not by scanning the stories."""
    if not windows.get("root"):
        return pd.DataFrame(columns=list(STORY_FIELDS))
    _register(store, "_detente_windows", windows)
    try:
        key = window_key(root="root", day="day")
        keys = [r[0] for r in store._q(f"SELECT DISTINCT {key} FROM _detente_windows")]
    finally:
        store.con.unregister("_detente_windows")
    return store._df(
        f"SELECT {', '.join(STORY_FIELDS)} FROM stories WHERE window_key IN {marks(keys)}", keys
    )


def save_folding(
    store: Store, assigned: dict[str, str], new: list[dict[str, Any]], changed: list[dict]
) -> None:
    """In one transaction: ``write_folding`` of mentions stored already (linked here)."""
    with store.transaction():
        write_folding(store, assigned, new, changed)


def write_folding(
    store: Store,
    assigned: dict[str, str],
    new: list[dict[str, Any]],
    changed: list[dict],
    *,
    linked: bool = False,
) -> None:
    """Insert the ``new`` stories (``STORY_FIELDS``; the rest from their first mention), update
    the ``changed`` ones' kept sentences and place, link the mentions of ``assigned`` (mention
    id → story id) unless they were stored ``linked`` already, and refresh the counts of every
    story touched. A stored mention that joins another mention's story leaves the ``lead``
    rows of the series for the others. Within the caller's transaction."""
    if new:
        ids = [n["id"] for n in new]
        _register(store, "_detente_new", _columns(new))
        picked = ", ".join("n." + f for f in STORY_FIELDS)
        store._q(
            f"INSERT INTO stories ({', '.join(STORY_FIELDS)}, cameo_code, plover_event,"
            f" quad_class, goldstein, reciprocal, window_key) SELECT {picked},"
            " e.cameo_code, e.plover_event, e.quad_class, e.goldstein, e.reciprocal,"
            f" {window_key('n.')}"
            f" FROM _detente_new n JOIN (SELECT * FROM events WHERE id IN {marks(ids)}) e"
            " ON e.id = n.id",
            ids,
        )
        store.con.unregister("_detente_new")
    if changed:
        ids = [c["id"] for c in changed]
        _register(store, "_detente_changed", _columns(changed))
        store._q(
            "UPDATE stories SET texts = c.texts, place_geonameid = c.place_geonameid,"
            " place_admin1 = c.place_admin1, place_country = c.place_country"
            f" FROM _detente_changed c WHERE stories.id = c.id AND stories.id IN {marks(ids)}",
            ids,
        )
        store.con.unregister("_detente_changed")
    if assigned and not linked:
        _link(store, assigned)
    refresh(store, sorted(set(assigned.values()) | {s["id"] for s in changed}))


def _link(store: Store, assigned: dict[str, str]) -> None:
    """Set the story of stored mentions; those joining another mention's story move from the
    series' ``lead`` rows to the others."""
    from detente.store import series

    ids = list(assigned)
    moved = [m for m, story in assigned.items() if m != story]
    if moved:
        store._q(
            f"CREATE OR REPLACE TEMP TABLE _detente_moved AS SELECT * FROM events"
            f" WHERE id IN {marks(moved)}",
            moved,
        )
        store._q(
            "CREATE OR REPLACE TEMP TABLE _detente_moved_actors AS SELECT * FROM event_actors"
            f" WHERE event_id IN {marks(moved)}",
            moved,
        )
        for sql in series.delta_inserts("_detente_moved", "_detente_moved_actors", -1):
            store._q(sql)
    _register(store, "_detente_assigned", {"id": ids, "story_id": list(assigned.values())})
    try:
        store._q(
            "UPDATE events SET story_id = a.story_id FROM _detente_assigned a"
            f" WHERE events.id = a.id AND events.id IN {marks(ids)}",
            ids,
        )
        if moved:  # their new story, from the small relation (joined to events, it scanned them)
            store._q(
                "UPDATE _detente_moved SET story_id = a.story_id FROM _detente_assigned a"
                " WHERE a.id = _detente_moved.id"
            )
    finally:
        store.con.unregister("_detente_assigned")
    if moved:
        for sql in series.delta_inserts("_detente_moved", "_detente_moved_actors"):
            store._q(sql)
        store.touched(r[0] for r in store._q("SELECT DISTINCT published FROM _detente_moved"))
        store._q("DROP TABLE _detente_moved")
        store._q("DROP TABLE _detente_moved_actors")


def _columns(rows: list[dict[str, Any]]) -> dict[str, list]:
    import pyarrow as pa

    cols = {f: [r[f] for r in rows] for f in STORY_FIELDS}
    return {
        f: pa.array(v, type=pa.list_(pa.string())) if f == "texts" else v for f, v in cols.items()
    }


def refresh(store: Store, ids: list[str]) -> None:
    """Recompute the counts, first-seen date, date added and URL of stories ``ids``. Their
    mentions, first mentions, articles and article sources are each looked up by index on its
    own (``IN`` lists of parameters) and joined here as small relations: joined to the tables
    in one statement, DuckDB scanned the events and the sources rather than using the index."""
    if not ids:
        return
    ids = list(ids)
    m = _small(
        store,
        f"SELECT story_id, article_id, count(*) AS n FROM events WHERE story_id IN {marks(ids)}"
        " GROUP BY ALL",
        ids,
    )
    if not m.num_rows:
        return
    articles = sorted(set(m.column("article_id").to_pylist()))
    relations = {
        "_detente_m": m,
        "_detente_ar": _small(
            store,
            "SELECT id, url, source, published, stored_at FROM articles"
            f" WHERE id IN {marks(articles)}",
            articles,
        ),
        "_detente_s": _small(
            store,
            "SELECT article_id, url, source, item, published, added FROM article_sources"
            f" WHERE article_id IN {marks(articles)}",
            articles,
        ),
        "_detente_first": _small(
            store, f"SELECT id, article_id FROM events WHERE id IN {marks(ids)}", ids
        ),
    }
    for name, table in relations.items():
        store.con.register(name, table)
    try:
        store._q(
            "WITH m AS (SELECT * FROM _detente_m), ar AS (SELECT * FROM _detente_ar),"
            " s AS (SELECT * FROM _detente_s),"
            " d AS (SELECT m.story_id, m.n, ar.stored_at,"
            " m.article_id || '|' || coalesce(s.url, ar.url, '') || '|'"
            " || coalesce(s.source, ar.source, '') AS doc,"
            " coalesce(s.source, s.url, ar.source, ar.url, s.item, m.article_id) AS src,"
            " coalesce(s.published, ar.published) AS published,"
            " coalesce(s.url, ar.url, s.source, ar.source) AS url,"
            " coalesce(s.added, ar.stored_at) AS added FROM m JOIN ar ON ar.id = m.article_id"
            " LEFT JOIN s ON s.article_id = m.article_id),"
            " agg AS (SELECT story_id, sum(n) AS mentions, count(DISTINCT doc) AS docs,"
            " count(DISTINCT src) AS sources, min(published) AS first_seen,"
            " min(stored_at) AS date_added FROM d GROUP BY story_id),"
            " first AS (SELECT e.id, coalesce(ar.url, ar.source) AS url"
            " FROM _detente_first e JOIN ar ON ar.id = e.article_id)"
            " UPDATE stories SET num_mentions = agg.mentions, num_articles = agg.docs,"
            " num_sources = agg.sources, first_seen = agg.first_seen,"
            " date_added = agg.date_added, source_url = first.url FROM agg"
            " LEFT JOIN first ON first.id = agg.story_id WHERE stories.id = agg.story_id"
            f" AND stories.id IN {marks(ids)}",
            ids,
        )
    finally:
        for name in relations:
            store.con.unregister(name)


def _small(store: Store, sql: str, params: list):
    """The rows of a lookup by index, as a pyarrow table (with the store's column types) to be
    joined to other small relations."""
    return store.con.sql(sql, params=params).to_arrow_table()


def refresh_article(store: Store, article_id: str) -> None:
    """Refresh the stories with mentions in ``article_id`` (it has a new copy or reprint)."""
    ids = store._q(
        "SELECT DISTINCT story_id FROM events WHERE article_id = ? AND story_id IS NOT NULL",
        [article_id],
    )
    refresh(store, [r[0] for r in ids])


def stories_frame(
    store: Store,
    flt: EventFilter,
    limit: int | None = None,
    min_articles: int = 1,
    offset: int = 0,
) -> pd.DataFrame:
    """One row per folded event carried by at least ``min_articles`` documents, described by
    its first mention (the filter applies to it): date, first seen, codes, actors, place,
    GDELT-style counts, first URL and sentence (``limit`` rows from the ``offset``-th)."""
    where, params = flt.where()
    sql = (
        "SELECT st.id, st.event_date, st.first_seen, st.cameo_code, st.plover_event,"
        " st.quad_class, st.goldstein, st.modality, e.source_codes, e.target_codes,"
        " e.location_name AS place, st.num_mentions, st.num_sources, st.num_articles,"
        " st.source_url, e.sentence_text, st.date_added, st.source_key, st.target_key,"
        " e.article_id"
        " FROM stories st JOIN events e ON e.id = st.id"
        f" WHERE {where} AND st.num_articles >= ?"
        " ORDER BY st.event_date NULLS LAST, st.num_articles DESC, st.id"
    )
    params.append(int(min_articles))
    return store._df(*_paged(sql, params, limit, offset))


def _paged(sql: str, params: list[Any], limit: int | None, offset: int) -> tuple[str, list]:
    """``sql`` cut to ``limit`` rows from the ``offset``-th, and its parameters."""
    if limit is not None:
        sql, params = sql + " LIMIT ?", [*params, int(limit)]
    if offset:
        sql, params = sql + " OFFSET ?", [*params, int(offset)]
    return sql, params


def count_stories(store: Store, flt: EventFilter, min_articles: int = 1) -> int:
    """How many rows ``stories_frame`` lists in all."""
    where, params = flt.where()
    return store._q(
        "SELECT count(*) FROM stories st JOIN events e ON e.id = st.id"
        f" WHERE {where} AND st.num_articles >= ?",
        [*params, int(min_articles)],
    )[0][0]


def story_mentions(
    store: Store, story_id: str, limit: int | None = None, offset: int = 0
) -> pd.DataFrame | None:
    """The mentions folded into story ``story_id`` (found by ``events.story_id``, indexed), as
    ``Store.events`` lists events (every column, the article's url, title and source), in
    publication order, ``limit`` rows from the ``offset``-th; None when there is no such
    story."""
    if not store._q("SELECT 1 FROM stories WHERE id = ?", [story_id]):
        return None
    sql = (
        "SELECT e.*, ar.url AS article_url, ar.title AS article_title,"
        " ar.source AS article_source FROM events e JOIN articles ar ON ar.id = e.article_id"
        " WHERE e.story_id = ? ORDER BY e.published NULLS LAST, e.article_id, e.sentence_index,"
        " e.trigger_start, e.id"
    )
    params: list[Any] = [story_id]
    return store._df(*_paged(sql, params, limit, offset))


def count_mentions(store: Store, story_id: str) -> int:
    """How many mentions ``story_mentions`` lists in all."""
    return store._q("SELECT count(*) FROM events WHERE story_id = ?", [story_id])[0][0]


def documents_of(store: Store, article_ids: list[str]) -> pd.DataFrame:
    """The documents that carried these stored articles: each article's own source row and
    every copy or reprint of it (``article_sources``; the article itself where it has none),
    columns ``article_id``, ``url``, ``source``, ``title``, ``published``, in the order they
    were added."""
    ids = sorted(set(article_ids))
    return store._df(
        "SELECT ar.id AS article_id, coalesce(s.url, ar.url) AS url,"
        " coalesce(s.source, ar.source) AS source, coalesce(s.title, ar.title) AS title,"
        " coalesce(s.published, ar.published) AS published"
        f" FROM (SELECT * FROM articles WHERE id IN {marks(ids)}) ar"
        " LEFT JOIN article_sources s ON s.article_id = ar.id"
        " ORDER BY ar.id, s.added NULLS FIRST, s.url, s.source",
        ids,
    )


def mention_rows(store: Store, flt: EventFilter) -> pd.DataFrame:
    """One row per mention per document that carried it (a stored article and each of its
    copies and reprints), with its story, the document and the character offsets."""
    where, params = flt.where()
    return store._df(
        "SELECT e.id AS mention_id, coalesce(e.story_id, e.id) AS story_id,"
        " e.sentence_index, e.trigger_start, e.confidence, ar.n_chars,"
        " coalesce(st.date_added, ar.stored_at) AS event_added,"
        " coalesce(s.added, ar.stored_at) AS mention_added,"
        " coalesce(s.source, ar.source) AS source_name, coalesce(s.url, ar.url) AS url,"
        " (SELECT min(a.start_char) FROM event_actors a WHERE a.event_id = e.id"
        " AND a.role = 'source' AND a.position = 0) AS actor1_start,"
        " (SELECT min(a.start_char) FROM event_actors a WHERE a.event_id = e.id"
        " AND a.role = 'target' AND a.position = 0) AS actor2_start"
        " FROM events e JOIN articles ar ON ar.id = e.article_id"
        " LEFT JOIN article_sources s ON s.article_id = e.article_id"
        " LEFT JOIN stories st ON st.id = coalesce(e.story_id, e.id)"
        f" WHERE {where} ORDER BY e.published NULLS LAST, e.article_id, e.sentence_index,"
        " e.id, mention_added, url",
        params,
    )


# the stored articles with no signature: an anti-join on the ids (``NOT IN (SELECT ...)`` joined
# every row of both tables)
_UNSKETCHED = " FROM articles a ANTI JOIN article_minhash m ON m.article_id = a.id"


def _all_sketched(store: Store) -> bool:
    """Has every stored article a signature? Signatures are kept only of stored articles (and
    removed with them), so it is so when the two tables have as many rows: counted from the
    tables' metadata, nothing scanned."""
    n_articles, n_sketched = store._q(
        "SELECT (SELECT count(*) FROM articles), (SELECT count(*) FROM article_minhash)"
    )[0]
    return n_articles == n_sketched


def unsketched_articles(store: Store, limit: int) -> list[tuple[str, str]]:
    """(id, text) of stored articles with no reprint signature yet (stored before reprints
    were screened, or through ``Store.store_article``), oldest first."""
    if _all_sketched(store):
        return []
    return store._q(
        f"SELECT a.id, a.text{_UNSKETCHED} ORDER BY a.stored_at, a.id LIMIT ?", [int(limit)]
    )


def count_unsketched(store: Store) -> int:
    if _all_sketched(store):
        return 0
    return store._q(f"SELECT count(*){_UNSKETCHED}")[0][0]


def add_sketches(
    store: Store, sketches: dict[str, tuple[tuple[int, ...], tuple[int, ...]]]
) -> None:
    """Keep the reprint signatures and LSH band keys of stored articles (by article id)."""
    import pyarrow as pa

    if not sketches:
        return
    ids = list(sketches)
    signatures = pa.array([list(sketches[i][0]) for i in ids], type=pa.list_(pa.uint32()))
    keys = [(k, i) for i in ids for k in sketches[i][1]]
    with store.transaction():
        _register(store, "_detente_minhash", {"article_id": ids, "signature": signatures})
        store._q("INSERT INTO article_minhash BY NAME SELECT * FROM _detente_minhash")
        store.con.unregister("_detente_minhash")
        bands = {
            "key": pa.array([k for k, _ in keys], type=pa.int64()),
            "article_id": [i for _, i in keys],
        }
        _register(store, "_detente_bands", bands)
        store._q("INSERT INTO article_bands BY NAME SELECT * FROM _detente_bands")
        store.con.unregister("_detente_bands")
