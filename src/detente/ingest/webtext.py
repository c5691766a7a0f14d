"""Web formats → text: HTML main text and metadata (trafilatura), RSS/Atom entries (feedparser),
HTML responses in WARC files (warcio), URL canonicalisation. Errors are ``InputError``s."""

from __future__ import annotations

import gzip
import re
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from functools import partial
from pathlib import Path
from typing import IO
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit
from xml.sax import SAXException

from detente.errors import InputError
from detente.text import parse_published

# What reading a (possibly gzipped) file raises when it is unreadable, truncated or corrupt: a
# bad item, recorded as such; any other exception is a bug and propagates.
READ_ERRORS: tuple[type[Exception], ...] = (OSError, EOFError, zlib.error)
_TRACKING = re.compile(r"^(utm_.*|fbclid|gclid|mc_cid|mc_eid|ocid|cmpid)$", re.I)
# htmldate's search of the page body (years in the text, link labels) is off: a publication
# date comes from the page's metadata, its markup's date elements or its URL, or none.
_DATE_PARAMS = {"extensive_search": False, "original_date": True}
_MIN_TEXT = 40  # characters: less than this is not an article's main text


def canonical_url(url: str) -> str:
    """Lower-case scheme and host, no default port, no fragment, no tracking parameters."""
    parts = urlsplit(url.strip())
    host = (parts.hostname or "").lower()
    port = parts.port
    if port and (parts.scheme, port) not in (("http", 80), ("https", 443)):
        host = f"{host}:{port}"
    query = urlencode([(k, v) for k, v in parse_qsl(parts.query, True) if not _TRACKING.match(k)])
    return urlunsplit((parts.scheme.lower(), host, parts.path or "/", query, ""))


@dataclass(frozen=True)
class Page:
    text: str
    title: str | None
    published: str | None
    site: str | None


def extract_html(data: bytes | str, item: str, url: str | None = None) -> Page:
    """Main text, title, publication date and site name of an HTML page."""
    import trafilatura  # heavy import, only when HTML is actually read
    from lxml.etree import LxmlError

    if isinstance(data, bytes) and b"\x00" in data[:8192]:
        raise InputError(item, "looks like a binary file (NUL bytes), not HTML")
    try:
        doc = trafilatura.bare_extraction(
            data, url=url, with_metadata=True, date_extraction_params=_DATE_PARAMS
        )
    except (LxmlError, ValueError, UnicodeError) as exc:  # lxml's errors on malformed input
        raise InputError(item, f"HTML could not be parsed ({type(exc).__name__}: {exc})") from exc
    text = (getattr(doc, "text", None) or "").strip()
    if len(text) < _MIN_TEXT:
        raise InputError(item, "no main text found in the HTML page")
    return Page(
        text=text.replace("\n", "\n\n"),
        title=getattr(doc, "title", None) or None,
        published=getattr(doc, "date", None) or None,
        site=getattr(doc, "sitename", None) or None,
    )


def sniff(content: bytes, content_type: str) -> str:
    """ "feed", "html" or "text" from the Content-Type and the first bytes."""
    head = content[:2048].lstrip().lower()
    if any(k in content_type for k in ("rss", "atom")) or (
        (b"<rss" in head or b"<feed" in head or b"<rdf:rdf" in head) and b"<html" not in head
    ):
        return "feed"
    if "html" in content_type or head.startswith((b"<!doctype html", b"<html")):
        return "html"
    return "text"


@dataclass(frozen=True)
class Entry:
    index: int
    link: str | None
    title: str | None
    published: date | str | None  # a string when the feed's date could not be read (an error)
    summary: str | None  # plain text
    content: str | None  # plain text of the full content, when the feed carries it
    feed_title: str | None


def feed_entries(data: bytes, item: str) -> list[Entry]:
    """Entries of an RSS/Atom feed; an ``InputError`` when it is not a feed."""
    import feedparser

    parsed = feedparser.parse(data)
    if isinstance(parsed.get("bozo_exception"), SAXException):  # not well-formed XML
        raise InputError(item, f"not a valid RSS/Atom feed ({parsed.bozo_exception})")
    if not parsed.entries:
        why = parsed.get("bozo_exception")
        reason = f"not a valid RSS/Atom feed ({why})" if why else "the feed has no items"
        raise InputError(item, reason)
    feed_title = parsed.feed.get("title") or None
    out = []
    for n, e in enumerate(parsed.entries):
        content = " ".join(c.get("value", "") for c in e.get("content", []))
        out.append(
            Entry(
                index=n,
                link=e.get("link") or None,
                title=e.get("title") or None,
                published=_entry_date(e),
                summary=_plain(e.get("summary") or "") or None,
                content=_plain(content) or None,
                feed_title=feed_title,
            )
        )
    return out


def _entry_date(e) -> date | str | None:
    """The item's date as written (RFC 822, ISO 8601, epoch), else feedparser's reading of it
    (in UTC), else the raw string, which the article check then reports as a bad date."""
    field = partial(dict.get, e)  # plain lookups: no deprecated updated→published mapping
    raw = field("published") or field("updated")
    if raw:
        try:
            return parse_published(raw)
        except ValueError:
            pass
    stamp = field("published_parsed") or field("updated_parsed")
    if stamp:
        try:
            return parse_published(date(*stamp[:3]))  # "0001" reads as year 1 (or 0)
        except ValueError:
            pass
    return raw or None


