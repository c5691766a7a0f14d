"""Inputs → articles: files, folders, JSONL, HTML, RSS, WARC, URLs on a local server, bad items."""

from __future__ import annotations

import gzip
import json
from datetime import date

import pytest
from webfixtures import PAGES, Silent, Site, page_html, rss, write_warc

from detente.errors import InputError
from detente.ingest import webtext
from detente.ingest.fetch import check_address, fetch
from detente.ingest.sources import SUMMARY_KEPT, Failure, Found, SourceOptions, read_inputs
from detente.ingest.webtext import canonical_url

LOCAL = SourceOptions(allow_private=True, timeout=2)


@pytest.fixture(scope="module")
def site():
    s = Site()
    yield s
    s.close()


def split(results):
    results = list(results)
    return [r for r in results if isinstance(r, Found)], [
        r for r in results if isinstance(r, Failure)
    ]


def test_text_folder_is_read_recursively_with_a_glob(tmp_path):
    (tmp_path / "a" / "b").mkdir(parents=True)
    (tmp_path / "a" / "one.txt").write_text("Kenya hosted talks with Somalia in Nairobi.")
    (tmp_path / "a" / "b" / "two.txt").write_text("date 2024-02-01\nChad criticized Sudan.")
    (tmp_path / "a" / "b" / "skip.md").write_text("Not matched by the glob at all.")
    found, failed = split(read_inputs([str(tmp_path)], SourceOptions(glob="*.txt")))
    assert not failed
    assert sorted(f.article.text for f in found) == [
        "Chad criticized Sudan.",
        "Kenya hosted talks with Somalia in Nairobi.",
    ]
    dated = next(f for f in found if f.article.text.startswith("Chad"))
    assert dated.article.published == date(2024, 2, 1)


def test_jsonl_with_custom_field_names_and_a_bad_line(tmp_path):
    path = tmp_path / "dump.jsonl"
    rows = [
        {
            "body": "Peru recalled its envoy from Bolivia.",
            "link": "https://x.example/a?utm_source=t",
            "headline": "Envoy recalled",
            "date": "2024-05-02T10:00:00Z",
            "outlet": "Andes Wire",
        },
        "not an object",
    ]
    lines = [json.dumps(r) for r in rows] + ["{broken json"]
    path.write_text("\n".join(lines) + "\n")
    fields = {
        "text": "body",
        "url": "link",
        "title": "headline",
        "published": "date",
        "source": "outlet",
    }
    found, failed = split(read_inputs([str(path)], SourceOptions(jsonl_fields=fields)))
    (only,) = found
    a = only.article
    assert (a.url, a.title, a.published, a.source) == (
        "https://x.example/a",
        "Envoy recalled",
        date(2024, 5, 2),
        "Andes Wire",
    )
    assert [f.item for f in failed] == [f"{path}:2", f"{path}:3"]
    assert "invalid JSON" in failed[1].reason


def test_html_file_gives_main_text_title_date_and_site(tmp_path):
    path = tmp_path / "page.html"
    path.write_bytes(page_html("/talks.html"))
    (found,), failed = split(read_inputs([str(path)]))
    a = found.article
    assert not failed
    assert a.title == "Envoys meet in Oslo"
    assert a.published == date(2024, 3, 5)
    assert a.source == "The Harbour Ledger"
    assert "Iranian ambassador" in a.text
    assert "Copyright" not in a.text and "Home" not in a.text


def test_feed_from_local_server_follows_item_links(site):
    found, failed = split(read_inputs([site.base + "/feed.rss"], LOCAL))
    assert not failed
    assert sorted(f.article.title for f in found) == sorted(t for t, _, _ in PAGES.values())
    for f in found:
        assert "summary only" not in f.article.text  # the page text, not the feed summary
        assert f.article.url.startswith(site.base)
    assert all(ua.startswith("detente/") for ua in site.user_agents)


def test_feed_pointing_to_loopback_is_refused_and_the_summary_kept(site, tmp_path):
    feed = tmp_path / "world.rss"
    feed.write_bytes(rss(site.base, list(PAGES)))
    found, failed = split(read_inputs([str(feed)]))
    assert not failed
    assert len(found) == len(PAGES)
    for f in found:
        assert f.article.text == "A short summary only."
        assert f.item.startswith(site.base) and f.article.url.startswith(site.base)
        (warning,) = f.warnings
        assert warning.startswith(SUMMARY_KEPT)
        assert "fetch" in warning and "loopback" in warning and "allow_private" in warning


