"""Pre-aggregated event counts (dyad series): the SQL that keeps them and reads them.

Four tables (migration 8), one per level, each with the same measures at three grains (``day``,
``week``, ``month``; a year is read from months):

- ``series_pairs``: source→target actor-code pairs (an event counts once per code pair, as in
  ``Store.dyads``), with each side's country;
- ``series_country_pairs``: source→target country pairs (once per country pair);
- ``series_countries``: countries (an event counts once per country among its actors);
- ``series_actors``: actor codes (once per code, either role), with the actor's country.

Each row is keyed by grain, period (start day), the level's keys, modality, ``full_dyad``
(both sides known) and ``lead`` (the mention is its folded event's first one, or not folded
yet: the rows with ``lead`` count folded events, all rows count mentions), and holds
``events``, ``statements`` (CAMEO root 01), the four QuadClass counts (``verbal_coop`` without
statements), one ``plover_<type>`` count per PLOVER event type
(``plover_unlisted`` for a type not in ``PLOVER_TYPES``), ``goldstein_sum`` and ``goldstein_n``
(events with a Goldstein value). Rows are deltas: ingest appends the counts of the events it
stores in the same transaction (``delta_inserts``), a delete appends negative ones, and
``compact`` (at the end of an ingest run) folds rows with the same key; every reader sums, so the
tables are exact at every commit. Migration 8 creates and fills the tables with these statements
(``KEYS_V8``), migration 9 adds ``lead`` (``add_lead``): a change to the tables needs a new
migration.
Only the store executes these statements.
"""

from __future__ import annotations

from dataclasses import dataclass

GRAINS = ("day", "week", "month")
# ``lead``: the mention stands for its folded event (it is the story's first mention, or not
# folded yet), so summing the rows with ``lead`` counts each folded event once (migration 9)
EVENT_KEYS = ("modality", "full_dyad", "lead")
KEYS_V8 = ("modality", "full_dyad")  # the keys of migration 8
# the PLOVER event types of codes/plover.yaml (tests/test_series.py checks they agree)
PLOVER_TYPES = (
    "AGREE", "CONSULT", "SUPPORT", "CONCEDE", "COOPERATE", "AID", "RETREAT", "REQUEST", "ACCUSE",
    "REJECT", "THREATEN", "PROTEST", "SANCTION", "MOBILIZE", "COERCE", "ASSAULT", "OTHER",
)  # fmt: skip


def _flag(condition: str) -> str:
    return f"CAST(coalesce({condition}, FALSE) AS INTEGER)"


# each measure of one unit row (an event at one pair, country, ...): summed by every reader
UNIT_MEASURES: dict[str, str] = {
    "events": "1",
    "statements": _flag("cameo_root = '01'"),
    "verbal_coop": _flag("quad_class = 1 AND cameo_root <> '01'"),
    "material_coop": _flag("quad_class = 2"),
    "verbal_conflict": _flag("quad_class = 3"),
    "material_conflict": _flag("quad_class = 4"),
    **{f"plover_{p.lower()}": _flag(f"plover_event = '{p}'") for p in PLOVER_TYPES},
    "plover_unlisted": _flag(f"plover_event NOT IN ({', '.join(repr(p) for p in PLOVER_TYPES)})"),
    "goldstein_sum": "goldstein",
    "goldstein_n": _flag("goldstein IS NOT NULL"),
}
MEASURES = tuple(UNIT_MEASURES)
_EVENT_COLS = "e.id, e.published, e.modality, e.full_dyad, e.lead"
_EVENT_VALUES = "any_value(e.cameo_root) AS cameo_root, any_value(e.quad_class) AS quad_class,"
_EVENT_VALUES += " any_value(e.plover_event) AS plover_event, any_value(e.goldstein) AS goldstein"


@dataclass(frozen=True)
class Level:
    table: str
    keys: tuple[str, ...]
    # the rows of one event at this level, from CTE ``e`` (events) and relation {actors}
    units: str


