"""Property-based tests (hypothesis) of every reader and of ``detente.code``: whatever the input,
each item gives a result or a per-item error (a ``Failure`` from the readers, an ``InputError``
from the library), never an exception or a traceback, and what it gives is within the caps of
``Settings``/``SourceOptions`` (bounds by construction: no test here measures time or memory;
``bench/pathological.py`` prints those).

Examples are few and derandomised so ``make test`` stays fast and repeatable; for a longer,
random search run ``DETENTE_FUZZ=20 pytest tests/test_fuzz.py`` (20 times the examples).
"""

from __future__ import annotations

import gzip
import json
import os
import re
import tempfile
from io import BytesIO
from pathlib import Path

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from detente.errors import InputError
from detente.ingest import sources
from detente.ingest.fetch import Fetched
from detente.ingest.sources import Failure, Found, SourceOptions, read_inputs
from detente.records import MODALITIES
from detente.settings import Settings
from detente.text import make_article, paragraphs, parse_published

FUZZ = int(os.environ.get("DETENTE_FUZZ", "1"))


def bounded(examples: int):
    """Hypothesis settings: ``examples`` examples (times DETENTE_FUZZ), no deadline."""
    return settings(
        max_examples=examples * FUZZ,
        deadline=None,
        derandomize=FUZZ == 1,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    )


# Small caps, so the examples reach them.
OPTS = SourceOptions(
    max_bytes=20_000,
    max_chars=4_000,
    max_line_bytes=3_000,
    max_decompressed=40_000,
    follow_links=False,
)
STAGES = {"read", "decode", "parse", "extract", "fetch"}
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")

# --- strategies ---------------------------------------------------------------------------------
WORDS = [
    "Kenya", "Somalia", "Iran", "the United States", "Hamas", "Russian forces", "NATO",
    "President William Ruto", "the Iranian foreign minister", "police", "protesters", "he",
    "they", "it", "met", "accused", "attacked", "praised", "will visit", "did not condemn",
    "said", "urged", "threatened to", "signed", "a deal", "with", "in", "on Monday", "after",
    "killed", "three people", "the talks", "of", "and", "said on Tuesday that", "the", "1995",
    "NAIROBI, March 5, 2024 (Reuters) -", "“", "”", '"', "'s", "(AP)", "—", "U.N.", "Dr.",
]  # fmt: skip
PUNCT = [" ", " ", " ", ". ", ", ", "! ", "? ", "\n", "\n\n", " … ", "; ", ": ", "\t", ""]

newsy = st.lists(
    st.one_of(st.sampled_from(WORDS), st.sampled_from(PUNCT), st.text(max_size=8)), max_size=120
).map("".join)
ACTORS = [
    "Kenya", "Somalia", "Iran", "the United States", "Hamas", "Russian forces", "NATO", "he",
    "President William Ruto", "the Iranian foreign minister", "police", "protesters", "they",
    "Egypt's foreign minister", "Ukrainian troops", "the U.N. Security Council", "it", "Israel",
]  # fmt: skip
VERBS = [
    "met", "accused", "attacked", "praised", "will visit", "did not condemn", "urged",
    "threatened to strike", "signed a deal with", "killed three people in", "called on",
    "expelled the ambassador of", "sent aid to", "rejected the offer of", "said it would meet",
    "were attacked by", "was praised by", "agreed to talks with", "fired rockets at",
]  # fmt: skip
TAILS = ["", " on Monday", " in Cairo", " after the talks", ", officials said", " last week"]
sentence = st.builds(
    "{}{} {} {}{}{}".format,
    st.sampled_from(["", "", "On Monday, ", "“", "Officials said "]),
    st.sampled_from(ACTORS),
    st.sampled_from(VERBS),
    st.sampled_from(ACTORS),
    st.sampled_from(TAILS),
    st.sampled_from([".", ".", "!", "?", ".”", "", ";"]),
)
stories = st.lists(
    st.tuples(sentence, st.sampled_from([" ", " ", "\n", "\n\n", "  "])), min_size=1, max_size=8
).map(lambda parts: "".join(a + b for a, b in parts))
anything = st.text(max_size=400)
# a long run with no sentence end (up to ~12k characters): reaches the paragraph/sentence caps
long_run = st.builds(
    lambda word, n, sep: (word + sep) * n,
    st.sampled_from(["Kenya", "minister", "met", "aaaa", "Hamas fired"]),
    st.integers(1, 2_000),
    st.sampled_from([" ", "", ", ", "\n", " and "]),
)
texts = st.one_of(stories, newsy, anything, long_run)


