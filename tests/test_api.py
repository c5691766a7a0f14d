"""The HTTP API (docs/api.md) through a real server: `detente serve --no-dashboard` in a
subprocess on a free 127.0.0.1 port, over a store filled by `detente ingest --samples`, called
with http.client and urllib (the dashboard mounted on it: tests/test_web.py).

Every endpoint, its filters, pagination and downloads are checked against the store's own
queries (what the CLI lists); bad input gets a 4xx with a message, never a 500; the token rule
holds for a server bound to 0.0.0.0 (called through 127.0.0.1).
"""

from __future__ import annotations

import http.client
import io
import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from conftest import ingest_samples

from detente import Event, code
from detente.api import create_app, is_loopback
from detente.records import MODALITIES
from detente.settings import Settings
from detente.store import queries
from detente.store.db import open_store

SHELLING = (
    "Russian forces shelled Kharkiv on Monday, killing three civilians, Ukrainian officials "
    "said. Kenya accused Somalia of sheltering militants."
)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """`detente serve` in a subprocess, and requests to it through 127.0.0.1."""

    def __init__(self, db: str, log: Path, *args: str) -> None:
        self.port = _free_port()
        self.log = log
        self.out = log.open("w")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "detente.cli", "serve", "--db", db, "--port", str(self.port),
             "--no-dashboard", *args],
            stdout=self.out, stderr=subprocess.STDOUT, env={**os.environ, "COLUMNS": "300"},
        )  # fmt: skip
        deadline = time.monotonic() + 600  # a machine busy with other work starts it slowly
        while True:
            try:
                if self.get("/status")[0] == 200:
                    break
            except OSError:
                pass
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"the server did not start:\n{log.read_text()}")
            time.sleep(0.3)

    def request(
        self,
        method: str,
        path: str,
        body: bytes | None = None,
        headers: dict[str, str] | None = None,
    ) -> tuple[int, dict[str, str], bytes]:
        con = http.client.HTTPConnection("127.0.0.1", self.port, timeout=600)
        try:
            con.request(method, path, body=body, headers=headers or {})
            resp = con.getresponse()
            return resp.status, {k.lower(): v for k, v in resp.getheaders()}, resp.read()
        finally:
            con.close()

    def get(self, path: str, **params: object) -> tuple[int, object]:
        query = urllib.parse.urlencode(params)
        status, _, body = self.request("GET", path + (f"?{query}" if query else ""))
        return status, json.loads(body) if body.startswith((b"{", b"[")) else body

    def post(self, path: str, payload: object, **headers: str) -> tuple[int, object]:
        status, _, body = self.request(
            "POST", path, json.dumps(payload).encode(),
            {"Content-Type": "application/json", **headers},
        )  # fmt: skip
        return status, json.loads(body)

    def coder_ready(self) -> None:
        """Wait until the server's coder is loaded (slow on a machine busy with other work)."""
        deadline = time.monotonic() + 600
        while self.get("/status")[1]["coder"] != "loaded":
            assert self.proc.poll() is None and time.monotonic() < deadline, self.log.read_text()
            time.sleep(0.5)

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        self.out.close()


@pytest.fixture(scope="module")
def db(tmp_path_factory, coder) -> str:
    return ingest_samples(tmp_path_factory.mktemp("api"))


@pytest.fixture(scope="module")
def server(db, tmp_path_factory):
    s = Server(db, tmp_path_factory.mktemp("log") / "serve.log")
    yield s
    s.stop()


@pytest.fixture
def store(db):
    with open_store(db, read_only=True) as s:
        yield s


def _ids(items) -> list[str]:
    return [i["id"] for i in items]


def test_status_tells_the_store_and_the_limits(server, store):
    status, body = server.get("/status")
    assert status == 200
    assert body["articles"] == 12 and body["events"] == store.counts()["events"]
    assert body["first"] == "2024-01-24" and body["token_required"] is False
    assert body["limits"]["max_body"] == Settings().max_body
    # the store's totals, unfiltered, beside the filtered listings' own totals
    assert body["asserted"] == len(queries.events(store)) == 107
    assert body["stories"] == len(queries.stories(store, queries.make_filter(modalities=None)))
    assert (body["claims"], body["counts"]) == (len(queries.claims(store)), len(queries.counts(
        store))) == (37, 11)  # fmt: skip