LEVELS: dict[str, Level] = {
    "pairs": Level(
        "series_pairs",
        ("source", "source_country", "target", "target_country"),
        f"SELECT {_EVENT_COLS}, {_EVENT_VALUES}, s.code AS source,"
        " min(s.country) AS source_country, t.code AS target, min(t.country) AS target_country"
        " FROM e JOIN {actors} s ON s.event_id = e.id AND s.role = 'source'"
        " JOIN {actors} t ON t.event_id = e.id AND t.role = 'target'"
        f" GROUP BY {_EVENT_COLS}, s.code, t.code",
    ),
    "country_pairs": Level(
        "series_country_pairs",
        ("source_country", "target_country"),
        f"SELECT {_EVENT_COLS}, {_EVENT_VALUES},"
        " s.country AS source_country, t.country AS target_country"
        " FROM e JOIN {actors} s ON s.event_id = e.id AND s.role = 'source'"
        " JOIN {actors} t ON t.event_id = e.id AND t.role = 'target'"
        f" GROUP BY {_EVENT_COLS}, s.country, t.country",
    ),
    "countries": Level(
        "series_countries",
        ("country",),
        f"SELECT {_EVENT_COLS}, {_EVENT_VALUES}, a.country"
        " FROM e JOIN {actors} a ON a.event_id = e.id WHERE a.country IS NOT NULL"
        f" GROUP BY {_EVENT_COLS}, a.country",
    ),
    "actors": Level(
        "series_actors",
        ("actor", "country"),
        f"SELECT {_EVENT_COLS}, {_EVENT_VALUES}, a.code AS actor,"
        " min(a.country) AS country FROM e JOIN {actors} a ON a.event_id = e.id"
        f" GROUP BY {_EVENT_COLS}, a.code",
    ),
}
_KEY_TYPES = {"full_dyad": "BOOLEAN", "lead": "BOOLEAN"}


def _measure_columns() -> list[str]:
    """The column definitions of the measures (sums of counts; Goldstein's a DOUBLE)."""
    return [f"{m} {'DOUBLE' if m == 'goldstein_sum' else 'BIGINT'}" for m in MEASURES]


def create_tables(keys: tuple[str, ...] = EVENT_KEYS) -> list[str]:
    """The CREATE TABLE statements of the four series tables (event keys ``keys``)."""
    out = []
    for level in LEVELS.values():
        cols = ["grain VARCHAR NOT NULL", "period DATE"]
        cols += [f"{k} VARCHAR" for k in level.keys]
        cols += [f"{k} {_KEY_TYPES.get(k, 'VARCHAR')}" for k in keys]
        cols += _measure_columns()
        out.append(f"CREATE TABLE {level.table} ({', '.join(cols)})")
    return out


def units_sql(level: str, events: str, actors: str) -> str:
    """``WITH e AS (...), u AS (...)``: one row per event and unit (pair, country, actor) of
    ``level``, for the events of relation ``events`` and their actors in ``actors``."""
    return (
        "WITH e AS (SELECT id, published, modality, coalesce(dyad = 'full', FALSE) AS full_dyad,"
        " coalesce(story_id = id, story_id IS NULL) AS lead,"
        f" cameo_root, quad_class, plover_event, goldstein FROM {events}),"
        f" u AS ({LEVELS[level].units.format(actors=actors)})"
    )


def unit_measures() -> str:
    """The measures of each unit row of ``u`` (``name`` columns), to be summed."""
    return ", ".join(f"{expr} AS {name}" for name, expr in UNIT_MEASURES.items())


def _sums(sign: int = 1) -> str:
    factor = "" if sign == 1 else f"{sign} * "
    return ", ".join(f"{factor}sum({name}) AS {name}" for name in MEASURES)


def delta_inserts(
    events: str,
    actors: str,
    sign: int = 1,
    event_keys: tuple[str, ...] = EVENT_KEYS,
    *,
    mark: bool = True,
) -> list[str]:
    """INSERTs adding (``sign`` 1) or removing (-1) the counts of the events of relation
    ``events`` (actors in ``actors``) to every series table, at every grain; with ``mark``
    (every store since migration 11) their periods are marked for the ranks to be recounted."""
    if sign not in (1, -1):
        raise ValueError(sign)
    out = [
        f"INSERT INTO {level.table} BY NAME {counts_sql(name, events, actors, sign, event_keys)}"
        for name, level in LEVELS.items()
    ]
    return [*out, mark_dirty(events)] if mark else out


