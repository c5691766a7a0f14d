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
from detente.settings import MAX_CHARS, MAX_PARAGRAPH, MAX_SENTENCE

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
_SENTENCE_END = re.compile(r"[.!?…][\"'”’)\]]*(?=\s|$)")
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
    there (the publisher's day); epoch numbers the UTC date. A ``ValueError`` otherwise, and
    for a year outside 1800–2200."""
    if isinstance(value, datetime):
        day = value.date()
    elif isinstance(value, date):
        day = value
    elif isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise ValueError(f"a {type(value).__name__} is not a date")
    else:
        day = _parse_date_value(value)
    if not 1800 <= day.year <= 2200:
        raise ValueError(f"year {day.year} is out of range")
    return day


def _parse_date_value(value: int | float | str) -> date:
    text = str(value).strip()
    if isinstance(value, (int, float)) or _EPOCH.match(text):
        seconds = float(text)
        seconds = seconds / 1000 if seconds >= 1e11 else seconds  # milliseconds
        try:
            day = datetime.fromtimestamp(seconds, UTC).date()
        except (OverflowError, OSError):  # beyond what the platform's time_t holds
            raise ValueError(f"epoch time {text} is out of range") from None
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


def looks_english(text: str) -> bool:
    """A cheap check: do common English function words make up a fair share of the words?"""
    words = re.findall(r"[A-Za-z]+", text[:20_000].lower())
    if len(words) < 8:
        return True  # too short to tell
    return sum(w in _STOPWORDS for w in words) / len(words) >= 0.08


def paragraphs(
    text: str, max_paragraph: int = MAX_PARAGRAPH, max_sentence: int = MAX_SENTENCE
) -> list[tuple[int, str]]:
    """(start offset, text) of each paragraph: blocks separated by blank lines.

    Single newlines inside a block are also treated as paragraph breaks when the line before
    ends a sentence, so a closing quote never runs into the next paragraph (see stack notes).
    No piece is longer than ``max_paragraph`` characters (a long paragraph is cut after
    sentence ends), and a run of more than ``max_sentence`` characters with no sentence end is
    cut at spaces into pieces of its own, so spaCy never sees a huge doc or sentence.
    """
    out: list[tuple[int, str]] = []
    for block in _PARAGRAPH.finditer(text):
        start = block.start()
        for line in re.split(r"(?<=[.!?\"”’])\n", block.group()):
            if line.strip():
                out.extend(_bounded(start, line, max_paragraph, min(max_sentence, max_paragraph)))
            start += len(line) + 1
    return out


def _bounded(start: int, text: str, max_paragraph: int, max_sentence: int) -> list[tuple[int, str]]:
    """The pieces of one paragraph (at offset ``start``), stripped, each at most
    ``max_paragraph`` characters, none holding a run of over ``max_sentence`` characters
    without a sentence end."""
    spans: list[tuple[int, int]] = []
    if len(text) <= max_sentence:
        spans.append((0, len(text)))
    else:
        ends = [m.end() for m in _SENTENCE_END.finditer(text)]
        piece = prev = 0
        for end in [*ends, len(text)] if not ends or ends[-1] != len(text) else ends:
            if end - prev > max_sentence:  # a run with no sentence end: cut at spaces
                spans.append((piece, prev))
                spans += _chunks(text, prev, end, max_sentence)
                piece = end
            elif end - piece > max_paragraph:
                spans.append((piece, prev))
                piece = prev
            prev = end
        spans.append((piece, len(text)))
    out = []
    for a, b in spans:
        piece_text = text[a:b]
        stripped = piece_text.strip()
        if stripped:
            lead = len(piece_text) - len(piece_text.lstrip())
            out.append((start + a + lead, stripped))
    return out


def _chunks(text: str, a: int, b: int, size: int) -> list[tuple[int, int]]:
    """``text[a:b]`` in spans of at most ``size`` characters, cut after a space when there is
    one in the second half of the span, else anywhere."""
    spans = []
    while b - a > size:
        cut = max(text.rfind(c, a + size // 2, a + size) for c in " \t\n")
        cut = cut + 1 if cut >= 0 else a + size
        spans.append((a, cut))
        a = cut
    spans.append((a, b))
    return spans
