"""The claims/counts/numbers lexicon (``data/claims/lexicon.yaml``), loaded and validated once."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from detente.errors import KnowledgeError
from detente.resources import load_yaml

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


def build_lexicon(data: dict) -> Lexicon:
    """Validate and index the raw YAML mapping (no I/O)."""
    try:
        hedges = {str(k).lower(): str(v) for k, v in data["hedges"].items()}
        bad = [k for k, v in hedges.items() if v not in ("source", "number")]
        if bad:
            raise KnowledgeError(f"{_NAME}: hedge {bad[0]!r} must be 'source' or 'number'")
        counts = {w.lower(): cat for cat, words in data["counts"].items() for w in words}
        vague = {}
        for k, (lo, hi) in data["vague"].items():
            vague[k.lower()] = (int(lo), None if hi is None else int(hi))
        return Lexicon(
            reporting_verbs={
                form.lower(): stance
                for stance, forms in data["reporting_verbs"].items()
                for form in forms
            },
            attribution_phrases=tuple(sorted(data["attribution_phrases"], key=len, reverse=True)),
            hedges=hedges,
            counts=counts,
            units=frozenset(u.lower() for u in data["units"]),
            numbers={str(k).lower(): int(v) for k, v in data["numbers"].items()},
            multipliers={k: int(v) for k, v in data["multipliers"].items()},
            vague=vague,
        )
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise KnowledgeError(f"{_NAME}: malformed entry ({exc!r})") from exc


@lru_cache(maxsize=1)
def load_lexicon() -> Lexicon:
    """Load the lexicon (factory; cached once per process)."""
    return build_lexicon(load_yaml("claims/lexicon.yaml"))