def test_no_follow_codes_summaries_without_fetching(site):
    before = len(site.user_agents)
    opts = SourceOptions(allow_private=True, timeout=2, follow_links=False)
    found, failed = split(read_inputs([site.base + "/feed.rss"], opts))
    assert not failed and len(found) == len(PAGES)
    assert {f.article.text for f in found} == {"A short summary only."}
    assert all(not f.warnings for f in found)
    assert len(site.user_agents) == before + 1  # the feed itself, no item page


def test_a_feed_item_without_summary_whose_link_fails_is_an_error(site, tmp_path):
    feed = tmp_path / "bare.rss"
    feed.write_bytes(
        b"<?xml version='1.0'?><rss version='2.0'><channel><title>T</title>"
        + f"<item><title>Gone</title><link>{site.base}/missing</link></item>".encode()
        + b"</channel></rss>"
    )
    found, (f,) = split(read_inputs([str(feed)], LOCAL))
    assert not found and f.stage == "fetch" and "404" in f.reason


def test_url_redirect_and_404(site):
    found, failed = split(read_inputs([site.base + "/redirect", site.base + "/missing"], LOCAL))
    assert found[0].article.url == site.base + "/talks.html"
    assert failed[0].reason == "HTTP 404 Not Found"


def test_warc_written_with_warcio_is_read_back(tmp_path):
    path = tmp_path / "crawl.warc.gz"
    write_warc(path)
    found, failed = split(read_inputs([str(path)]))
    assert not failed
    assert [f.article.url for f in found] == [f"https://ledger.example{p}" for p in PAGES]
    assert found[1].article.published == date(2024, 4, 11)


def test_truncated_warc_gz_keeps_earlier_records_and_records_the_error(tmp_path):
    whole = tmp_path / "whole.warc.gz"
    write_warc(whole)
    data = whole.read_bytes()
    cut = tmp_path / "cut.warc.gz"
    cut.write_bytes(data[: len(data) - 150])
    found, failed = split(read_inputs([str(cut)]))
    assert len(found) == 2
    (f,) = failed
    assert f.item == str(cut) and f.stage == "read" and "truncated" in f.reason


@pytest.mark.parametrize(
    ("cut", "kept"),
    [(0.55, 1), (0.95, 2)],  # inside a page's body / inside the last record
)
def test_truncated_plain_warc_keeps_earlier_records_and_records_the_error(tmp_path, cut, kept):
    whole = tmp_path / "whole.warc"
    write_warc(whole)
    data = whole.read_bytes()
    path = tmp_path / "cut.warc"
    path.write_bytes(data[: int(len(data) * cut)])
    found, failed = split(read_inputs([str(path)]))
    assert len(found) == kept
    assert all("Copyright" not in f.article.text for f in found)
    (f,) = failed
    assert f.item == str(path) and f.stage == "read" and "truncated" in f.reason


def test_bad_inputs_are_each_recorded_and_the_rest_read(tmp_path):
    good = tmp_path / "good.txt"
    good.write_text("Norway praised Iran for releasing the sailors.")
    bad = {
        "empty.txt": b"",
        "binary.txt": b"\x00\x01\x02PK\x03\x04" * 50,
        "latin1.txt": "Le ministre a critiqué la décision.".encode("latin-1"),
        "broken.html": b"<html><body><div><p>Too short<</div",
        "invalid.rss": b"<?xml version='1.0'?><rss><channel><item><title>x</titl",
    }
    for name, data in bad.items():
        (tmp_path / name).write_bytes(data)
    huge = tmp_path / "huge.txt"
    with huge.open("wb") as fh:
        fh.truncate(50 * 1024 * 1024)
    found, failed = split(read_inputs(sorted(str(p) for p in tmp_path.iterdir())))
    assert [f.item for f in found] == [str(good)]
    reasons = {f.item.rsplit("/", 1)[-1]: f.reason for f in failed}
    assert set(reasons) == {*bad, "huge.txt"}
    assert "empty" in reasons["empty.txt"]
    assert "binary" in reasons["binary.txt"]
    assert "UTF-8" in reasons["latin1.txt"]
    assert "no main text" in reasons["broken.html"]
    assert "feed" in reasons["invalid.rss"]
    assert "over the limit" in reasons["huge.txt"]
    stages = {f.item.rsplit("/", 1)[-1]: f.stage for f in failed}
    assert stages["binary.txt"] == stages["latin1.txt"] == "decode"
    assert stages["empty.txt"] == stages["broken.html"] == "extract"


