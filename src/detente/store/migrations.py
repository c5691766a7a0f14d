"""Numbered schema migrations for the DuckDB store (``store.py`` applies them in order).

Migration N is ``MIGRATIONS[N - 1]``: a list of SQL statements. Never edit a released
migration; append a new one. Only ``store.py`` executes these.
"""

from __future__ import annotations

from detente.store import series
from detente.store.stories import WINDOW_KEY

ACTOR_FIELDS = ("code", "name", "country", "sector", "kind")


def _actor_cols(prefix: str) -> str:
    return ", ".join(f"{prefix}_{col} VARCHAR" for col in ACTOR_FIELDS)


MIGRATIONS: list[list[str]] = [
    # 1: articles, their sources, sentences, events, event actors, ingest runs and errors
    [
        """CREATE TABLE articles (
            id VARCHAR PRIMARY KEY,
            url VARCHAR,
            title VARCHAR,
            published DATE,
            source VARCHAR,
            text_hash VARCHAR NOT NULL,
            text VARCHAR NOT NULL,
            n_chars INTEGER,
            run_id INTEGER,
            stored_at TIMESTAMP DEFAULT current_timestamp
        )""",
        "CREATE INDEX articles_text_hash ON articles (text_hash)",
        """CREATE TABLE article_sources (
            article_id VARCHAR NOT NULL,
            url VARCHAR,
            source VARCHAR,
            item VARCHAR
        )""",
        """CREATE TABLE sentences (
            article_id VARCHAR NOT NULL,
            idx INTEGER NOT NULL,
            start_char INTEGER,
            end_char INTEGER,
            text VARCHAR,
            PRIMARY KEY (article_id, idx)
        )""",
        f"""CREATE TABLE events (
            id VARCHAR PRIMARY KEY,
            article_id VARCHAR NOT NULL,
            published DATE,
            sentence_index INTEGER,
            sentence_text VARCHAR,
            sentence_start INTEGER,
            sentence_end INTEGER,
            trigger_text VARCHAR,
            trigger_start INTEGER,
            trigger_end INTEGER,
            cameo_code VARCHAR,
            cameo_root VARCHAR,
            cameo_name VARCHAR,
            goldstein DOUBLE,
            quad_class INTEGER,
            plover_event VARCHAR,
            plover_mode VARCHAR,
            plover_context VARCHAR,
            modality VARCHAR,
            reciprocal BOOLEAN,
            confidence DOUBLE,
            coder_name VARCHAR,
            coder_version VARCHAR,
            source_codes VARCHAR,
            target_codes VARCHAR,
            {_actor_cols("actor1")},
            {_actor_cols("actor2")}
        )""",
        "CREATE INDEX events_article ON events (article_id)",
        """CREATE TABLE event_actors (
            event_id VARCHAR NOT NULL,
            role VARCHAR NOT NULL,
            position INTEGER NOT NULL,
            text VARCHAR,
            start_char INTEGER,
            end_char INTEGER,
            code VARCHAR,
            name VARCHAR,
            country VARCHAR,
            sector VARCHAR,
            kind VARCHAR,
            PRIMARY KEY (event_id, role, position)
        )""",
        "CREATE SEQUENCE ingest_run_ids START 1",
        """CREATE TABLE ingest_runs (
            id INTEGER PRIMARY KEY,
            started TIMESTAMP DEFAULT current_timestamp,
            finished TIMESTAMP,
            inputs VARCHAR,
            stored INTEGER DEFAULT 0,
            skipped INTEGER DEFAULT 0,
            failed INTEGER DEFAULT 0,
            events INTEGER DEFAULT 0
        )""",
        """CREATE TABLE ingest_errors (
            run_id INTEGER,
            item VARCHAR,
            stage VARCHAR,
            reason VARCHAR,
            recorded TIMESTAMP DEFAULT current_timestamp
        )""",
    ],
    # 2: the Event fields added since 1 (event date, location, attribution), and the whole
    # event as JSON so fields added later are kept even before they get their own column
    [
        f"ALTER TABLE events ADD COLUMN {column}"
        for column in (
            "event_date DATE",
            "date_precision VARCHAR",
            "date_method VARCHAR",
            "attribution_code VARCHAR",
            "attribution_text VARCHAR",
            "location_name VARCHAR",
            "location_geonameid BIGINT",
            "location_lat DOUBLE",
            "location_lon DOUBLE",
            "location_admin1 VARCHAR",
            "location_country VARCHAR",
            "location_feature VARCHAR",
            "location_precision VARCHAR",
            "location_method VARCHAR",
            "record JSON",
        )
    ],
    # 3: claims (who says what, how hedged) and counts (killed, wounded, ...) of each article,
    # keyed by article and position, linked to an event of their sentence where there is one
    [
        f"""CREATE TABLE claims (
            article_id VARCHAR NOT NULL,
            idx INTEGER NOT NULL,
            sentence_index INTEGER,
            text VARCHAR,
            start_char INTEGER,
            end_char INTEGER,
            cue VARCHAR,
            stance VARCHAR,
            about VARCHAR,
            event_id VARCHAR,
            {_actor_cols("claimant")},
            claimant_text VARCHAR,
            hedges JSON,
            record JSON,
            PRIMARY KEY (article_id, idx)
        )""",
        f"""CREATE TABLE counts (
            article_id VARCHAR NOT NULL,
            idx INTEGER NOT NULL,
            sentence_index INTEGER,
            category VARCHAR NOT NULL,
            low BIGINT,
            high BIGINT,
            unit VARCHAR,
            text VARCHAR,
            start_char INTEGER,
            end_char INTEGER,
            event_id VARCHAR,
            {_actor_cols("claimant")},
            claimant_text VARCHAR,
            hedges JSON,
            record JSON,
            PRIMARY KEY (article_id, idx)
        )""",
    ],
    # 4: which sides an event has (Event.dyad: full, source_only, target_only); events stored
    # before it are read from their actor codes
    [
        "ALTER TABLE events ADD COLUMN dyad VARCHAR",
        """UPDATE events SET dyad = CASE WHEN coalesce(source_codes, '') = '' THEN 'target_only'
            WHEN coalesce(target_codes, '') = '' THEN 'source_only' ELSE 'full' END""",
    ],
    # 5: the event a commitment is about (Event.about: the promised or threatened event's id)
    ["ALTER TABLE events ADD COLUMN about_event VARCHAR"],
    # 6: which event actors the knowledge base does not know (Actor.unresolved); actors stored
    # before it were all known ones
    [
        "ALTER TABLE event_actors ADD COLUMN unresolved BOOLEAN",
        "UPDATE event_actors SET unresolved = false",
    ],
    # 7: reprint groups and folded events. A near-duplicate article (MinHash over word
    # shingles) is not stored again: its URL, source, title and date join the group's
    # ``article_sources`` with its estimated similarity (1 for the article itself and exact
    # copies). Each stored article keeps its signature and LSH band keys. Every event row is
    # a mention; ``stories`` holds the folded events (id = the first mention's id) and
    # ``events.story_id`` links each mention to its story.
    [
        "ALTER TABLE article_sources ADD COLUMN title VARCHAR",
        "ALTER TABLE article_sources ADD COLUMN published DATE",
        "ALTER TABLE article_sources ADD COLUMN similarity DOUBLE DEFAULT 1.0",
        "ALTER TABLE article_sources ADD COLUMN added TIMESTAMP DEFAULT current_timestamp",
        """CREATE TABLE article_minhash (
            article_id VARCHAR PRIMARY KEY,
            signature UINTEGER[] NOT NULL
        )""",
        """CREATE TABLE article_bands (
            key BIGINT NOT NULL,
            article_id VARCHAR NOT NULL
        )""",
        "CREATE INDEX article_bands_key ON article_bands (key)",
        "ALTER TABLE events ADD COLUMN story_id VARCHAR",
        """CREATE TABLE stories (
            id VARCHAR PRIMARY KEY,
            cameo_code VARCHAR,
            cameo_root VARCHAR,
            plover_event VARCHAR,
            quad_class INTEGER,
            goldstein DOUBLE,
            modality VARCHAR,
            reciprocal BOOLEAN,
            source_key VARCHAR,
            target_key VARCHAR,
            event_date DATE,
            place_geonameid BIGINT,
            place_admin1 VARCHAR,
            place_country VARCHAR,
            texts VARCHAR[],
            num_mentions INTEGER DEFAULT 1,
            num_sources INTEGER DEFAULT 1,
            num_articles INTEGER DEFAULT 1,
            first_seen DATE,
            date_added TIMESTAMP,
            source_url VARCHAR
        )""",
        "CREATE INDEX stories_block ON stories (cameo_root, event_date)",
    ],
    # 8: pre-aggregated counts per pair, country pair, country and actor by day, week and month
    # (store/series.py), kept by ingest in the transaction of the events they count
    [*series.create_tables(series.KEYS_V8), *series.rebuild(series.KEYS_V8, ranked=False)],
    # 9: folding made cheap and counted: mentions found by story (index), stories by a hash of
    # their block and date (``window_key``, indexed by 10), and the series tables keyed by ``lead``
    # (the mention is its folded event's first one, or not folded yet: series.add_lead)
    [
        "CREATE INDEX events_story ON events (story_id)",
        "ALTER TABLE stories ADD COLUMN window_key UBIGINT",
        f"UPDATE stories SET window_key = {WINDOW_KEY}",
        *series.add_lead(),
    ],
    # 10: the index of window_key (DuckDB indexes no column updated in the same transaction)
    ["CREATE INDEX stories_window ON stories (window_key)"],
    # 11: each period's busiest pairs, ranked (series.py ``series_pair_ranks``), and the marks
    # of the periods to rank again
    [
        *series.create_ranks(),
        *series.rank_again(everything=True),
    ],
    # 12: an article's sources found by index (a new copy or reprint, a story's counts), not by
    # scanning every source row
    ["CREATE INDEX article_sources_article ON article_sources (article_id)"],
    # 13: an event's actors found by index (the mentions folded after they were stored, a
    # folded event dissolved), not by reading every actor row: DuckDB looks up no leading part
    # of the key (event_id, role, position)
    ["CREATE INDEX event_actors_event ON event_actors (event_id)"],
]
