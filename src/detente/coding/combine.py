"""The learned typer as a second opinion on a parsed sentence's patterns (issue 12).

For each sentence the coder parses, :meth:`LearnedTyper.combine` takes the pattern events and
the sentence's candidates (``SentenceCoder.candidates``: every predicate with an actor that no
pattern typed or ruled out), and by ``Settings``:

* ``combined``: a candidate the typer gives a PLOVER type with probability at least
  ``typer_accept`` becomes an event (``method: learned``, the probability its confidence,
  the CAMEO code of its type from ``typer/codes.yaml``); a weak pattern event (confidence
  below ``typer_weak``) the typer calls "none" with probability at least ``typer_veto`` is
  dropped; every other pattern event stands, whatever the typer says. Only candidates and
  weak pattern events are embedded (the costly step), so a sentence the patterns type with
  confidence costs nothing more.
* ``only``: patterns type nothing; every candidate the typer gives a type is an event (the
  ablation's third arm).

The typer (model and embedder) is loaded once per process by :func:`load_learned`, which
``load_coder`` calls.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from detente.coding.raw import RawEvent, confidence
from detente.coding.typer import NONE, E5Embedder, Embedder, Typer, load_model
from detente.errors import KnowledgeError
from detente.knowledge.codes import Codebook
from detente.knowledge.files import KnowledgeFile, load_validated
from detente.knowledge.patterns import Pattern
from detente.settings import Settings

if TYPE_CHECKING:
    from detente.coding.events import SentenceCoder

CODES_FILE = "typer/codes.yaml"


class TyperCodes(KnowledgeFile):
    """``typer/codes.yaml``: PLOVER type -> the CAMEO code a learned event is recorded with."""

    codes: dict[str, str]


def load_codes(codebook: Codebook) -> dict[str, str]:
    """The code table, checked: every code exists and maps to its own PLOVER type."""
    codes = load_validated(CODES_FILE, TyperCodes).codes
    for label, code in codes.items():
        if not codebook.has(code):
            raise KnowledgeError(f"{CODES_FILE}: unknown CAMEO code {code!r} for {label}")
        event = codebook.plover(code).event
        if event != label:
            raise KnowledgeError(f"{CODES_FILE}: {code} is PLOVER {event}, not {label}")
    return codes


class CachedEmbedder:
    """An embedder whose vectors are kept in a folder, one ``.npy`` file a text (by its hash,
    under the embedder's name and version): repeated measurements embed each text once."""

    def __init__(self, inner: Embedder, folder: Path) -> None:
        self.inner = inner
        self.name, self.version = inner.name, inner.version
        slug = f"{inner.name}-{inner.version}".replace("/", "_")
        self.folder = Path(folder) / slug
        self.folder.mkdir(parents=True, exist_ok=True)

    def _path(self, text: str) -> Path:
        return self.folder / (hashlib.sha1(text.encode("utf-8")).hexdigest() + ".npy")

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        found: dict[str, np.ndarray] = {}
        for t in set(texts):
            path = self._path(t)
            if path.exists():
                found[t] = np.load(path)
        missing = sorted(set(texts) - set(found))
        if missing:
            for t, v in zip(missing, self.inner.embed(missing), strict=True):
                found[t] = v
                fd, tmp = tempfile.mkstemp(dir=self.folder, suffix=".tmp")
                with os.fdopen(fd, "wb") as f:
                    np.save(f, v)
                os.replace(tmp, self._path(t))
        if not texts:
            return self.inner.embed([])
        return np.stack([found[t] for t in texts])


def _side(actors: list) -> str | None:
    return "; ".join(dict.fromkeys(a.text for a, _ in actors)) or None


class LearnedTyper:
    """The typer and the rule combining it with the patterns (thresholds from ``Settings``)."""

    def __init__(self, typer: Typer, codes: dict[str, str], settings: Settings) -> None:
        missing = set(typer.model.labels) - set(codes) - {NONE}
        if missing:
            raise KnowledgeError(f"{CODES_FILE}: no code for {sorted(missing)}")
        self.typer = typer
        self.settings = settings
        self.only = settings.typer == "only"
        # the pattern each learned event is recorded with (its code; no roles of its own)
        self.patterns = {
            label: Pattern(id=f"learned-{label}", lemmas=["*"], code=code, target_optional=True)
            for label, code in codes.items()
        }

    def combine(self, coder: SentenceCoder, raws: list[RawEvent]) -> list[RawEvent]:
        """The sentence's events: ``raws`` (its pattern events) with the typer's opinion."""
        s = self.settings
        kept = [] if self.only else list(raws)
        cands = coder.candidates(set() if self.only else coder.covered(raws))
        if s.require_dyad:
            cands = [c for c in cands if c.sources and c.targets]
        weak = [r for r in kept if r.learned is None and confidence(r) < s.typer_weak]
        if not cands and not weak:
            return kept
        text = coder.doc.text
        items = [(text, _side(c.sources), _side(c.targets)) for c in cands]
        items += [(text, _side(r.sources), _side(r.targets)) for r in weak]
        scores = self.typer.type(items)
        vetoed = {
            id(r)
            for r, t in zip(weak, scores[len(cands) :], strict=True)
            if t.label == NONE and t.probability >= s.typer_veto
        }
        kept = [r for r in kept if id(r) not in vetoed]
        seen = {_key(r) for r in kept}
        for cand, t in zip(cands, scores[: len(cands)], strict=True):
            if t.label == NONE or t.probability < s.typer_accept:
                continue
            raw = coder.learned_event(cand, self.patterns[t.label], t.probability)
            if _key(raw) not in seen:  # the same event a pattern (or a candidate) gave
                seen.add(_key(raw))
                kept.append(raw)
        return kept


def _key(raw: RawEvent) -> tuple:
    code = raw.code or raw.pattern.code or ""
    return (
        code[:2],
        tuple(sorted(a.code for a, _ in raw.sources)),
        tuple(sorted(a.code for a, _ in raw.targets)),
    )


@lru_cache(maxsize=4)
def _embedder(threads: int, cache: Path | None) -> Embedder:
    e5: Embedder = E5Embedder(threads=threads)
    return CachedEmbedder(e5, cache) if cache is not None else e5


def load_learned(settings: Settings, codebook: Codebook) -> LearnedTyper | None:
    """The learned typer of ``settings.typer`` (None when off): the shipped model, the
    embedder (loaded once per process) and the code table."""
    if settings.typer == "off":
        return None
    typer = Typer(load_model(), _embedder(settings.typer_threads, settings.typer_cache))
    return LearnedTyper(typer, load_codes(codebook), settings)
