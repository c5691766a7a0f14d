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


class FastAttributeRuler:
    """Same results as the wrapped ``AttributeRuler``, computed with dict lookups."""

    def __init__(self, ruler: AttributeRuler) -> None:
        self.attrs = ruler.attrs
        self.by_tag: dict[str, list[tuple[int, Spec]]] = {}
        self.by_lower: dict[str, list[tuple[int, Spec]]] = {}
        self.generic: list[tuple[int, Spec]] = []
        # fixed-length multi-token patterns: (order, token specs, index of the token to change)
        self.multi: list[tuple[int, tuple[Spec, ...], int]] = []
        for order, entry in enumerate(ruler.patterns):
            for pattern in entry["patterns"]:
                if any("OP" in t for t in pattern):
                    raise Unsupported("OP")
                if len(pattern) > 1 or entry["index"] != 0:
                    specs = tuple(_compile(t) for t in pattern)
                    self.multi.append((order, specs, entry["index"]))
                    continue
                spec = _compile(pattern[0])
                self._index(order, pattern[0], spec)

    def _index(self, order: int, raw: dict, spec: Spec) -> None:
        for key, table in (("TAG", self.by_tag), ("LOWER", self.by_lower)):
            want = raw.get(key)
            if isinstance(want, str):
                table.setdefault(want, []).append((order, spec))
                return
            if isinstance(want, dict) and set(want) == {"IN"}:
                for value in want["IN"]:
                    table.setdefault(value, []).append((order, spec))
                return
        self.generic.append((order, spec))

    def __call__(self, doc: Doc) -> Doc:
        hits: list[tuple[int, int]] = []
        empty: list[tuple[int, Spec]] = []
        for tok in doc:
            for order, spec in (
                *self.by_tag.get(tok.tag_, empty),
                *self.by_lower.get(tok.lower_, empty),
                *self.generic,
            ):
                if _ok(tok, spec):
                    hits.append((order, tok.i))
        for order, specs, index in self.multi:
            n = len(specs)
            for start in range(len(doc) - n + 1):
                if all(_ok(doc[start + k], spec) for k, spec in enumerate(specs)):
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
