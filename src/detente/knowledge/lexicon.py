"""The claims/counts/numbers lexicon (``data/claims/lexicon.yaml``), loaded and validated once."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from detente.errors import KnowledgeError
from detente.knowledge.files import load_yaml

_NAME = "detente/data/claims/lexicon.yaml"


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
    try:
        hedges = {str(k).lower(): str(v) for k, v in data["hedges"].items()}
        bad = [k for k, v in hedges.items() if v not in _HEDGE_KINDS]
        if bad:
            raise KnowledgeError(f"{_NAME}: hedge {bad[0]!r} must be 'source' or 'number'")
        counts = {w.lower(): cat for cat, words in data["counts"].items() for w in words}
        vague = {}
        for k, (lo, hi) in data["vague"].items():
            vague[k.lower()] = (int(lo), None if hi is None else int(hi))
        attribution = tuple(sorted(data["attribution_phrases"], key=len, reverse=True))
        by_length = sorted(hedges.items(), key=lambda x: -len(x[0]))
        patterns = {k: _compiled(p for p, kind in by_length if kind == k) for k in _HEDGE_KINDS}
        patterns["attribution"] = _compiled(attribution)
        return Lexicon(
            reporting_verbs={
                form.lower(): stance
                for stance, forms in data["reporting_verbs"].items()
                for form in forms
            },
            attribution_phrases=attribution,
            hedges=hedges,
            counts=counts,
            units=frozenset(u.lower() for u in data["units"]),
            numbers={str(k).lower(): int(v) for k, v in data["numbers"].items()},
            multipliers={k: int(v) for k, v in data["multipliers"].items()},
            vague=vague,
            patterns=patterns,
        )
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise KnowledgeError(f"{_NAME}: malformed entry ({exc!r})") from exc


@lru_cache(maxsize=1)
def load_lexicon() -> Lexicon:
    """Load the lexicon (factory; cached once per process)."""
    return build_lexicon(load_yaml("claims/lexicon.yaml"))
