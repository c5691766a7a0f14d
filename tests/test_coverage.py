"""CAMEO coverage of the pattern files: every root, and most codes, have patterns of their own."""

from __future__ import annotations

from detente.knowledge.codes import load_codebook
from detente.knowledge.patterns import load_patterns


def _own_codes() -> set[str]:
    patterns = load_patterns(load_codebook())
    # a null code ("launch a product") codes nothing and names no code
    codes = (c for p in patterns.patterns for c in (p.code, *p.source_sector_codes.values()))
    return {c for c in codes if c is not None}


def test_every_root_has_patterns():
    codebook = load_codebook()
    roots = {codebook.root_of(c) for c in _own_codes()}
    assert roots == {f"{n:02d}" for n in range(1, 21)}


def test_at_least_150_codes_have_their_own_patterns():
    own = _own_codes()
    assert len(own) >= 150, len(own)
    assert all(len(c) > 2 for c in own)  # patterns name codes, never bare roots