def _plain(html: str) -> str:
    """Text of an HTML fragment, paragraphs kept apart."""
    if "<" not in html:
        return html.strip()
    from lxml import html as lxml_html
    from lxml.etree import LxmlError

    try:
        root = lxml_html.fromstring(f"<div>{html}</div>")
    except (LxmlError, ValueError):  # a broken fragment: strip tags crudely
        return re.sub(r"<[^>]+>", " ", html).strip()
    for block in root.iter("p", "br", "div", "li", "h1", "h2", "h3"):
        block.tail = "\n\n" + (block.tail or "")
    return re.sub(r"\n{3,}", "\n\n", root.text_content()).strip()


@dataclass(frozen=True)
class WarcPage:
    url: str
    body: bytes
    crawled: str | None  # WARC-Date: when the page was fetched


def warc_html(path: Path, max_record: int = 10_000_000) -> Iterator[WarcPage | InputError]:
    """Each HTML response with status 200; an ``InputError`` (yielded, not raised) for a record
    over ``max_record`` bytes (the rest is read) and when the file is truncated or corrupt,
    after the records read so far (a cut record is not yielded)."""
    from warcio.archiveiterator import ArchiveIterator
    from warcio.exceptions import ArchiveLoadFailed

    n = 0
    with path.open("rb") as fh:
        try:
            records = ArchiveIterator(fh)
            for record in _warcio_checked(records):
                n += 1
                if record.rec_type != "response" or record.http_headers is None:
                    continue
                ctype = (record.http_headers.get_header("Content-Type") or "").lower()
                if "html" not in ctype or record.http_headers.get_statuscode() != "200":
                    continue
                uri = record.rec_headers.get_header("WARC-Target-URI")
                body = record.content_stream().read(max_record + 1)
                if len(body) > max_record:
                    yield InputError(uri or f"{path}#{n}", f"WARC record over {max_record:,} bytes")
                    continue
                if record.raw_stream.limit:  # fewer bytes than its Content-Length
                    yield InputError(str(path), f"WARC is truncated in record {n}")
                    return
                yield WarcPage(uri, body, record.rec_headers.get_header("WARC-Date"))
        except (ArchiveLoadFailed, ValueError, *READ_ERRORS) as exc:  # truncated or corrupt
            reason = f"WARC unreadable after {n} records ({type(exc).__name__}: {exc})"
            yield InputError(str(path), reason)
            return
        if not path.name.endswith(".gz"):  # warcio stops quietly at a record cut in its headers
            fh.seek(records.offset)
            if fh.read(1 << 16).strip():
                yield InputError(str(path), f"WARC is truncated after {n} records")
    if path.name.endswith(".gz"):  # warcio stops quietly at a truncated gzip stream
        try:
            with gzip.open(path, "rb") as raw:
                while raw.read(1 << 20):
                    pass
        except READ_ERRORS as exc:
            reason = f"WARC.gz is truncated or corrupt after {n} records ({exc})"
            yield InputError(str(path), reason)


class WarcMalformed(ValueError):
    """warcio failed on a malformed record (it raises AttributeError, TypeError, ... there)."""


def _warcio_checked(records) -> Iterator:
    """warcio's records; its own errors on a malformed record as ``WarcMalformed``."""
    from warcio.bufferedreaders import ChunkedDataException

    it = iter(records)
    while True:
        try:
            record = next(it)
        except StopIteration:
            return
        except (AttributeError, TypeError, KeyError, IndexError, ChunkedDataException) as exc:
            raise WarcMalformed(f"malformed record ({type(exc).__name__}: {exc})") from exc
        yield record


def open_maybe_gz(path: Path) -> IO[bytes]:
    return gzip.open(path, "rb") if path.name.endswith(".gz") else path.open("rb")


def capped_lines(
    path: Path,
    max_line: int,
    max_decompressed: int,
    span: tuple[int, int, int] | None = None,
) -> Iterator[tuple[int, bytes | None]]:
    """(line number, line) of a possibly gzipped file, never holding more than ``max_line``
    bytes of a line: a longer line is skipped and given as ``None``. An ``InputError`` once
    more than ``max_decompressed`` bytes came out of a .gz file. ``span`` (start, end, number
    of the line at start - 1), for an uncompressed file: only the lines that begin at a byte
    offset in [start, end), ``start`` being the beginning of a line."""
    gz = path.name.endswith(".gz")
    total = n = 0
    start, end = (0, None) if span is None else span[:2]
    if span is not None:
        if gz:
            raise ValueError(f"{path}: a byte range of a compressed file")
        n = span[2]
    with open_maybe_gz(path) as fh:
        if start:
            fh.seek(start)
        while (end is None or fh.tell() < end) and (line := fh.readline(max_line + 1)):
            n += 1
            total += len(line)
            whole = len(line) <= max_line or line.endswith(b"\n")
            rest = line
            while not whole and not rest.endswith(b"\n") and (rest := fh.readline(1 << 20)):
                total += len(rest)  # the rest of an over-long line, read and dropped
                if gz and total > max_decompressed:
                    break
            if gz and total > max_decompressed:
                raise InputError(
                    str(path), f"more than {max_decompressed:,} bytes decompressed: over the limit"
                )
            yield n, line if whole else None
