"""Incremental ingest benchmark: the same batch of articles ingested into an empty store and into
a store already holding ``--events`` synthetic events, stage by stage.

    python bench/incremental.py [--events 2000000] [--articles 200] [--db FILE] [--rounds 1]

The big store is filled by ``detente.store.synthetic.fill`` (ten events an article, each article
with its source row and a reprint sketch, as ingest keeps them) and every event made a folded event
of its own (``fold_each``), so the store looks like one that ingest filled. The batch: the bundled
samples, three other outlets' copies of each (an added comma, a credit line, a new headline: two
are reprints, one an exact copy of the text) and ``--articles`` generated articles
(``bench/ingest.py``'s), ingested by ``detente.run.batch.ingest`` with one coding process. Prints
for each store the articles/s (every article seen: stored, reprint or copy) and the seconds of each
stage of ``IngestSummary.seconds`` (code, screen: copies and reprints, store, fold, series), wall
time, and the CPU time of the whole ingest (every thread of this process: it moves less than wall
time on a shared machine); then the ratio big / empty of each. With ``--db FILE`` the filled store
is kept in FILE (filled if it has no events) and each round ingests into a copy of it. Not a test:
figures only; the machine's load average is printed with them.
"""

from __future__ import annotations

import argparse
import functools
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))  # bench/ingest.py, bench/stories.py

from ingest import write_articles
from stories import variants

print = functools.partial(print, flush=True)  # figures as they come
STAGES = ("code", "screen", "store", "fold", "series")


def fill_store(path: Path, events: int, memory: str) -> None:
    """A store of ``events`` synthetic events, each folded on its own, with documents."""
    from detente.settings import Settings
    from detente.store.db import open_store
    from detente.store.synthetic import fill, fold_each
    from detente.stories.reprints import bands

    settings = Settings()
    b, _ = bands(settings.reprint_threshold, settings.reprint_perms)
    with open_store(path) as store:
        store.con.execute(f"SET memory_limit = '{memory}'")
        if store.con.execute("SELECT count(*) FROM events").fetchone()[0]:
            return
        start = time.perf_counter()
        fill(store, events, folded=True, documents=(settings.reprint_perms, b))
        fold_each(store)
        store.con.execute("CHECKPOINT")
    print(f"filled and folded {events:,} events in {time.perf_counter() - start:.0f} s")


def batch(folder: Path, n: int) -> list:
    """The samples, three outlets' copies of each, and the generated articles' folder."""
    from detente.knowledge.samples import sample_articles
    from detente.text import make_article

    write_articles(folder, n)
    samples = sample_articles()
    return [*samples, *(v for a in samples for v in variants(a, make_article)), str(folder)]


def run(path: Path, inputs: list, coder, memory: str) -> dict:
    from detente.run.batch import ingest
    from detente.store.db import open_store

    with open_store(path) as store:
        store.con.execute(f"SET memory_limit = '{memory}'")
        events = store.con.execute("SELECT count(*) FROM events").fetchone()[0]
        start, cpu = time.perf_counter(), time.process_time()
        summary = ingest(inputs, store, coder)
        wall, cpu = time.perf_counter() - start, time.process_time() - cpu
    return {"events_before": events, "wall": wall, "cpu": cpu, "summary": summary}


def show(name: str, r: dict) -> None:
    s = r["summary"]
    stages = ", ".join(f"{k} {s.seconds.get(k, 0.0):.2f}" for k in STAGES)
    print(
        f"{name} ({r['events_before']:,} events): {s.seen} articles ({s.stored} stored,"
        f" {s.reprints} reprints, {s.duplicates + s.skipped} copies; {s.events} events,"
        f" {s.folded} folded) in {r['wall']:.2f} s ({r['cpu']:.2f} s CPU) ="
        f" {s.seen / r['wall']:.1f} articles/s;"
        f" seconds: {stages}; other {r['wall'] - sum(s.seconds.values()):.2f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=2_000_000)
    parser.add_argument("--articles", type=int, default=200, help="generated articles")
    parser.add_argument("--db", help="keep the filled store in this file (copied each round)")
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--memory", default="4GB", help="DuckDB memory_limit")
    args = parser.parse_args()

    from detente.coding.coder import load_coder
    from detente.knowledge.samples import sample_articles

    coder = load_coder()
    list(coder.code_articles(sample_articles()[:1]))  # the model loaded and warm
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        filled = Path(args.db) if args.db else root / "filled.duckdb"
        fill_store(filled, args.events, args.memory)
        inputs = batch(root / "generated", args.articles)
        for n in range(args.rounds):
            print(f"round {n + 1}: load average {os.getloadavg()[0]:.2f}")
            empty = run(root / f"empty{n}.duckdb", inputs, coder, args.memory)
            show("empty store", empty)
            shutil.copy(filled, root / f"big{n}.duckdb")
            big = run(root / f"big{n}.duckdb", inputs, coder, args.memory)
            show("big store  ", big)
            e, b = empty["summary"], big["summary"]
            ratios = ", ".join(
                f"{k} {b.seconds.get(k, 0.0) / max(e.seconds.get(k, 0.0), 1e-9):.2f}"
                for k in STAGES
            )
            print(
                f"ratio big / empty: wall {big['wall'] / empty['wall']:.2f}, CPU"
                f" {big['cpu'] / empty['cpu']:.2f}; articles/s"
                f" {(b.seen / big['wall']) / (e.seen / empty['wall']):.2f}; {ratios}"
            )
            for p in (root / f"empty{n}.duckdb", root / f"big{n}.duckdb"):
                p.unlink()


if __name__ == "__main__":
    main()
