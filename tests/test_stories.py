"""Reprint groups (near-duplicate articles) and mentions folded into events across articles.

The articles are written for these tests: a wire-style flood report and its reprints (an added
comma, an added credit line, a changed headline), two outlets' reports of one missile strike,
and a strike the same day in another city.
"""

from __future__ import annotations

import io
import json
from datetime import date

import pytest

from detente.records import Article
from detente.run.batch import ingest
from detente.run.stories import fold_pending
from detente.settings import Settings
from detente.store import export, queries
from detente.store.db import open_store
from detente.store.gdelt import global_event_id
from detente.stories.fold import Mention, Story, fold, text_similarity
from detente.stories.reprints import shingles, similarity, sketch
from detente.text import make_article

FLOOD = (
    "date 2024-05-20\nHeavy rain pushed rivers over their banks across the Emilia-Romagna "
    "region on Monday, forcing more than 3,000 people to leave their homes, the civil "
    "protection agency said. Firefighters used boats to reach residents trapped on upper "
    "floors in the town of Faenza, where the Lamone river rose by four metres overnight. The "
    "regional president asked the government in Rome for emergency funds and said schools "
    "would stay closed on Tuesday. Forecasters warned that more storms were expected later in "
    "the week, and rail services between Bologna and Rimini were suspended after a landslide "
    "covered the tracks near Forli. No deaths had been reported by Monday evening, officials "
    "said."
)
COMMA = FLOOD.replace("emergency funds and said", "emergency funds, and said")
CREDIT = FLOOD + "\nAdditional reporting by Marta Ferri in Bologna; editing by Paul Grant."
OTHER = (
    "date 2024-05-21\nThe European Commission approved a new budget for rail repairs in "
    "northern Italy on Tuesday after a week of storms, officials in Brussels said. The money "
    "will pay for bridges and signalling damaged by landslides, the commission said."
)
DNIPRO_1 = (
    "date 2024-06-03\nRussian missiles struck an apartment block in Dnipro on Monday, killing "
    "four civilians, Ukrainian officials said. Rescue crews searched the rubble through the "
    "night."
)
DNIPRO_2 = (
    "date 2024-06-03\nRussia launched a missile attack on a residential building in Dnipro, "
    "killing four people, the regional governor said on Monday. Emergency workers pulled two "
    "survivors from the debris."
)
ODESA = (
    "date 2024-06-03\nRussian missiles struck an apartment block in Odesa on Monday, killing "
    "two civilians, Ukrainian officials said."
)


def _article(text: str, source: str, title: str = "Floods in Italy") -> Article:
    slug = source.lower().replace(" ", "-")
    return make_article(text, url=f"https://{slug}.example/story", source=source, title=title)


def flood_group() -> list[Article]:
    return [
        _article(FLOOD, "Wire Service"),
        _article(COMMA, "Valley Courier"),
        _article(CREDIT, "Harbour Post"),
        _article(FLOOD, "Evening Ledger", title="Thousands flee as rivers burst in Emilia"),
    ]


def strike_reports() -> list[Article]:
    """Two outlets' reports of the Dnipro strike and a report of another strike in Odesa."""
    return [
        _article(DNIPRO_1, "Kyiv Daily"),
        _article(DNIPRO_2, "Danube Times"),
        _article(ODESA, "Black Sea Herald"),
    ]


def _two_article_event(mentions) -> tuple[str, str]:
    """The id of the folded event two articles report, and its first mention's article."""
    articles = mentions.groupby("story_id")["article_id"].agg(set)
    story = articles[articles.map(len) == 2].index[0]
    return story, mentions.set_index("id").loc[story, "article_id"]


# --- no model -------------------------------------------------------------------------------


def test_shingles_ignore_punctuation_and_case():
    assert shingles("A b, C d.", 2) == shingles("a B c D", 2) == {"a b", "b c", "c d"}
    assert shingles("one two", 5) == {"one two"} and shingles("", 3) == set()


