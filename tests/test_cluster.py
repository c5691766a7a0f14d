"""The Dask engine (``run/cluster.py``) on a real LocalCluster of 2 worker processes, and the
store over its Parquet dataset (``store/dataset.py``): the same articles, events, stories,
claims and counts as a local ingest of the same inputs; a killed client resumes; a bad shard is
reported while the others finish. One cluster for the module, small inputs."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

pytest.importorskip("distributed")

from detente.ingest.shards import plan
from detente.ingest.sources import SourceOptions
from detente.knowledge.samples import sample_articles
from detente.run.batch import ingest
from detente.run.cluster import cluster, ingest_dataset
from detente.settings import Settings
from detente.store.dataset import attach_file, open_dataset, samples_file
from detente.store.db import StoreError, open_store

pytestmark = pytest.mark.model  # the workers load the spaCy model
SRC = Path(__file__).resolve().parents[1] / "src"

STATES = ["Norway", "Iran", "Kenya", "Somalia", "Chile", "Peru", "Egypt", "Qatar", "Japan"]
LINES = [
    "{a} accused {b} of breaking the fishing accord.",
    "The foreign minister of {a} met envoys from {b} in the capital.",
    "{b} rejected the proposal, a spokesman said, and {a} criticized the decision.",
    "Officials in {a} praised {b} for releasing the detained crew.",
    "Talks between {a} and {b} will resume next month, diplomats said.",
    "Troops from {a} shelled positions held by rebels backed by {b}.",
]
LONG = (
    "Negotiators from Chile and Peru met in Lima on Tuesday to settle the maritime dispute."
    " Chile accused Peru of sending fishing boats into its waters, and Peru rejected the claim."
    " The two foreign ministers agreed to meet again next week, officials in both capitals said."
    " Residents of the coastal towns described long queues at the markets and closed schools."
    " Analysts said the outcome remains uncertain after months of stalemate at sea."
)


def generated(n: int) -> list[dict]:
    """``n`` articles of our own wording over three months, with an exact copy under another
    id, the same id again, a reprint (the long story with a line added) and its original."""
    rows = []
    for i in range(n):
        a, b = STATES[i % 9], STATES[(i + i // 9 + 1) % 9]  # a pair of its own up to 72
        text = " ".join(LINES[(i + k) % len(LINES)] for k in range(3)).format(a=a, b=b)
        day = f"2024-{i % 3 + 1:02d}-{i % 27 + 1:02d}"
        rows.append({"id": f"g{i:03d}", "text": f"{text} Report {i}.", "published": day,
                     "url": f"https://news.example/{i}", "source": f"wire{i % 4}"})  # fmt: skip
    rows.insert(n // 3, {"id": "long", "text": LONG, "published": "2024-02-10", "source": "a"})
    rows.append({**rows[5], "id": "copy-of-5", "url": "https://other.example/5"})
    rows.append({**rows[7], "url": "https://other.example/7"})  # the same id again
    reprint = {"id": "reprint", "text": LONG + " Reporting by the desk.", "source": "b"}
    rows.append({**reprint, "published": "2024-02-11", "url": "https://b.example/x"})
    return rows


def write_jsonl(path: Path, rows: list[dict], bad_line: bool = False) -> Path:
    lines = [json.dumps(r) for r in rows]
    if bad_line:
        lines.insert(len(lines) // 2, '{"id": "broken", "text": ')
    path.write_text("\n".join(lines) + "\n")
    return path


@pytest.fixture(scope="module")
def client():
    with cluster(None, 2, Settings()) as c:
        yield c


SAME = ("stored", "skipped", "duplicates", "reprints", "failed", "events", "folded", "claims")


def local_store(tmp: Path, inputs: list[str], coder, expect=None):
    """A local ingest of ``inputs``; its summary's counts are ``expect``'s."""
    store = open_store(tmp / "local.duckdb")
    summary = ingest(inputs, store, coder)
    store.close()
    if expect is not None:
        assert [getattr(expect, k) for k in SAME] == [getattr(summary, k) for k in SAME]
    return open_store(tmp / "local.duckdb", read_only=True)


def frames(store) -> dict[str, pd.DataFrame]:
    """What the queries read, less the times of storing."""

    def q(sql: str) -> pd.DataFrame:
        return store._df(sql).reset_index(drop=True)

    return {
        "events": store.events(),
        "event_actors": store.event_actors(),
        "articles": q("SELECT * EXCLUDE (stored_at, run_id) FROM articles ORDER BY id"),
        "sentences": q("SELECT * FROM sentences ORDER BY article_id, idx"),
        "claims": store.claims(),
        "counts": store.casualty_counts(),
        "sources": q(
            "SELECT * EXCLUDE (added) FROM article_sources ORDER BY article_id, url, source, item"
        ),
        "stories": q("SELECT * EXCLUDE (date_added) FROM stories ORDER BY id"),
        "errors": q("SELECT item, stage, reason FROM ingest_errors ORDER BY item"),
        "dyads": store.dyads("month"),
        "series": store.series("countries", "week"),
    }


def assert_same(local, dataset) -> None:
    a, b = frames(local), frames(dataset)
    for name in a:
        pd.testing.assert_frame_equal(a[name], b[name], check_dtype=False, obj=name)


def test_samples_and_generated_equal_local_ingest(client, coder, tmp_path):
    samples = samples_file(tmp_path, sample_articles())
    gen = write_jsonl(tmp_path / "generated.jsonl", generated(40), bad_line=True)
    inputs = [samples, str(gen)]
    options = SourceOptions.from_settings(Settings())
    shards, _ = plan(inputs, options, shard_bytes=2500)
    assert len(shards) >= 4  # the generated file is cut into byte ranges
    summary = ingest_dataset(inputs, tmp_path / "ds", client=client, shard_bytes=2500)
    assert summary.coded_shards == len(shards) and summary.failed_shards == 0
    assert (summary.skipped, summary.reprints, summary.failed) == (2, 1, 1)
    with (
        local_store(tmp_path, inputs, coder, summary) as local,
        open_dataset(tmp_path / "ds") as dataset,
    ):
        assert dataset.counts() == local.counts()
        assert local.counts()["events"] > 100
        assert_same(local, dataset)
    # the same through a DuckDB file of views; a re-run codes nothing and changes nothing
    again = ingest_dataset(inputs, tmp_path / "ds", client=client, shard_bytes=2500)
    assert (again.coded_shards, again.done_before, again.stored) == (0, len(shards), 0)
    assert attach_file(tmp_path / "ds", tmp_path / "views.duckdb") == 12 + 41
    with (
        open_store(tmp_path / "local.duckdb", read_only=True) as local,
        open_store(tmp_path / "views.duckdb", read_only=True) as views,
    ):
        assert_same(local, views)
        with pytest.raises(StoreError, match="read-only"):
            ingest(inputs, views, coder)


KILLED = """
import sys
from detente.run.cluster import ingest_dataset
ingest_dataset(sys.argv[3:], sys.argv[2], scheduler=sys.argv[1])
"""


def test_killed_client_resumes(client, coder, tmp_path):
    rows = generated(48)
    folder = tmp_path / "in"
    folder.mkdir()
    for k in range(8):  # eight shards of six articles
        write_jsonl(folder / f"part{k}.jsonl", rows[k * 6 : (k + 1) * 6])
    extra = rows[48:]  # the long story, the copies and the reprint: a ninth shard
    write_jsonl(folder / "part8.jsonl", extra)
    out = tmp_path / "ds"
    env = {**os.environ, "PYTHONPATH": str(SRC)}
    child = subprocess.Popen(
        [sys.executable, "-c", KILLED, client.scheduler_info()["address"], str(out), str(folder)],
        env=env, stderr=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
    )  # fmt: skip
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline and child.poll() is None:
        if len(list((out / "shards").glob("*.json"))) >= 2:
            break
        time.sleep(0.2)
    child.send_signal(signal.SIGKILL)
    child.wait()
    finished = len(list((out / "shards").glob("*.json")))
    assert 2 <= finished < 9
    summary = ingest_dataset([str(folder)], out, client=client)
    assert summary.done_before >= finished and summary.coded_shards == 9 - summary.done_before
    with (
        local_store(tmp_path, [str(folder)], coder, summary) as local,
        open_dataset(out) as dataset,
    ):
        ids = dataset._df("SELECT id FROM articles")["id"]
        assert ids.is_unique and len(ids) == len(rows) - 3  # the copy, the same id, the reprint
        assert_same(local, dataset)


def test_bad_shard_is_reported_and_the_others_finish(client, tmp_path):
    good = write_jsonl(tmp_path / "good.jsonl", generated(6)[:6])
    bad = tmp_path / "bad.jsonl.gz"
    bad.write_bytes(b"\x1f\x8b\x08\x00 this is no gzip stream " * 20)
    text = tmp_path / "note.txt"
    text.write_text("date 2024-05-02\nKenya accused Somalia of breaking the fishing accord.")
    summary = ingest_dataset([str(good), str(bad), str(text)], tmp_path / "ds", client=client)
    assert summary.coded_shards == 3 and summary.stored == 7
    assert [(f.item, f.stage) for f in summary.failures] == [(str(bad), "read")]
    with open_dataset(tmp_path / "ds") as dataset:
        errors = dataset.errors()
        assert errors["item"].tolist() == [str(bad)]
        assert dataset.counts()["articles"] == 7
