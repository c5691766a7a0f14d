"""The DuckDB store: migrations, one transaction per article (with its claims and counts), dedup,
filters, queries, exports."""

from __future__ import annotations

import io
import json

import duckdb
import pandas as pd
import pyarrow.parquet as pq
import pytest

from detente.claims.claims import analyse
from detente.records import CasualtyCount, Claim, Event
from detente.store import export, queries
from detente.store.db import open_store, text_hash
from detente.store.migrations import MIGRATIONS
from detente.text import make_article

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


def test_dyad_summary_counts_statements_apart(tmp_path, coder):
    text = "date 2024-03-05\nBrazilian President Marcos Lima told Argentine leaders it must wait."
    article = make_article(text)
    events = coder.code_article(article)
    assert [e.cameo.code for e in events] == ["010"]
    with open_store(tmp_path / "said.duckdb") as s:
        s.store_article(article, events, item="said")
        row = queries.dyads(s, "month").iloc[0]
    assert (row["source"], row["target"]) == ("BRAGOV", "ARG")
    assert (row["events"], row["statements"], row["verbal_coop"]) == (1, 1, 0)


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
    assert oslo["event"] == ["CONSULT"] and oslo["date"] == "2024-03-05"  # "on Tuesday"
    assert oslo["source"][0]["cameo_code"] == "NORGOV" and oslo["source"][0]["code"] == "NOR"
    assert oslo["source"][0]["sector"] == "GOV" and oslo["recipient"][0]["code"] == "IRN"
    assert oslo["event_loc"]["name"] == "Oslo" and oslo["event_loc"]["country_code"] == "NO"
    assert oslo["event_loc"]["cc3"] == "NOR" and oslo["event_text"] == ["met"]
    assert oslo["cite_info"]["url"] == "https://ledger.example/oslo"
    assert oslo["text_info"]["sequence"] == 0 and oslo["quad_code"] == 1


# --- claims and counts (migration 3) -----------------------------------------------------------

RAID = (
    "date 2024-05-14\nKenyan police said that Somali militants abducted two aid workers near "
    "Mandera on Monday. Officials in Kenya said at least 14 people were killed in the raid. "
    "The figures could not be independently verified."
)


@pytest.fixture(scope="module")
def raid(coder):
    article = make_article(RAID, url="https://ledger.example/raid", source="Ledger")
    [(_, events, actors)] = list(coder.code_with_actors([article]))
    return article, events, analyse(article, coder, events, actors)


@pytest.fixture
def raid_store(tmp_path, raid):
    article, events, analysis = raid
    s = open_store(tmp_path / "raid.duckdb")
    assert s.store_article(article, events, item="raid.txt", analysis=analysis) == "stored"
    yield s
    s.close()


def test_claims_and_counts_are_stored_with_their_article(raid_store, raid):
    article, events, analysis = raid
    abduction = next(e for e in events if e.cameo.code == "181")
    # "14 people were killed": no one named kills them, the event has a target only
    killing = next(e for e in events if e.cameo.code == "190")
    assert killing.dyad == "target_only" and killing.target[0].code == "KENCVL"
    claims = raid_store.claims()
    assert list(claims["article_id"]) == [article.id] * 2 == [article.id] * len(analysis.claims)
    police, officials = claims.to_dict("records")
    who = (police["claimant_code"], police["cue"], police["stance"])
    assert who == ("KENCOP", "said", "asserts")
    assert police["claimant_text"] == "Kenyan police" and police["sentence_index"] == 0
    assert police["event_id"] == abduction.id and police["event_cameo"] == "181"
    assert police["about"].startswith("Somali militants abducted")
    assert officials["claimant_country"] == "KEN" and officials["event_id"] == killing.id
    assert [h["text"] for h in json.loads(officials["hedges"])] == [
        "could not be independently verified"
    ]
    counts = raid_store.casualty_counts().to_dict("records")
    assert [(c["category"], c["low"], c["high"]) for c in counts] == [
        ("abducted", 2, 2),
        ("killed", 14, 14),
    ]
    abducted, killed = counts
    assert abducted["event_id"] == abduction.id and abducted["claimant_code"] == "KENCOP"
    assert abducted["unit"] == "workers" and abducted["event_trigger"] == "abducted"
    assert killed["claimant_code"] == "KEN" and killed["event_id"] == killing.id
    assert {h["text"] for h in json.loads(killed["hedges"])} == {
        "at least",
        "could not be independently verified",
    }
    assert RAID.split("\n", 1)[1][killed["start_char"] : killed["end_char"]] == "at least 14"
    # the whole records come back unchanged
    assert [Claim.model_validate_json(r) for r in claims["record"]] == analysis.claims
    stored_counts = raid_store.casualty_counts()["record"]
    assert [CasualtyCount.model_validate_json(r) for r in stored_counts] == analysis.counts