def test_reprints_are_similar_and_other_texts_are_not():
    s = Settings()
    base = sketch(FLOOD, s)
    assert similarity(base.signature, sketch(COMMA, s).signature) == 1.0
    assert similarity(base.signature, sketch(CREDIT, s).signature) >= s.reprint_threshold
    assert set(base.keys) & set(sketch(CREDIT, s).keys)  # an LSH candidate
    assert similarity(base.signature, sketch(OTHER, s).signature) < 0.2


def _m(i, day, text, city=None, src="RUS", tgt="UKR", root="19", reciprocal=False, country="UKR"):
    return Mention(
        id=i, root=root, modality="asserted", reciprocal=reciprocal, source_key=src,
        target_key=tgt, day=day, text=text, geonameid=city, country=country,
    )  # fmt: skip


def test_fold_blocks_on_place_date_and_similarity():
    s = Settings()
    d = date(2024, 6, 3)
    one = "Russian missiles struck an apartment block in Dnipro, killing four civilians."
    two = "Russia launched a missile attack on a building in Dnipro, killing four people."
    far = "Russian missiles struck an apartment block in Odesa, killing two civilians."
    got = fold(
        [
            _m("a", d, one, 1),
            _m("b", d.replace(day=4), two, 1),
            _m("c", d, far, 2),
            _m("d", d.replace(day=6), one, 1),  # three days later: a new event
            _m("e", d, one, None),  # place unknown: joins the Dnipro report
            _m("f", d, "Talks on grain exports resumed.", 1),  # dissimilar sentence
        ],
        [],
        s,
    ).assigned
    assert got == {"a": "a", "b": "a", "c": "c", "d": "d", "e": "a", "f": "f"}
    assert text_similarity(one, two) >= s.fold_similarity > text_similarity(one, "Talks resumed")


def test_fold_reciprocal_events_unordered_and_incremental():
    s = Settings()
    d = date(2024, 6, 3)
    text = "Leaders of Kenya and Ethiopia met in Nairobi to discuss the border."
    a = _m("a", d, text, 5, src="KEN", tgt="ETH", root="04", reciprocal=True, country="KEN")
    b = _m("b", d, text, 5, src="ETH", tgt="KEN", root="04", reciprocal=True, country="KEN")
    # a directed event keeps its direction: Kenya → Ethiopia is not the sorted pair
    c = _m("c", d, text, 5, src="KEN", tgt="ETH", root="04", reciprocal=False, country="KEN")
    assert fold([a, b, c], [], s).assigned == {"a": "a", "b": "a", "c": "c"}
    first = fold([a], [], s).stories["a"]
    stored = Story(first.id, first.block, first.day, list(first.texts), 5, None, "KEN")
    assert fold([b], [stored], s).assigned == {"b": "a"}  # a new mention joins a stored event


# --- coded and stored -----------------------------------------------------------------------


@pytest.fixture
def store(tmp_path):
    s = open_store(tmp_path / "stories.duckdb")
    yield s
    s.close()


def test_reprints_form_one_group_coded_once(store, coder):
    summary = ingest([*flood_group(), _article(OTHER, "Brussels Wire")], store, coder)
    # the comma and the credit line make reprints; the new headline over the same text is an
    # exact copy (counted as a duplicate): all three join the wire report's group
    assert (summary.stored, summary.reprints, summary.duplicates, summary.failed) == (2, 2, 1, 0)
    sources = store._df("SELECT * FROM article_sources ORDER BY added")
    flood_id = flood_group()[0].id
    group = sources[sources["article_id"] == flood_id]
    assert set(group["source"]) == {
        "Wire Service",
        "Valley Courier",
        "Harbour Post",
        "Evening Ledger",
    }
    assert "Thousands flee as rivers burst in Emilia" in set(group["title"])
    assert group["similarity"].min() >= Settings().reprint_threshold
    flood_stories = queries.stories(store, limit=None)
    mine = flood_stories[
        flood_stories["id"].isin(store.events()["id"][store.events()["article_id"] == flood_id])
    ]
    assert not mine.empty
    assert set(mine["num_articles"]) == {4} and set(mine["num_sources"]) == {4}