def counts_sql(
    level: str, events: str, actors: str, sign: int = 1, event_keys: tuple[str, ...] = EVENT_KEYS
) -> str:
    """The rows of ``level``'s series table (every grain, one row per key) counting the events
    of relation ``events`` (actors in ``actors``); what ``delta_inserts`` adds, and what a
    dataset's series views compute (``store/dataset.py``)."""
    keys = ", ".join((*LEVELS[level].keys, *event_keys))
    day = (
        f"SELECT CAST(published AS DATE) AS period, {keys}, {_sums(sign)} FROM"
        f" (SELECT published, {keys}, {unit_measures()} FROM u) GROUP BY ALL"
    )
    rolled = ["SELECT 'day' AS grain, * FROM d"] + [
        f"SELECT '{grain}' AS grain, CAST(date_trunc('{grain}', period) AS DATE) AS period,"
        f" {keys}, {_sums()} FROM d GROUP BY ALL"
        for grain in GRAINS[1:]
    ]
    return f"{units_sql(level, events, actors)}, d AS ({day}) {' UNION ALL '.join(rolled)}"


def rebuild(event_keys: tuple[str, ...] = EVENT_KEYS, *, ranked: bool = True) -> list[str]:
    """Statements that recount every series table from the events table (and, with
    ``ranked``, the ranks of every period: migration 11 on)."""
    out = [f"DELETE FROM {level.table}" for level in LEVELS.values()]
    out += delta_inserts("events", "event_actors", event_keys=event_keys, mark=False)
    return [*out, *rank_again(everything=True)] if ranked else out


def add_lead() -> list[str]:
    """Migration 9: the ``lead`` key, true for every row counted so far, then the mentions
    folded into another mention's event moved to ``lead`` false."""
    moved = "(SELECT * FROM events WHERE story_id IS NOT NULL AND story_id <> id)"
    out = [
        f"ALTER TABLE {level.table} ADD COLUMN lead BOOLEAN DEFAULT TRUE"
        for level in LEVELS.values()
    ]
    unfolded = f"(SELECT * REPLACE (NULL AS story_id) FROM {moved})"
    out += delta_inserts(unfolded, "event_actors", -1, mark=False)
    return out + delta_inserts(moved, "event_actors", mark=False)


# the rows of the periods touched: parameters days, weeks, months (lists) and undated (bool)
TOUCHED = (
    "((grain = 'day' AND period IN (SELECT unnest(?))) OR (grain = 'week' AND period IN"
    " (SELECT unnest(?))) OR (grain = 'month' AND period IN (SELECT unnest(?)))"
    " OR (? AND period IS NULL))"
)


def compact(level: str, where: str = "TRUE") -> list[str]:
    """Statements folding the rows of one key into one (and dropping keys that sum to 0), for
    the rows matching ``where`` (``TOUCHED``: its parameters go to the first two statements)."""
    table = LEVELS[level].table
    keys = ", ".join(("grain", "period", *LEVELS[level].keys, *EVENT_KEYS))
    return [
        f"CREATE OR REPLACE TEMP TABLE _series_compact AS SELECT {keys}, {_sums()}"
        f" FROM {table} WHERE {where} GROUP BY ALL HAVING sum(events) <> 0",
        f"DELETE FROM {table} WHERE {where}",
        # in grain and period order: a read of one grain skips the others' row groups
        f"INSERT INTO {table} BY NAME SELECT * FROM _series_compact ORDER BY grain, period",
        "DROP TABLE _series_compact",
    ]