def encoded(text_strategy=texts):
    """Bytes: UTF-8 (with a BOM or not), Latin-1, raw bytes, or UTF-8 with a NUL in it."""
    return st.one_of(
        text_strategy.map(lambda t: t.encode("utf-8", "surrogatepass")),
        text_strategy.map(lambda t: "\ufeff" + t).map(lambda t: t.encode("utf-8", "surrogatepass")),
        text_strategy.map(lambda t: t.encode("latin-1", "replace")),
        st.binary(max_size=600),
        text_strategy.map(lambda t: b"\x00" + t.encode("utf-8", "surrogatepass")),
    )


def cut(data: bytes, where: int | None) -> bytes:
    """``data`` truncated at ``where`` (a share in thousandths), or whole when ``None``."""
    return data if where is None else data[: len(data) * where // 1000]


cuts = st.one_of(st.none(), st.integers(0, 999))
dates = st.one_of(
    st.none(),
    st.dates().map(str),
    st.datetimes().map(lambda d: d.strftime("%a, %d %b %Y %H:%M:%S GMT")),
    st.integers(-(10**20), 10**20),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=30),
    st.sampled_from(["2024-02-30", "0000-01-01", "9999-12-31T25:00", "1e400", "-1"]),
)
escape = st.text(max_size=60).map(
    lambda t: t.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
)
markup = st.one_of(escape, st.sampled_from(["<p>", "</p>", "<b>", "<br>", "<![CDATA[", "]]>"]))


@st.composite
def html_pages(draw) -> bytes:
    """An HTML page from random pieces: metadata (a date, a title), blocks of text, stray or
    unclosed tags, scripts; sometimes truncated, sometimes not HTML at all."""
    head = draw(
        st.lists(
            st.one_of(
                st.builds("<title>{}</title>".format, escape),
                st.builds('<meta property="article:published_time" content="{}">'.format, dates),
                st.builds('<meta name="date" content="{}">'.format, dates),
                st.just('<meta charset="latin-1">'),
            ),
            max_size=4,
        )
    )
    tags = st.sampled_from(["p", "div", "article", "h1", "li", "span", "script", "table", "a"])
    body = draw(
        st.lists(
            st.one_of(
                st.builds("<{0}>{1}</{0}>".format, tags, newsy),
                st.builds("<{0}>{1}".format, tags, texts),
                st.sampled_from(["</div>", "<!--", "-->", "<?xml ?>", "<svg><g>", "&#xD800;"]),
            ),
            max_size=12,
        )
    )
    page = f"<!doctype html><html><head>{''.join(head)}</head><body>{''.join(body)}</body></html>"
    return cut(draw(st.one_of(st.just(page.encode("utf-8", "replace")), encoded())), draw(cuts))


# One feed item's fields in RSS 2.0 and in Atom.
_RSS_TAGS = {
    "item": "item",
    "title": "<title>{}</title>",
    "link": "<link>{}</link>",
    "date": "<pubDate>{}</pubDate>",
    "summary": "<description>{}</description>",
    "content": "<content:encoded>{}</content:encoded>",
}
_ATOM_TAGS = {
    "item": "entry",
    "title": "<title>{}</title>",
    "link": '<link href="{}"/>',
    "date": "<updated>{}</updated>",
    "summary": "<summary>{}</summary>",
    "content": '<content type="html">{}</content>',
}


@st.composite
def feeds(draw) -> bytes:
    """An RSS 2.0 or Atom feed with random items (title, link, date, summary, content), maybe
    truncated or not XML at all."""
    items = []
    for _ in range(draw(st.integers(0, 4))):
        link = draw(st.one_of(st.none(), st.sampled_from(LINKS), escape))
        date = draw(dates)
        title, summary = draw(escape), draw(st.one_of(st.none(), escape, markup))
        content = draw(st.one_of(st.none(), newsy.map(_xml_text)))
        rss_item = draw(st.booleans())
        tags = _RSS_TAGS if rss_item else _ATOM_TAGS
        body = "".join(
            tags[name].format(value)
            for name, value in (
                ("title", title),
                ("link", link),
                ("date", date),
                ("summary", summary),
                ("content", content or None),
            )
            if value is not None
        )
        items.append(f"<{tags['item']}>{body}</{tags['item']}>")
    rss = (
        '<?xml version="1.0"?><rss version="2.0" '
        'xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel>'
        f"<title>{draw(escape)}</title>{''.join(items)}</channel></rss>"
    )
    atom = f'<feed xmlns="http://www.w3.org/2005/Atom"><title>t</title>{"".join(items)}</feed>'
    feed = draw(st.sampled_from([rss, atom]))
    return cut(draw(st.one_of(st.just(feed.encode()), encoded(markup))), draw(cuts))