def test_two_reports_fold_into_one_event_and_another_city_stays_apart(store, coder):
    articles = strike_reports()
    ingest(articles, store, coder)
    mentions = store.events(queries.make_filter(modalities=None))
    stories = queries.stories(store, queries.make_filter(modalities=None))
    by_article = mentions.groupby("story_id")["article_id"].agg(set)
    dnipro = {articles[0].id, articles[1].id}
    assert dnipro in list(by_article)  # one event reported by both outlets
    strike = stories.set_index("id").loc[by_article[by_article == dnipro].index[0]]
    # each report gives the strike and the killing it caused, both Russia -> Ukraine (the
    # struck city stands for the target): one event, two mentions in each article
    mentioned = int(strike["num_mentions"])
    assert (strike["num_articles"], strike["num_sources"]) == (2, 2) and mentioned in (2, 4)
    assert strike["first_seen"].date() == date(2024, 6, 3)
    assert not any(articles[2].id in ids and ids & dnipro for ids in by_article)  # Odesa apart
    gdelt = export.gdelt_frame(store)
    row = gdelt[gdelt["GlobalEventID"] == global_event_id(strike.name, 0)].iloc[0]
    assert (row["NumArticles"], row["NumSources"], row["NumMentions"]) == (2, 2, mentioned)
    assert len(gdelt) < len(mentions)  # a folded event is one GDELT row
    buf = io.StringIO()
    assert export.export("mentions", store, buf, queries.make_filter(modalities=None)) == len(
        mentions
    )
    lines = [line.split("\t") for line in buf.getvalue().splitlines()]
    assert all(len(r) == 16 for r in lines)
    strike_id = str(row["GlobalEventID"])
    assert sum(r[0] == strike_id for r in lines) == mentioned


def _series(store) -> dict:
    """Every series level by day, of mentions and of folded events (all modalities)."""
    out = {}
    for level in ("pairs", "country_pairs", "countries", "actors"):
        for folded in (False, True):
            flt = queries.make_filter(modalities=None, folded=folded)
            out[level, folded] = queries.series(store, level, "day", flt).to_dict("records")
    return out


def _recounted(store) -> dict:
    store.rebuild_series()
    return _series(store)


def test_series_count_folded_events_once_and_deletes_keep_them_exact(store, coder):
    articles = strike_reports()
    ingest(articles, store, coder)
    every = queries.make_filter(modalities=None)
    mentions = store.events(every)
    leads = mentions[mentions["story_id"] == mentions["id"]]
    assert len(leads) < len(mentions)  # the Dnipro strike is one event of two mentions
    kept = _series(store)
    pairs = {f: sum(r["events"] for r in kept["country_pairs", f]) for f in (False, True)}
    joined = mentions[(mentions["story_id"] != mentions["id"]) & (mentions["dyad"] == "full")]
    assert pairs[False] - pairs[True] == len(joined) > 0  # a joined mention is no new event
    assert len(leads) == len(queries.stories(store, every, limit=None))
    assert len(store.events(queries.make_filter(modalities=None, folded=True))) == len(leads)
    assert kept == _recounted(store)  # what ingest kept is what a recount gives
    strike, first = _two_article_event(mentions)
    other = ({articles[0].id, articles[1].id} - {first}).pop()
    # the first mention's article goes: the strike's other mention stands alone, unfolded
    store.delete_articles([first])
    assert store._q("SELECT count(*) FROM stories WHERE id = ?", [strike])[0][0] == 0
    loose = store.events(every)
    assert loose[loose["article_id"] == other]["story_id"].isna().any()
    assert _series(store) == _recounted(store)
    fold_pending(store, Settings())  # folded again: one event of one article
    again = queries.stories(store, every, limit=None)
    assert store.events(every)["story_id"].notna().all()
    assert _series(store) == _recounted(store)
    mine = again[again["id"].isin(store.events(every).query("article_id == @other")["id"])]
    assert set(mine["num_articles"]) == {1}


