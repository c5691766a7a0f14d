"""Ingest into a store that already holds events: the stage clock, and the lookups that find
what a new article needs by index (real DuckDB files; the figures are bench/incremental.py's)."""

from __future__ import annotations

import time

from detente.knowledge.samples import sample_articles
from detente.run.batch import ingest
from detente.store.db import StageClock, open_store
from detente.text import make_article

STAGES = {"code", "screen", "store", "fold", "series"}


def test_stage_clock_counts_a_nested_stage_in_its_own_stage_only():
    clock = StageClock()
    start = time.perf_counter()
    with clock("outer"):
        with clock("inner"):
            time.sleep(0.02)
        with clock("outer"):  # the same stage inside itself is counted once
            time.sleep(0.01)
    wall = time.perf_counter() - start
    assert clock.seconds["inner"] >= 0.02
    assert clock.seconds["outer"] >= 0.01
    assert sum(clock.seconds.values()) <= wall
    before = dict(clock.seconds)
    with clock("inner"):
        pass
    assert set(clock.since(before)) == {"outer", "inner"}
    assert clock.since(before)["outer"] == 0.0


def test_ingest_reports_the_seconds_of_each_stage(tmp_path, coder):
    with open_store(tmp_path / "s.duckdb") as store:
        start = time.perf_counter()
        summary = ingest(sample_articles()[:3], store, coder)
        wall = time.perf_counter() - start
        again = ingest(sample_articles()[:3], store, coder)
    assert summary.stored == 3
    assert set(summary.seconds) == STAGES
    assert all(v >= 0 for v in summary.seconds.values())
    assert sum(summary.seconds.values()) <= wall
    # a second run reports its own time: nothing new to code or store, only screened
    assert again.skipped == 3
    assert again.seconds.get("code", 0.0) == 0.0
    assert again.seconds["screen"] > 0


def _index_scans(store, sql: str, params: list) -> str:
    """The plan DuckDB ran for ``sql`` (EXPLAIN ANALYZE), to see whether an index found it."""
    return store._q("EXPLAIN ANALYZE " + sql, params)[0][1]


def _texts_store(path):
    """A store of four articles of no events, one an exact copy (other id, same text) of the
    first that the store keeps as its duplicate, the last without a reprint sketch."""
    texts = ["Kenya praised Somalia.", "Chile met Peru.", "Egypt criticized Qatar."]
    articles = [make_article(t, article_id=f"art-{n}", url=f"https://x.example/{n}")
                for n, t in enumerate(texts)]  # fmt: skip
    copy = make_article(texts[0], article_id="art-copy", url="https://y.example/copy")
    store = open_store(path)
    sketches = {a.id: ((n, n + 1), (100 + n, 200 + n)) for n, a in enumerate(articles[:2])}
    results = store.store_articles(
        [(a, [], a.id, None) for a in [*articles, copy]], sketches=sketches
    )
    assert results == ["stored", "stored", "stored", "duplicate"]
    return store, articles, copy


def test_known_and_known_many_find_by_id_then_by_text(tmp_path):
    store, articles, copy = _texts_store(tmp_path / "s.duckdb")
    other = make_article("Japan met Chad.", article_id="art-new")
    renamed = make_article(articles[1].text, article_id="art-renamed")
    same_id = make_article("A new text under an old id.", article_id="art-2")
    asked = [*articles, copy, other, renamed, same_id]
    expected = ["art-0", "art-1", "art-2", "art-0", None, "art-1", "art-2"]
    assert [store.known(a) for a in asked] == expected
    assert store.known_many(asked) == expected
    assert store.known_many([]) == []
    store.close()


def test_reprint_candidates_keyed_are_the_stored_sketches_sharing_a_key(tmp_path):
    store, _, _ = _texts_store(tmp_path / "s.duckdb")
    rows = store.reprint_candidates_keyed([100, 201, 999, 100])
    assert rows == [("art-0", [0, 1], [100]), ("art-1", [1, 2], [201])]
    assert [r[:2] for r in rows] == [tuple(r) for r in store.reprint_candidates([100, 201])]
    assert store.reprint_candidates_keyed([999]) == []
    assert store.reprint_candidates_keyed([]) == []
    store.close()


def test_an_articles_sources_are_found_by_index(tmp_path):
    store, _, copy = _texts_store(tmp_path / "s.duckdb")
    indexes = {r[0] for r in store._q("SELECT index_name FROM duckdb_indexes()")}
    assert "article_sources_article" in indexes
    plan = _index_scans(
        store, "SELECT count(*) FROM article_sources WHERE article_id = ?", ["art-0"]
    )
    assert "Index Scan" in plan
    sources = store._q(
        "SELECT url FROM article_sources WHERE article_id = ? ORDER BY url", ["art-0"]
    )
    assert sources == [("https://x.example/0",), ("https://y.example/copy",)]
    # a copy's source is added once
    assert store.add_source("art-0", copy) is False
    assert store.add_source("art-0", make_article(copy.text, url="https://z.example/")) is True
    store.close()


