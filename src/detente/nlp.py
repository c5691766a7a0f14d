"""NLP stage: spaCy in two passes.

Pass 1 runs the cheap components (tok2vec, tagger, lemmatizer, senter, NER) over all text.
Pass 2 runs the dependency parser only on the sentences the coder selects (those with an actor
mention and a trigger word), reusing the tok2vec tensor of pass 1. Pipelines without a
``senter`` (e.g. transformer models) fall back to one full pass.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence

import spacy
from spacy.language import Language
from spacy.tokens import Doc

from detente.errors import ModelError
from detente.settings import Settings

REQUIRED = ("tagger", "parser", "ner")
_TERMINAL = {".", "!", "?", "…", ":", ";"}
_CLOSERS = {'"', "”", "’", "'", ")", "»"}


class NLP:
    """A loaded spaCy pipeline and the two passes detente runs with it."""

    def __init__(self, nlp: Language, batch_size: int = 32) -> None:
        missing = [c for c in REQUIRED if c not in nlp.component_names]
        if missing:
            raise ModelError(f"spaCy pipeline {nlp.meta.get('name')!r} lacks {', '.join(missing)}")
        self.nlp = nlp
        self.batch_size = batch_size
        self.two_pass = "senter" in nlp.component_names
        if self.two_pass and "senter" in nlp.disabled:
            nlp.enable_pipe("senter")
        self.parser = nlp.get_pipe("parser")
        self.name = f"{nlp.meta.get('lang')}_{nlp.meta.get('name')}-{nlp.meta.get('version')}"

    @property
    def disabled(self) -> list[str]:
        """Components pass 1 leaves out."""
        return ["parser"] if self.two_pass else ["senter"]

    def after_pass1(self, doc: Doc) -> None:
        if self.two_pass:
            _repair_boundaries(doc)

    def analyse(self, texts: Iterable[str]) -> Iterator[Doc]:
        """Pass 1: tokens, tags, lemmas, sentences, entities."""
        for doc in self.nlp.pipe(texts, batch_size=self.batch_size, disable=self.disabled):
            self.after_pass1(doc)
            yield doc

    def parse(self, docs: Sequence[Doc]) -> list[Doc]:
        """Pass 2: dependency parses of the given standalone sentence docs."""
        if not self.two_pass:
            return docs  # already parsed in pass 1
        return list(self.parser.pipe(docs, batch_size=self.batch_size))


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


def _repair_boundaries(doc: Doc) -> None:
    """Undo sentence starts the senter puts after a token that cannot end a sentence."""
    for tok in doc[1:]:
        if not tok.is_sent_start:
            continue
        prev = doc[tok.i - 1]
        ends = prev.text in _TERMINAL or (
            prev.text in _CLOSERS and prev.i > 0 and doc[prev.i - 1].text in _TERMINAL
        )
        if not ends and not prev.text.endswith("."):
            tok.is_sent_start = False