def test_url_that_never_answers_times_out():
    silent = Silent()
    try:
        (f,) = list(read_inputs([silent.url], SourceOptions(allow_private=True, timeout=0.5)))
    finally:
        silent.close()
    assert isinstance(f, Failure) and f.stage == "fetch" and "timed out" in f.reason


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/",
        "http://10.1.2.3/",
        "http://169.254.169.254/",
        "http://[::1]/",
        "http://192.168.0.7:8080/x",
        "http://localhost/",
    ],
)
def test_private_addresses_are_refused(url):
    with pytest.raises(InputError, match="refused"):
        check_address(url)
    check_address(url, allow_private=True)


def test_only_http_schemes_and_size_limit(site):
    with pytest.raises(InputError, match="only http"):
        check_address("file:///etc/passwd", allow_private=True)
    with pytest.raises(InputError, match="over the limit"):
        fetch(site.base + "/talks.html", allow_private=True, max_bytes=100)


def test_canonical_url():
    assert (
        canonical_url("HTTPS://News.Example:443/a/b?id=3&utm_medium=rss&fbclid=z#top")
        == "https://news.example/a/b?id=3"
    )


def test_jsonl_gz(tmp_path):
    path = tmp_path / "dump.jsonl.gz"
    with gzip.open(path, "wt") as fh:
        fh.write(json.dumps({"text": "Chile hosted the Argentine president."}) + "\n")
    (found,), _ = split(read_inputs([str(path)]))
    assert found.article.text == "Chile hosted the Argentine president."


def test_a_bug_in_a_reader_propagates_and_is_not_recorded_as_bad_input(tmp_path, monkeypatch):
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    page = tmp_path / "page.html"
    page.write_bytes(page_html("/talks.html"))

    def broken(*args, **kwargs):
        raise TypeError("a bug, not a bad page")

    monkeypatch.setattr(webtext, "extract_html", broken)
    results = read_inputs([str(empty), str(page)])
    first = next(results)
    assert isinstance(first, Failure) and first.stage == "extract" and "empty" in first.reason
    with pytest.raises(TypeError, match="a bug"):
        next(results)


def test_an_unreadable_file_is_bad_input(tmp_path):
    broken = tmp_path / "dump.jsonl.gz"
    broken.write_bytes(b"not gzip at all, just bytes")
    (f,) = list(read_inputs([str(broken)]))
    assert isinstance(f, Failure) and f.item == str(broken) and "gzip" in f.reason.lower()


def test_an_over_long_json_line_is_an_error_for_that_line_only(tmp_path):
    path = tmp_path / "dump.jsonl.gz"
    with gzip.open(path, "wt") as fh:
        fh.write(json.dumps({"text": "Peru recalled its envoy."}) + "\n")
        fh.write(json.dumps({"text": "Kenya praised Somalia " * 5000}) + "\n")  # ~110 KB
        fh.write(json.dumps({"text": "Chile hosted the Argentine president."}) + "\n")
    found, (f,) = split(read_inputs([str(path)], SourceOptions(max_line_bytes=10_000)))
    assert [x.article.text for x in found] == [
        "Peru recalled its envoy.",
        "Chile hosted the Argentine president.",
    ]
    assert f.item == f"{path}:2" and "over the limit" in f.reason


def test_decompressed_bytes_are_capped(tmp_path):
    path = tmp_path / "bomb.jsonl.gz"
    with gzip.open(path, "wt") as fh:
        for n in range(2000):
            fh.write(json.dumps({"text": f"Peru recalled envoy {n}. " + "x" * 100}) + "\n")
    assert path.stat().st_size < 20_000
    found, (f,) = split(read_inputs([str(path)], SourceOptions(max_decompressed=50_000)))
    assert 0 < len(found) < 2000
    assert f.item == str(path) and "decompressed" in f.reason


def test_an_over_long_warc_record_is_an_error_and_the_rest_is_read(tmp_path):
    path = tmp_path / "crawl.warc.gz"
    write_warc(path)
    found, failed = split(read_inputs([str(path)], SourceOptions(max_line_bytes=585)))
    assert len(found) == 1 and len(failed) == 1  # the talks page is 592 bytes, strike 579
    assert "over 585 bytes" in failed[0].reason and failed[0].item.endswith("/talks.html")
    assert found[0].article.url.endswith("/strike.html")
