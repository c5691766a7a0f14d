"""Save (or check) the events detente codes from the throughput benchmark's texts: a speed-up
must leave them identical.

    python bench/sameout.py --save DIR [--realnews FILE.jsonl]
    python bench/sameout.py --check DIR [--realnews FILE.jsonl]

Codes the generated articles of ``bench/throughput.py`` (``--articles`` 200, ``--seed`` 7) and,
with ``--realnews``, its real-news articles, all modalities, and writes one JSON Lines file of
events per input into DIR (``--check`` compares instead and names the first difference).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from throughput import make_articles, realnews_articles


def coded(coder, texts: list[str]) -> list[str]:
    from detente.records import MODALITIES
    from detente.text import make_article

    articles = [make_article(t, article_id=f"a{i}") for i, t in enumerate(texts)]
    return [
        event.model_dump_json()
        for _, events in coder.code_articles(articles, MODALITIES)
        for event in events
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    group = parser.add_mutually_exclusive_group(required=True)
    group.add_argument("--save", type=Path)
    group.add_argument("--check", type=Path)
    parser.add_argument("--articles", type=int, default=200)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--realnews")
    args = parser.parse_args()
    runs = {"generated": make_articles(args.articles, args.seed)}
    if args.realnews:
        runs["realnews"] = realnews_articles(args.realnews, 10_000, args.seed, 20)
    from detente.coding.coder import load_coder
    from detente.settings import Settings

    coder = load_coder(Settings.from_env())
    status = 0
    for name, texts in runs.items():
        lines = coded(coder, texts)
        if args.save:
            args.save.mkdir(parents=True, exist_ok=True)
            (args.save / f"{name}.jsonl").write_text("\n".join(lines) + "\n")
            print(f"{name}: {len(lines)} events saved")
            continue
        before = (args.check / f"{name}.jsonl").read_text().splitlines()
        if before == lines:
            print(f"{name}: identical ({len(lines)} events)")
            continue
        status = 1
        pairs = enumerate(zip(before, lines, strict=False))
        diff = next((i for i, (a, b) in pairs if a != b), None)
        where = min(len(before), len(lines)) if diff is None else diff
        print(f"{name}: CHANGED ({len(before)} -> {len(lines)} events; first at {where})")
        if diff is not None:
            print(f"  before: {before[diff][:400]}\n  after:  {lines[diff][:400]}")
    return status


if __name__ == "__main__":
    sys.exit(main())
