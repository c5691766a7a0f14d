"""Near-duplicate articles (reprints) with MinHash LSH (datasketch).

A text's shingles are its runs of ``Settings.reprint_shingle`` words (lower-cased, punctuation
dropped, so an added comma changes nothing); its signature is a datasketch ``MinHash`` of
them with ``Settings.reprint_perms`` permutations. The signature is cut into the LSH bands
datasketch's ``MinHashLSH`` chooses for ``Settings.reprint_threshold`` (false positives and
negatives weighted alike); each band gives one 64-bit key, and two texts that share a key are
candidates. A candidate whose estimated Jaccard similarity reaches the threshold is a reprint.

The keys are plain integers so that the store can keep and look them up (``article_bands``):
finding the reprints of a new article reads only the articles sharing a band with it.
"""

from __future__ import annotations

import hashlib
import re
import struct
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from detente.settings import Settings

_WORD = re.compile(r"\w+")


@dataclass(frozen=True)
class Sketch:
    """An article's MinHash signature and LSH band keys."""

    signature: tuple[int, ...]
    keys: tuple[int, ...]


def shingles(text: str, size: int) -> set[str]:
    """The runs of ``size`` consecutive words of ``text`` (the whole text when shorter)."""
    words = _WORD.findall(text.lower())
    if len(words) <= size:
        return {" ".join(words)} if words else set()
    return {" ".join(words[i : i + size]) for i in range(len(words) - size + 1)}


@lru_cache(maxsize=8)
def bands(threshold: float, perms: int) -> tuple[int, int]:
    """(bands, rows per band) that datasketch's ``MinHashLSH`` uses for this threshold."""
    from datasketch import MinHashLSH

    lsh = MinHashLSH(threshold=threshold, num_perm=perms)
    return lsh.b, lsh.r


def sketch(text: str, settings: Settings) -> Sketch:
    """The signature and band keys of ``text``."""
    from datasketch import MinHash

    m = MinHash(num_perm=settings.reprint_perms)
    m.update_batch([s.encode("utf-8") for s in shingles(text, settings.reprint_shingle)])
    values = m.hashvalues.astype(np.uint64)
    b, r = bands(settings.reprint_threshold, settings.reprint_perms)
    keys = []
    for band in range(b):
        chunk = values[band * r : (band + 1) * r].tobytes()
        digest = hashlib.blake2b(struct.pack("<H", band) + chunk, digest_size=8).digest()
        keys.append(int.from_bytes(digest, "little", signed=True))
    return Sketch(tuple(int(v) for v in values), tuple(keys))


def similarity(a: tuple[int, ...] | list[int], b: tuple[int, ...] | list[int]) -> float:
    """Estimated Jaccard similarity: the share of equal signature positions."""
    if len(a) != len(b) or not a:
        return 0.0
    return float(np.mean(np.asarray(a, dtype=np.uint64) == np.asarray(b, dtype=np.uint64)))


def best_match(
    mine: Sketch, candidates: list[tuple[str, tuple[int, ...] | list[int]]], threshold: float
) -> tuple[str, float] | None:
    """The candidate (id, signature) most similar to ``mine`` at or above ``threshold``; ties
    go to the first (the earliest stored)."""
    best: tuple[str, float] | None = None
    for cid, signature in candidates:
        score = similarity(mine.signature, signature)
        if score >= threshold and (best is None or score > best[1]):
            best = (cid, score)
    return best