def test_restoring_adds_no_claims_or_counts(raid_store, raid):
    article, events, analysis = raid
    before = raid_store.counts()
    assert before["claims"] == 2 and before["counts"] == 2
    assert raid_store.store_article(article, events, analysis=analysis) == "skipped"
    copy = article.model_copy(update={"id": "mirror", "url": "https://mirror.example/raid"})
    assert raid_store.store_article(copy, events, analysis=analysis) == "duplicate"
    after = raid_store.counts()
    assert (after["claims"], after["counts"]) == (2, 2)
    assert after["article_sources"] == before["article_sources"] + 1


def test_a_failing_article_leaves_no_claims_behind(tmp_path, raid):
    article, events, analysis = raid
    with open_store(tmp_path / "t.duckdb") as s:
        with pytest.raises(duckdb.ConstraintException):
            s.store_article(article, [events[0], events[0]], analysis=analysis)
        assert s.counts()["claims"] == 0 and s.counts()["counts"] == 0


def test_claims_and_counts_exports_and_filters(raid_store, store, raid):
    article, events, _ = raid
    buf = io.StringIO()
    assert export.export("claims", raid_store, buf) == 2
    first = json.loads(buf.getvalue().splitlines()[0])
    assert first["id"] == f"{article.id}:0" and first["claimant"]["code"] == "KENCOP"
    assert first["article"]["published"] == "2024-05-14"
    assert first["article"]["url"] == "https://ledger.example/raid"
    assert first["event"] == next(e.id for e in events if e.cameo.code == "181")
    buf = io.StringIO()
    assert export.export("counts", raid_store, buf) == 2
    killed = json.loads(buf.getvalue().splitlines()[1])
    assert (killed["category"], killed["low"], killed["high"]) == ("killed", 14, 14)
    assert [h["kind"] for h in killed["hedges"]] == ["number", "source"]

    def n_claims(**kw) -> int:
        return len(queries.claims(raid_store, queries.make_filter(**kw)))

    assert n_claims() == 2 and n_claims(country="KEN") == 2
    assert n_claims(country="KENCOP") == 1
    assert n_claims(country="SOM") == 1  # through the linked event's militants
    assert n_claims(event="181") == 1 and n_claims(event="ACCUSE") == 0
    assert n_claims(since="2024-05-15") == 0 and n_claims(until="2024-05-14") == 2
    assert len(queries.counts(raid_store, queries.make_filter(dyad="SOM,NGO"))) == 1
    # a store whose articles were stored without an analysis exports nothing
    assert export.export("claims", store, io.StringIO()) == 0


def test_migrating_a_version_2_store_keeps_its_rows_and_adds_claims(tmp_path, coded, raid):
    path = tmp_path / "v2.duckdb"
    con = duckdb.connect(str(path))
    con.execute("CREATE TABLE schema_version (version INTEGER PRIMARY KEY, applied TIMESTAMP)")
    for number, statements in enumerate(MIGRATIONS[:2], start=1):
        for sql in statements:
            con.execute(sql).fetchall()
        con.execute("INSERT INTO schema_version VALUES (?, current_timestamp)", [number])
    old, old_events = coded[0]
    con.execute(
        "INSERT INTO articles (id, published, text_hash, text) VALUES (?, ?, ?, ?)",
        [old.id, old.published, text_hash(old.text), old.text],
    )
    con.execute("INSERT INTO events (id, article_id) VALUES (?, ?)", [old_events[0].id, old.id])
    con.close()
    with open_store(path) as s:
        assert s.schema_version() == len(MIGRATIONS) >= 4
        assert s.counts()["articles"] == 1 and s.counts()["events"] == 1
        assert s.counts()["claims"] == 0 and s.claims().empty
        assert s.store_article(old, old_events) == "skipped"  # known from version 2
        article, events, analysis = raid
        assert s.store_article(article, events, analysis=analysis) == "stored"
        assert len(s.claims()) == 2 and len(s.casualty_counts()) == 2


def test_a_commitment_is_stored_with_the_event_it_is_about(tmp_path, coder):
    article = make_article("date 2024-03-05\nEthiopia promised to release Eritrean prisoners.")
    events = coder.code_article(article)
    with open_store(tmp_path / "promise.duckdb") as s:
        s.store_article(article, events, item="promise")
        rows = s._q("SELECT cameo_code, about_event, id FROM events ORDER BY cameo_code")
    by_code = {code: (about, id_) for code, about, id_ in rows}
    assert by_code["0353"][0] == by_code["0841"][1]


# --- GDELT export: dates, one row per actor pair, ActionGeo --------------------------------------

COMPOUND = (
    "date 2024-12-31\nChile accused Peru and Bolivia of violating the border treaty in Arica.",
    "date 2024-06-02\nMexican troops clashed with smugglers near El Paso, Texas on Sunday. Texas "
    "police arrested ten Mexican smugglers in Texas.",
)


def test_fraction_date_is_the_share_of_the_year_and_stays_in_its_year():
    from datetime import date, timedelta

    from detente.store.gdelt import fraction_date

    assert fraction_date(date(2025, 1, 1)) == 2025.0
    assert 2024.99 < fraction_date(date(2024, 12, 31)) < 2025.0
    assert 2023.99 < fraction_date(date(2023, 12, 31)) < 2024.0
    days = [date(2024, 1, 1) + timedelta(days=n) for n in range(400)]
    values = [fraction_date(d) for d in days]
    assert values == sorted(values) and len(set(values)) == len(values)  # leap day included


