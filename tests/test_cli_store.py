"""The store commands run through Typer's runner: ingest, events, dyads, claims, counts, export."""

from __future__ import annotations

import json

import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from detente.cli import app

pytestmark = pytest.mark.model  # the spaCy model, loaded without the `coder` fixture

OSLO = (
    "date 2024-03-05\nNorway's foreign minister met the Iranian ambassador in Oslo on Tuesday. "
    "Iran accused Norway of interfering in its courts."
)
RAID = (
    "date 2024-02-14\nKenyan police said that Somali militants abducted two aid workers near "
    "Mandera on Monday. Officials in Kenya said at least 14 people were killed in the raid."
)


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    root = tmp_path_factory.mktemp("cli")
    (root / "in").mkdir()
    (root / "in" / "oslo.txt").write_text(OSLO)
    (root / "in" / "raid.txt").write_text(RAID)
    (root / "in" / "empty.txt").write_text("")
    row = {"body": "Chile praised Peru for the new trade accord.", "link": "https://w.example/c"}
    (root / "in" / "dump.jsonl").write_text(json.dumps(row) + "\n")
    path = str(root / "cli.duckdb")
    fields = ["--field", "text=body", "--field", "url=link"]
    result = CliRunner().invoke(app, ["ingest", str(root / "in"), "--db", path, *fields])
    assert result.exit_code == 1, result.output  # one bad input
    assert "stored 3 articles" in result.stdout and "3 claims, 2 counts" in result.stdout
    assert "empty.txt" in result.stderr and "empty text" in result.stderr
    again = CliRunner().invoke(app, ["ingest", str(root / "in" / "oslo.txt"), "--db", path])
    assert again.exit_code == 0 and "skipped 1 already stored" in again.stdout
    return path


def test_events_and_dyads(db):
    runner = CliRunner()
    events = runner.invoke(app, ["events", "--db", db, "--dyad", "NOR,IRN"])
    assert events.exit_code == 0, events.output
    assert "NORGOV" in events.stdout and "IRNGOV" in events.stdout and "1 rows" in events.stdout
    dyads = runner.invoke(app, ["dyads", "--db", db, "--by", "week"])
    assert dyads.exit_code == 0, dyads.output
    assert "2024-03-04" in dyads.stdout  # the Monday of that week
    bad = runner.invoke(app, ["dyads", "--db", db, "--by", "fortnight"])
    assert bad.exit_code == 2


def test_exports(db, tmp_path):
    runner = CliRunner()
    out = runner.invoke(app, ["export", "--format", "plover", "--db", db, "--event", "ACCUSE"])
    assert out.exit_code == 0, out.output
    records = [json.loads(line) for line in out.stdout.splitlines()]
    assert {e for r in records for e in r["event"]} == {"ACCUSE"}
    record = next(r for r in records if r["cameo"] == "112")
    assert record["source"][0]["code"] == "IRN" and record["recipient"][0]["code"] == "NOR"
    pq_path = tmp_path / "e.parquet"
    res = runner.invoke(app, ["export", "-f", "parquet", "--db", db, "--out", str(pq_path)])
    assert res.exit_code == 0 and pq.read_table(pq_path).num_rows >= 2
    assert runner.invoke(app, ["export", "-f", "parquet", "--db", db]).exit_code == 2
    tsv = runner.invoke(app, ["export", "-f", "gdelt", "--db", db, "--since", "2024-03-06"])
    assert tsv.exit_code == 0 and tsv.stdout == ""


def test_claims_and_counts_export_and_listing(db, tmp_path):
    runner = CliRunner()
    out = runner.invoke(app, ["export", "-f", "claims", "--db", db, "--country", "KEN"])
    assert out.exit_code == 0, out.output
    claims = [json.loads(line) for line in out.stdout.splitlines()]
    assert [(c["claimant"]["code"], c["cue"]) for c in claims] == [
        ("KENCOP", "said"),
        ("KEN", "said"),
    ]
    assert claims[0]["event"] and claims[0]["article"]["published"] == "2024-02-14"
    path = tmp_path / "counts.jsonl"
    res = runner.invoke(app, ["export", "-f", "counts", "--db", db, "--out", str(path)])
    assert res.exit_code == 0 and "2 counts written" in res.stderr
    counts = [json.loads(line) for line in path.read_text().splitlines()]
    assert [(c["category"], c["low"], c["claimant"]["code"]) for c in counts] == [
        ("abducted", 2, "KENCOP"),
        ("killed", 14, "KEN"),
    ]
    assert [h["text"] for h in counts[1]["hedges"]] == ["at least"]
    listing = runner.invoke(app, ["claims", "--db", db, "--event", "181"])
    assert listing.exit_code == 0, listing.output
    assert "KENCOP" in listing.stdout and "181 abducted" in listing.stdout
    assert "1 rows" in listing.stdout
    listing = runner.invoke(app, ["counts", "--db", db])
    assert listing.exit_code == 0 and "at least" in listing.stdout and "2 rows" in listing.stdout


def test_bad_field_option_is_a_usage_error(tmp_path):
    res = CliRunner().invoke(app, ["ingest", str(tmp_path), "--field", "body"])
    assert res.exit_code == 2


def test_missing_store_is_a_usage_error(tmp_path):
    res = CliRunner().invoke(app, ["events", "--db", str(tmp_path / "none.duckdb")])
    assert res.exit_code == 2 and "detente ingest" in res.stderr


def test_ingest_of_the_store_folder_skips_its_files_and_listings_show_event_dates(tmp_path):
    (tmp_path / "wire.txt").write_text(
        "date 2024-03-08\nNorway's foreign minister met the Iranian ambassador on Tuesday. "
        "Iran will not negotiate with Norway, the ministry said."
    )
    db = str(tmp_path / "detente.duckdb")
    runner = CliRunner()
    for _ in range(2):  # the second run finds detente.duckdb (and its .wal, .lock) in the folder
        result = runner.invoke(app, ["ingest", str(tmp_path), "--db", db])
        assert result.exit_code == 0, result.output
        assert "failed 0" in result.stdout and "detente.duckdb" not in result.stderr
    first = runner.invoke(app, ["ingest", str(tmp_path / "wire.txt"), "--db", db + ".x"])
    assert "events of every modality" in first.stdout and " asserted" in first.stdout
    assert "--all-modalities" in first.stderr  # the future event is not listed by default
    own = runner.invoke(app, ["ingest", db, "--db", db])
    assert own.exit_code == 1 and "the store's own file" in own.stderr
    listing = runner.invoke(app, ["events", "--db", db])
    assert listing.exit_code == 0, listing.output
    header = listing.stdout.splitlines()[1]
    assert header.index("date") < header.index("published")
    row = next(line for line in listing.stdout.splitlines() if "040" in line)
    assert "2024-03-05" in row and "2024-03-08" in row  # the Tuesday, then the publication
