"""Ingest into a real DuckDB file: mixed inputs, recorded failures, re-ingest, kill -9 resume."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from webfixtures import Silent, Site, page_html, rss, write_warc

from detente.ingest.sources import SourceOptions
from detente.run.batch import ingest
from detente.store.db import open_store

STATES = ["Norway", "Iran", "Kenya", "Somalia", "Chile", "Peru", "Egypt", "Qatar", "Japan"]
VERBS = ["accused", "criticized", "praised", "met"]


def write_articles(folder: Path, n: int) -> None:
    """``n`` short distinct articles of our own wording."""
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        a, b = STATES[i % len(STATES)], STATES[(i * 7 + 3) % len(STATES)]
        if a == b:
            b = STATES[(i + 1) % len(STATES)]
        verb = VERBS[i % len(VERBS)]
        text = (
            f"date 2024-{i % 12 + 1:02d}-{i % 27 + 1:02d}\n"
            f"{a} {verb} {b} on Monday, report number {i} said. "
            f"Officials in {b} declined to comment on item {i}. "
            f"Officials in {a} said {i % 9 + 2} soldiers were wounded."
        )
        (folder / f"a{i:04d}.txt").write_text(text)


@pytest.fixture(scope="module")
def site():
    s = Site()
    yield s
    s.close()


def test_mixed_batch_is_stored_bad_items_recorded_and_reingest_adds_nothing(tmp_path, coder, site):
    docs = tmp_path / "in"
    write_articles(docs / "text", 3)
    (docs / "page.html").write_bytes(page_html("/strike.html"))
    (docs / "empty.txt").write_bytes(b"")
    (docs / "binary.txt").write_bytes(b"\x00\xff\x00" * 30)
    (docs / "nonutf8.txt").write_bytes("Lima protestó.".encode("latin-1"))
    (docs / "broken.html").write_bytes(b"<html><p>x</p")
    rows = [{"text": "Chile praised Peru for the new trade accord.", "url": "https://w.example/1"}]
    (docs / "dump.jsonl").write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    write_warc(docs / "crawl.warc.gz")
    inputs = [str(docs), site.base + "/feed.rss", str(tmp_path / "missing.txt")]
    opts = SourceOptions(allow_private=True, timeout=2)
    with open_store(tmp_path / "s.duckdb") as store:
        first = ingest(inputs, store, coder, options=opts)
        # text x3, jsonl, WARC x2 stored; page.html and the feed's two pages repeat the WARC's
        assert (first.stored, first.duplicates) == (6, 3)
        assert first.events > 0
        failed = {Path(f.item).name: f for f in first.failures}
        assert set(failed) == {"empty.txt", "binary.txt", "nonutf8.txt", "broken.html",
                               "missing.txt"}  # fmt: skip
        errors = store.errors(first.run_id)
        assert len(errors) == 5 and set(errors["stage"]) >= {"read", "extract"}
        assert "UTF-8" in failed["nonutf8.txt"].reason
        counts = store.counts()
        again = ingest(inputs, store, coder, options=opts)
        assert again.stored == 0 and again.events == 0 and again.failed == 5
        assert store.counts() == counts  # nothing added, not even a source row
        # strike.html came as a file, from the WARC and from the feed: one article, 3 sources
        n_sources = store._q(
            "SELECT count(*) FROM article_sources s JOIN articles a ON a.id = s.article_id"
            " WHERE a.text LIKE '%fuel depot%'"
        )[0][0]
        assert n_sources == 3


def test_private_feed_refused_and_silent_url_times_out(tmp_path, coder, site):
    write_articles(tmp_path / "in", 2)
    silent = Silent()
    try:
        with open_store(tmp_path / "s.duckdb") as store:
            summary = ingest(
                [site.base + "/feed.rss", silent.url, str(tmp_path / "in")],
                store,
                coder,
                options=SourceOptions(timeout=0.5),
            )
            errors = store.errors()
    finally:
        silent.close()
    assert summary.stored == 2
    reasons = dict(zip(errors["item"], errors["reason"], strict=True))
    assert "loopback" in reasons[site.base + "/feed.rss"]
    assert "loopback" in reasons[silent.url]  # refused before any connection is tried
    with open_store(tmp_path / "t.duckdb") as store:
        silent = Silent()
        try:
            s2 = ingest(
                [silent.url], store, coder, options=SourceOptions(allow_private=True, timeout=0.5)
            )
        finally:
            silent.close()
    assert "timed out" in s2.failures[0].reason


def test_cli_ingest_published_default_and_no_follow(tmp_path, coder, site):
    from typer.testing import CliRunner

    from detente.cli import app

    feed = tmp_path / "world.rss"
    feed.write_bytes(rss(site.base, ["/talks.html"]).replace(b"<pubDate>", b"<x>").replace(
        b"</pubDate>", b"</x>"))  # fmt: skip
    note = tmp_path / "note.txt"
    note.write_text("Kenya praised Somalia for the border accord, officials said.")
    db = str(tmp_path / "s.duckdb")
    args = ["ingest", str(feed), str(note), "--db", db, "--published", "2024-06-01"]
    result = CliRunner().invoke(app, [*args, "--no-follow"])
    assert result.exit_code == 0, result.output
    assert "stored 2 articles" in result.stdout and "warning" not in result.stderr
    with open_store(db) as store:
        rows = store._q("SELECT text, published FROM articles ORDER BY text")
    assert [str(day) for _, day in rows] == ["2024-06-01", "2024-06-01"]
    assert rows[0][0] == "A short summary only."  # not followed (the link is on loopback)
    bad = CliRunner().invoke(app, [*args[:-1], "June"])
    assert bad.exit_code == 2 and "YYYY-MM-DD" in bad.output


_CHILD = """
import sys
from detente.run.batch import ingest
from detente.store.db import open_store
store = open_store(sys.argv[2])
def progress(s):
    print(s.stored, flush=True)
