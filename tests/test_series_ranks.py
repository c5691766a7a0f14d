"""Each period's busiest pairs (``series_pair_ranks``): ``dyads --top N`` read from the ranks
equals the top pairs of the full summary, at every grain and scope, while periods are marked
(before compaction), after deletes, and after migration 11 ranks an existing store."""

from __future__ import annotations

from dataclasses import replace

import pandas as pd
import pytest
from synthetic import old_store

from detente.store import queries
from detente.store.db import open_store
from detente.store.series import RANKED
from detente.store.series_read import ranked_scope
from detente.store.synthetic import fill

FILTERS = {
    "asserted": queries.make_filter(),
    "asserted_folded": queries.make_filter(folded=True),
    "all": queries.make_filter(modalities=None),
}


def _heads(store, by: str, flt, top: int) -> pd.DataFrame:
    """The ``top`` pairs of each period, cut from the summary of every pair."""
    full = queries.dyads(store, by, flt)
    return full.groupby("period", dropna=False, sort=False).head(top).reset_index(drop=True)


def _agree(store, by: str, flt, top: int) -> None:
    assert ranked_scope(by, flt, top) is not None
    pd.testing.assert_frame_equal(
        queries.dyads(store, by, flt, top=top), _heads(store, by, flt, top)
    )


@pytest.fixture(scope="module")
def filled(tmp_path_factory):
    """3,000 synthetic events over 60 days: hundreds of pairs a month, so the top is a cut."""
    path = tmp_path_factory.mktemp("ranks") / "s.duckdb"
    with open_store(path) as s:
        fill(s, 3000, days=60, batch=1000)
    return path


@pytest.mark.parametrize("by", ["day", "week", "month"])
@pytest.mark.parametrize("scope", list(FILTERS))
def test_ranked_tops_equal_the_tops_of_the_full_summary(filled, by, scope):
    with open_store(filled) as s:
        assert s._q("SELECT count(*) FROM series_dirty")[0][0] == 0  # all ranked by compaction
        assert s._q("SELECT count(*) FROM series_pair_ranks WHERE scope = ?", [scope])[0][0] > 0
        for top in (1, 5, RANKED):
            _agree(s, by, FILTERS[scope], top)


def test_whole_period_bounds_read_the_ranks_and_partial_ones_sum_the_table(filled):
    flt = replace(FILTERS["asserted"], since=queries.make_filter(since="2015-02-01").since)
    with open_store(filled) as s:
        _agree(s, "month", flt, 3)
        mid = replace(flt, since=queries.make_filter(since="2015-02-10").since)
        assert ranked_scope("month", mid, 3) is None  # a cut month is summed from days
        assert ranked_scope("month", FILTERS["asserted"], RANKED + 1) is None
        assert ranked_scope("year", FILTERS["asserted"], 3) is None


def test_marked_periods_are_exact_before_compaction_and_ranked_after(filled, tmp_path):
    path = tmp_path / "copy.duckdb"
    path.write_bytes(filled.read_bytes())
    with open_store(path) as s:
        busiest = s._q(
            "SELECT article_id FROM events WHERE published < DATE '2015-01-08'"
            " GROUP BY article_id ORDER BY count(*) DESC, article_id LIMIT 40"
        )
        before = queries.dyads(s, "week", FILTERS["asserted"], top=5)
        s.delete_articles([r[0] for r in busiest])  # counts removed, periods marked
        assert s._q("SELECT count(*) FROM series_dirty")[0][0] > 0
        marked = queries.dyads(s, "week", FILTERS["asserted"], top=5)
        assert not marked.equals(before)  # the deleted events are gone from the tops at once
        _agree(s, "week", FILTERS["asserted"], 5)
        s.compact_series()
        assert s._q("SELECT count(*) FROM series_dirty")[0][0] == 0
        pd.testing.assert_frame_equal(queries.dyads(s, "week", FILTERS["asserted"], top=5), marked)


def test_migration_11_ranks_a_store_made_before_it(filled, tmp_path):
    old = tmp_path / "v10.duckdb"
    con = old_store(old, 10, filled, ("articles", "events", "event_actors", "series_pairs"))
    con.execute("DETACH new")
    con.close()
    with open_store(old) as s:
        assert s._q("SELECT count(*) FROM series_dirty")[0][0] == 0
        with open_store(filled) as ranked:
            want = ranked._df("SELECT * FROM series_pair_ranks ORDER BY ALL")
        pd.testing.assert_frame_equal(s._df("SELECT * FROM series_pair_ranks ORDER BY ALL"), want)


def test_a_store_keeps_ranks_and_a_dataset_view_does_not(filled):
    import duckdb

    from detente.store.series_read import _keeps_ranks

    with open_store(filled) as s:
        assert _keeps_ranks(s.con)
    con = duckdb.connect()
    con.execute("CREATE VIEW series_pair_ranks AS SELECT 1 AS rank WHERE FALSE")
    assert not _keeps_ranks(con)  # a dataset's views: ranked reads sum the pairs instead
