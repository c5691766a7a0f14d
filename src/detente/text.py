"""Ingest stage: raw bytes or text → a clean ``Article`` and its paragraphs.

Offsets everywhere in detente refer to ``Article.text`` as built here.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from datetime import date

from detente.errors import InputError
from detente.records import Article
from detente.settings import MAX_CHARS

# Some article dumps start with a "date YYYY-MM-DD" line; take it as the publication date.
_DATE_HEADER = re.compile(r"^\s*date\s+(\d{4}-\d{2}-\d{2})\s+")
_PARAGRAPH = re.compile(r"[^\n]+(?:\n(?!\s*\n)[^\n]+)*")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def decode(data: bytes, item: str) -> str:
    """UTF-8 text of ``data`` or an ``InputError`` naming ``item``."""
    if b"\x00" in data[:8192]:
        raise InputError(item, "looks like a binary file (NUL bytes), not text")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(
            item, f"not valid UTF-8 (byte {exc.start}: {data[exc.start : exc.start + 1]!r})"
        ) from exc


def make_article(
    text: str,
    *,
    item: str = "<text>",
    article_id: str | None = None,
    published: date | str | None = None,
    url: str | None = None,
    title: str | None = None,
    source: str | None = None,
    max_chars: int = MAX_CHARS,
) -> Article:
    """Validate and normalise one text into an ``Article``."""
    if not isinstance(text, str):
        raise InputError(item, f"expected text, got {type(text).__name__}")
    if len(text) > max_chars:
        raise InputError(
            item, f"text has {len(text):,} characters, over the limit of {max_chars:,}"
        )
    text = unicodedata.normalize("NFC", _CONTROL.sub(" ", text))
    header = _DATE_HEADER.match(text)
    if header:
        published = published or header.group(1)
        text = text[header.end() :]
    text = text.strip()
    if not text:
        raise InputError(item, "empty text: nothing to code")
    if published is not None and not isinstance(published, date):
        try:
            published = date.fromisoformat(str(published))
        except ValueError as exc:
            raise InputError(item, f"published date {published!r} is not YYYY-MM-DD") from exc
    digest = hashlib.sha1((url or text).encode("utf-8")).hexdigest()[:16]
    return Article(
        id=article_id or digest,
        text=text,
        url=url,
        title=title,
        published=published,
        source=source,
    )


_STOPWORDS = frozenset(
    "the of and to in a is that for on with as by was were it at from has have said be are "
    "an this which their its not after his her they but".split()
)
_MAX_PARAGRAPH = 50_000


def looks_english(text: str) -> bool:
    """A cheap check: do common English function words make up a fair share of the words?"""
    words = re.findall(r"[A-Za-z]+", text[:20_000].lower())
    if len(words) < 8:
        return True  # too short to tell
    return sum(w in _STOPWORDS for w in words) / len(words) >= 0.08


def paragraphs(text: str) -> list[tuple[int, str]]:
    """(start offset, text) of each paragraph: blocks separated by blank lines.

    Single newlines inside a block are also treated as paragraph breaks when the line before
    ends a sentence, so a closing quote never runs into the next paragraph (see stack notes).
    """
    out: list[tuple[int, str]] = []
    for block in _PARAGRAPH.finditer(text):
        start = block.start()
        for line in re.split(r"(?<=[.!?\"”’])\n", block.group()):
            if line.strip():
                lead = len(line) - len(line.lstrip())
                out.extend(_split_long(start + lead, line.strip()))
            start += len(line) + 1
    return out


def _split_long(start: int, text: str) -> list[tuple[int, str]]:
    """Cut a very long paragraph after sentence ends so spaCy never sees a huge doc."""
    pieces = []
    while len(text) > _MAX_PARAGRAPH:
        cut = max(text.rfind(". ", 0, _MAX_PARAGRAPH), text.rfind(" ", 0, _MAX_PARAGRAPH))
        cut = cut + 1 if cut > 0 else _MAX_PARAGRAPH
        pieces.append((start, text[:cut].rstrip()))
        rest = text[cut:]
        start += cut + (len(rest) - len(rest.lstrip()))
        text = rest.lstrip()
    if text:
        pieces.append((start, text))
    return pieces
