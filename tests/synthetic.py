"""Synthetic events (no spaCy model) for the series and alert tests: records built directly."""

from __future__ import annotations

from datetime import date, timedelta

from detente.records import Actor, Article, Cameo, CoderInfo, Event, Plover, Sentence, TextSpan

# CAMEO code -> (root, Goldstein, QuadClass, PLOVER type)
CODES = {
    "010": ("01", 0.0, 1, "OTHER"),
    "040": ("04", 1.0, 1, "CONSULT"),
    "061": ("06", 6.4, 2, "COOPERATE"),
    "111": ("11", -2.0, 3, "ACCUSE"),
    "190": ("19", -10.0, 4, "ASSAULT"),
}
START = date(2023, 1, 2)  # a Monday


def actor(code: str) -> Actor:
    return Actor(text=code, start=0, end=len(code), code=code, country=code[:3], kind="state")


def event(article: Article, n: int, code: str, source: list[str], target: list[str]) -> Event:
    root, goldstein, quad, plover = CODES[code]
    text = f"{' and '.join(source)} did {code} to {' and '.join(target)}."
    return Event(
        id=f"{article.id}-{n}",
        article=article,
        sentence=Sentence(index=n, text=text, start=0, end=len(text)),
        trigger=TextSpan(text="did", start=0, end=3),
        cameo=Cameo(code=code, root=root, name=code, goldstein=goldstein, quad_class=quad),
        plover=Plover(event=plover),
        source=[actor(s) for s in source],
        target=[actor(t) for t in target],
        dyad="full" if source and target else ("source_only" if source else "target_only"),
        confidence=0.9,
        coder=CoderInfo(version="test"),
    )


def week_articles(
    weekly: list[dict[str, int]], pair: tuple[str, str] = ("RUSGOV", "UKRGOV"), tag: str = "a"
) -> list[tuple[Article, list[Event]]]:
    """One article per week (published on its Wednesday) with ``weekly[i][code]`` events of each
    CAMEO code between ``pair``."""
    out = []
    for week, counts in enumerate(weekly):
        day = START + timedelta(weeks=week, days=2)
        article = Article(id=f"{tag}{week:04d}", published=day, text=f"week {week} {tag}")
        events, n = [], 0
        for code, k in counts.items():
            for _ in range(k):
                events.append(event(article, n, code, [pair[0]], [pair[1]]))
                n += 1
        out.append((article, events))
    return out


def old_store(path, version: int, copied_from, tables: tuple[str, ...]):
    """A store file at schema ``version`` (the first ``version`` migrations run), holding the
    rows of ``tables`` from the store file ``copied_from``; returns the open connection."""
    import duckdb

    from detente.store.migrations import MIGRATIONS

    con = duckdb.connect(str(path))
    con.execute("CREATE TABLE schema_version (version INTEGER PRIMARY KEY, applied TIMESTAMP)")
    for number, statements in enumerate(MIGRATIONS[:version], start=1):
        for sql in statements:
            con.execute(sql)
        con.execute("INSERT INTO schema_version VALUES (?, current_timestamp)", [number])
    con.execute(f"ATTACH '{copied_from}' AS new (READ_ONLY)")
    for table in tables:
        con.execute(f"INSERT INTO {table} SELECT * FROM new.{table}")
    return con