def _xml_text(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


LINKS = ["https://news.example/a", "http://127.0.0.1:9/x", "ftp://x/y", "javascript:void(0)", ""]


@st.composite
def warcs(draw, gz: bool) -> bytes:
    """A WARC(.gz) written by warcio with random records (type, status, content type, body),
    maybe truncated or with a byte changed."""
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    buffer = BytesIO()
    writer = WARCWriter(buffer, gzip=gz)
    for n in range(draw(st.integers(0, 3))):
        kind = draw(st.sampled_from(["response", "response", "request", "resource", "metadata"]))
        status = draw(st.sampled_from(["200 OK", "200 OK", "404 Not Found", "302 Found"]))
        ctype = draw(st.sampled_from(["text/html; charset=utf-8", "text/html", "image/png", ""]))
        body = draw(st.one_of(html_pages(), st.binary(max_size=200)))
        headers = StatusAndHeaders(status, [("Content-Type", ctype)], protocol="HTTP/1.1")
        warc_date = draw(st.sampled_from(["2024-03-05T10:00:00Z", "junk", ""]))
        rec = writer.create_warc_record(
            f"https://news.example/{n}",
            kind,
            payload=BytesIO(body),
            http_headers=headers if kind in ("response", "request") else None,
            # fixed date and id: the same draws give the same bytes
            warc_headers_dict={"WARC-Date": warc_date, "WARC-Record-ID": f"<urn:uuid:{n}>"},
        )
        writer.write_record(rec)
    data = cut(buffer.getvalue(), draw(cuts))
    if data and draw(st.booleans()):  # one byte changed
        at = draw(st.integers(0, len(data) - 1))
        data = data[:at] + bytes([data[at] ^ draw(st.integers(1, 255))]) + data[at + 1 :]
    return data


json_values = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=20)),
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(st.text(), inner)),
    max_leaves=8,
)
rows = st.fixed_dictionaries(
    {},
    optional={
        "text": st.one_of(texts, json_values),
        "title": json_values,
        "url": st.one_of(st.sampled_from(LINKS), json_values),
        "published": st.one_of(dates, json_values),
        "source": json_values,
        "id": st.one_of(st.text(max_size=10), json_values),
    },
)
jsonl_lines = st.lists(
    st.one_of(
        rows.map(lambda r: json.dumps(r).encode()),
        json_values.map(lambda v: json.dumps(v).encode()),
        st.binary(max_size=80).map(lambda b: b.replace(b"\n", b" ")),
        st.just(b'{"text": "' + b"Kenya met Somalia. " * 400 + b'"}'),  # over max_line_bytes
    ),
    max_size=6,
)


def _gzip_of_xs(n: int) -> bytes:
    return gzip.compress(b"x" * n)


# --- helpers ------------------------------------------------------------------------------------
def read_file(name: str, data: bytes, opts: SourceOptions = OPTS) -> list:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / name
        path.write_bytes(data)
        return list(read_inputs([str(path)], opts))


def check_results(results: list, opts: SourceOptions = OPTS) -> list[Found]:
    """Every result a ``Found`` within the caps or a ``Failure`` naming its item and stage."""
    found = []
    for r in results:
        assert isinstance(r, Found | Failure), r
        if isinstance(r, Failure):
            assert r.stage in STAGES and r.item and isinstance(r.reason, str) and r.reason, r
            continue
        text = r.article.text
        assert text and text == text.strip() and len(text) <= opts.max_chars
        assert not _CONTROL.search(text)
        if r.article.published is not None:
            assert 1800 <= r.article.published.year <= 2200
        found.append(r)
    return found


# --- readers (no model) ----------------------------------------------------------------------
@bounded(60)
@given(data=encoded(), name=st.sampled_from(["a.txt", "b", "c.md"]))
def test_any_text_file_is_an_article_or_an_error(data, name):
    check_results(read_file(name, data))


@bounded(40)
@given(data=html_pages())
def test_any_html_file_is_an_article_or_an_error(data):
    [result] = read_file("page.html", data)
    check_results([result])


@bounded(40)
@given(data=feeds(), name=st.sampled_from(["f.rss", "f.atom", "f.xml"]))
def test_any_feed_gives_articles_or_errors(data, name):
    check_results(read_file(name, data))


