"""Ingest throughput (articles/s) for 1,000 generated articles with 1 and 2 workers, and export
times for GDELT TSV and Parquet. Prints figures; asserts nothing.

    .venv/bin/python bench/ingest.py [N_ARTICLES]
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

from detente.coding.coder import load_coder
from detente.run.batch import ingest
from detente.store.db import open_store
from detente.store.export import export

STATES = ["Norway", "Iran", "Kenya", "Somalia", "Chile", "Peru", "Egypt", "Qatar", "Japan", "Chad"]
LINES = [
    "{a} accused {b} of breaking the fishing accord on {day}.",
    "The foreign minister of {a} met envoys from {b} in the capital.",
    "{b} rejected the proposal, a spokesman said, and {a} criticized the decision.",
    "Officials in {a} praised {b} for releasing the detained crew.",
    "Talks between {a} and {b} will resume next month, diplomats said.",
]


def write_articles(folder: Path, n: int) -> None:
    """``n`` generated articles of three sentences each, in our own wording."""
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        a = STATES[i % len(STATES)]
        b = STATES[(i * 3 + 1) % len(STATES)]
        b = b if b != a else STATES[(i + 5) % len(STATES)]
        day = f"2024-{i % 12 + 1:02d}-{i % 28 + 1:02d}"
        body = " ".join(LINES[(i + k) % len(LINES)] for k in range(3)).format(a=a, b=b, day=day)
        (folder / f"a{i:05d}.txt").write_text(f"date {day}\n{body} Report {i}.")


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    coder = load_coder()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        write_articles(root / "in", n)
        db = None
        for workers in (1, 2):
            db = root / f"w{workers}.duckdb"
            with open_store(db) as store:
                start = time.perf_counter()
                summary = ingest([str(root / "in")], store, coder, workers=workers)
                took = time.perf_counter() - start
            print(
                f"ingest, {workers} worker(s): {summary.stored} articles, {summary.events} events"
                f" in {took:.1f} s = {summary.stored / took:.1f} articles/s"
                + (" (includes worker start-up: each loads the model)" if workers > 1 else "")
            )
        with open_store(db) as store:
            for fmt, name in (("gdelt", "events.tsv"), ("parquet", "events.parquet")):
                start = time.perf_counter()
                rows = export(fmt, store, root / name)
                took = time.perf_counter() - start
                print(f"export {fmt}: {rows} events in {took * 1000:.0f} ms")


if __name__ == "__main__":
    main()
