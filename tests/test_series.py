"""The series tables (store/series.py): exact after ingest, re-ingest and delete; read at the
coarsest grain; ``Store.dyads`` from them equals the count from events."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pandas as pd
import pytest
from synthetic import event, old_store, week_articles

from detente.records import Article
from detente.store import queries
from detente.store.db import EventFilter, open_store
from detente.store.series import EVENT_KEYS, KEYS_V8, LEVELS, MEASURES, rebuild
from detente.store.series_read import read_grain


def _mixed():
    """Weeks of RUS→UKR events, plus multi-actor events of one country pair."""
    items = week_articles([{"111": w % 3, "190": 1 + w % 2, "040": 2} for w in range(12)])
    a = Article(id="multi", published=date(2023, 2, 15), text="multi")
    items.append((a, [
        event(a, 0, "190", ["RUSGOV", "RUSMIL"], ["UKRGOV", "UKRMIL"]),
        event(a, 1, "010", ["USAGOV"], ["RUSGOV", "UKRGOV"]),
        event(a, 2, "111", ["USAGOV"], []),
    ]))  # fmt: skip
    return items


def _tables(store) -> dict[str, pd.DataFrame]:
    out = {}
    for level in LEVELS.values():
        keys = ", ".join(("grain", "period", *level.keys, *EVENT_KEYS))
        sums = ", ".join(f"round(sum({m}), 6) AS {m}" for m in MEASURES)
        out[level.table] = store._df(
            f"SELECT {keys}, {sums} FROM {level.table} GROUP BY ALL HAVING sum(events) <> 0"
            " ORDER BY ALL"
        )
    return out


def _recount(store) -> dict[str, pd.DataFrame]:
    store.rebuild_series()
    return _tables(store)


@pytest.fixture
def store(tmp_path):
    s = open_store(tmp_path / "s.duckdb")
    s.store_articles([(a, e, a.id, None) for a, e in _mixed()])
    yield s
    s.close()


def test_the_tables_equal_a_recount_after_ingest_reingest_and_delete(store):
    kept = _tables(store)
    assert len(kept["series_pairs"]) > 0
    store.store_articles([(a, e, a.id, None) for a, e in _mixed()])  # re-ingest: all skipped
    store.compact_series()
    assert all(kept[k].equals(v) for k, v in _tables(store).items())
    assert all(kept[k].equals(v) for k, v in _recount(store).items())
    store.delete_articles(["a0003", "multi"])
    after = _tables(store)
    assert all(after[k].equals(v) for k, v in _recount(store).items())
    assert after["series_pairs"]["events"].sum() < kept["series_pairs"]["events"].sum()
    a, events = _mixed()[3]
    store.store_articles([(a, events, a.id, None)])  # and back again
    assert all(_tables(store)[k].equals(v) for k, v in _recount(store).items())


def test_compacting_folds_the_touched_periods_only(store):
    def rows(table):
        return store._q(f"SELECT count(*) FROM {table}")[0][0]

    store.compact_series(everything=True)
    before = {level.table: rows(level.table) for level in LEVELS.values()}
    kept = _tables(store)
    store.delete_articles(["a0003"])
    a, events = _mixed()[3]
    store.store_articles([(a, events, a.id, None)])
    assert all(rows(t) > n for t, n in before.items())  # deltas appended
    store.compact_series()
    assert {t: rows(t) for t in before} == before
    assert all(kept[k].equals(v) for k, v in _tables(store).items())


def test_a_multi_actor_event_counts_once_per_unit(store):
    feb = EventFilter(since=date(2023, 2, 15), until=date(2023, 2, 15))
    countries = store.series("countries", "day", feb).set_index("country")["events"]
    # the RUS→UKR week article of that Wednesday (week 6: 0 + 1 + 2 events) and the multi one
    assert countries.to_dict() == {"RUS": 3 + 2, "UKR": 3 + 2, "USA": 2}
    pairs = store.series("country_pairs", "day", feb)
    row = pairs[(pairs.source_country == "RUS") & (pairs.target_country == "UKR")].iloc[0]
    assert row["events"] == 3 + 1 and row["material_conflict"] == 1 + 1


def test_dyads_from_the_tables_equal_the_count_from_events(store):
    for by in ("day", "week", "month", "year"):
        for flt in (EventFilter(), EventFilter(since=date(2023, 1, 10)),
                    EventFilter(event="ASSAULT"), EventFilter(event="190")):  # fmt: skip
            fast = store.dyads(by, flt)
            slow = _from_events(store, by, flt)
            pd.testing.assert_frame_equal(fast, slow, check_dtype=False)
            # each period's busiest pairs: the first rows of the period in the whole summary
            top = store.dyads(by, flt, top=1)
            pd.testing.assert_frame_equal(
                top, fast.groupby("period").head(1).reset_index(drop=True), check_dtype=False
            )
            pd.testing.assert_frame_equal(
                top, store.dyads(by, replace(flt, dyad=("", "")), top=1), check_dtype=False
            )


def test_the_coarsest_grain_the_bounds_allow():
    assert read_grain("month", None, None) == "month"
    assert read_grain("month", date(2024, 3, 1), date(2024, 4, 30)) == "month"
    assert read_grain("month", date(2024, 3, 2), None) == "day"
    assert read_grain("year", date(2024, 1, 1), None) == "month"
    assert read_grain("week", date(2024, 3, 4), date(2024, 3, 10)) == "week"
    assert read_grain("week", None, date(2024, 3, 9)) == "day"


def test_series_columns_and_filters(store):
    frame = queries.series(store, "country_pairs", "month", queries.make_filter(dyad="RUS,UKR"))
    assert {"plover_assault", "plover_consult", "mean_goldstein", "conflict_share"} <= set(frame)
    jan = frame.iloc[0]
    assert jan["events"] == jan[["verbal_coop", "material_coop", "verbal_conflict",
                                 "material_conflict", "statements"]].sum()  # fmt: skip
    assert jan["conflict_share"] == pytest.approx(
        (jan["verbal_conflict"] + jan["material_conflict"]) / jan["events"]
    )
    assert set(frame["source_country"]) == {"RUS"}


def _from_events(store, by, flt):
    """The pre-series dyad query (events joined to actors), forced by a no-op dyad filter."""
    from dataclasses import replace

    return store.dyads(by, replace(flt, dyad=("", "")))


def test_the_plover_columns_are_the_codebooks_types():
    from detente.knowledge.codes import PLOVER_FILE
    from detente.knowledge.files import load_yaml
    from detente.store.series import PLOVER_TYPES

    assert tuple(load_yaml(PLOVER_FILE)["events"]) == PLOVER_TYPES


def test_undated_articles_are_stored_and_counted_without_a_period(tmp_path):
    """A batch of articles none of which has a publication date (an undated text file) is
    stored and counted, under no period, instead of failing the batch."""
    s = open_store(tmp_path / "undated.duckdb")
    a = Article(id="undated", published=None, text="undated")
    s.store_articles([(a, [event(a, 0, "040", ["CHLGOV"], ["PERGOV"])], a.id, None)])
    pairs = s.series("country_pairs", "day", EventFilter())
    assert pairs["events"].sum() == 1 and pairs["period"].isna().all()
    s.close()


def _reports(*tags: str):
    """The same RUS→UKR strike in one article per tag, all of one day (folding makes them one
    event)."""
    out = []
    for tag in tags:
        a = Article(id=tag, published=date(2023, 3, 1), text=f"strike {tag}")
        out.append((a, [event(a, 0, "190", ["RUSMIL"], ["UKRGOV"])]))
    return out


def _equal(a: dict[str, pd.DataFrame], b: dict[str, pd.DataFrame]) -> None:
    assert a.keys() == b.keys()
    for table in a:
        pd.testing.assert_frame_equal(a[table], b[table], check_dtype=False)


def test_a_mention_folded_into_another_leaves_the_lead_rows_and_the_migration_agrees(tmp_path):
    from detente.run.stories import fold_pending
    from detente.settings import Settings

    path = tmp_path / "fold.duckdb"
    with open_store(path) as s:
        s.store_articles([(a, e, a.id, None) for a, e in _reports("first", "second")])
        assert fold_pending(s, Settings()) == 2
        s.compact_series()
        kept = _tables(s)
        for flt, n in ((EventFilter(folded=True), 1), (EventFilter(), 2)):
            assert queries.series(s, "country_pairs", "day", flt)["events"].sum() == n
            assert queries.dyads(s, "month", flt)["events"].sum() == n
            dyad = EventFilter(dyad=("RUS", "UKR"), folded=flt.folded)  # counted from events
            assert queries.dyads(s, "month", dyad)["events"].sum() == n
        _equal(kept, _recount(s))
    # the same rows in a version 8 store: no lead key, no window key, no index on story_id
    v8 = tmp_path / "v8.duckdb"
    con = old_store(v8, 8, path, ("articles", "article_sources", "events", "event_actors"))
    con.execute("INSERT INTO stories SELECT * EXCLUDE (window_key) FROM new.stories")
    con.execute("DETACH new")
    for sql in rebuild(KEYS_V8, ranked=False):
        con.execute(sql)
    con.close()
    with open_store(v8) as s:
        _equal(_tables(s), kept)  # migration 9 moved the folded mention off the lead rows
        s.store_articles([(a, e, a.id, None) for a, e in _reports("third")])
        assert fold_pending(s, Settings()) == 1
        assert s._q("SELECT count(*), max(num_articles) FROM stories")[0] == (1, 3)
        assert queries.series(s, "countries", "day", EventFilter(folded=True))["events"].sum() == 2