@bounded(20)
@given(data=feeds(), pages=st.lists(st.one_of(html_pages(), st.none()), min_size=1, max_size=4))
def test_following_feed_links_to_any_page_or_failure(data, pages):
    """Items with only a summary are followed; a page that fails keeps the summary."""
    served = iter(pages * 8)

    def fake_fetch(url: str, **kwargs) -> Fetched:
        page = next(served, None)
        if page is None:
            raise InputError(url, "connection refused")
        return Fetched(url, url, "text/html", page)

    opts = SourceOptions(**{**OPTS.__dict__, "follow_links": True})
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(sources, "fetch", fake_fetch)
        check_results(read_file("f.rss", data, opts), opts)


@bounded(40)
@given(data=st.data(), gz=st.booleans())
def test_any_warc_gives_articles_or_errors(data, gz):
    warc = data.draw(warcs(gz))
    results = read_file("crawl.warc.gz" if gz else "crawl.warc", warc)
    assert len(results) <= 3 + 2  # at most one per record, plus the file's own error
    check_results(results)


@bounded(60)
@given(lines=jsonl_lines, gz=st.booleans(), where=cuts, end=st.sampled_from([b"\n", b"\r\n"]))
def test_any_json_lines_give_articles_or_errors(lines, gz, where, end):
    data = b"".join(line + end for line in lines)
    if gz:
        data = cut(gzip.compress(data), where)
    results = read_file("rows.jsonl.gz" if gz else "rows.jsonl", data)
    assert len(results) <= len(lines) + 1  # one per line, plus the file's own error
    for r in check_results(results):
        assert r.item.rsplit(":", 1)[1].isdigit()


@bounded(20)
@given(
    data=st.one_of(st.binary(max_size=300), st.integers(10**5, 10**6).map(_gzip_of_xs)),
    name=st.sampled_from(["a.jsonl.gz", "b.warc.gz"]),
)
def test_any_gz_input_is_read_within_the_decompression_cap(data, name):
    """Garbage, or a gzip stream that expands past ``max_decompressed``: an error, no data."""
    for r in check_results(read_file(name, data)):
        assert len(r.article.text) <= OPTS.max_chars


@bounded(200)
@given(value=st.one_of(dates, json_values, st.dates(), st.datetimes()))
def test_any_date_value_is_a_date_or_a_value_error(value):
    try:
        day = parse_published(value)
    except ValueError:
        return
    assert 1800 <= day.year <= 2200


# --- the text cut before spaCy (no model) ---------------------------------------------------
_END = re.compile(r"[.!?…][\"'”’)\]]*(?=\s|$)")


@bounded(150)
@given(
    text=st.one_of(texts, st.lists(long_run, max_size=4).map("\n".join)),
    caps=st.tuples(st.integers(100, 3_000), st.integers(50, 1_500)),
)
def test_pieces_given_to_spacy_are_bounded(text, caps):
    max_paragraph, max_sentence = caps
    pieces = paragraphs(text, max_paragraph, max_sentence)
    end = 0
    for start, piece in pieces:
        assert piece and piece == piece.strip()
        assert text[start : start + len(piece)] == piece  # offsets refer to the text
        assert start >= end  # in order, never overlapping
        end = start + len(piece)
        assert len(piece) <= max_paragraph
        for run in _END.split(piece):
            assert len(run) <= min(max_sentence, max_paragraph)


# --- the coder (session model) ----------------------------------------------------------------
@bounded(60)
@given(
    text=st.one_of(stories, newsy, anything),
    published=st.one_of(st.none(), st.dates().map(str), dates),
)
def test_code_gives_events_or_an_input_error(coder, text, published):
    try:
        article = make_article(text, published=published, max_chars=coder.settings.max_chars)
    except InputError as exc:
        assert exc.item and exc.reason
        return
    events = coder.code_article(article, MODALITIES)
    check_events(article, events, coder.settings)


@bounded(12)
@given(texts=st.lists(st.one_of(stories, newsy, long_run), min_size=1, max_size=3))
def test_a_batch_codes_each_article_as_alone(coder, texts):
    articles = []
    for n, text in enumerate(texts):
        try:
            articles.append(make_article(text, article_id=f"a{n}"))
        except InputError:
            continue
    alone = {}
    for article in articles:
        try:
            alone[article.id] = coder.code_article(article, MODALITIES)
        except InputError as exc:  # over Settings.max_events: an error naming it
            assert exc.item == article.id and "max_events" in exc.reason
    articles = [a for a in articles if a.id in alone]
    together = list(coder.code_articles(articles, MODALITIES))
    assert [a.id for a, _ in together] == [a.id for a in articles]
    for article, events in together:
        check_events(article, events, coder.settings)
        assert events == alone[article.id]