def test_events_are_the_stored_records_with_the_schema_of_detente_code(server, store):
    status, body = server.get("/events", limit=1000)
    expected = queries.events(store, queries.make_filter())
    assert status == 200 and body["total"] == len(expected) == len(body["items"])
    assert body["limit"] == 1000 and body["offset"] == 0
    assert _ids(body["items"]) == list(expected["id"])
    for item in body["items"]:
        assert Event.model_validate(item).model_dump(mode="json") == item
    assert {i["modality"] for i in body["items"]} == {"asserted"}


def test_pagination_cuts_the_same_order(server):
    _, whole = server.get("/events", limit=1000)
    _, first = server.get("/events")  # default page
    _, middle = server.get("/events", limit=7, offset=5)
    assert first["limit"] == 50 and len(first["items"]) == 50
    assert middle["total"] == whole["total"] and (middle["limit"], middle["offset"]) == (7, 5)
    assert _ids(middle["items"]) == _ids(whole["items"])[5:12]
    _, past = server.get("/events", offset=10_000)
    assert past["items"] == [] and past["total"] == whole["total"]


@pytest.mark.parametrize(
    "params",
    [
        {"country": "YEM"},
        {"dyad": "OMN,YEM"},
        {"dyad": "GBRMIL,YEM"},
        {"event": "ASSAULT"},
        {"event": "19"},
        {"since": "2024-03-01", "until": "2024-06-30"},
        {"all_modalities": "true"},
    ],
)
def test_event_filters_are_the_clis(server, store, params):
    status, body = server.get("/events", limit=1000, **params)
    flt = {k: v for k, v in params.items() if k != "all_modalities"}
    modalities = MODALITIES if "all_modalities" in params else ("asserted",)
    expected = queries.events(store, queries.make_filter(**flt, modalities=modalities))
    assert status == 200 and body["total"] == len(expected) > 0
    assert _ids(body["items"]) == list(expected["id"])


def test_downloads_hold_every_row_in_their_format(server, store):
    n = len(queries.events(store, queries.make_filter(country="YEM")))
    status, headers, body = server.request("GET", "/events?format=jsonl&country=YEM")
    assert status == 200 and headers["content-type"].startswith("application/x-ndjson")
    assert 'filename="events.jsonl"' in headers["content-disposition"]
    lines = body.decode().splitlines()
    assert len(lines) == n == int(headers["x-total-count"])
    assert all(Event.model_validate_json(line) for line in lines)
    status, headers, body = server.request("GET", "/events?format=csv&limit=5")
    rows = body.decode().splitlines()
    assert status == 200 and headers["content-type"].startswith("text/csv")
    assert rows[0].startswith("id,article_id,published") and len(rows) == 6
    status, headers, body = server.request("GET", "/events?format=parquet")
    table = pq.read_table(io.BytesIO(body))
    assert status == 200 and table.num_rows == len(queries.events(store, queries.make_filter()))
    assert "cameo_code" in table.column_names
    status, _, body = server.request("GET", "/claims?format=csv")
    assert status == 200 and len(body.decode().strip().splitlines()) == 1 + 37


def test_stories_dyads_series_and_alerts(server, store):
    status, stories = server.get("/stories", limit=1000)
    assert status == 200 and stories["total"] == len(queries.stories(store, queries.make_filter()))
    assert {"num_mentions", "source_codes", "article_id"} <= set(stories["items"][0])
    status, dyads = server.get("/dyads", by="week", limit=1000)
    expected = queries.dyads(store, "week", queries.make_filter())
    assert status == 200 and dyads["total"] == len(expected)
    top = dyads["items"][0]
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", top["period"])
    assert (top["source"], top["target"], top["events"]) == tuple(
        expected.iloc[0][["source", "target", "events"]]
    )
    status, series = server.get("/series", level="countries", by="month", country="YEM")
    assert status == 200 and series["total"] > 0
    assert {i["country"] for i in series["items"]} == {"YEM"}
    assert all(0 <= i["conflict_share"] <= 1 for i in series["items"])
    status, alerts = server.get("/alerts", since="2024-01-01")
    assert status == 200 and alerts["total"] > 0
    assert {"period", "measure", "unit", "events_command"} <= set(alerts["items"][0])


