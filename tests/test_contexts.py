"""PLOVER contexts from sentence content (patterns/contexts.yaml), alone and in coded events."""

from __future__ import annotations

import pytest

from detente.coding.coder import code
from detente.knowledge.codes import load_codebook
from detente.knowledge.contexts import ContextRules, load_contexts


@pytest.fixture(scope="module")
def rules() -> ContextRules:
    return load_contexts(load_codebook())


def test_words_and_phrases_name_contexts(rules):
    assert rules.contexts_for(["hamas", "hold", "hostage"]) == ["military"]
    assert rules.contexts_for(["impose", "sanction", "on", "iran"]) == ["economic"]
    assert rules.contexts_for(["declare", "martial", "law"]) == ["pro_autocracy"]
    assert rules.contexts_for(["martial", "arts"]) == []
    assert rules.contexts_for(["the", "president", "say"]) == []


def test_contexts_follow_the_plover_vocabulary_order(rules):
    vocab = load_codebook().contexts
    got = rules.contexts_for(["election", "ceasefire", "tariff"])
    assert set(got) == {"military", "economic", "political_institutions", "democracy"}
    assert got == sorted(got, key=vocab.index)


def test_every_context_in_the_table_is_declared(rules):
    declared = set(load_codebook().contexts)
    used = {c for cs in rules.words.values() for c in cs}
    used |= {c for cs in rules.phrases.values() for c in cs}
    assert used <= declared
    assert len(used) >= 10


def test_parsed_sentence_uses_lemmas(coder, rules):
    doc = coder.nlp.nlp("Rebels freed two hostages after the truce.")
    assert rules.contexts_for(doc) == ["military"]


def _event(coder, text, prefix):
    events = code(text, "2024-03-01", coder=coder)
    hits = [e for e in events if e.cameo.code.startswith(prefix)]
    assert hits, [(e.cameo.code, e.plover.context) for e in events]
    return hits[0]


def test_event_gets_context_from_content_not_only_code(coder):
    # 0253 maps to the legal context; the word "hostages" adds military
    e = _event(coder, "Qatar called on Hamas to release the hostages.", "0253")
    assert e.plover.context[0] == "legal"
    assert "military" in e.plover.context


def test_sanctions_sentence_is_economic(coder):
    e = _event(coder, "The European Union imposed sanctions on Iran.", "163")
    assert "economic" in e.plover.context
    assert "diplomatic" in e.plover.context  # the code's own context stays


def test_no_content_words_no_extra_context(coder):
    e = _event(coder, "Egypt accused Ethiopia of aggression.", "1123")
    assert e.plover.context == list(load_codebook().entry("1123").plover_context)
