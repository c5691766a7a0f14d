"""Ingest into a store that already holds events: the stage clock, and the lookups that find
what a new article needs by index (real DuckDB files; the figures are bench/incremental.py's)."""

from __future__ import annotations

import time

from detente.knowledge.samples import sample_articles
from detente.run.batch import ingest
from detente.store.db import StageClock, open_store

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