def test_the_mentions_of_a_folded_event(server, store):
    """A story folded from two mentions lists both, each with its record and its documents;
    every story's mentions add up to its num_mentions (no reprints among the samples)."""
    every = queries.stories(store, queries.make_filter(modalities=None))
    folded = every[every["num_mentions"] > 1]
    assert len(folded) > 0
    story = folded.iloc[0]
    events = queries.events(store, queries.make_filter(modalities=None))
    expected = events[events["story_id"] == story["id"]]
    status, body = server.get(f"/stories/{story['id']}/mentions")
    assert status == 200 and body["total"] == len(expected) == story["num_mentions"] == 2
    assert _ids(body["items"]) == list(expected["id"])
    assert story["id"] in _ids(body["items"])  # the story's id is its first mention's
    for item, row in zip(body["items"], expected.itertuples(), strict=True):
        assert Event.model_validate(item["event"]).model_dump(mode="json") == item["event"]
        assert item["event"]["sentence"]["text"] == row.sentence_text
        assert item["event"]["article"]["id"] == row.article_id
        stored = store.article(row.article_id)
        assert [(d["source"], d["title"]) for d in item["documents"]] == [
            (stored["source"], stored["title"])
        ]
    status, one = server.get(f"/stories/{story['id']}/mentions", limit=1, offset=1)
    assert status == 200 and _ids(one["items"]) == _ids(body["items"])[1:]
    status, headers, csv = server.request("GET", f"/stories/{story['id']}/mentions?format=csv")
    assert status == 200 and 'filename="mentions.csv"' in headers["content-disposition"]
    assert len(csv.decode().strip().splitlines()) == 1 + 2
    lone = every[every["num_mentions"] == 1].iloc[0]
    assert server.get(f"/stories/{lone['id']}/mentions")[1]["total"] == 1
    joined = next(i for i in expected["id"] if i != story["id"])  # folded into another's
    status, body = server.get(f"/stories/{joined}/mentions")
    assert status == 404 and "no folded event" in body["detail"]


def test_claims_and_counts(server, store):
    status, claims = server.get("/claims", limit=1000)
    assert status == 200 and claims["total"] == len(queries.claims(store)) == 37
    first = claims["items"][0]
    assert first["id"].startswith(first["article"]["id"] + ":") and first["cue"]
    status, counts = server.get("/counts", country="NGA")
    assert status == 200 and counts["total"] == len(queries.counts(store, queries.make_filter(
        country="NGA", modalities=None)))  # fmt: skip
    assert any(c["category"] == "abducted" and c["low"] == 30 for c in counts["items"])


def test_an_article_with_every_span(server, store):
    status, art = server.get("/articles/sample-09")
    assert status == 200 and art["title"].startswith("US and British jets")
    text = art["text"]
    assert text == store.article("sample-09")["text"]
    triggers = [s for s in art["spans"] if s["kind"] == "trigger"]
    marked = {
        (e["trigger"]["start"], e["trigger"]["end"], e["cameo"]["code"]) for e in art["events"]
    }
    assert {(t["start"], t["end"], t["label"].split()[0]) for t in triggers} == marked != set()
    by_id = {e["id"]: e for e in art["events"]}
    for span in art["spans"]:
        assert {"start", "end", "kind", "label", "events"} <= set(span)
        assert 0 <= span["start"] < span["end"] <= len(text)
        if span["kind"] == "trigger":
            event = by_id[span["events"][0]]
            assert text[span["start"] : span["end"]] == event["trigger"]["text"]
            assert span["label"].startswith(event["cameo"]["code"] + " ")
    actors = {
        (s["label"], text[s["start"] : s["end"]]) for s in art["spans"] if s["kind"] == "actor"
    }
    assert {("YEMREB", "The Houthis"), ("USAMIL", "the US military")} <= actors
    assert {"claim", "place"} <= {s["kind"] for s in art["spans"]}
    _, every = server.get("/articles/sample-09", all_modalities="true")
    assert len(every["events"]) >= len(art["events"])