ingest([sys.argv[1]], store, None, ingest_batch=4, progress=progress)
print("done", flush=True)
"""


def test_kill_9_midway_then_rerun_stores_everything_once(tmp_path, coder):
    docs, n = tmp_path / "in", 220
    write_articles(docs, n)
    db = tmp_path / "killed.duckdb"
    child = subprocess.Popen(
        [sys.executable, "-c", _CHILD, str(docs), str(db)],
        stdout=subprocess.PIPE,
        text=True,
        # the child codes with the same detente as the tests (the tree's src when set)
        env={
            **os.environ,
            "PYTHONPATH": os.pathsep.join(
                filter(None, [str(Path(__file__).parent), os.environ.get("PYTHONPATH")])
            ),
        },
    )
    for line in child.stdout:
        if line.strip().isdigit() and int(line) >= 40:
            os.kill(child.pid, signal.SIGKILL)
            break
    child.wait()
    assert child.returncode == -signal.SIGKILL
    with open_store(db) as store:
        partial = store.counts()["articles"]
        assert 40 <= partial < n
        rest = ingest([str(docs)], store, coder)
        assert rest.stored == n - partial and rest.skipped == partial
        resumed_ids = set(store.events(None)["id"])
        resumed_linked = _claims_and_counts(store)
        assert store.counts()["articles"] == n
        assert store._q("SELECT count(DISTINCT text_hash) FROM articles")[0][0] == n
    with open_store(tmp_path / "whole.duckdb") as store:
        whole = ingest([str(docs)], store, coder)
        whole_ids = set(store.events(None)["id"])
        whole_linked = _claims_and_counts(store)
    assert whole.stored == n
    assert resumed_ids == whole_ids and len(whole_ids) >= n // 2
    # every article's claim and count stored exactly once, killed or not
    assert resumed_linked == whole_linked
    assert len(whole_linked[0]) == whole.claims >= n  # "X accused Y" claims too
    assert len(whole_linked[1]) == whole.counts == n


def _claims_and_counts(store) -> tuple[list, list]:
    claims = store.claims()
    counts = store.casualty_counts()
    return (
        sorted(zip(claims["article_id"], claims["claimant_code"], claims["cue"], strict=True)),
        sorted(zip(counts["article_id"], counts["category"], counts["low"], strict=True)),
    )


def test_two_workers_store_the_same_events(tmp_path, coder):
    write_articles(tmp_path / "in", 6)
    ids = []
    for workers in (1, 2):
        with open_store(tmp_path / f"w{workers}.duckdb") as store:
            summary = ingest([str(tmp_path / "in")], store, coder, workers=workers)
            assert summary.stored == 6
            ids.append((set(store.events(None)["id"]), _claims_and_counts(store)))
    assert ids[0] == ids[1] and ids[0][0] and len(ids[0][1][1]) == 6


_PAUSING = """
import sys
from detente.coding.coder import load_coder
from detente.run.batch import ingest
from detente.store.db import open_store
paused = False
def progress(s):
    global paused
    if not paused and s.stored >= 8:  # between two batches: the store file is released
        paused = True
        print("paused", flush=True)
        sys.stdin.readline()
with open_store(sys.argv[2]) as store:
    s = ingest([sys.argv[1]], store, load_coder(), ingest_batch=4, progress=progress)
print("done", s.stored, s.failed, flush=True)
"""


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "detente.cli", *args],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_readers_run_during_a_long_ingest_and_a_second_writer_is_refused(tmp_path, coder):
    docs, n = tmp_path / "in", 24
    write_articles(docs, n)
    db = docs / "store.duckdb"  # inside the folder ingested: its own files are skipped
    child = subprocess.Popen(
        [sys.executable, "-c", _PAUSING, str(docs), str(db)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert child.stdout.readline().strip() == "paused"
        events = _cli("events", "--db", str(db), "--limit", "3")
        assert events.returncode == 0, events.stderr
        assert "3 rows" in events.stdout
        plover = _cli("export", "-f", "plover", "--db", str(db))
        assert plover.returncode == 0 and plover.stdout.count("\n") >= 4
        second = _cli("ingest", str(docs / "a0000.txt"), "--db", str(db))
        assert second.returncode == 4, second.stderr
        assert "store in use" in second.stderr and "another ingest" in second.stderr
        assert child.poll() is None  # the first ingest is still running
        child.stdin.write("\n")
        child.stdin.flush()
        assert child.stdout.readline().split() == ["done", str(n), "0"]
    finally:
        child.kill()
        child.wait()
    with open_store(db) as store:
        again = ingest([str(docs)], store, coder)
        assert (again.skipped, again.failed, store.counts()["articles"]) == (n, 0, n)
