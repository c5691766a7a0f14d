"""NLP stage: spaCy in two passes.

Pass 1 runs the tokenizer and a rule-based sentencizer over all text. NER (which has its own
embedding layer and costs about half of the full pipeline) then runs only on sentences where the
actor dictionaries matched something: a sentence without a country, organisation or title has
no actor to code. Pass 2 runs the rest (tok2vec, tagger, parser, attribute ruler, lemmatizer)
only on the sentences the coder selects: those with an actor mention (or a subject pronoun) and
a word that can be an event trigger. Transformer pipelines, whose components cannot run on a
sentence cut out of a document, fall back to one full pass.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence

import spacy
from spacy.language import Language
from spacy.tokens import Doc

from detente.coding.attributes import fast_ruler
from detente.errors import ModelError
from detente.settings import Settings

REQUIRED = ("tagger", "parser", "ner")
# Tokens of an average sentence: a model batch holds at most its number of docs times this (a
# batch of ordinary sentences is never cut; one of very long ones is).
TOKENS_PER_DOC = 40


class NLP:
    """A loaded spaCy pipeline and the two passes detente runs with it."""

    def __init__(self, nlp: Language, batch_size: int = 32) -> None:
        missing = [c for c in REQUIRED if c not in nlp.component_names]
        if missing:
            raise ModelError(f"spaCy pipeline {nlp.meta.get('name')!r} lacks {', '.join(missing)}")
        self.nlp = nlp
        self.batch_size = batch_size
        self.two_pass = "transformer" not in nlp.component_names
        if self.two_pass and "sentencizer" not in nlp.component_names:
            nlp.add_pipe("sentencizer", first=True)
        self.pass2 = [
            (name, fast_ruler(proc) if name == "attribute_ruler" else proc)
            for name, proc in nlp.pipeline
            if name not in ("ner", "senter", "sentencizer") and name not in nlp.disabled
        ]
        self.name = f"{nlp.meta.get('lang')}_{nlp.meta.get('name')}-{nlp.meta.get('version')}"

    @property
    def disabled(self) -> list[str]:
        """Components the first pass over all text leaves out."""
        if not self.two_pass:
            return ["senter"] if "senter" in self.nlp.component_names else []
        return [name for name in self.nlp.component_names if name != "sentencizer"]

    def analyse(self, texts: Iterable[str]) -> Iterator[Doc]:
        """Pass 1: tokens and sentences (everything, for single-pass pipelines)."""
        yield from self.nlp.pipe(texts, batch_size=self.batch_size, disable=self.disabled)

    def entities(self, docs: Sequence[Doc]) -> list[Doc]:
        """NER on the given standalone sentence docs (already done in single-pass mode)."""
        if not self.two_pass:
            return list(docs)
        ner = self.nlp.get_pipe("ner")
        size = self.batch_size * 2
        return [
            doc
            for group in token_bounded(docs, size, size * TOKENS_PER_DOC)
            for doc in ner.pipe(group, batch_size=size)
        ]

    def parse(self, docs: Sequence[Doc]) -> list[Doc]:
        """Pass 2: dependency parses of the given standalone sentence docs."""
        if not self.two_pass:
            return list(docs)  # already parsed in pass 1
        size = self.batch_size * 8
        parsed: list[Doc] = []
        for group in token_bounded(docs, size, size * TOKENS_PER_DOC):
            out = iter(group)
            for _, proc in self.pass2:
                out = proc.pipe(out, batch_size=size)
            parsed += out
        return parsed


def token_bounded(docs: Sequence[Doc], most: int, tokens: int) -> Iterator[list[Doc]]:
    """``docs`` in order, in groups of at most ``most`` docs and, unless one doc alone is
    longer, at most ``tokens`` tokens: the memory a model pass holds is bounded by its batch's
    tokens, not by its number of docs (a batch of very long sentences took gigabytes)."""
    group: list[Doc] = []
    size = 0
    for doc in docs:
        if group and (len(group) == most or size + len(doc) > tokens):
            yield group
            group, size = [], 0
        group.append(doc)
        size += len(doc)
    if group:
        yield group


def load_nlp(settings: Settings) -> NLP:
    """Load the configured spaCy pipeline (factory: the only place detente loads a model)."""
    try:
        nlp = spacy.load(settings.spacy_model)
    except OSError as exc:
        raise ModelError(
            f"cannot load spaCy pipeline {settings.spacy_model!r}: install it, or set "
            "DETENTE_SPACY_MODEL to an installed English pipeline"
        ) from exc
    if nlp.lang != "en":
        raise ModelError(f"spaCy pipeline {settings.spacy_model!r} is not English")
    return NLP(nlp, batch_size=settings.batch_size)
