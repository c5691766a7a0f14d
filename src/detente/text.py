"""Ingest stage: raw bytes or text → a clean ``Article`` and its paragraphs.

Offsets everywhere in detente refer to ``Article.text`` as built here.
"""

from __future__ import annotations

import calendar
import hashlib
import re
import unicodedata
from datetime import UTC, date, datetime
from email.utils import parsedate_to_datetime

from detente.errors import InputError
from detente.records import Article
from detente.settings import MAX_CHARS

# Some article dumps start with a "date YYYY-MM-DD" line; take it as the publication date.
_DATE_HEADER = re.compile(r"^\s*date\s+(\d{4}-\d{2}-\d{2})\s+")
_MONTHS = {m.lower(): i for i, m in enumerate(calendar.month_name) if m}
_MONTHS |= {m.lower(): i for i, m in enumerate(calendar.month_abbr) if m} | {"sept": 9}
_MON = "|".join(sorted(_MONTHS, key=len, reverse=True))
# A news dateline opening the text, with a full date: "NAIROBI, March 5, 2024 (Reuters) -",
# "Kyiv, Ukraine, 5 Mar. 2024 —", "BOGOTÁ (AFP) 2024-03-05 –". Never a date further in the text.
_WORD = r"[A-ZÀ-Þ][^\W\d_]*[.'’]?"
_PLACE = rf"{_WORD}(?:[ -]{_WORD}){{0,3}}"  # capitalised words: "NEW YORK", "Kyiv", "St. Paul"
_DATELINE = re.compile(
    rf"\A\s*(?:{_PLACE}(?:,\s*{_PLACE})?\s*(?:\([^()\n]{{1,40}}\))?\s*[,:–—-]?\s*)?"
    rf"(?i:(?P<mon>{_MON})\.?\s+(?P<day>\d{{1,2}}),?\s+(?P<year>\d{{4}})"
    rf"|(?P<day2>\d{{1,2}})\s+(?P<mon2>{_MON})\.?,?\s+(?P<year2>\d{{4}})"
    r"|(?P<iso>\d{4}-\d{2}-\d{2}))"
    r"\s*(?:\([^()\n]{1,40}\))?\s*[-–—:]"
)
_EPOCH = re.compile(r"^\d{9,13}(?:\.\d+)?$")
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
    fallback_published: date | None = None,
) -> Article:
    """Validate and normalise one text into an ``Article``.

    The publication date is ``published`` (metadata: any form :func:`parse_published` reads),
    else a ``date YYYY-MM-DD`` first line, else a dateline opening the text, else
    ``fallback_published``; never a date or a year from the body."""
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
    if published in (None, ""):
        published = dateline(text) or fallback_published
    if published is not None:
        try:
            published = parse_published(published)
        except ValueError as exc:
            raise InputError(item, f"published date {published!r}: {exc}") from exc
    digest = hashlib.sha1((url or text).encode("utf-8")).hexdigest()[:16]
    return Article(
        id=article_id or digest,
        text=text,
        url=url,
        title=title,
        published=published,
        source=source,
    )


def parse_published(value: object) -> date:
    """A publication date from a ``date``/``datetime``, ISO 8601 (``2024-03-05``, with a time
    and a zone or not), RFC 822 (``Tue, 05 Mar 2024 08:00:00 GMT``) or epoch seconds or
    milliseconds (a number or a string of digits). A time with a zone gives the date as written
    there (the publisher's day); epoch numbers the UTC date. A ``ValueError`` otherwise."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise ValueError(f"a {type(value).__name__} is not a date")
    text = str(value).strip()
    if isinstance(value, (int, float)) or _EPOCH.match(text):
        seconds = float(text)
        seconds = seconds / 1000 if seconds >= 1e11 else seconds  # milliseconds
        day = datetime.fromtimestamp(seconds, UTC).date()
    elif re.match(r"\d{4}-\d{2}-\d{2}", text):
        try:
            day = datetime.fromisoformat(text.replace(" ", "T", 1)).date()
        except ValueError:
            raise ValueError("not a date (ISO 8601, RFC 822 or epoch seconds)") from None
    else:
        try:
            day = parsedate_to_datetime(text).date()
        except (TypeError, ValueError, IndexError):
            raise ValueError("not a date (ISO 8601, RFC 822 or epoch seconds)") from None
    if not 1800 <= day.year <= 2200:
        raise ValueError(f"year {day.year} is out of range")
    return day


def dateline(text: str) -> date | None:
    """The date of a dateline opening ``text`` ("KYIV, March 5, 2024 (Reuters) -"), if any."""
    m = _DATELINE.match(text[:200])
    if m is None:
        return None
    if m["iso"]:
        try:
            return date.fromisoformat(m["iso"])
        except ValueError:
            return None
    mon, day, year = m["mon"] or m["mon2"], m["day"] or m["day2"], m["year"] or m["year2"]
    try:
        return date(int(year), _MONTHS[mon.lower()], int(day))
    except ValueError:
        return None


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