def test_code_gives_what_detente_code_gives(server, coder):
    status, body = server.post("/code", {"text": SHELLING, "published": "2024-03-04"})
    expected = code(SHELLING, published="2024-03-04", coder=coder)
    assert status == 200 and body["events"] == [json.loads(e.model_dump_json()) for e in expected]
    assert body["article"]["published"] == "2024-03-04" and body["text"] == SHELLING
    assert any(c["category"] == "killed" and c["low"] == 3 for c in body["counts"])
    assert any(s["kind"] == "place" and s["label"] == "Kharkiv, UKR" for s in body["spans"])
    status, every = server.post("/code", {"text": SHELLING, "all_modalities": True})
    assert status == 200 and len(every["events"]) >= len(body["events"])


def test_code_reads_html(server):
    page = (
        "<html><head><title>Talks</title></head><body><article><h1>Talks</h1>"
        f"<p>{SHELLING}</p><p>{SHELLING.replace('Monday', 'Tuesday')}</p></article></body></html>"
    )
    status, body = server.post("/code", {"html": page, "published": "2024-03-04"})
    assert status == 200, body
    assert "Kharkiv" in body["text"] and "<p>" not in body["text"]
    assert {e["cameo"]["root"] for e in body["events"]} >= {"19"}


@pytest.mark.parametrize(
    ("method", "path", "payload", "status", "words"),
    [
        ("GET", "/events?colour=red", None, 400, "unknown query parameter 'colour'"),
        ("GET", "/events?since=2024-02-30", None, 422, "query parameter 'since'"),
        ("GET", "/events?until=yesterday", None, 422, "query parameter 'until'"),
        ("GET", "/events?limit=abc", None, 422, "query parameter 'limit'"),
        ("GET", "/events?limit=0", None, 422, "greater than or equal to 1"),
        ("GET", "/events?limit=100000", None, 422, "at most 1,000 rows"),
        ("GET", "/events?format=xml", None, 422, "query parameter 'format'"),
        ("GET", "/events?dyad=RUS", None, 422, "SOURCE,TARGET"),
        ("GET", "/events?since=0001-01-01", None, 422, "outside the dates detente reads"),
        ("GET", "/alerts?since=0001-01-01", None, 422, "outside the dates detente reads"),
        ("GET", "/events?offset=99999999999999999999", None, 422, "query parameter 'offset'"),
        ("GET", "/events?format=csv&limit=99999999999999999999", None, 422, "'limit'"),
        ("GET", "/stories?min_articles=99999999999999999999", None, 422, "min_articles"),
        ("GET", "/series?level=actors&dyad=RUS,UKR", None, 422, "needs a level of pairs"),
        ("GET", "/counts?since=2024-01-01T10:00:00", None, 422, "query parameter 'since'"),
        ("GET", "/events?all_modalities=maybe", None, 422, "'all_modalities'"),
        ("GET", "/dyads?by=fortnight", None, 422, "query parameter 'by'"),
        ("GET", "/series?level=planets", None, 422, "query parameter 'level'"),
        ("GET", "/alerts?country=YEM", None, 400, "GET /alerts takes"),
        ("GET", "/alerts?by=day", None, 422, "query parameter 'by'"),
        ("GET", "/stories?min_articles=0", None, 422, "min_articles"),
        ("GET", "/claims?all_modalities=true", None, 400, "unknown query parameter"),
        ("GET", "/articles/no-such-article", None, 404, "no article with id"),
        ("GET", "/stories/no-such-story/mentions", None, 404, "no folded event"),
        ("GET", "/stories/x/mentions?since=2024-01-01", None, 400, "unknown query parameter"),
        ("GET", "/nowhere", None, 404, "no such path"),
        ("DELETE", "/events", None, 405, "not allowed"),
        ("POST", "/code", {"text": 5}, 422, "body field 'text'"),
        ("POST", "/code", {"text": "Kenya accused Somalia.", "colour": 1}, 422, "'colour'"),
        ("POST", "/code", {"text": "Kenya accused Somalia.", "all_modalities": "yes"}, 422,
         "all_modalities"),
        ("POST", "/code", {}, 422, "exactly one of 'text' and 'html'"),
        ("POST", "/code", {"text": "a", "html": "<p>b</p>"}, 422, "exactly one"),
        ("POST", "/code", {"text": "   "}, 422, "empty text"),
        ("POST", "/code", {"text": "Kenya accused Somalia.", "published": "soon"}, 422,
         "published date"),
        ("POST", "/code", {"html": "<html><body></body></html>"}, 422, "no main text"),
        ("POST", "/code", [1, 2], 422, "request body"),
    ],
)  # fmt: skip
def test_bad_input_is_a_4xx_with_a_message(server, method, path, payload, status, words):
    body = None if payload is None else json.dumps(payload).encode()
    headers = {} if payload is None else {"Content-Type": "application/json"}
    got, _, raw = server.request(method, path, body, headers)
    detail = json.loads(raw)["detail"]
    assert got == status, detail
    assert isinstance(detail, str) and words in detail


