"""Event dates relative to the article's publication date.

A small resolver for what news text says about time: explicit dates ("7 October", "Oct. 7,
2023", "2023-10-07", "in March", "in 2021"), relative ones ("yesterday", "on Tuesday" = the
most recent Tuesday on or before publication, "two days ago", "last week", "earlier this
month", "last year"). Week precision dates the week's Monday, month precision the month's first
day, year precision 1 January. Background events (past perfect "had launched", or a clause
introduced by "when" under "began"/"started") are ``historical``: no publication stamp.
"""

from __future__ import annotations

import calendar
import re
from datetime import date, timedelta

from spacy.tokens import Token

from detente.knowledge.lexicon import Lexicon

Resolved = tuple[date | None, str | None, str | None]  # (date, precision, method)

_MONTHS = {m.lower(): i for i, m in enumerate(calendar.month_name) if m}
_MONTHS |= {m.lower(): i for i, m in enumerate(calendar.month_abbr) if m}
_MONTHS["sept"] = 9
_DAYS = {d.lower(): i for i, d in enumerate(calendar.day_name)}
_MON = "|".join(sorted(_MONTHS, key=len, reverse=True))
_DAY = "|".join(_DAYS)
_ORD = r"(?:st|nd|rd|th)?"
_UNITS = {"day": "day", "week": "week", "month": "month", "year": "year"}
_BEGIN = {"begin", "start", "erupt", "break", "trigger", "spark", "ignite"}
_CLAUSES = {"ROOT", "advcl", "ccomp", "relcl", "xcomp", "conj", "pcomp", "acl", "csubj"}

_PATTERNS = [
    ("iso", r"\b(?P<y>\d{4})-(?P<m>\d{2})-(?P<d>\d{2})\b"),
    ("dmy", rf"\b(?P<d>\d{{1,2}}){_ORD}(?: of)? (?P<mon>{_MON})\.?(?:,? (?P<y>\d{{4}}))?\b"),
    ("mdy", rf"\b(?P<mon>{_MON})\.? (?P<d>\d{{1,2}})(?:st|nd|rd|th)?\b(?:,? (?P<y>\d{{4}}))?"),
    ("month", rf"\b(?P<mon>{_MON})(?: (?P<y>\d{{4}}))?\b"),
    ("year", r"\b(?:in|since|during|of) (?P<y>(?:19|20)\d{2})\b"),
    ("yesterday", r"\b(?:yesterday|last night|overnight)\b"),
    ("today", r"\b(?:today|this morning|this afternoon|this evening|tonight|earlier today)\b"),
    ("weekday", rf"\b(?P<wd>{_DAY})\b"),
    ("ago", r"\b(?P<n>\w+|\d+) (?P<unit>day|week|month|year)s? ago\b"),
    ("last", r"\b(?:last|past|previous) (?P<unit>week|month|year|weekend)\b"),
    ("this", r"\b(?:earlier |later )?this (?P<unit>week|month|year|weekend)\b"),
    ("this", r"\b(?:over|during|at) the (?P<unit>weekend)\b"),
]
_REGEX = [(name, re.compile(p, re.IGNORECASE)) for name, p in _PATTERNS]
# "May" and "March" as months only with a day, a year or a time preposition before them.
_AMBIGUOUS_MONTHS = {"may", "march", "jan", "mar", "jun", "jul", "aug", "oct", "dec", "sep"}


def find_dates(text: str, published: date, numbers: dict[str, int]) -> list[tuple[int, Resolved]]:
    """Every time expression in ``text`` as (character offset, resolved), in text order."""
    found: list[tuple[int, int, Resolved]] = []
    for name, regex in _REGEX:
        for m in regex.finditer(text):
            if any(s <= m.start() < e for s, e, _ in found):
                continue
            value = _resolve(name, m, published, numbers, text)
            if value is not None:
                found.append((m.start(), m.end(), value))
    return [(s, v) for s, _, v in sorted(found, key=lambda x: x[0])]


