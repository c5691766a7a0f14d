"""Stories benchmark: coding time saved by reprint groups, and the cost of folding a batch of
new articles into a large store.

    python bench/stories.py [--events 1000000] [--db FILE] [--rounds 3]

1. Reprints, on real-shaped input: the bundled sample articles, each also as three other
   outlets carried it (an added comma, an added credit line, a changed headline over the same
   text), ingested into a fresh store. Prints the ingest time, what was stored, screened out as
   reprints and counted as exact copies, and the coding time the reprint groups saved: the time
   the same coder takes to code the articles that were screened out (measured by coding them).
2. Folding at scale: a store of ``--events`` synthetic events (``detente.store.synthetic``),
   each its own folded event, then the samples stored again under new ids, a batch at a time:
   folded before they are inserted (``Store.store_articles(fold=...)``, what ingest does) and,
   for comparison, stored unfolded and folded after (``fold_pending``, what a store filled
   before folding needs). Prints the time of each, best of ``--rounds``.
Not a test: figures only.
"""

from __future__ import annotations

import argparse
import functools
import tempfile
import time
from pathlib import Path

print = functools.partial(print, flush=True)  # figures as they come

CREDIT = "\nAdditional reporting by Ana Ruiz; editing by Tom Hale."


def variants(article, make_article):
    """Three other outlets' copies of ``article``: an added comma, a credit line, a new title."""
    text = article.text
    comma = text.replace(" said", ", said", 1) if " said" in text else text + ","
    out = []
    for n, (body, title) in enumerate(
        ((comma, article.title), (text + CREDIT, article.title), (text, f"{article.title}!"))
    ):
        out.append(
            make_article(
                body,
                url=f"https://outlet{n}.example/{article.id}",
                source=f"Outlet {n}",
                title=title,
                published=article.published,
            )
        )
    return out


def renamed(articles, make_article, round_no: str):
    """The samples under new ids and texts (so that none is known to the store)."""
    return [
        make_article(
            f"{a.text}\nUpdate {round_no}.",
            article_id=f"{a.id}-r{round_no}",
            title=a.title,
            published=a.published,
            source=a.source,
        )
        for a in articles
    ]


def reprints(coder) -> None:
    from detente.knowledge.samples import sample_articles
    from detente.run.batch import ingest
    from detente.store.db import open_store
    from detente.text import make_article

    samples = sample_articles()
    copies = [v for a in samples for v in variants(a, make_article)]
    with tempfile.TemporaryDirectory() as tmp:
        with open_store(Path(tmp) / "originals.duckdb") as store:
            start = time.perf_counter()
            ingest(samples, store, coder)
            originals = time.perf_counter() - start
        with open_store(Path(tmp) / "reprints.duckdb") as store:
            start = time.perf_counter()
            summary = ingest([*samples, *copies], store, coder)
            both = time.perf_counter() - start
    near = [c for c in copies if c.source != "Outlet 2"]  # the comma and credit line copies
    start = time.perf_counter()
    list(coder.code_articles(near))
    saved = time.perf_counter() - start
    print(
        f"reprints: {len(samples)} samples + {len(copies)} copies (comma, credit line, new"
        f" headline) ingested in {both:.2f} s ({originals:.2f} s for the samples alone):"
        f" {summary.stored} stored, {summary.reprints} reprints,"
        f" {summary.duplicates + summary.skipped} exact copies"
    )
    overhead = both - originals
    print(
        f"  coding the {len(near)} near copies (not coded: reprints) would take {saved:.2f} s;"
        f" screening and recording all {len(copies)} copies took {overhead:.2f} s:"
        f" {saved - overhead:.2f} s saved ({(saved - overhead) / (both + saved - overhead):.0%}"
        " of the ingest without reprint groups)"
    )


def folding(coder, args) -> None:
    from detente.knowledge.samples import sample_articles
    from detente.run.stories import Folder, fold_pending
    from detente.settings import Settings
    from detente.store.db import open_store
    from detente.store.synthetic import fill, fold_each
    from detente.text import make_article

    settings = Settings()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(args.db or Path(tmp) / "stories.duckdb")
        store = open_store(path)
        store.con.execute(f"SET memory_limit = '{args.memory}'")
        if store.con.execute("SELECT count(*) FROM events").fetchone()[0] == 0:
            start = time.perf_counter()
            fill(store, args.events, folded=True)
            fold_each(store)
            print(
                f"filled and folded {args.events:,} events in {time.perf_counter() - start:.0f} s"
            )
        n = store.con.execute("SELECT count(*) FROM stories").fetchone()[0]
        samples = sample_articles()
        rounds = {}
        # fold_pending first: the mentions stored unfolded after it stay pending
        for name in ("stored, then fold_pending", "stored, not folded", "folded before insert"):
            times = []
            for r in range(args.rounds):
                articles = renamed(samples, make_article, f"{time.time_ns()}-{r}")
                items = [(a, ev, None, None) for a, ev in coder.code_articles(articles)]
                start, cpu = time.perf_counter(), time.process_time()
                if name.startswith("folded"):
                    folder = Folder(store, settings)
                    store.store_articles(items, fold=folder)
                    mentions = folder.folded
                elif name.endswith("not folded"):
                    store.store_articles(items)
                    mentions = sum(len(ev) for _, ev, _, _ in items)
                else:
                    store.store_articles(items)
                    mentions = fold_pending(store, settings)
                times.append((time.perf_counter() - start, time.process_time() - cpu))
            rounds[name] = (min(times), mentions)
        for name, ((wall, cpu), mentions) in rounds.items():
            print(
                f"folding into {n:,} stories: {len(samples)} articles, {mentions} mentions"
                f" {name}: {wall * 1000:.0f} ms ({cpu * 1000:.0f} ms CPU) to store and fold"
            )
        store.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--db", help="store file for the folding part (default: a temporary one)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--memory", default="4GB", help="DuckDB memory_limit")
    parser.add_argument("--no-fold", action="store_true", help="only the reprint figures")
    args = parser.parse_args()

    from detente.coding.coder import load_coder
    from detente.knowledge.samples import sample_articles

    coder = load_coder()
    list(coder.code_articles(sample_articles()[:1]))  # the model loaded and warm
    reprints(coder)
    if not args.no_fold:
        folding(coder, args)


if __name__ == "__main__":
    main()
