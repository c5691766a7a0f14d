"""Inputs → ``Article`` records: text files and folders, JSON Lines, HTML, RSS/Atom, WARC, stdin
and URLs. ``read_inputs`` yields a ``Found`` per article (with its warnings, such as text that
does not look like English) and a ``Failure`` (item, stage, reason) per bad item; one bad item
never stops the others. Every runner (``detente code``, ``detente ingest``) reads through here,
so the same limits and checks apply everywhere.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from detente.errors import InputError
from detente.ingest import webtext
from detente.ingest.fetch import fetch
from detente.ingest.webtext import READ_ERRORS, canonical_url
from detente.records import Article
from detente.settings import (
    FETCH_TIMEOUT,
    MAX_BYTES,
    MAX_CHARS,
    MAX_DECOMPRESSED,
    MAX_LINE_BYTES,
    Settings,
)
from detente.text import decode, looks_english, make_article, parse_published

JSONL_FIELDS = {
    "text": "text",
    "title": "title",
    "url": "url",
    "published": "published",
    "source": "source",
    "id": "id",
}


NOT_ENGLISH = "does not look like English text"
SUMMARY_KEPT = "only the feed summary was coded: following the item's link failed"


@dataclass(frozen=True)
class Found:
    item: str
    article: Article
    warnings: tuple[str, ...] = ()  # coded all the same


def _found(item: str, article: Article) -> Found:
    return Found(item, article, () if looks_english(article.text) else (NOT_ENGLISH,))


@dataclass(frozen=True)
class Failure:
    item: str
    stage: str  # read | decode | parse | extract | fetch
    reason: str


Result = Found | Failure


@dataclass(frozen=True)
class SourceOptions:
    glob: str = "*"
    allow_private: bool = False
    timeout: float = FETCH_TIMEOUT
    max_bytes: int = MAX_BYTES  # per file or fetched page (WARC and JSONL files excepted)
    max_chars: int = MAX_CHARS
    max_line_bytes: int = MAX_LINE_BYTES  # per JSON Lines row or WARC record
    max_decompressed: int = MAX_DECOMPRESSED  # bytes out of one .gz input
    follow_links: bool = True  # fetch a feed item's page when the item has only a summary
    jsonl_fields: dict[str, str] = field(default_factory=lambda: dict(JSONL_FIELDS))
    published: date | None = None  # the publication date of every input, whatever it says
    # the publication date of inputs that carry none (no metadata, URL date, date line,
    # dateline, feed or JSON date, or WARC-Date)
    default_published: date | None = None
    # resolved paths never read as inputs, nor any file named after them (PATH.wal, PATH.lock,
    # PATH.tmp/...): the store's own files
    skip: tuple[str, ...] = ()

    @classmethod
    def from_settings(cls, settings: Settings, **overrides: Any) -> SourceOptions:
        """Options with the limits of ``settings`` (``max_chars``, ``max_bytes``, timeout)."""
        limits = {
            "timeout": settings.fetch_timeout,
            "max_bytes": settings.max_bytes,
            "max_chars": settings.max_chars,
            "max_line_bytes": settings.max_line_bytes,
            "max_decompressed": settings.max_decompressed,
        }
        return cls(**{**limits, **overrides})


def read_inputs(inputs: Iterable[str], options: SourceOptions | None = None) -> Iterator[Result]:
    """Every article (or failure) from paths, folders, URLs and "-" (stdin)."""
    opts = options or SourceOptions()
    for name in inputs:
        if name == "-":
            yield from _guard(
                "<stdin>", "read", lambda: _text(sys.stdin.buffer.read(), "<stdin>", opts)
            )
        elif name.startswith(("http://", "https://")):
            yield from _guard(name, "fetch", lambda name=name: _url(name, opts))
        else:
            path = Path(name)
            if path.is_dir():
                files = sorted(p for p in path.rglob(opts.glob) if p.is_file())
                for p in files:
                    hidden = any(part.startswith(".") for part in p.relative_to(path).parts)
                    if not hidden and not skipped(p, opts.skip):
                        yield from _guard(str(p), "read", lambda p=p: read_path(p, opts))
            elif skipped(path, opts.skip):
                yield Failure(name, "read", "this is the store's own file, not an input")
            elif path.is_file():
                yield from _guard(name, "read", lambda path=path: read_path(path, opts))
            else:
                yield Failure(name, "read", "no such file, folder or URL")


def skipped(path: Path, skip: tuple[str, ...]) -> bool:
    """Is ``path`` one of ``skip`` (resolved paths) or a file named after one of them?"""
    if not skip:
        return False
    where = str(path.resolve())
    return any(where == s or where.startswith((s + ".", s + os.sep)) for s in skip)


def _guard(item: str, stage: str, produce) -> Iterator[Result]:
    """Run a producer; turn a bad item's error (an ``InputError``, or a file that cannot be
    read) into a recorded failure, keeping what came before. Any other exception is a bug and
    propagates: it is never passed off as bad input."""
    try:
        yield from produce()
    except InputError as exc:
        yield Failure(exc.item, stage, exc.reason)
    except READ_ERRORS as exc:
        yield Failure(item, stage, f"{type(exc).__name__}: {exc}")


def read_path(path: Path, opts: SourceOptions) -> Iterator[Result]:
    """The articles of one file, chosen by its suffix."""
    name, item = path.name.lower(), str(path)
    if name.endswith((".warc", ".warc.gz")):
        yield from read_warc(path, opts)
        return
    if name.endswith((".jsonl", ".ndjson", ".jsonl.gz")):
        yield from read_jsonl(path, opts)
        return
    size = path.stat().st_size
    if size > opts.max_bytes:
        raise InputError(item, f"file is {size:,} bytes, over the limit of {opts.max_bytes:,}")
    data = path.read_bytes()
    if name.endswith((".html", ".htm", ".xhtml")):
        yield _html(data, item, None, opts, source=item)
    elif name.endswith((".rss", ".atom", ".xml")):
        yield from read_feed(data, item, opts)
    else:
        yield from _text(data, item, opts)


def _text(data: bytes, item: str, opts: SourceOptions) -> Iterator[Result]:
    try:
        text = decode(data, item)
    except InputError as exc:
        yield Failure(exc.item, "decode", exc.reason)
        return
    try:
        article = make_article(
            text,
            item=item,
            source=item,
            published=opts.published,
            max_chars=opts.max_chars,
            fallback_published=opts.default_published,
        )
        yield _found(item, article)
    except InputError as exc:
        yield Failure(exc.item, "extract", exc.reason)


def _html(
    data: bytes,
    item: str,
    url: str | None,
    opts: SourceOptions,
    *,
    title: str | None = None,
    published: date | str | None = None,
    source: str | None = None,
    crawled: str | None = None,
) -> Result:
    """An article from an HTML page; ``title``/``published``/``source`` fill what it lacks;
    ``crawled`` (a WARC-Date) dates it when nothing else does."""
    try:
        page = webtext.extract_html(data, item, url)
        article = make_article(
            page.text,
            item=item,
            url=canonical_url(url) if url else None,
            title=page.title or title,
            published=opts.published or page.published or published,
            source=page.site or source,
            max_chars=opts.max_chars,
            fallback_published=_crawl_day(crawled) or opts.default_published,
        )
    except InputError as exc:
        return Failure(exc.item, "extract", exc.reason)
    return _found(item, article)


def _url(url: str, opts: SourceOptions) -> Iterator[Result]:
    page = fetch(
        url, allow_private=opts.allow_private, timeout=opts.timeout, max_bytes=opts.max_bytes
    )
    kind = webtext.sniff(page.content, page.content_type)
    if kind == "feed":
        yield from read_feed(page.content, url, opts)
    elif kind == "html":
        yield _html(page.content, url, page.final_url, opts)
    else:
        yield from _text(page.content, url, opts)


def read_feed(data: bytes, item: str, opts: SourceOptions) -> Iterator[Result]:
    """Items of an RSS/Atom feed. An item with only a summary is followed to its page (unless
    ``opts.follow_links`` is off); when that fails, its summary is the text, with a warning."""
    for entry in webtext.feed_entries(data, item):
        label = entry.link or f"{item}#{entry.index}"
        meta = {
            "title": entry.title,
            "published": opts.published or entry.published,
            "source": entry.feed_title or item,
        }
        note: tuple[str, ...] = ()
        if entry.content is None and entry.link and opts.follow_links:
            followed = _follow(entry.link, label, opts, meta)
            if isinstance(followed, Found) or not entry.summary:
                yield followed
                continue
            note = (f"{SUMMARY_KEPT}: {followed.stage}: {followed.reason}",)
        try:
            url = canonical_url(entry.link) if entry.link else None
            article = make_article(
                entry.content or entry.summary or "",
                item=label,
                url=url,
                max_chars=opts.max_chars,
                fallback_published=opts.default_published,
                **meta,
            )
        except InputError as exc:
            yield Failure(exc.item, "extract", exc.reason)
            continue
        found = _found(label, article)
        yield Found(found.item, found.article, found.warnings + note)


def _follow(link: str, label: str, opts: SourceOptions, meta: dict[str, Any]) -> Result:
    """The article of a feed item's page."""
    try:
        page = fetch(
            link, allow_private=opts.allow_private, timeout=opts.timeout, max_bytes=opts.max_bytes
        )
    except InputError as exc:
        return Failure(exc.item, "fetch", exc.reason)
    return _html(page.content, label, page.final_url, opts, **meta)