def test_bodies_that_are_not_json_or_too_large(server):
    status, _, raw = server.request("POST", "/code", b"Kenya accused Somalia.",
                                    {"Content-Type": "text/plain"})  # fmt: skip
    assert status == 415 and "application/json" in json.loads(raw)["detail"]
    status, _, raw = server.request("POST", "/code", b'{"text": "Kenya', {"Content-Type":
                                    "application/json"})  # fmt: skip
    assert status == 422 and "not valid JSON" in json.loads(raw)["detail"]
    big = json.dumps({"text": "Kenya accused Somalia. " * 230_000}).encode()
    assert len(big) > Settings().max_body
    status, _, raw = server.request("POST", "/code", big, {"Content-Type": "application/json"})
    assert status == 413 and "over the limit of 5,000,000 bytes" in json.loads(raw)["detail"]


def test_a_chunked_body_is_cut_at_the_limit(server):
    """No Content-Length: the body is counted as it arrives."""
    con = http.client.HTTPConnection("127.0.0.1", server.port, timeout=60)
    chunk = b"x" * 1_000_000
    con.request("POST", "/code", body=iter([chunk] * 6), encode_chunked=True,
                headers={"Content-Type": "application/json"})  # fmt: skip
    resp = con.getresponse()
    assert resp.status == 413 and "over the limit" in json.loads(resp.read())["detail"]
    con.close()


def test_no_cors_headers_unless_configured(server):
    _, headers, _ = server.request("GET", "/status", headers={"Origin": "http://elsewhere.test"})
    assert not any(h.startswith("access-control-") for h in headers)
    status, _, _ = server.request(
        "OPTIONS", "/events",
        headers={"Origin": "http://elsewhere.test", "Access-Control-Request-Method": "GET"},
    )  # fmt: skip
    assert status == 405


def test_the_docs_work_offline(server):
    status, _, page = server.request("GET", "/docs")
    html = page.decode()
    assert status == 200 and "swagger-ui-bundle.js" in html
    assert not re.search(r"(src|href)=\"https?://", html), "the docs page loads from outside"
    for asset in re.findall(r"(?:src|href)=\"(/static-offline-docs/[^\"]+)\"", html):
        got, _, body = server.request("GET", asset)
        assert got == 200 and len(body) > 100, asset
    status, _, page = server.request("GET", "/redoc")
    assert status == 200 and not re.search(r"(src|href)=\"https?://", page.decode())
    _, spec = server.get("/openapi.json")
    paths = set(spec["paths"])
    assert {"/code", "/events", "/stories", "/stories/{story_id}/mentions", "/dyads", "/series",
            "/alerts", "/claims", "/counts", "/articles/{article_id}",
            "/status"} <= paths  # fmt: skip