def test_deleting_a_later_report_refreshes_its_event(store, coder):
    articles = strike_reports()[:2]
    ingest(articles, store, coder)
    every = queries.make_filter(modalities=None)
    mentions = store.events(every)
    strike, first = _two_article_event(mentions)
    kept = int(((mentions["story_id"] == strike) & (mentions["article_id"] == first)).sum())
    later = ({a.id for a in articles} - {first}).pop()
    store.delete_articles([later])
    row = queries.stories(store, every, limit=None).set_index("id").loc[strike]
    assert kept >= 1  # the strike, and the killing it caused when both code Russia -> Ukraine
    assert (row["num_articles"], row["num_sources"], row["num_mentions"]) == (1, 1, kept)
    assert _series(store) == _recounted(store)


def test_reingesting_adds_no_mentions(store, coder):
    articles = [*flood_group(), _article(DNIPRO_1, "Kyiv Daily"), _article(DNIPRO_2, "Danube")]
    ingest(articles, store, coder)
    before = (store.counts(), queries.stories(store, limit=None).to_dict("records"))
    again = ingest(articles, store, coder)
    assert again.stored == 0 and again.events == 0 and again.folded == 0
    assert (store.counts(), queries.stories(store, limit=None).to_dict("records")) == before


def test_cli_ingest_stories_fold_and_export_mentions(tmp_path, coder):
    from typer.testing import CliRunner

    from detente.cli import app

    rows = [
        {"text": DNIPRO_1, "url": "https://kyiv-daily.example/a", "source": "Kyiv Daily"},
        {"text": DNIPRO_2, "url": "https://danube.example/b", "source": "Danube Times"},
        {"text": COMMA, "url": "https://valley.example/c", "source": "Valley Courier"},
        {"text": FLOOD, "url": "https://wire.example/d", "source": "Wire Service"},
    ]
    (tmp_path / "news.jsonl").write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    db = str(tmp_path / "cli.duckdb")
    run = CliRunner().invoke(app, ["ingest", str(tmp_path / "news.jsonl"), "--db", db])
    assert run.exit_code == 0, run.output
    assert "stored 3 articles" in run.stdout and "1 reprints" in run.stdout
    listed = CliRunner().invoke(app, ["stories", "--db", db, "--min-articles", "2"])
    assert listed.exit_code == 0, listed.output
    everything = CliRunner().invoke(app, ["stories", "--db", db])
    with open_store(db, read_only=True) as s:
        wide = queries.stories(s, min_articles=2)
        assert len(wide) < len(queries.stories(s))
    assert f"{len(wide)} rows" in listed.stdout and f"{len(wide)} rows" not in everything.stdout
    with open_store(db) as s:  # a store filled before folding: no mention folded yet
        n = s._q("SELECT count(*) FROM events")[0][0]
        s._q("UPDATE events SET story_id = NULL")
        s._q("DELETE FROM stories")
        s._q("DELETE FROM article_bands")
        s._q("DELETE FROM article_minhash")
    refold = CliRunner().invoke(app, ["stories", "--db", db, "--fold", "--all-modalities"])
    assert refold.exit_code == 0 and f"3 articles sketched, {n} mentions folded" in refold.stderr
    again = CliRunner().invoke(app, ["ingest", str(tmp_path / "news.jsonl"), "--db", db])
    assert "stored 0 articles" in again.stdout and "1 reprints" in again.stdout
    out = tmp_path / "mentions.tsv"
    exported = CliRunner().invoke(app, ["export", "-f", "mentions", "--db", db, "--out", str(out)])
    assert exported.exit_code == 0, exported.output
    lines = out.read_text().splitlines()
    assert lines and all(len(line.split("\t")) == 16 for line in lines)