@pytest.fixture(scope="module")
def compound(coder):
    return [(a, coder.code_article(a)) for a in map(make_article, COMPOUND)]


def test_gdelt_gives_one_row_per_source_target_pair_with_action_geo(tmp_path, compound):
    with open_store(tmp_path / "g.duckdb") as s:
        for article, events in compound:
            s.store_article(article, events)
        frame = export.gdelt_frame(s)
        again = export.gdelt_frame(s)
    assert list(frame["GlobalEventID"]) == list(again["GlobalEventID"])  # deterministic
    assert frame["GlobalEventID"].is_unique
    accuse = frame[frame["EventCode"] == "112"]
    assert len(accuse) == 2 and set(accuse["Actor1Code"]) == {"CHL"}
    assert sorted(accuse["Actor2Code"]) == ["BOL", "PER"]
    row = accuse.iloc[0]
    assert (row["Day"], row["FractionDate"]) == ("20241231", "2024.9973")
    assert row["ActionGeo_Type"] == 4 and row["ActionGeo_FullName"] == "Arica"
    # FIPS 10-4 as GDELT uses, not ISO: Chile is CI
    assert (row["ActionGeo_CountryCode"], row["ActionGeo_ADM1Code"]) == ("CI", "CI16")
    assert row["ActionGeo_FeatureID"].startswith("GN") and row["ActionGeo_Lat"] < -18
    by_place = {r["ActionGeo_FullName"]: r for r in frame.to_dict("records")}
    texas, mexico = by_place["Texas"], by_place["Mexico"]
    assert (texas["ActionGeo_Type"], texas["ActionGeo_CountryCode"]) == (2, "US")
    assert texas["ActionGeo_ADM1Code"] == texas["ActionGeo_FeatureID"] == "USTX"
    assert (mexico["ActionGeo_Type"], mexico["ActionGeo_CountryCode"]) == (1, "MX")
    assert mexico["ActionGeo_ADM1Code"] == mexico["ActionGeo_FeatureID"] == "MX"
    buf = io.StringIO()
    with open_store(tmp_path / "g.duckdb") as s:
        assert export.export("gdelt", s, buf) == len(frame)
    assert all(len(line.split("\t")) == 61 for line in buf.getvalue().splitlines())


PLOVER_FIELDS = {
    "id", "has_event", "date", "source", "recipient", "event", "mode", "context", "event_loc",
    "event_text", "quad_code", "event_scale", "text", "text_info", "cite_info", "coder",
}  # fmt: skip


def test_plover_records_use_the_specification_names_and_the_event_date(tmp_path, coder):
    text = (
        "date 2024-06-14\nChile accused Peru on Monday of violating the border treaty. The "
        "dispute began when Bolivia attacked Peru."
    )
    article = make_article(text, url="https://w.example/chile", source="Wire")
    with open_store(tmp_path / "p.duckdb") as s:
        s.store_article(article, coder.code_article(article))
        records = list(export.plover_records(s, queries.make_filter(modalities=None)))
    accuse = next(r for r in records if r["cameo"].startswith("11"))
    assert set(accuse) >= PLOVER_FIELDS and not {"target", "event_type", "event_date"} & set(accuse)
    assert accuse["date"] == "2024-06-10"  # the event's Monday, not the publication date
    assert accuse["cite_info"]["published"] == "2024-06-14"
    assert accuse["cite_info"]["publication"] == "Wire" and accuse["coder"].startswith("detente")
    assert [a["code"] for a in accuse["recipient"]] == ["PER"]
    assert accuse["source"][0]["actor_text"] == "Chile"
    background = [r for r in records if r["date_method"] == "historical"]
    assert background and all(r["date"] is None for r in background)  # not the publication date


# --- a store held by another process ---------------------------------------------------------

_HOLDER = """
import sys
from detente.store.db import open_store
store = open_store(sys.argv[1])
print("held", flush=True)
sys.stdin.readline()
store.close()
print("released", flush=True)
sys.stdin.readline()
"""


def test_a_reader_waits_while_another_process_holds_the_store_then_reads(tmp_path):
    import os
    import subprocess
    import sys

    from detente.store.db import StoreBusy

    path = tmp_path / "held.duckdb"
    open_store(path).close()
    child = subprocess.Popen(
        [sys.executable, "-c", _HOLDER, str(path)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env=dict(os.environ),
    )
    said: list[str] = []

    def release(message: str) -> None:  # told once, when the wait begins
        said.append(message)
        child.stdin.write("\n")
        child.stdin.flush()

    try:
        assert child.stdout.readline().strip() == "held"
        with pytest.raises(StoreBusy, match="store in use"):
            open_store(path, read_only=True, wait=0)
        with open_store(path, read_only=True, wait=60, on_wait=release) as s:
            assert s.schema_version() == len(MIGRATIONS)
        assert len(said) == 1 and "store in use" in said[0] and "waiting" in said[0]
    finally:
        child.kill()
        child.wait()
