"""Peak memory and time of ingesting pathological inputs, each in a fresh process: a 1 MB text
with no sentence punctuation, a 200 KB line of country names, and a small .jsonl.gz that
expands to one 300 MB line. Prints figures; asserts nothing.

    .venv/bin/python bench/pathological.py [CASE ...]

Peak RSS includes the spaCy model (the "model only" line shows how much); time is the ingest
alone (reading, coding, storing), after the model is loaded.
"""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
import tempfile
from pathlib import Path

WORDS = "the minister of the republic met envoys from the north to talk about the old border "
COUNTRIES = ["Kenya", "Somalia", "Chile", "Peru", "Norway", "Iran", "Egypt", "Qatar", "Japan"]

CHILD = """
import resource, sys, time
from detente.coding.coder import load_coder
from detente.run.batch import ingest
from detente.store.db import open_store

coder = load_coder()
loaded = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
start = time.perf_counter()
if sys.argv[1] != "-":
    with open_store(sys.argv[2]) as store:
        s = ingest([sys.argv[1]], store, coder)
    print(f"stored {s.stored}, events {s.events}, failed {s.failed}", end="; ")
    for f in s.failures:
        print(f"[{f.stage}: {f.reason[:80]}]", end=" ")
took = time.perf_counter() - start
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(f"peak RSS {peak:,.0f} MB (model loaded {loaded:,.0f} MB), ingest {took:.1f} s")
"""


def no_punctuation(folder: Path) -> Path:
    path = folder / "no_punctuation.txt"
    text = (WORDS * (1_000_000 // len(WORDS) + 1))[:1_000_000]
    path.write_text(text)
    return path


def country_line(folder: Path) -> Path:
    path = folder / "countries.txt"
    words = (COUNTRIES[i % len(COUNTRIES)] for i in range(10**6))
    line, size = [], 0
    for w in words:
        if size >= 200_000:
            break
        line.append(w)
        size += len(w) + 1
    path.write_text(" ".join(line) + "\n")
    return path


def huge_json_line(folder: Path) -> Path:
    path = folder / "huge_line.jsonl.gz"
    chunk = "Kenya praised Somalia " * 50_000  # ~1.1 MB
    with gzip.open(path, "wt", compresslevel=9) as fh:
        fh.write('{"text": "')
        for _ in range(300_000_000 // len(chunk)):
            fh.write(chunk)
        fh.write('"}\n')
        fh.write(json.dumps({"text": "Chile hosted the Peruvian president."}) + "\n")
    return path


CASES = {"none": None, "punct": no_punctuation, "countries": country_line, "jsonl": huge_json_line}


def main(names: list[str]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for name in names or list(CASES):
            make = CASES[name]
            path = make(folder) if make else None
            size = f"{path.stat().st_size:,} bytes" if path else "model only"
            db = folder / f"{name}.duckdb"
            out = subprocess.run(
                [sys.executable, "-c", CHILD, str(path or "-"), str(db)],
                capture_output=True,
                text=True,
                check=False,
            )
            result = out.stdout.strip() or out.stderr.strip().splitlines()[-1]
            print(f"{name:10} {size:>18}: {result}", flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
