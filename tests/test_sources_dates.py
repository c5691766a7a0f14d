"""Publication dates of every reader: only from metadata, a URL, a date line or a dateline (never a
year in the body or a link label), a WARC record's WARC-Date, ``default_published`` for inputs
that carry none, the common feed and JSON forms read, and a bad date an error for its item only."""

from __future__ import annotations

import json
from datetime import date
from io import BytesIO

from detente.ingest import webtext
from detente.ingest.sources import Failure, Found, SourceOptions, read_inputs

DAY = date(2024, 6, 1)
BODY = (
    "<p>Envoys of Norway and Iran met in Oslo on Monday to revive the 1995 peace accord, "
    "officials said, in talks that both sides called useful.</p>"
    "<p>A second round is planned for next month, the foreign ministry said.</p>"
)
LINKS = "".join(f"<li><a href='/n/{n}'>Story {n} of 2011</a></li>" for n in range(1, 8))
UNDATED = f"<html><head><title>Talks</title></head><body><article>{BODY}</article><ul>{LINKS}</ul></body></html>"  # noqa: E501


def split(results):
    results = list(results)
    found = [r for r in results if isinstance(r, Found)]
    return found, [r for r in results if isinstance(r, Failure)]


def test_html_without_date_metadata_is_undated_whatever_its_body_says(tmp_path):
    page = tmp_path / "talks.html"
    page.write_text(UNDATED)
    (f,), _ = split(read_inputs([str(page)]))
    assert "1995 peace accord" in f.article.text
    assert f.article.published is None  # not 1995-01-01, not 2011 from a link label
    (g,), _ = split(read_inputs([str(page)], SourceOptions(default_published=DAY)))
    assert g.article.published == DAY


def test_html_date_from_its_url_or_a_dateline(tmp_path):
    page = webtext.extract_html(UNDATED, "x", "https://news.example/2023/07/14/talks.html")
    assert page.published == "2023-07-14"
    datelined = UNDATED.replace("<p>Envoys", "<p>OSLO, May 2, 2024 (Ledger) - Envoys")
    path = tmp_path / "dateline.html"
    path.write_text(datelined)
    (f,), _ = split(read_inputs([str(path)], SourceOptions(default_published=DAY)))
    assert f.article.published == date(2024, 5, 2)


def test_plain_text_without_a_date_line_is_undated_unless_a_default_is_given(tmp_path):
    path = tmp_path / "note.txt"
    path.write_text("In 1995 Kenya and Somalia signed a border accord, officials said on Monday.")
    (f,), _ = split(read_inputs([str(path)]))
    assert f.article.published is None
    (g,), _ = split(read_inputs([str(path)], SourceOptions(default_published=DAY)))
    assert g.article.published == DAY
    dated = tmp_path / "dated.txt"
    dated.write_text("date 2024-02-01\nChad criticized Sudan.")
    (h,), _ = split(read_inputs([str(dated)], SourceOptions(default_published=DAY)))
    assert h.article.published == date(2024, 2, 1)  # the default only fills what is missing


def test_warc_records_take_their_warc_date_when_the_page_has_none(tmp_path):
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    path = tmp_path / "crawl.warc"
    with path.open("wb") as fh:
        writer = WARCWriter(fh, gzip=False)
        headers = StatusAndHeaders("200 OK", [("Content-Type", "text/html")], protocol="HTTP/1.1")
        rec = writer.create_warc_record(
            "https://ledger.example/talks",
            "response",
            payload=BytesIO(UNDATED.encode()),
            http_headers=headers,
            warc_headers_dict={"WARC-Date": "2024-04-30T22:15:00Z"},
        )
        writer.write_record(rec)
    (f,), failed = split(read_inputs([str(path)], SourceOptions(default_published=DAY)))
    assert not failed and f.article.published == date(2024, 4, 30)


def test_jsonl_dates_in_feed_forms_and_a_bad_date_fails_only_its_row(tmp_path):
    dates = [
        "Tue, 05 Mar 2024 08:00:00 GMT",
        "2024-03-05T23:30:00-05:00",
        1709632800,
        1709632800123,
        "1709632800",
        "last Tuesday",
        None,
    ]
    path = tmp_path / "dump.jsonl"
    rows = [
        {"text": f"Peru recalled envoy number {n}.", "published": d} for n, d in enumerate(dates)
    ]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    found, (bad,) = split(read_inputs([str(path)], SourceOptions(default_published=DAY)))
    assert [f.article.published for f in found] == [date(2024, 3, 5)] * 5 + [DAY]
    assert bad.item == f"{path}:6" and "last Tuesday" in bad.reason and "not a date" in bad.reason


def test_feed_dates_as_written_and_a_bad_date_fails_only_its_item(tmp_path):
    def item(n: int, when: str) -> str:
        return (
            f"<item><title>Item {n}</title><link>https://w.example/{n}</link>"
            f"<pubDate>{when}</pubDate><description>Chile praised Peru {n}.</description></item>"
        )

    feed = tmp_path / "feed.rss"
    feed.write_text(
        "<?xml version='1.0'?><rss version='2.0'><channel><title>W</title>"
        + item(1, "Tue, 05 Mar 2024 23:00:00 -0500")  # the 6th in UTC: the 5th as written
        + item(2, "2024-03-05T10:00:00+02:00")
        + item(3, "sometime soon")
        + "</channel></rss>"
    )
    opts = SourceOptions(follow_links=False)
    found, (bad,) = split(read_inputs([str(feed)], opts))
    assert [f.article.published for f in found] == [date(2024, 3, 5)] * 2
    assert bad.item == "https://w.example/3" and "sometime soon" in bad.reason
