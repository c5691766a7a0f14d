"""A faster drop-in for spaCy's ``attribute_ruler`` with identical output.

spaCy's ruler runs every pattern through the general ``Matcher``; in ``en_core_web_sm`` that is
about a quarter of the whole pipeline's time. Nearly all its patterns look at one token, keyed
by TAG or LOWER, so they can be looked up in dicts; the few fixed-length multi-token ones are
checked position by position. Matches are applied in pattern order, as the original does (later
patterns win). ``tests/test_nlp.py`` checks the output equals the original's.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import Any

from spacy.pipeline import AttributeRuler
from spacy.tokens import Doc, Token
from spacy.tokens._retokenize import set_token_attrs

_GETTERS = {
    "TAG": lambda t: t.tag_,
    "LOWER": lambda t: t.lower_,
    "DEP": lambda t: t.dep_,
    "IS_SPACE": lambda t: t.is_space,
    "ORTH": lambda t: t.text,
}
Spec = tuple[tuple[str, Any], ...]


class Unsupported(ValueError):
    """The ruler has a pattern this fast path does not handle; keep the original."""


def _compile(token_spec: dict) -> Spec:
    out = []
    for key, want in token_spec.items():
        if key not in _GETTERS:
            raise Unsupported(key)
        if isinstance(want, dict):
            (op, arg), *rest = want.items()
            if rest or op not in ("IN", "NOT_IN", "REGEX"):
                raise Unsupported(f"{key} {want}")
            want = (op, re.compile(arg) if op == "REGEX" else frozenset(arg))
        out.append((key, want))
    return tuple(out)


def _ok(tok: Token, spec: Spec) -> bool:
    for key, want in spec:
        val = _GETTERS[key](tok)
        if isinstance(want, tuple):
            op, arg = want
            if op == "IN" and val not in arg:
                return False
            if op == "NOT_IN" and val in arg:
                return False
            if op == "REGEX" and not arg.search(val):
                return False
        elif val != want:
            return False
    return True


class _Index:
    """Patterns (single-token specs, or first tokens of multi-token ones) keyed by the value
    of TAG, LOWER or DEP they require; the indexed condition is dropped from the spec."""

    KEYS = ("TAG", "LOWER", "DEP")

    def __init__(self) -> None:
        self.tables: dict[str, dict[str, list[tuple[int, Any]]]] = {k: {} for k in self.KEYS}
        self.generic: list[tuple[int, Any]] = []

    def add(self, order: int, raw: dict, spec: Spec, extra: Any = None) -> None:
        """Index ``(order, spec without the indexed condition[, extra])`` under the value the
        raw token pattern ``raw`` requires for the first of TAG/LOWER/DEP it constrains."""
        for key in self.KEYS:
            want = raw.get(key)
            values = [want] if isinstance(want, str) else None
            if isinstance(want, dict) and set(want) == {"IN"}:
                values = list(want["IN"])
            if values is not None:
                rest = tuple(c for c in spec if c[0] != key)
                item = (order, rest if extra is None else (rest, *extra))
                for value in values:
                    self.tables[key].setdefault(value, []).append(item)
                return
        self.generic.append((order, spec if extra is None else (spec, *extra)))

    def lookup(self, tok: Token) -> list[tuple[int, Any]]:
        tag, low, dep = self.tables["TAG"], self.tables["LOWER"], self.tables["DEP"]
        found = tag.get(tok.tag_, []) + low.get(tok.lower_, []) + dep.get(tok.dep_, [])
        return found + self.generic if self.generic else found


class FastAttributeRuler:
    """Same results as the wrapped ``AttributeRuler``, computed with dict lookups."""

    def __init__(self, ruler: AttributeRuler) -> None:
        self.attrs = ruler.attrs
        self.single = _Index()  # (order, remaining spec)
        self.multi = _Index()  # (order, (rest of first spec, later specs, index))
        for order, entry in enumerate(ruler.patterns):
            for pattern in entry["patterns"]:
                if any("OP" in t for t in pattern):
                    raise Unsupported("OP")
                specs = tuple(_compile(t) for t in pattern)
                if len(pattern) > 1 or entry["index"] != 0:
                    self.multi.add(order, pattern[0], specs[0], (specs[1:], entry["index"]))
                else:
                    self.single.add(order, pattern[0], specs[0])

    def __call__(self, doc: Doc) -> Doc:
        hits: list[tuple[int, int]] = []
        n_doc = len(doc)
        for tok in doc:
            for order, spec in self.single.lookup(tok):
                if _ok(tok, spec):
                    hits.append((order, tok.i))
            for order, (spec, later, index) in self.multi.lookup(tok):
                start, n = tok.i, 1 + len(later)
                if start + n > n_doc or not _ok(tok, spec):
                    continue
                if all(_ok(doc[start + 1 + k], sp) for k, sp in enumerate(later)):
                    hits.append((order, (start if index >= 0 else start + n) + index))
        for order, i in sorted(set(hits)):
            set_token_attrs(doc[i], self.attrs[order])
        return doc

    def pipe(self, docs: Iterable[Doc], batch_size: int = 128) -> Iterator[Doc]:
        for doc in docs:
            yield self(doc)


def fast_ruler(ruler: Any) -> Any:
    """A ``FastAttributeRuler`` for ``ruler`` when every pattern is supported, else ``ruler``."""
    if not isinstance(ruler, AttributeRuler):
        return ruler
    try:
        return FastAttributeRuler(ruler)
    except Unsupported:
        return ruler
