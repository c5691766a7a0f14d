"""Casualty counts: people killed, wounded, abducted, arrested, displaced or missing.

A count is a number phrase ("at least 11,000", "between 200 and 250", "dozens", "two hundred",
"3-5") with what it counts: a category word after it ("... people were killed") or a verb just
before it ("killing 12", "the death toll rose to 45"). Words come from the lexicon
(``data/claims/lexicon.yaml``); hedges on the figure ("at least", "up to") are kept as data.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from detente.knowledge.lexicon import Lexicon
from detente.records import Hedge

_WORD = re.compile(r"\d[\d,]*(?:\.\d+)?|[A-Za-z]+(?:['’][A-Za-z]+)?")
# Words that may stand between a count verb or noun and its number ("the toll has risen to 45").
_FILLERS = {
    "to",
    "at",
    "has",
    "have",
    "had",
    "rose",
    "risen",
    "climbed",
    "reached",
    "stood",
    "stands",
    "now",
    "is",
    "was",
    "of",
    "jumped",
    "passed",
    "surpassed",
}
_BOUNDARY = re.compile(r"[.;:!?()\"“”]")


@dataclass
class Word:
    text: str  # lower-cased
    start: int
    end: int


@dataclass
class RawCount:
    category: str
    low: int | None
    high: int | None
    start: int  # character offsets in the text given to ``find_counts``
    end: int
    unit: str | None
    hedges: list[Hedge]


def words_of(text: str) -> list[Word]:
    return [Word(m.group(0).lower(), m.start(), m.end()) for m in _WORD.finditer(text)]


def _phrase_at(words: list[Word], i: int, phrases: dict, max_len: int = 4):
    """The longest phrase from ``phrases`` starting at word ``i``: (phrase, next index)."""
    for n in range(max_len, 0, -1):
        if i + n <= len(words):
            key = " ".join(w.text for w in words[i : i + n])
            if key in phrases:
                return key, i + n
    return None, i


def number_at(words: list[Word], i: int, lex: Lexicon) -> tuple[int, int | None, int] | None:
    """(low, high, next index) of a number phrase starting at word ``i``."""
    vague, j = _phrase_at(words, i, lex.vague)
    if vague:
        lo, hi = lex.vague[vague]
        return lo, hi, j
    w = words[i].text
    if w[0].isdigit():
        try:
            value = float(w.replace(",", ""))
        except ValueError:
            return None
        j = i + 1
        if j < len(words) and words[j].text in lex.multipliers:
            value *= lex.multipliers[words[j].text]
            j += 1
        return int(value), int(value), j
    total, current, j = 0, 0, i
    while j < len(words):
        parts = words[j].text.replace("’", "-").split("-")
        t = words[j].text
        if t == "and" and j > i and j + 1 < len(words) and words[j + 1].text in lex.numbers:
            j += 1
            continue
        if t in lex.multipliers and t != "hundred":
            total += max(current, 1) * lex.multipliers[t]
            current = 0
        elif t == "hundred":
            current = max(current, 1) * 100
        elif all(p in lex.numbers for p in parts) and t not in ("a", "an"):
            current += sum(lex.numbers[p] for p in parts)
        elif t in ("a", "an") and j + 1 < len(words) and words[j + 1].text in lex.multipliers:
            current = 1
        elif t in ("a", "an") and j + 1 < len(words):
            phrase = f"{t} {words[j + 1].text}"
            if phrase not in lex.numbers:
                break
            current += lex.numbers[phrase]
            j += 1
        else:
            break
        j += 1
    if j == i:
        return None
    value = total + current
    return value, value, j


def _joined(text: str, a: Word, b: Word, also: str = "") -> bool:
    gap = text[a.end : b.start]
    return not _BOUNDARY.search(gap) and not any(c in gap for c in also)


_FIRST_WORDS: dict[int, tuple[Lexicon, frozenset[str]]] = {}


def _count_words(lex: Lexicon) -> frozenset[str]:
    """Words a count needs in its sentence: the first word of every count word or phrase, and
    "toll" (computed once per lexicon)."""
    hit = _FIRST_WORDS.get(id(lex))
    if hit is None or hit[0] is not lex:
        firsts = frozenset(k.split()[0] for k in lex.counts) | {"toll"}
        hit = _FIRST_WORDS[id(lex)] = (lex, firsts)
    return hit[1]


def find_counts(text: str, lex: Lexicon) -> list[RawCount]:
    words = words_of(text)
    out: list[RawCount] = []
    if _count_words(lex).isdisjoint(w.text for w in words):
        return out  # no word a count could hang on
    i = 0
    while i < len(words):
        num = number_at(words, i, lex)
        if num is None:
            i += 1
            continue
        low, high, j = num
        begin, hedges = i, []
        if i > 0 and words[i - 1].text == "between" and j + 1 < len(words):
            if words[j].text == "and" and (rng := number_at(words, j + 1, lex)):
                high, j, begin = rng[1], rng[2], i - 1
        elif j < len(words) and (
            words[j].text == "to" or text[words[j - 1].end : words[j].start] in ("-", "–")
        ):
            k = j + 1 if words[j].text == "to" else j
            if k < len(words) and (rng := number_at(words, k, lex)) and rng[1]:
                high, j = rng[1], rng[2]
        for n in (3, 2, 1):  # a figure hedge right before the number: "at least", "up to"
            if begin - n >= 0:
                phrase = " ".join(w.text for w in words[begin - n : begin])
                if lex.hedges.get(phrase) == "number":
                    first = words[begin - n]
                    hedges.append(
                        Hedge(
                            text=text[first.start : words[begin - 1].end],
                            start=first.start,
                            end=words[begin - 1].end,
                            kind="number",
                        )
                    )
                    begin -= n
                    break
        found = _category(words, begin, j, text, lex)
        if found is not None:
            category, unit = found
            out.append(
                RawCount(category, low, high, words[begin].start, words[j - 1].end, unit, hedges)
            )
        i = j
    return out


def _category(words: list[Word], begin: int, end: int, text: str, lex: Lexicon):
    """(category, unit) of the number phrase at words[begin:end], or None."""
    for k in range(begin - 1, max(-1, begin - 5), -1):  # "killing 12", "toll rose to 45"
        if not _joined(text, words[k], words[k + 1]):
            break
        if words[k].text in lex.counts and number_at(words, k, lex) is None:
            return lex.counts[words[k].text], _unit(words, end, min(end + 3, len(words)), lex)
        if words[k].text not in _FILLERS:
            break
    for k in range(begin - 1, max(-1, begin - 9), -1):  # "the death toll from X has risen to"
        if not _joined(text, words[k], words[k + 1]):
            break
        if words[k].text == "toll":
            return lex.counts["toll"], None
    k = end
    while k < min(end + 7, len(words)) and _joined(text, words[k - 1], words[k], ","):
        phrase, _ = _phrase_at(words, k, lex.counts, 3)
        if phrase:
            unit = _unit(words, end, k, lex) or (phrase if phrase in lex.units else None)
            return lex.counts[phrase], unit
        if k > end and number_at(words, k, lex) is not None and words[k].text not in ("one",):
            return None
        k += 1
    return None


def _unit(words: list[Word], start: int, end: int, lex: Lexicon) -> str | None:
    for k in range(start, end):
        if k + 1 < len(words) and f"{words[k].text} {words[k + 1].text}" in lex.units:
            return f"{words[k].text} {words[k + 1].text}"
        if words[k].text in lex.units:
            return words[k].text
    return None