def read_warc(path: Path, opts: SourceOptions) -> Iterator[Result]:
    """HTML responses (status 200) of a WARC or WARC.gz file, dated by their WARC-Date when
    the page itself has no date."""
    for record in webtext.warc_html(path, opts.max_line_bytes):
        if isinstance(record, InputError):
            yield Failure(record.item, "read", record.reason)
        else:
            url = record.url
            yield _html(record.body, url, url, opts, source=str(path), crawled=record.crawled)


def _crawl_day(stamp: str | None) -> date | None:
    try:
        return parse_published(stamp) if stamp else None
    except ValueError:
        return None


def read_jsonl(
    path: Path, opts: SourceOptions, span: tuple[int, int, int] | None = None
) -> Iterator[Result]:
    """One article per line; field names from ``opts.jsonl_fields``. ``span``: only the lines
    of a byte range (``webtext.capped_lines``), named as in a read of the whole file."""
    f = {**JSONL_FIELDS, **opts.jsonl_fields}
    lines = webtext.capped_lines(path, opts.max_line_bytes, opts.max_decompressed, span)
    for n, raw in lines:
        item = f"{path}:{n}"
        if raw is None:
            reason = f"line over {opts.max_line_bytes:,} bytes: over the limit"
            yield Failure(item, "read", reason)
            continue
        if raw.strip():
            try:
                row = json.loads(decode(raw, item))
                if not isinstance(row, dict):
                    raise InputError(item, "a JSON Lines row must be an object")
                yield _found(item, _row_article(row, f, item, opts))
            except json.JSONDecodeError as exc:
                yield Failure(item, "parse", f"invalid JSON ({exc.msg} at column {exc.colno})")
            except InputError as exc:
                yield Failure(exc.item, "decode", exc.reason)


def _row_article(row: dict[str, Any], f: dict[str, str], item: str, opts: SourceOptions) -> Article:
    text = row.get(f["text"])
    if not isinstance(text, str):
        raise InputError(item, f"field {f['text']!r} is missing or not a string")
    ident = row.get(f["id"])
    if isinstance(ident, bool) or not isinstance(ident, str | int | None):
        raise InputError(item, f"field {f['id']!r} must be a string or an integer")
    url = _optional_string(row, f["url"], item)
    return make_article(
        text,
        item=item,
        article_id=str(ident) if ident not in (None, "") else None,
        url=canonical_url(url) if url else None,
        title=_optional_string(row, f["title"], item),
        published=opts.published or row.get(f["published"]),
        source=_optional_string(row, f["source"], item),
        max_chars=opts.max_chars,
        fallback_published=opts.default_published,
    )


def _optional_string(row: dict[str, Any], key: str, item: str) -> str | None:
    """A row's string field, ``None`` when absent, null or empty; an error for another type."""
    value = row.get(key)
    if value is not None and not isinstance(value, str):
        raise InputError(item, f"field {key!r} must be a string, not {type(value).__name__}")
    return value or None