def test_unsketched_articles_are_those_without_a_signature(tmp_path):
    from detente.run.stories import sketch_pending
    from detente.settings import Settings
    from detente.store.stories import count_unsketched, unsketched_articles

    store, articles, _ = _texts_store(tmp_path / "s.duckdb")
    assert count_unsketched(store) == 1
    assert unsketched_articles(store, 10) == [("art-2", articles[2].text)]
    assert sketch_pending(store, Settings()) == 1
    assert count_unsketched(store) == 0
    assert unsketched_articles(store, 10) == []
    store.delete_articles(["art-1"])  # its signature goes with it
    assert count_unsketched(store) == 0
    store.close()


def test_synthetic_fill_with_documents_looks_like_an_ingested_store(tmp_path):
    from detente.store.stories import count_unsketched
    from detente.store.synthetic import fill, fold_each

    with open_store(tmp_path / "s.duckdb") as store:
        fill(store, 200, folded=True, documents=(16, 3))
        fold_each(store)
        n = store._q("SELECT count(*) FROM articles")[0][0]
        assert n == 20
        assert store._q("SELECT count(DISTINCT article_id) FROM article_sources")[0][0] == n
        assert store._q("SELECT min(len(signature)), max(len(signature)) FROM article_minhash")[
            0
        ] == (16, 16)
        assert store._q("SELECT count(*) FROM article_bands")[0][0] == 3 * n
        assert count_unsketched(store) == 0
        ids = [r[0] for r in store._q("SELECT id FROM events ORDER BY rowid")]
        assert len(ids[0]) == 20 and ids != sorted(ids)  # hex digests in no order
        assert store._q("SELECT count(*) FROM stories")[0][0] == 200


def test_an_events_actors_are_found_by_index(tmp_path, coder):
    with open_store(tmp_path / "s.duckdb") as store:
        ingest(sample_articles()[:2], store, coder)
        event = store._q("SELECT id FROM events LIMIT 1")[0][0]
        plan = _index_scans(store, "SELECT * FROM event_actors WHERE event_id IN (?)", [event])
        assert "Index Scan" in plan


def test_folding_stored_mentions_gives_what_folding_before_insert_gives(tmp_path, coder):
    """``fold_pending`` (pending mentions and their actors found by index, linked by ``_link``)
    against ``Store.store_articles(fold=...)``: the same stories, links and series."""
    import pandas as pd
    from test_stories import _series, strike_reports

    from detente.run.stories import Folder, fold_pending
    from detente.settings import Settings
    from detente.store.stories import _mentions_sql, count_pending, pending_mentions

    articles = [*strike_reports(), *sample_articles()[:4]]
    coded = [(a, events, a.id, None) for a, events in coder.code_articles(articles)]
    settings = Settings()
    with open_store(tmp_path / "a.duckdb") as first, open_store(tmp_path / "b.duckdb") as later:
        first.store_articles(coded, fold=Folder(first, settings))
        later.store_articles(coded)
        n = sum(len(events) for _, events, _, _ in coded)
        assert count_pending(later) == n
        # the first pending mentions, found by index, are those the join of the tables gave
        joined = later._df(_mentions_sql("events WHERE story_id IS NULL", "event_actors"))
        pd.testing.assert_frame_equal(pending_mentions(later, 5), joined.head(5), check_dtype=False)
        pd.testing.assert_frame_equal(pending_mentions(later), joined)
        assert fold_pending(later, settings) == n
        assert count_pending(later) == 0
        assert pending_mentions(later, 5).empty
        links = "SELECT id, story_id FROM events ORDER BY id"
        assert first._q(links) == later._q(links)
        moved = later._q("SELECT count(*) FROM events WHERE story_id <> id")[0][0]
        assert moved > 0  # mentions joined another mention's event: their series rows moved
        stories = "SELECT * EXCLUDE (date_added) FROM stories ORDER BY id"
        assert first._q(stories) == later._q(stories)
        assert _rounded(_series(first)) == _rounded(_series(later))
        later.compact_series()
        assert _rounded(_series(first)) == _rounded(_series(later))


def _rounded(series: dict) -> dict:
    """The series with their means rounded (sums of floats in another order differ in the
    last digits)."""
    return {
        k: [
            {c: round(v, 9) if isinstance(v, float) and v == v else v for c, v in r.items()}
            for r in rows
        ]
        for k, rows in series.items()
    }
