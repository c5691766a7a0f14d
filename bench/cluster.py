"""Cluster ingest throughput: articles/s with 1 and 2 Dask workers on the same inputs.

    python bench/cluster.py [--articles 480] [--shards 16] [--seed 7]

Generates articles from the sentence templates of ``bench/throughput.py`` (our own wording),
writes them as ``--shards`` JSON Lines files, and for 1 then 2 workers: starts a LocalCluster
(processes, one thread each), loads the coder on every worker (not timed), then times
``ingest_dataset`` into a fresh dataset. Prints per run: articles/s of the coding on the
cluster (wall clock, first task submitted to last part file written), the index step on the
client (screening and folding, in input order) on its own, peak RSS per worker process (from
each shard's marker), the shards' CPU time (articles per CPU-second: what one free core would
do, whatever else runs on the machine), and the load average before and after (the machine may
be shared). Then the ratio 2 workers / 1 worker. Not a test: figures only.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from throughput import make_articles

from detente.run.cluster import cluster, ingest_dataset
from detente.settings import Settings
from detente.store.dataset import done_shards


def write_inputs(folder: Path, n: int, shards: int, seed: int) -> int:
    texts = make_articles(n, seed)
    folder.mkdir(parents=True, exist_ok=True)
    words = 0
    for k in range(shards):
        with open(folder / f"part{k:03d}.jsonl", "w", encoding="utf-8") as f:
            for i in range(k, n, shards):
                day = f"2024-{i % 12 + 1:02d}-{i % 28 + 1:02d}"
                f.write(json.dumps({"id": f"a{i:05d}", "text": texts[i], "published": day}) + "\n")
                words += len(texts[i].split())
    return words


def run(workers: int, inputs: Path, out: Path, settings: Settings) -> dict:
    load_before = os.getloadavg()
    with cluster(None, workers, settings) as client:
        from detente.run.cluster import CoderPlugin, plugin_name, warm_worker

        started = time.perf_counter()
        client.register_plugin(CoderPlugin(settings), name=plugin_name(settings))
        client.run(warm_worker, plugin_name(settings))
        warm = time.perf_counter() - started
        t0 = time.perf_counter()
        summary = ingest_dataset([str(inputs)], out, client=client, settings=settings)
        total = time.perf_counter() - t0
    load_after = os.getloadavg()
    markers = done_shards(out).values()
    rss: dict[int, float] = {}
    for m in markers:
        rss[m["pid"]] = max(rss.get(m["pid"], 0.0), m["rss_mb"])
    wall = sum(m["seconds"] for m in markers)
    cpu = sum(m["cpu_seconds"] for m in markers)
    return {
        "workers": workers,
        "articles": summary.stored,
        "events": summary.events,
        "coder_load_s": round(warm, 1),
        "coding_s": round(summary.seconds, 2),
        "articles_per_s": round(summary.stored / summary.seconds, 2),
        "task_seconds": round(wall, 2),  # the shards' own wall time, summed over workers
        "task_cpu_seconds": round(cpu, 2),  # their CPU time: what the load does not change
        "articles_per_cpu_s": round(summary.stored / cpu, 2),
        "index_s": round(total - summary.seconds, 2),
        "index_articles_per_s": round(summary.stored / max(total - summary.seconds, 1e-9), 1),
        "peak_rss_mb_per_worker": sorted(rss.values()),
        "load_before": [round(x, 2) for x in load_before],
        "load_after": [round(x, 2) for x in load_after],
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--articles", type=int, default=480)
    ap.add_argument("--shards", type=int, default=16)
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args()
    settings = Settings.from_env()
    with tempfile.TemporaryDirectory() as tmp:
        inputs = Path(tmp) / "inputs"
        words = write_inputs(inputs, args.articles, args.shards, args.seed)
        print(f"{args.articles} articles ({words} words) in {args.shards} shards; cores:"
              f" {os.cpu_count()}")  # fmt: skip
        results = [run(w, inputs, Path(tmp) / f"ds{w}", settings) for w in (1, 2)]
    for r in results:
        print(json.dumps(r))
    one, two = results
    print(
        f"articles/s: 1 worker {one['articles_per_s']}, 2 workers {two['articles_per_s']},"
        f" ratio {two['articles_per_s'] / one['articles_per_s']:.2f};"
        f" peak RSS per worker {max(one['peak_rss_mb_per_worker'] + two['peak_rss_mb_per_worker'])}"
        f" MB; load average before the 2-worker run {two['load_before'][0]};"
        f" articles per CPU-second {one['articles_per_cpu_s']} (1), {two['articles_per_cpu_s']} (2)"
    )


if __name__ == "__main__":
    main()