def test_a_server_on_another_address_needs_the_token(db, tmp_path):
    """Bound to 0.0.0.0 with no --token, serve makes one and prints it; POST /code needs it
    (called here through 127.0.0.1), GET does not. (This server codes in its own process, the
    other ones in a worker process.)"""
    s = Server(db, tmp_path / "serve.log", "--host", "0.0.0.0", "--code-workers", "0")
    try:
        token = re.search(r"Bearer (\S+)'", s.log.read_text()).group(1)
        assert s.get("/status")[1]["token_required"] is True
        status, body = s.post("/code", {"text": SHELLING})
        assert status == 401 and "needs the token" in body["detail"]
        status, body = s.post("/code", {"text": SHELLING}, Authorization="Bearer wrong")
        assert status == 401 and "wrong token" in body["detail"]
        status, body = s.post("/code", {"text": SHELLING}, Authorization=f"Basic {token}")
        assert status == 401
        assert s.get("/events", limit=1)[0] == 200
        s.coder_ready()
        status, body = s.post("/code", {"text": SHELLING}, Authorization=f"Bearer {token}")
        assert status == 200 and body["events"]
    finally:
        s.stop()


def test_create_app_refuses_another_address_without_a_token():
    assert is_loopback("127.0.0.1") and is_loopback("::1") and is_loopback("localhost")
    assert not is_loopback("0.0.0.0") and not is_loopback("192.0.2.7")
    with pytest.raises(ValueError, match="need a token"):
        create_app("x.duckdb", host="0.0.0.0")
    assert create_app("x.duckdb", host="0.0.0.0", token="t").state.detente.token_required


def test_a_missing_store_is_a_503_with_the_way_out(tmp_path):
    s = Server(str(tmp_path / "none.duckdb"), tmp_path / "serve.log")
    try:
        status, body = s.get("/events")
        assert status == 503 and "run `detente ingest` first" in body["detail"]
        assert s.get("/status")[1]["articles"] is None
    finally:
        s.stop()


def test_urllib_client(server):
    """A plain client sees the same: the JSON page and a 4xx as an HTTPError."""
    base = f"http://127.0.0.1:{server.port}"
    with urllib.request.urlopen(f"{base}/events?limit=2") as resp:
        assert json.load(resp)["limit"] == 2
    with pytest.raises(urllib.error.HTTPError) as err:
        urllib.request.urlopen(f"{base}/events?limit=-3")
    assert err.value.code == 422


def test_a_writer_gets_the_file_while_reads_keep_coming(server, db):
    """Reads share one connection while they come; a writer that finds the file held says so
    (PATH.want): new reads wait for it and the server lets go of the file once the reads under
    way end, so the writer gets in within its wait however many reads keep coming (without
    PATH.want it waited 7 to 54 s here)."""
    import threading

    from detente.store.db import writer_holding, writer_waiting

    stop, answers = threading.Event(), []

    def reads() -> None:
        while not stop.is_set():
            answers.append(server.request("GET", "/events?limit=50")[0])

    threads = [threading.Thread(target=reads) for _ in range(4)]
    for t in threads:
        t.start()
    try:
        for _ in range(3):
            with open_store(db, wait=15) as store, store.writing():
                assert writer_holding(db)  # the lock names this process while it writes
                assert not writer_waiting(db) and not Path(f"{db}.want").exists()
    finally:
        stop.set()
        for t in threads:
            t.join()
    assert not writer_waiting(db) and not writer_holding(db)
    assert answers and set(answers) == {200}


def test_the_store_stays_writable_while_serving(server, db, coder):
    """The server opens the store read-only for each request, so an ingest can write (last in
    this file: it adds an article to the store the other tests read)."""
    from detente.run.batch import ingest
    from detente.text import make_article

    article = make_article(SHELLING, article_id="api-late", published="2024-03-04")
    with open_store(db, wait=30) as store:
        summary = ingest([article], store, coder)
    assert summary.stored == 1
    status, art = server.get("/articles/api-late")
    assert status == 200 and art["events"]
    _, now = server.get("/status")
    assert now["articles"] == 13