# --- ranks: each period's busiest pairs (migration 11) -----------------------------------------
# A summary of the busiest pairs of each period (``dyads --top N``, the dashboard's matrix) would
# otherwise sum every pair of every period and sort them. ``series_pair_ranks`` keeps, for each
# grain, period and scope (the modalities and mentions-or-folded-events read), the first
# ``RANKED`` pairs by events (ties by source, then target, as readers order them) with their
# summed measures. The periods ingest and deletes change are marked in ``series_dirty`` in the
# transaction of their deltas; compaction ranks them again and clears the marks, and readers
# count marked periods from ``series_pairs``, so ranked reads are exact at every commit.
RANKED = 100
RANK_SCOPES = {
    "asserted": "modality = 'asserted'",
    "asserted_folded": "modality = 'asserted' AND lead",
    "all": "TRUE",
    "all_folded": "lead",
}


def rank_scope(modalities: tuple[str, ...] | None, folded: bool) -> str | None:
    """The scope of ``series_pair_ranks`` counting these events, or None (not kept)."""
    if modalities not in (None, (), ("asserted",)):
        return None
    return ("asserted" if modalities else "all") + ("_folded" if folded else "")


def create_ranks() -> list[str]:
    """The ranks table and the marks of the periods to rank again."""
    return [
        "CREATE TABLE series_pair_ranks (grain VARCHAR NOT NULL, period DATE,"
        " scope VARCHAR NOT NULL, rank BIGINT NOT NULL, source VARCHAR, target VARCHAR,"
        f" {', '.join(_measure_columns())})",
        "CREATE TABLE series_dirty (grain VARCHAR NOT NULL, period DATE)",
    ]


def mark_dirty(events: str) -> str:
    """An INSERT marking the periods (every grain) of the events of ``events`` to be ranked
    again (those marked already are left)."""
    periods = " UNION ".join(
        f"SELECT '{grain}' AS grain, CAST(date_trunc('{grain}', CAST(published AS DATE)) AS DATE)"
        " AS period"
        f" FROM {events}"
        for grain in GRAINS
    )
    return (
        f"INSERT INTO series_dirty SELECT * FROM ({periods})"
        " EXCEPT SELECT grain, period FROM series_dirty"
    )


DIRTY = (
    "EXISTS (SELECT 1 FROM series_dirty d WHERE d.grain = {t}.grain"
    " AND d.period IS NOT DISTINCT FROM {t}.period)"
)


def rank_again(everything: bool = False) -> list[str]:
    """Statements ranking the marked periods again from ``series_pairs`` (compacted or not:
    they sum) and clearing the marks; with ``everything``, every period (a rebuild, migration
    11). Each grain and scope is ranked on its pairs' event counts alone, and the measures are
    summed for the pairs kept, so memory stays that of a narrow aggregate. The rows of marked
    periods are copied once (few, after an ingest); every period is read in place."""
    sums = ", ".join(f"sum(p.{m}) AS {m}" for m in MEASURES)
    same = " AND ".join(f"p.{k} IS NOT DISTINCT FROM k.{k}" for k in ("period", "source", "target"))
    if everything:
        rows, out = "series_pairs", ["DELETE FROM series_pair_ranks"]
    else:
        rows = "_series_marked"
        out = [
            f"CREATE OR REPLACE TEMP TABLE {rows} AS SELECT * FROM series_pairs p"
            f" WHERE {DIRTY.format(t='p')}",
            f"DELETE FROM series_pair_ranks WHERE {DIRTY.format(t='series_pair_ranks')}",
        ]
    for grain in GRAINS:
        for scope, where in RANK_SCOPES.items():
            cond = f"p.grain = '{grain}' AND {where}"
            out.append(
                "INSERT INTO series_pair_ranks BY NAME WITH k AS (SELECT period, source, target,"
                " row_number() OVER (PARTITION BY period ORDER BY sum(events) DESC, source,"
                f" target) AS rank FROM {rows} p WHERE {cond} GROUP BY period, source, target"
                f" HAVING sum(events) > 0 QUALIFY rank <= {RANKED})"
                f" SELECT '{grain}' AS grain, k.period, '{scope}' AS scope, k.rank, k.source,"
                f" k.target, {sums} FROM {rows} p JOIN k ON {same} WHERE {cond}"
                " GROUP BY k.period, k.rank, k.source, k.target"
            )
    done = [] if everything else [f"DROP TABLE {rows}"]
    return [*out, *done, "DELETE FROM series_dirty"]
