"""The spaCy component: ``nlp.add_pipe("detente")`` sets ``doc._.events`` to the events
``detente.code`` gives for the doc's text, and marks their triggers in ``doc.spans``."""

from __future__ import annotations

import importlib
import importlib.metadata
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import spacy

import detente.component  # registers the factory even without the entry point
from detente import code

ROOT = Path(__file__).resolve().parents[1]
TEXT = (
    "Kenya accused Somalia of sheltering militants on Tuesday. Somali troops attacked a "
    "Kenyan border post near Mandera, killing two soldiers, officials said."
)


def test_the_entry_point_names_the_factory():
    declared = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["entry-points"]
    module, _, name = declared["spacy_factories"]["detente"].partition(":")
    assert getattr(importlib.import_module(module), name) is detente.component.make_detente


def test_spacy_finds_the_component_through_the_installed_entry_point():
    """A new process that never imports detente: spaCy looks the factory up by its entry point
    (the coder is only built on the first doc, so this loads no model)."""
    installed = importlib.metadata.entry_points(group="spacy_factories")
    if "detente" not in installed.names:
        pytest.skip("the installed detente predates its spacy_factories entry point: reinstall")
    script = (
        "import spacy, sys; nlp = spacy.blank('en'); pipe = nlp.add_pipe('detente');"
        " print(type(pipe).__module__, nlp.pipe_names)"
    )
    out = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.split()[0] == "detente.component" and "detente" in out.stdout


@pytest.fixture(scope="module")
def nlp(coder):
    nlp = spacy.blank("en")
    nlp.add_pipe("detente")
    return nlp


def test_doc_events_are_what_detente_code_gives(nlp, coder):
    doc = nlp(TEXT)
    expected = code(TEXT, coder=coder)
    assert [e.model_dump() for e in doc._.events] == [e.model_dump() for e in expected]
    roots = {e.cameo.root for e in doc._.events}
    assert {"11", "19"} <= roots  # the accusation and the attack
    spans = doc.spans["detente"]
    assert [(s.start_char, s.end_char, s.label_) for s in spans] == [
        (e.trigger.start, e.trigger.end, e.cameo.code) for e in doc._.events
    ]


def test_leading_space_is_allowed_for_and_dates_come_from_the_doc(nlp, coder):
    doc = nlp.make_doc("  \n" + TEXT)
    doc._.published = "2024-05-07"
    doc = nlp(doc)
    assert {e.article.published.isoformat() for e in doc._.events} == {"2024-05-07"}
    assert any(e.date and e.date.isoformat() == "2024-05-07" for e in doc._.events)  # Tuesday
    assert [s.text for s in doc.spans["detente"]] == [e.trigger.text for e in doc._.events]


def test_pipe_codes_each_doc_and_empty_docs_have_none(nlp, coder):
    texts = [TEXT, "", "The weather was mild in Oslo.", "Iran condemned the Israeli strike."]
    docs = list(nlp.pipe(texts))
    assert [d._.events == code(t, coder=coder) if t else d._.events == [] for d, t in
            zip(docs, texts, strict=True)] == [True] * 4  # fmt: skip
    assert docs[2]._.events == [] and docs[3]._.events[0].cameo.root == "11"


def test_modalities_come_from_the_config(coder):
    nlp = spacy.blank("en")
    nlp.add_pipe("detente", config={"modalities": ["asserted", "negated", "future"]})
    doc = nlp("Israel will not attack Iran, officials said. Egypt will host talks next week.")
    assert {"negated", "future"} & {e.modality for e in doc._.events}
