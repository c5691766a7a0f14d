"""The DuckDB store: migrations, one transaction per article, dedup, filters, queries, exports."""

from __future__ import annotations

import io
import json

import duckdb
import pandas as pd
import pyarrow.parquet as pq
import pytest

from detente import export, queries
from detente.ingest import make_article
from detente.migrations import MIGRATIONS
from detente.records import Event
from detente.store import open_store

OSLO = (
    "date 2024-03-05\nNorway's foreign minister met the Iranian ambassador in Oslo on Tuesday. "
    "Iran accused Norway of interfering in its courts."
)
KHARKIV = (
    "date 2024-04-11\nRussian forces shelled Kharkiv overnight. Ukraine condemned Russia for the "
    "attack. Moscow will not negotiate with Kyiv, the Kremlin said."
)


@pytest.fixture(scope="module")
def coded(coder):
    out = []
    for text, url in ((OSLO, "https://ledger.example/oslo"), (KHARKIV, None)):
        article = make_article(text, url=url, source="Ledger")
        out.append((article, coder.code_article(article)))
    return out


@pytest.fixture
def store(tmp_path, coded):
    s = open_store(tmp_path / "events.duckdb")
    for article, events in coded:
        assert s.store_article(article, events, item=article.id) == "stored"
    yield s
    s.close()


def test_migrations_are_applied_once(tmp_path):
    path = tmp_path / "m.duckdb"
    with open_store(path) as s:
        assert s.schema_version() == len(MIGRATIONS)
    with open_store(path) as s:  # reopening applies nothing again
        assert s.schema_version() == len(MIGRATIONS)
        assert s._q("SELECT count(*) FROM schema_version")[0][0] == len(MIGRATIONS)


def test_article_events_and_actors_are_stored(store, coded):
    counts = store.counts()
    n_events = sum(len(ev) for _, ev in coded)
    assert counts["articles"] == 2 and counts["events"] == n_events > 0
    n_actors = sum(len(e.source) + len(e.target) for _, ev in coded for e in ev)
    assert counts["event_actors"] == n_actors
    frame = store.events()
    first = coded[0][1][0]
    row = frame[frame["id"] == first.id].iloc[0]
    assert row["cameo_code"] == first.cameo.code and row["plover_event"] == first.plover.event
    assert row["actor1_code"] == first.source[0].code == "NORGOV"
    assert row["sentence_text"] == first.sentence.text
    assert row["article_url"] == "https://ledger.example/oslo"
    assert json.loads(row["plover_context"]) == first.plover.context


def test_the_whole_event_is_kept_as_json(store, coded):
    frame = store.events()
    for _, events in coded:
        for e in events:
            stored = frame.loc[frame["id"] == e.id, "record"].iloc[0]
            assert Event.model_validate_json(stored) == e


def test_migrating_a_version_1_store(tmp_path):
    path = tmp_path / "v1.duckdb"
    con = duckdb.connect(str(path))
    con.execute("CREATE TABLE schema_version (version INTEGER PRIMARY KEY, applied TIMESTAMP)")
    for sql in MIGRATIONS[0]:
        con.execute(sql).fetchall()
    con.execute("INSERT INTO schema_version VALUES (1, current_timestamp)").fetchall()
    con.close()
    with open_store(path) as s:
        assert s.schema_version() == len(MIGRATIONS) >= 2
        assert "record" in set(s.events().columns)


def test_restoring_is_a_noop_and_duplicate_text_adds_the_url(store, coded):
    article, events = coded[0]
    before = store.counts()
    assert store.store_article(article, events) == "skipped"
    assert store.counts() == before
    copy = article.model_copy(update={"id": "other", "url": "https://mirror.example/oslo"})
    assert store.store_article(copy, events) == "duplicate"
    after = store.counts()
    assert after["events"] == before["events"] and after["articles"] == 2
    assert after["article_sources"] == before["article_sources"] + 1
    gdelt = export.gdelt_frame(store)
    mine = gdelt[gdelt["SOURCEURL"] == "https://ledger.example/oslo"]
    assert set(mine["NumArticles"]) == {2}


