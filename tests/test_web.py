"""The dashboard (detente.web) in a real browser: Debian's chromium driven by Playwright, over
`detente serve` (a uvicorn process on a free 127.0.0.1 port) and a store filled by `detente
ingest --samples`.

Each view loads and shows the samples' data: the numbers and names on the page are checked
against the store's own queries (what the CLI lists). Filters change what a view shows. Every
request the page makes is routed through the test: one to any host but 127.0.0.1 is refused and
fails the test, and chromium resolves no other host anyway. Each view is saved as a screenshot
under build/screenshots/ (DETENTE_DOCS_SCREENSHOT=1 also writes docs/dashboard.png, the README's
picture).
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections import Counter
from datetime import date
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from conftest import ingest_samples
from typer.testing import CliRunner

from detente import code
from detente.analytics import queries as analytics
from detente.cli import app
from detente.store import queries
from detente.store.db import open_store
from detente.web import ASSETS_ENV, AssetsMissing, find_assets

ROOT = Path(__file__).resolve().parents[1]
SHOTS = ROOT / "build" / "screenshots"
CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
]  # fmt: skip
SHELLING = (
    "Russian forces shelled Kharkiv on Monday, killing three civilians, Ukrainian officials "
    "said. Kenya accused Somalia of sheltering militants."
)


def test_mount_without_the_npm_packages_names_the_make_target(tmp_path):
    with pytest.raises(AssetsMissing, match=r"make web-assets"):
        find_assets(tmp_path)


def test_serve_without_the_npm_packages_stops_with_the_make_target(tmp_path, monkeypatch):
    monkeypatch.setenv(ASSETS_ENV, str(tmp_path / "node_modules"))
    result = CliRunner().invoke(app, ["serve", "--db", str(tmp_path / "none.duckdb")])
    said = " ".join(result.output.split())
    assert result.exit_code == 3, said
    assert "make web-assets" in said and "--no-dashboard" in said


# ---------------------------------------------------------------- the browser tests


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def db(tmp_path_factory, coder) -> str:
    return ingest_samples(tmp_path_factory.mktemp("web"))


@pytest.fixture(scope="module")
def store(db):
    with open_store(db, read_only=True) as s:
        yield s


@pytest.fixture(scope="module")
def base(db, tmp_path_factory):
    """`detente serve` (API and dashboard) in a subprocess; its URL."""
    port = _free_port()
    log = tmp_path_factory.mktemp("serve") / "serve.log"
    with log.open("w") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "detente.cli", "serve", "--db", db, "--port", str(port)],
            stdout=out, stderr=subprocess.STDOUT,
        )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while True:
        try:
            with urllib.request.urlopen(url + "/status", timeout=5) as resp:
                if resp.status == 200:
                    break
        except OSError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            raise RuntimeError(f"the server did not start:\n{log.read_text()}")
        time.sleep(0.3)
    yield url
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()


class Traffic:
    """Every request the page makes: hosts other than 127.0.0.1 are refused and kept."""

    def __init__(self) -> None:
        self.hosts: Counter[str] = Counter()
        self.foreign: list[str] = []
        self.failed: list[str] = []
        self.errors: list[str] = []

    def route(self, route) -> None:
        url = route.request.url
        host = urlsplit(url).hostname or ""
        self.hosts[host] += 1
        if host != "127.0.0.1":
            self.foreign.append(url)
            route.abort()
        else:
            route.continue_()


@pytest.fixture(scope="module")
def browser():
    try:
        find_assets()
    except AssetsMissing as exc:  # a checkout where `make test` has not run (a worktree)
        if os.environ.get("CI"):
            pytest.fail(str(exc))
        pytest.skip(str(exc))
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} is missing: `make test` installs Debian's chromium")
        pytest.skip(f"{CHROMIUM} is missing: `make browser` (part of `make test`) installs it")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


@pytest.fixture(scope="module")
def traffic() -> Traffic:
    return Traffic()


@pytest.fixture(scope="module")
def page(browser, base, traffic):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, base_url=base)
    context.route("**/*", traffic.route)
    pg = context.new_page()
    pg.on("pageerror", lambda exc: traffic.errors.append(f"page error: {exc} {exc.stack}"))
    pg.on("console", lambda m: m.type == "error" and traffic.errors.append(f"console: {m.text}"))
    pg.on("requestfailed", lambda r: traffic.failed.append(f"{r.url}: {r.failure}"))
    yield pg
    context.close()


@pytest.fixture(autouse=True)
def _only_loopback(request):
    """After each browser test: no request left 127.0.0.1, none failed, no script error."""
    yield
    if "traffic" in request.fixturenames:
        t: Traffic = request.getfixturevalue("traffic")
        assert t.foreign == [], t.foreign
        assert set(t.hosts) <= {"127.0.0.1"}, t.hosts
        assert t.failed == [] and t.errors == [], (t.failed, t.errors)


def show(page, hash_: str) -> None:
    """Open a view and wait until it has drawn (body[data-ready] names it)."""
    view = hash_.split("?")[0].split("/")[0]
    if page.url.startswith("http"):  # a new hash on the same page: no stale sign of the last view
        page.evaluate("() => document.body.removeAttribute('data-ready')")
    page.goto(f"/ui/#{hash_}")
    page.wait_for_selector(f"body[data-ready='{view}']", state="attached", timeout=30_000)
    assert page.inner_text("#status") == ""


def redraw(page, action) -> None:
    """Do what makes the view draw again, and wait until it has."""
    before = int(page.get_attribute("body", "data-renders") or 0)
    action()
    page.wait_for_selector(f"body[data-renders='{before + 1}']", state="attached", timeout=30_000)


def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def card(page, key: str) -> str:
    return page.inner_text(f".card[data-k='{key}'] .value")


def rows(page, table: str) -> list[list[str]]:
    cells = page.locator(f"#{table} tbody tr").evaluate_all(
        "trs => trs.map(tr => [...tr.cells].map(td => td.innerText.trim()))"
    )
    return [r for r in cells if r and r != [""]]


def rows_col(page, table: str, i: int) -> list[str]:
    return [r[i] for r in rows(page, table)]


def svg_texts(page, chart: str) -> list[str]:
    return [t.strip() for t in page.locator(f"#{chart} svg text").all_text_contents()]


def click_cell(page, chart: str, x: str, y: str) -> None:
    """A mouse click on the cell of categories x and y (placed by ECharts' own conversion)."""
    box = page.locator(f"#{chart}").bounding_box()
    px, py = page.evaluate(
        """([id, x, y]) => {
            const c = echarts.getInstanceByDom(document.getElementById(id));
            const o = c.getOption();
            return c.convertToPixel({ seriesIndex: 0 },
                [o.xAxis[0].data.indexOf(x), o.yAxis[0].data.indexOf(y)]);
        }""",
        [chart, x, y],
    )
    page.mouse.click(box["x"] + px, box["y"] + py)


def apply_filters(page, **values: str) -> None:
    form = page.locator("#filters")
    for name in ("since", "until", "country"):
        form.locator(f"[name={name}]").fill(values.get(name, ""))
    if "by" in values:
        form.locator("[name=by]").select_option(values["by"])
    redraw(page, lambda: form.locator("button[type=submit]").click())


def _pairs(frame, src: str, tgt: str) -> list[tuple[str, str, int]]:
    """(source, target, events) summed over periods, most events first, as the views sort."""
    frame = frame[(frame[src].fillna("") != "") & (frame[tgt].fillna("") != "")]
    sums = frame.groupby([src, tgt], as_index=False)["events"].sum()
    sums = sums.sort_values(["events", src, tgt], ascending=[False, True, True])
    return [(s, t, int(n)) for s, t, n in sums.itertuples(index=False)]


@pytest.mark.model
def test_overview_counts_the_stored_events(page, store):
    show(page, "overview")
    events = queries.events(store)
    dyads = queries.dyads(store, "month")
    assert card(page, "events") == str(len(events)) == "107"
    assert card(page, "pair-events") == str(int(dyads["events"].sum()))
    articles = store.con.execute("SELECT count(*) FROM articles").fetchone()[0]
    assert card(page, "articles") == str(articles) == "12"
    # beside the selection's dyad figures, the store's own totals (GET /status)
    every = queries.make_filter(modalities=None)
    whole = {
        "store-events": len(queries.events(store, every)),
        "store-asserted": len(events),
        "store-stories": len(queries.stories(store, every)),
        "store-claims": len(queries.claims(store)),
        "store-counts": len(queries.counts(store)),
    }
    assert {k: card(page, k) for k in whole} == {k: str(n) for k, n in whole.items()}
    # the asserted events, claims and counts of the samples (the other modalities and folded
    # events move with the coder's knowledge: counted from the store above)
    assert (whole["store-asserted"], whole["store-claims"], whole["store-counts"]) == (107, 37, 11)
    assert whole["store-events"] > whole["store-asserted"] and whole["store-stories"] > 0
    assert page.inner_text("#view-overview h2.cards-head >> nth=1").startswith("The whole store")
    x_labels = svg_texts(page, "overview-chart")
    months = sorted({str(p)[:7] for p in dyads["period"]})
    assert months[0] in x_labels and months[-1] in x_labels and "month" in x_labels
    assert "2024-02" in x_labels  # a month without events is on the axis too
    assert {"Statements", "Verbal cooperation", "Material conflict"} <= set(x_labels)
    top = rows(page, "overview-dyads")[0]
    first = _pairs(dyads, "source", "target")[0]
    assert top[:3] == [first[0], first[1], str(first[2])] == ["SDNMIL", "SDNREB", "3"]
    shot(page, "overview")

    redraw(page, lambda: page.select_option("#overview-group", "plover"))
    legend = set(svg_texts(page, "overview-chart"))
    mixes = {part.split(":")[0] for mix in dyads["plover"] for part in mix.split(", ")}
    assert {"ASSAULT", "CONSULT", "ACCUSE"} <= mixes <= legend
    assert "Statements" not in legend

    # the most active dyad's events, one click away
    redraw(page, lambda: page.locator("#overview-dyads a", has_text="events").first.click())
    assert page.url.endswith("#events?dyad=SDNMIL,SDNREB")
    theirs = queries.events(store, queries.make_filter(dyad="SDNMIL,SDNREB"))
    assert page.inner_text("#events-range") == f"1–{len(theirs)} of {len(theirs)}"
    assert set(rows_col(page, "events-table", 3)) == {"SDNMIL"}


@pytest.mark.model
def test_filters_narrow_the_overview(page, store):
    show(page, "overview")
    apply_filters(page, country="ukr")
    ukraine = queries.events(store, queries.make_filter(country="UKR"))
    assert page.url.endswith("#overview?country=UKR")
    assert card(page, "events") == str(len(ukraine)) == "5"
    every = len(queries.events(store, queries.make_filter(modalities=None)))
    assert card(page, "store-events") == str(every) and card(page, "articles") == "12"  # all
    assert "2024-04" in svg_texts(page, "overview-chart")
    assert "2024-03" not in svg_texts(page, "overview-chart")

    apply_filters(page, since="2024-06-01", until="2024-06-30", by="week")
    june = queries.events(store, queries.make_filter(since="2024-06-01", until="2024-06-30"))
    assert card(page, "events") == str(len(june)) and len(june) > 0
    weeks = {str(p)[:10] for p in queries.dyads(store, "week", queries.make_filter(
        since="2024-06-01", until="2024-06-30"))["period"]}  # fmt: skip
    assert weeks <= set(svg_texts(page, "overview-chart"))
    assert "week of" in svg_texts(page, "overview-chart")

    redraw(page, lambda: page.click("#reset"))
    assert card(page, "events") == "107"


@pytest.mark.model
def test_dyads_matrix_and_the_series_of_a_dyad_with_its_alerts(page, store):
    show(page, "dyads")
    pairs = _pairs(queries.series(store, "country_pairs", "year"), "source_country",
                   "target_country")  # fmt: skip
    labels = svg_texts(page, "dyads-matrix")
    assert pairs[0] == ("SDN", "SDN", 6)
    assert {"SDN", "FRA", "LBN", "source", "target"} <= set(labels) and "6" in labels
    options = page.locator("#dyad-select option").all_inner_texts()
    assert options[0] == "SDN → SDN (6)" and len(options) == len(pairs)
    assert page.inner_text("#dyad-title") == "SDN Sudan → SDN Sudan, by month"
    shot(page, "dyads")

    # a click on the China → Philippines cell shows that dyad's series
    redraw(page, lambda: click_cell(page, "dyads-matrix", "PHL", "CHN"))
    assert page.url.endswith("#dyads?dyad=CHN,PHL")
    assert page.inner_text("#dyad-title") == "CHN China → PHL Philippines, by month"
    assert page.input_value("#dyad-select") == "CHN,PHL"

    # Yemen → USA: one event; the Houthis (YEMREB) are a new actor that week
    redraw(page, lambda: page.select_option("#dyad-select", "YEM,USA"))
    assert page.url.endswith("dyad=YEM,USA")
    assert page.inner_text("#dyad-title") == "YEM Yemen → USA United States of America, by month"
    alerts = analytics.alerts(store, since=date(1900, 1, 1), by="month")
    related = alerts[(alerts["level"] == "actor") & alerts["unit"].str.startswith(("YEM", "USA"))]
    shown = rows(page, "dyad-alerts")
    assert [r[2] for r in shown] == list(related["unit"]) == ["YEMREB"]
    assert shown[0][:4] == ["2024-01-01", "actor", "YEMREB", "new_actor"]
    assert "alerts" in svg_texts(page, "dyad-series")
    assert page.locator("#dyad-series svg path").count() > 5
    shot(page, "dyad-series")

    apply_filters(page, since="2024-02-01")  # the dyad's one event and its alert are before
    assert page.url.endswith("#dyads?dyad=YEM,USA&since=2024-02-01")
    assert rows(page, "dyad-alerts") == [["no alert for this dyad or its sides"]]


@pytest.mark.model
def test_network_of_actors_and_of_countries(page, store):
    show(page, "network")
    pairs = _pairs(queries.series(store, "pairs", "year"), "source", "target")
    ties = rows(page, "network-ties")
    assert [tuple(r[:3]) for r in ties[:3]] == [(s, t, str(n)) for s, t, n in pairs[:3]]
    assert ties[0][:4] == ["SDNMIL", "SDNREB", "3", "-3.7"]
    nodes = set(svg_texts(page, "network-chart"))
    assert {"SDNMIL", "SDNREB", "UKRGOV", "RUSGOV"} <= nodes
    shot(page, "network")

    redraw(page, lambda: page.select_option("#network-level", "country_pairs"))
    assert rows(page, "network-ties")[0][:3] == ["SDN", "SDN", "6"]
    assert "SDNMIL" not in svg_texts(page, "network-chart")
    assert {"SDN", "UKR", "RUS"} <= set(svg_texts(page, "network-chart"))


@pytest.mark.model
def test_map_shades_countries_and_places_events(page, store):
    show(page, "map")
    per = queries.series(store, "countries", "year").groupby("country")["events"].sum()
    per = per.sort_values(ascending=False)
    countries = rows(page, "map-countries")
    assert countries[0] == ["ISR Israel", str(per["ISR"])] == ["ISR Israel", "12"]
    assert len(countries) == len(per)
    events = queries.events(store)
    located = events.dropna(subset=["location_lat"]).groupby("location_name").size()
    places = {r[0]: r[3] for r in rows(page, "map-places")}
    assert places["Abuja"] == str(located["Abuja"]) and places["Kharkiv"] == str(located["Kharkiv"])
    assert page.locator("#map-chart svg path").count() > 200  # the world's countries
    shot(page, "map")

    apply_filters(page, country="UKR")
    assert rows(page, "map-countries") == [["UKR Ukraine", "5"]]
    ukraine = queries.events(store, queries.make_filter(country="UKR"))
    located = ukraine.dropna(subset=["location_lat"])
    places = {r[0]: r[3] for r in rows(page, "map-places")}
    assert places == {k: str(n) for k, n in located.groupby("location_name").size().items()}
    assert places == {"Berlin": "2", "Kharkiv": "1", "Kyiv": "1", "Moscow": "1"}


@pytest.mark.model
def test_events_table_marks_the_sentence_and_links_the_article(page, base, store):
    show(page, "events")
    events = queries.events(store)
    assert page.inner_text("#events-range") == f"1–25 of {len(events)}"
    first = page.locator("#events-table tbody tr").first
    api = _get(base, "/events?limit=25")
    item = api["items"][0]
    assert first.locator(".sp.trigger").first.inner_text() == item["trigger"]["text"]
    assert first.locator(".sp.source").first.inner_text() == item["source"][0]["text"]
    assert first.locator("td").nth(1).inner_text().startswith(item["cameo"]["code"])
    assert len(rows(page, "events-table")) == 25
    shot(page, "events")

    redraw(page, lambda: page.click("#events-next"))
    assert page.inner_text("#events-range") == f"26–50 of {len(events)}"

    redraw(page, lambda: (page.fill("#events-code", "accuse"), page.press("#events-code", "Enter")))
    accusations = queries.events(store, queries.make_filter(event="ACCUSE"))
    assert page.inner_text("#events-range").endswith(f" of {len(accusations)}")
    assert set(rows_col(page, "events-table", 2)) == {"ACCUSE"}

    redraw(page, lambda: (page.fill("#events-code", "19"), page.press("#events-code", "Enter")))
    force = queries.events(store, queries.make_filter(event="19"))
    assert page.inner_text("#events-range") == f"1–{min(25, len(force))} of {len(force)}"
    assert set(rows_col(page, "events-table", 1)) == {
        f"{c} {n}" for c, n in zip(force["cameo_code"], force["cameo_name"], strict=True)
    }

    link = page.locator("#events-table a.article-link").first
    title = link.inner_text()
    redraw(page, lambda: link.click())
    assert page.inner_text("#article-title") == title
    article_id = page.url.split("#article/")[1].split("?")[0]
    stored = events[events["article_id"] == article_id]
    assert len(rows(page, "article-events")) == len(stored)
    text = page.inner_text("#article-text")
    assert all(s in text for s in stored["sentence_text"])
    assert page.locator("#article-text .sp.trigger").count() >= len(stored)
    focused = page.locator("#article-text .sp.focus")
    assert focused.count() >= 1  # the event the link came from
    assert set(page.locator("#article-text .sp.trigger").all_inner_texts()) >= set(
        stored["trigger_text"]
    )
    shot(page, "article")


def _story_row(st) -> list[str]:
    """A row of the stories table as the page shows it, from a row of queries.stories."""
    day = lambda v: "" if v is None or v != v else str(v)[:10]  # noqa: E731 (NaT is not itself)
    sides = " → ".join(v or "–" for v in (st.source_codes, st.target_codes))
    return [day(st.event_date), st.cameo_code, st.plover_event, sides, str(st.num_mentions),
            str(st.num_articles), str(st.num_sources), day(st.first_seen), st.place or "",
            st.sentence_text]  # fmt: skip


@pytest.mark.model
def test_stories_list_folded_events_and_open_their_mentions(page, store):
    show(page, "stories")
    stories = queries.stories(store)
    assert page.inner_text("#stories-range") == f"1–25 of {len(stories)}" == "1–25 of 98"
    assert rows(page, "stories-table") == [_story_row(st) for st in stories[:25].itertuples()]
    assert set(page.locator("#stories-table th").all_inner_texts()) >= {
        "date", "CAMEO", "PLOVER", "source → target", "mentions", "articles", "sources",
        "first seen", "place"}  # fmt: skip
    redraw(page, lambda: page.click("#stories-next"))
    assert page.inner_text("#stories-range") == f"26–50 of {len(stories)}"
    assert rows(page, "stories-table")[0] == _story_row(next(stories[25:].itertuples()))
    shot(page, "stories")

    # Nigeria in March: the Chadian president's visit to Abuja, told twice in one article
    apply_filters(page, country="NGA", since="2024-03-01", until="2024-03-31")
    flt = queries.make_filter(country="NGA", since="2024-03-01", until="2024-03-31")
    nigeria = queries.stories(store, flt)
    assert page.inner_text("#stories-range") == f"1–{len(nigeria)} of {len(nigeria)}" == "1–5 of 5"
    assert rows(page, "stories-table") == [_story_row(st) for st in nigeria.itertuples()]
    told = nigeria[nigeria["num_mentions"] > 1]
    assert len(told) == 1
    story = told.iloc[0]
    at = list(nigeria["id"]).index(story["id"])
    redraw(page, lambda: page.locator("#stories-table tbody tr").nth(at).locator("td").nth(3)
           .click())  # fmt: skip
    assert f"story={story['id']}" in page.url
    assert page.locator("#stories-table tbody tr.chosen").count() == 1
    mentions = queries.events(store, queries.make_filter(modalities=None))
    mentions = mentions[mentions["story_id"] == story["id"]]
    shown = rows(page, "story-mentions")
    assert len(shown) == len(mentions) == story["num_mentions"] == 2
    assert [r[2] for r in shown] == list(mentions["sentence_text"])
    assert {r[1] for r in shown} == set(mentions["article_source"]) == {"detente-samples"}
    assert {r[3].split()[0] for r in shown} == set(mentions["cameo_code"]) == {"040", "042"}
    assert page.inner_text("#story-meta") == (
        f"2 mentions in 1 article from 1 source, first seen {str(story['first_seen'])[:10]}"
    )
    assert page.locator("#story-mentions .sp.trigger").all_inner_texts() == list(
        mentions["trigger_text"]
    )
    shot(page, "story-mentions")

    # a mention opens its article, that mention marked, and the way back is to the stories
    title = store.article(mentions.iloc[0]["article_id"])["title"]
    redraw(page, lambda: page.locator("#story-mentions a.article-link").first.click())
    assert page.inner_text("#article-title") == title
    assert page.url.endswith(f"?event={mentions.iloc[0]['id']}")
    assert (
        mentions.iloc[0]["trigger_text"]
        in page.locator("#article-text .sp.focus").all_inner_texts()
    )
    assert page.inner_text("#article-back") == "‹ stories"
    redraw(page, lambda: page.click("#article-back"))
    assert page.inner_text("#stories-range") == "1–5 of 5"

    # carried by at least two articles: none among the samples (no reprints)
    redraw(page, lambda: page.select_option("#stories-min", "2"))
    assert len(queries.stories(store, flt, min_articles=2)) == 0
    assert page.inner_text("#stories-range") == "0 of 0"
    assert rows(page, "stories-table") == [["no folded events in this selection"]]
    assert page.locator("#story-panel").is_hidden()


@pytest.mark.model
def test_claims_and_counts_say_who_said_them_and_how_hedged(page, store):
    show(page, "claims")
    claims, counts = queries.claims(store), queries.counts(store)
    assert page.inner_text("#claims-range") == f"1–25 of {len(claims)}" == "1–25 of 37"
    assert page.inner_text("#counts-range") == f"1–{len(counts)} of {len(counts)}" == "1–11 of 11"
    shown = rows(page, "claims-table")
    assert [(r[1], r[2], r[3], r[4]) for r in shown] == [
        (f"{c.claimant_text} ({c.claimant_code})", c.cue, c.stance, c.text)
        for c in claims[:25].itertuples()
    ]
    assert shown[0][1:4] == ["the US military (USAMIL)", "said", "asserts"]
    denial = claims[claims["stance"] == "denies"].iloc[0]  # what is denied marked in the claim
    assert denial["about"] in page.locator("#claims-table .about").all_inner_texts()
    figures = rows(page, "counts-table")
    assert [(r[1], r[2], r[3]) for r in figures] == [
        (
            c.category,
            str(c.low) if c.low == c.high else f"{c.low}–{c.high}",
            c.unit if isinstance(c.unit, str) else "",
        )
        for c in counts.itertuples()
    ]
    hedged = {r[4]: r[6] for r in figures}
    assert hedged["more than thirty"] == "more than (number)"  # abducted 30, as Borno's officials
    assert figures[0][:6] == ["2024-03-08", "abducted", "30", "students", "more than thirty",
                              "local officials (NGAGOV)"]  # fmt: skip
    shot(page, "claims")

    apply_filters(page, country="NGA")
    flt = queries.make_filter(country="NGA", modalities=None)
    n_claims, n_counts = len(queries.claims(store, flt)), len(queries.counts(store, flt))
    assert page.inner_text("#claims-range") == f"1–{n_claims} of {n_claims}" == "1–3 of 3"
    assert page.inner_text("#counts-range") == f"1–{n_counts} of {n_counts}" == "1–1 of 1"

    # a claim opens its article with the claimed stretch marked
    first = queries.claims(store, flt).iloc[0]
    redraw(page, lambda: page.locator("#claims-table a.article-link").first.click())
    assert page.inner_text("#article-title") == first["article_title"]
    assert page.inner_text("#article-text .sp.claim.focus >> nth=0") in first["text"]
    assert page.inner_text("#article-back") == "‹ claims"


@pytest.mark.model
def test_every_modality_on_demand(page, store):
    show(page, "events")
    redraw(page, lambda: (page.check("#filters [name=all]"), page.click("#filters [type=submit]")))
    assert "all=1" in page.url
    every = queries.events(store, queries.make_filter(modalities=None))
    assert page.inner_text("#events-range") == f"1–25 of {len(every)}"
    assert len(every) > 107  # the asserted ones and more
    modalities = set(rows_col(page, "events-table", 7))
    assert "asserted" in modalities and modalities <= set(every["modality"])
    redraw(page, lambda: page.click("nav a[data-view=overview]"))
    assert card(page, "events") == str(len(every))  # the filter stays on from view to view
    redraw(page, lambda: page.click("#reset"))
    assert card(page, "events") == "107"


@pytest.mark.model
def test_code_a_pasted_text(page, coder):
    show(page, "code")
    page.fill("#code-text", SHELLING)
    page.fill("#code-published", "2024-04-04")
    page.click("#code-run")
    page.wait_for_selector("body[data-coded='1']", state="attached", timeout=60_000)
    expected = code(SHELLING, published="2024-04-04", coder=coder)
    assert page.inner_text("#code-count").startswith(f"{len(expected)} events")
    assert len(rows(page, "code-events")) == len(expected)
    marked = page.locator("#code-annotated")
    assert "shelled" in marked.locator(".sp.trigger").all_inner_texts()
    assert "Russian forces" in marked.locator(".sp.source").all_inner_texts()
    assert "Somalia" in marked.locator(".sp.target").all_inner_texts()
    assert set(rows_col(page, "code-events", 1)) == {
        f"{e.cameo.code} {e.cameo.name}" for e in expected
    }
    shot(page, "code")


@pytest.mark.model
def test_a_bad_filter_is_told_on_the_page(page, traffic):
    page.evaluate("() => document.body.removeAttribute('data-ready')")
    page.goto("/ui/#events?since=2024-13-01")
    page.wait_for_selector("body[data-ready='events']", state="attached", timeout=30_000)
    told = page.inner_text("#status")
    assert told.startswith("GET /events: 422") and "since" in told, told
    assert page.locator("#status.bad").count() == 1
    # the browser logs the 422 response itself: the one console error this test expects
    logged = [e for e in traffic.errors if "422" in e]
    assert len(logged) == len(traffic.errors) >= 1, traffic.errors
    traffic.errors.clear()
    show(page, "events")  # and the next good view clears it


@pytest.mark.model
def test_the_dashboard_serves_its_own_files_only(browser, base):
    def fetch(path: str) -> tuple[int, dict[str, str], bytes]:
        try:
            with urllib.request.urlopen(base + path, timeout=30) as resp:
                return resp.status, dict(resp.headers), resp.read()
        except urllib.error.HTTPError as exc:
            return exc.code, dict(exc.headers), exc.read()

    status, headers, body = fetch("/")
    assert status == 200 and b'<meta name="detente-api"' in body  # / redirects to /ui/
    policy = headers["content-security-policy"]
    assert "default-src 'self'" in policy and "connect-src 'self'" in policy
    assert b"http://" not in body and b"https://" not in body
    for path in ("/ui/vendor/echarts.min.js", "/ui/vendor/topojson-client.min.js"):
        assert fetch(path)[0] == 200
    status, _, world = fetch("/ui/vendor/world.json")
    assert status == 200 and b'"iso3":"UKR"' in world and b'"iso3":"XKX"' in world
    for path in ("/ui/vendor/package.json", "/ui/vendor/..%2Fpackage.json", "/ui/static/mount.py",
                 "/ui/static/..%2F__init__.py"):  # fmt: skip
        assert fetch(path)[0] == 404, path


@pytest.mark.model
def test_the_readme_picture_and_all_that_was_fetched(page, traffic):
    """The overview by QuadClass (DETENTE_DOCS_SCREENSHOT=1: docs/dashboard.png, the README's
    picture); by now the page has fetched much, all of it from 127.0.0.1."""
    show(page, "overview")
    if page.input_value("#overview-group") != "quad":
        redraw(page, lambda: page.select_option("#overview-group", "quad"))
    assert "Material conflict" in svg_texts(page, "overview-chart")
    if os.environ.get("DETENTE_DOCS_SCREENSHOT"):
        page.set_viewport_size({"width": 1280, "height": 820})
        page.screenshot(path=str(ROOT / "docs" / "dashboard.png"))
        page.set_viewport_size({"width": 1280, "height": 900})
    assert traffic.hosts["127.0.0.1"] >= 5 and set(traffic.hosts) == {"127.0.0.1"}
    assert traffic.foreign == []


def _get(base: str, path: str):
    import json

    with urllib.request.urlopen(base + path, timeout=30) as resp:
        return json.loads(resp.read())