@bounded(25)
@given(
    text=st.one_of(stories, newsy, anything), published=st.one_of(st.none(), st.text(max_size=12))
)
def test_the_library_call_raises_only_input_errors(coder, text, published):
    import detente

    try:
        events = detente.code(text, published, coder=coder)
    except InputError:
        return
    assert all(e.modality == "asserted" for e in events)


def capped(coder, **caps):
    """The session coder's model and knowledge under other caps (no second model load)."""
    from detente.coding.coder import Coder

    return Coder(
        coder.nlp, coder.codebook, coder.patterns, coder.matcher,
        coder.settings.model_copy(update=caps), coder.locator.gaz, coder.lexicon, coder.contexts,
    )  # fmt: skip


@bounded(15)
@given(text=st.one_of(stories, long_run))
def test_an_article_gives_at_most_max_events_or_an_error_naming_it(coder, text):
    small = capped(coder, max_events=4)
    article = make_article(text, article_id="the-article")
    try:
        events = small.code_article(article, MODALITIES)
    except InputError as exc:
        assert exc.item == "the-article" and "max_events" in exc.reason
        return
    assert len(events) <= 4


MANY = " ".join(f"{a} met {b} on Monday." for a in ACTORS[:6] for b in ACTORS[6:12])


def test_an_article_over_max_events_is_an_error_for_it_alone(coder, tmp_path, monkeypatch):
    from detente.coding import coder as pipeline
    from detente.run.batch import code_batch

    small = capped(coder, max_events=5)
    articles = [make_article(t, article_id=i) for i, t in [("big", MANY), ("small", GOOD)]]
    (big, _, _, error), (_, events, _, none) = code_batch(small, articles, MODALITIES)
    assert big.id == "big" and "over 5 events" in error and "max_events" in error
    assert none is None and events
    (tmp_path / "big.txt").write_text(MANY)
    (tmp_path / "small.txt").write_text(GOOD)
    monkeypatch.setattr(pipeline, "load_coder", lambda *a, **k: small)
    from detente.cli import app

    result = CliRunner().invoke(app, ["code", "--format", "jsonl", str(tmp_path)])
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "big.txt" in result.stderr and "max_events" in result.stderr
    assert result.stdout.strip() and "small.txt" not in result.stderr


@bounded(10)
@given(text=st.one_of(stories, long_run).map(lambda t: (t + "\n\n") * 8))
def test_a_long_article_coded_in_windows_gives_the_same_events(coder, text):
    """Windows change no event but where its location falls back (the window's places)."""
    article = make_article(text, article_id="long")
    small = capped(coder, window_chars=1_000, max_events=10**6)
    whole = capped(coder, max_events=10**6).code_article(article, MODALITIES)
    windowed = small.code_article(article, MODALITIES)
    check_events(article, windowed, small.settings)

    def key(e):
        return e.model_dump(exclude={"location"})

    assert [key(e) for e in windowed] == [key(e) for e in whole]


GOOD = "Kenya praised Somalia on Monday. The Iranian foreign minister met NATO officials."


def check_events(article, events, config: Settings) -> None:
    event("events: " + ("none" if not events else "one" if len(events) == 1 else "several"))
    assert len({e.id for e in events}) == len(events)
    for e in events:
        assert article.text[e.trigger.start : e.trigger.end] == e.trigger.text
        assert article.text[e.sentence.start : e.sentence.end] == e.sentence.text
        assert e.sentence.start <= e.trigger.start < e.trigger.end <= e.sentence.end
        assert len(e.sentence.text) <= config.max_paragraph
        assert 0 < e.confidence <= 1 and e.modality in MODALITIES
        assert e.source or e.target


# --- the CLI: no traceback, a documented exit code ------------------------------------------
@pytest.mark.model
@bounded(15)
@given(data=encoded(), name=st.sampled_from(["a.txt", "p.html", "f.rss", "r.jsonl"]))
def test_the_cli_never_shows_a_traceback(data, name):
    from detente.cli import app

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / name
        path.write_bytes(data)
        result = CliRunner().invoke(app, ["code", "--format", "jsonl", str(path)])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    assert result.exit_code in (0, 1), result.output
    assert "Traceback" not in result.output