def test_a_failing_article_leaves_nothing_behind(tmp_path, coded):
    article, events = coded[0]
    with open_store(tmp_path / "t.duckdb") as s:
        with pytest.raises(duckdb.ConstraintException):
            s.store_article(article, [events[0], events[0]])  # same event id twice
        assert s.counts()["articles"] == 0 and s.counts()["events"] == 0
        assert s.store_article(article, events) == "stored"


def test_filters(store, coded):
    def codes(**kw):
        return set(queries.events(store, queries.make_filter(**kw))["cameo_code"])

    events = [e for _, ev in coded for e in ev]
    asserted = [e for e in events if e.modality == "asserted"]

    def expect(keep, pool=asserted):
        return {e.cameo.code for e in pool if keep(e)}

    def has(actors, who):
        return any(a.country == who or a.code.startswith(who) for a in actors)

    assert codes(dyad="NOR,IRN") == expect(lambda e: has(e.source, "NOR") and has(e.target, "IRN"))
    assert codes(dyad="IRN,NOR") == expect(lambda e: has(e.source, "IRN") and has(e.target, "NOR"))
    assert codes(dyad="NOR,IRN") == {"040"} and codes(dyad="IRN,NOR") == {"112"}
    assert codes(country="UKR") == expect(lambda e: has(e.source + e.target, "UKR"))
    assert "111" in codes(country="UKR")
    assert "046" in codes(country="UKR", modalities=None)  # the future event, left out above
    assert "046" not in codes(country="UKR")
    assert codes(since="2024-04-01") == expect(lambda e: e.article.published.month == 4)
    assert codes(until="2024-03-31") == {"040", "112"}
    assert codes(event="ACCUSE") == expect(lambda e: e.plover.event == "ACCUSE") >= {"112", "111"}
    assert codes(event="04") == expect(lambda e: e.cameo.code.startswith("04"))
    with pytest.raises(ValueError, match="SOURCE,TARGET"):
        queries.make_filter(dyad="NOR")


def test_dyad_summary(store):
    frame = queries.dyads(store, "month")
    row = frame[(frame["source"] == "NORGOV") & (frame["target"] == "IRNGOV")].iloc[0]
    assert str(row["period"])[:10] == "2024-03-01"
    assert (row["events"], row["verbal_coop"], row["plover"]) == (1, 1, "CONSULT:1")
    with pytest.raises(ValueError):
        queries.dyads(store, "fortnight")


def test_gdelt_tsv_has_61_columns_in_place(store, coded):
    buf = io.StringIO()
    n = export.export("gdelt", store, buf)
    lines = buf.getvalue().splitlines()
    assert n == len(lines) == sum(len(ev) for _, ev in coded)  # no filter: every modality
    rows = [line.split("\t") for line in lines]
    assert all(len(r) == 61 for r in rows)
    consult = next(r for r in rows if r[26] == "040")
    assert consult[1] == "20240305" and consult[5] == "NORGOV" and consult[7] == "NOR"
    assert consult[15] == "IRNGOV" and consult[28] == "04" and consult[29] == "1"
    assert consult[25] == "1"  # IsRootEvent: lead sentence
    assert consult[60] == "https://ledger.example/oslo"


def test_parquet_csv_and_plover_exports(store, tmp_path, coded):
    flt = queries.make_filter()
    n = sum(e.modality == "asserted" for _, ev in coded for e in ev)
    assert export.export("parquet", store, tmp_path / "e.parquet", flt) == n
    table = pq.read_table(tmp_path / "e.parquet")
    assert table.num_rows == n and "plover_event" in table.column_names
    assert export.export("csv", store, tmp_path / "e.csv", flt) == n
    assert len(pd.read_csv(tmp_path / "e.csv")) == n
    buf = io.StringIO()
    export.export("plover", store, buf, flt)
    records = [json.loads(line) for line in buf.getvalue().splitlines()]
    oslo = next(r for r in records if r["cameo"] == "040")
    assert oslo["event_type"] == "CONSULT" and oslo["date"] == "2024-03-05"
    assert oslo["source"][0]["code"] == "NORGOV" and oslo["target"][0]["country"] == "IRN"
    assert oslo["event_loc"]["name"] == "Oslo" and oslo["event_loc"]["country_code"] == "NOR"
    assert oslo["event_date"] == "2024-03-05"  # "on Tuesday", published on a Tuesday
