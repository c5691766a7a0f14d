"""The claims/counts/numbers lexicon (``data/claims/lexicon.yaml``), loaded and validated once."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

from detente.knowledge.files import KnowledgeFile, load_yaml, validate

_NAME = "detente/data/claims/lexicon.yaml"


class LexiconFile(KnowledgeFile):
    """``claims/lexicon.yaml``."""

    reporting_verbs: dict[str, list[str]]  # stance → inflected forms
    attribution_phrases: list[str]
    hedges: dict[str, Literal["source", "number"]]
    counts: dict[str, list[str]]  # category → words or phrases
    units: list[str]
    numbers: dict[str, int]
    multipliers: dict[str, int]
    vague: dict[str, tuple[int, int | None]]  # word → (low, high or open)


@dataclass(frozen=True)
class Lexicon:
    reporting_verbs: dict[str, str]  # inflected form → stance
    attribution_phrases: tuple[str, ...]
    hedges: dict[str, str]  # phrase → source | number
    counts: dict[str, str]  # word or phrase → category (killed, wounded, ...)
    units: frozenset[str]
    numbers: dict[str, int]
    multipliers: dict[str, int]
    vague: dict[str, tuple[int, int | None]]
    # hedges by kind (source | number, longest first) and attribution phrases, each with its
    # word-bounded regular expression, compiled once here
    patterns: dict[str, list[tuple[str, re.Pattern[str]]]]


_HEDGE_KINDS = ("source", "number")


def _compiled(phrases: Iterable[str]) -> list[tuple[str, re.Pattern[str]]]:
    return [(p, re.compile(rf"\b{re.escape(p)}\b")) for p in phrases]


def build_lexicon(data: dict) -> Lexicon:
    """Validate and index the raw YAML mapping (no I/O)."""
    f = validate(data, LexiconFile, _NAME)
    hedges = {k.lower(): v for k, v in f.hedges.items()}
    attribution = tuple(sorted(f.attribution_phrases, key=len, reverse=True))
    by_length = sorted(hedges.items(), key=lambda x: -len(x[0]))
    patterns = {k: _compiled(p for p, kind in by_length if kind == k) for k in _HEDGE_KINDS}
    patterns["attribution"] = _compiled(attribution)
    return Lexicon(
        reporting_verbs={
            form.lower(): stance for stance, forms in f.reporting_verbs.items() for form in forms
        },
        attribution_phrases=attribution,
        hedges=hedges,
        counts={w.lower(): cat for cat, words in f.counts.items() for w in words},
        units=frozenset(u.lower() for u in f.units),
        numbers={k.lower(): v for k, v in f.numbers.items()},
        multipliers=dict(f.multipliers),
        vague={k.lower(): v for k, v in f.vague.items()},
        patterns=patterns,
    )


@lru_cache(maxsize=1)
def load_lexicon() -> Lexicon:
    """Load the lexicon (factory; cached once per process)."""
    return build_lexicon(load_yaml("claims/lexicon.yaml"))
