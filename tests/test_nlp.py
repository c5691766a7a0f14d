"""The two-pass NLP stage: same annotations as spaCy's own components where it matters."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from detente.coding.attributes import FastAttributeRuler
from detente.knowledge.patterns import inflections
from detente.text import paragraphs

GOLDEN = Path(__file__).resolve().parent / "golden" / "events.yaml"
TEXTS = [c["text"] for c in yaml.safe_load(GOLDEN.read_text(encoding="utf-8"))["cases"]]


def _sentence_docs(coder, texts):
    docs = [s.as_doc() for d in coder.nlp.analyse(texts) for s in d.sents]
    return coder.nlp.parse(docs)


def test_fast_attribute_ruler_matches_spacy(coder):
    """Our dict-based attribute ruler gives exactly spaCy's POS, morphology and lemmas."""
    nlp = coder.nlp.nlp
    assert any(isinstance(p, FastAttributeRuler) for _, p in coder.nlp.pass2)
    pass1 = [s.as_doc() for d in coder.nlp.analyse(TEXTS) for s in d.sents]
    ours = coder.nlp.parse([d.copy() for d in pass1])
    reference = []
    for doc in pass1:
        for name, _ in coder.nlp.pass2:
            doc = nlp.get_pipe(name)(doc)  # spaCy's own components, original ruler included
        reference.append(doc)
    checked = 0
    for doc, ref in zip(ours, reference, strict=True):
        for a, b in zip(doc, ref, strict=True):
            assert (a.pos_, str(a.morph), a.lemma_, a.dep_) == (
                b.pos_,
                str(b.morph),
                b.lemma_,
                b.dep_,
            ), a.text
            checked += 1
    assert checked > 500


def test_sentence_filter_sees_every_trigger_form(coder):
    """Every token the parser lemmatises to a trigger lemma was caught by the surface filter."""
    patterns = coder.patterns
    missed = [
        t.text
        for doc in _sentence_docs(coder, TEXTS)
        for t in doc
        if patterns.candidates(t.lemma_.lower(), t.pos_) and t.lower_ not in patterns.surface_forms
    ]
    assert not missed


@pytest.mark.parametrize(
    ("lemma", "form"),
    [("accuse", "accused"), ("shell", "shelled"), ("kidnap", "kidnapped"), ("ally", "allies")],
)
def test_inflections(lemma, form):
    assert form in inflections(lemma)


def test_paragraphs_keep_offsets():
    text = "First para.\n\nSecond “quoted.”\nThird line here."
    for start, para in paragraphs(text):
        assert text[start : start + len(para)] == para
    assert [p for _, p in paragraphs(text)] == [
        "First para.",
        "Second “quoted.”",
        "Third line here.",
    ]


def test_senter_free_split_keeps_a_sentence_whole(coder):
    (doc,) = coder.nlp.analyse(["In a long statement, the minister spoke. Then she left."])
    assert [s.text for s in doc.sents] == [
        "In a long statement, the minister spoke.",
        "Then she left.",
    ]


def test_sentence_cut_is_spacys_as_doc(coder):
    """Sentences cut out of a paragraph (the pass-1 fast path, and a parsed paragraph's
    general path) are the very documents spaCy's ``Span.as_doc`` gives."""
    from detente.coding.coder import _cut

    parsed = list(coder.nlp.nlp.pipe(TEXTS[:20]))
    checked = 0
    for doc in [*coder.nlp.analyse(TEXTS), *parsed]:
        arrays: dict = {}
        for span in doc.sents:
            assert _cut(span, arrays).to_bytes() == span.as_doc().to_bytes(), span.text
            checked += 1
    assert checked > 60