def _resolve(name, m, pub: date, numbers: dict[str, int], text: str) -> Resolved | None:
    g = m.groupdict()
    year = int(g["y"]) if g.get("y") else None
    if name == "iso":
        return _safe(year, int(g["m"]), int(g["d"]), "day", "explicit")
    if name in ("dmy", "mdy"):
        mon = _MONTHS[g["mon"].lower()]
        day = int(g["d"])
        year = year or (pub.year if (mon, day) <= (pub.month, pub.day) else pub.year - 1)
        return _safe(year, mon, day, "day", "explicit")
    if name == "month":
        word = g["mon"].lower()
        before = text[max(0, m.start() - 7) : m.start()].lower().split()
        if not m.group(0)[0].isupper():
            return None
        if word in _AMBIGUOUS_MONTHS and not year and not (before and before[-1] in _TIME_PREPS):
            return None
        mon = _MONTHS[word]
        year = year or (pub.year if mon <= pub.month else pub.year - 1)
        return date(year, mon, 1), "month", "explicit"
    if name == "year":
        return date(year, 1, 1), "year", "explicit"
    if name == "yesterday":
        return pub - timedelta(days=1), "day", "relative"
    if name == "today":
        return pub, "day", "relative"
    if name == "weekday":
        back = (pub.weekday() - _DAYS[g["wd"].lower()]) % 7
        return pub - timedelta(days=back), "day", "relative"
    unit = g["unit"].lower()
    if name == "ago":
        n = int(g["n"]) if g["n"].isdigit() else numbers.get(g["n"].lower())
        if n is None:
            return None
        return _minus(pub, n, unit), _UNITS[unit], "relative"
    if unit == "weekend":
        saturday = pub - timedelta(days=(pub.weekday() - 5) % 7)
        return saturday, "week", "relative"
    start = _period_start(pub, unit)
    if name == "last":
        start = _period_start(_minus(start, 1, "day"), unit)
    return start, _UNITS[unit], "relative"


_TIME_PREPS = {"in", "since", "during", "of", "until", "by", "early", "late", "mid", "last", "next"}


def _safe(year: int | None, month: int, day: int, precision: str, method: str) -> Resolved | None:
    try:
        return date(year or 1, month, day), precision, method
    except ValueError:
        return None


def _minus(d: date, n: int, unit: str) -> date:
    if unit == "day":
        return d - timedelta(days=n)
    if unit == "week":
        return d - timedelta(weeks=n)
    if unit == "month":
        y, m = divmod(d.year * 12 + d.month - 1 - n, 12)
        return date(y, m + 1, min(d.day, calendar.monthrange(y, m + 1)[1]))
    return date(d.year - n, d.month, min(d.day, calendar.monthrange(d.year - n, d.month)[1]))


def _period_start(d: date, unit: str) -> date:
    if unit == "week":
        return d - timedelta(days=d.weekday())
    if unit == "month":
        return d.replace(day=1)
    return d.replace(month=1, day=1)


def _clause_head(tok: Token) -> Token:
    t = tok
    for _ in range(20):
        if (t.pos_ in ("VERB", "AUX") and t.dep_ in _CLAUSES) or t.head is t:
            return t
        t = t.head
    return t


def is_historical(trigger: Token) -> bool:
    """Background: past perfect ("had attacked") or "X began when <trigger clause>"."""
    verb = trigger.head if trigger.pos_ == "NOUN" and trigger.dep_ == "dobj" else trigger
    clause = _clause_head(verb)
    for v in {verb, clause}:
        if any(c.dep_ == "aux" and c.lower_ == "had" for c in v.children):
            return True
    if clause.dep_ == "advcl" and clause.head.lemma_ in _BEGIN:
        return any(c.dep_ in ("mark", "advmod") and c.lower_ == "when" for c in clause.children)
    return False


def event_date(trigger: Token, published: date | None, lexicon: Lexicon) -> Resolved:
    """(date, precision, method) of the event whose trigger token is given: the time expression
    in the trigger's clause, else the first in its sentence, else the publication date."""
    if is_historical(trigger):
        return None, None, "historical"
    if published is None:
        return None, None, None
    sent = trigger.sent
    found = find_dates(sent.text, published, lexicon.numbers)
    if found:
        clause = _clause_head(trigger)
        doc = trigger.doc
        same = []
        for char, value in found:
            tok = doc.char_span(sent.start_char + char, sent.start_char + char + 1, "expand")
            if tok is not None and _clause_head(tok[0]) is clause:
                same.append(value)
        return same[0] if same else found[0][1]
    return published, "day", "publication"
