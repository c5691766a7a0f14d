"""PLOVER contexts from sentence content (``patterns/contexts.yaml``).

CAMEO codes carry their own PLOVER contexts (``cameo.csv``); this adds the contexts the
sentence's words point to, e.g. "hostages" → military, "sanctions" → economic, whatever the
event's code. ``load_contexts`` reads and validates the table; ``ContextRules`` only computes.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Annotated

from pydantic import StringConstraints
from spacy.tokens import Doc, Span

from detente.errors import KnowledgeError
from detente.knowledge.codes import Codebook
from detente.knowledge.files import KnowledgeFile, load_validated

CONTEXTS_FILE = "patterns/contexts.yaml"


class ContextsFile(KnowledgeFile):
    """``patterns/contexts.yaml``: PLOVER context → the words that point to it."""

    contexts: dict[str, list[Annotated[str, StringConstraints(min_length=1)]]]


class ContextRules:
    """Keyword (or phrase) → PLOVER contexts, applied to a sentence's words."""

    def __init__(self, keywords: dict[str, list[str]], order: Iterable[str]):
        self.words: dict[str, list[str]] = {}
        self.phrases: dict[tuple[str, ...], list[str]] = {}
        for key, contexts in keywords.items():
            parts = tuple(key.lower().split())
            if len(parts) == 1:
                self.words[parts[0]] = contexts
            else:
                self.phrases[parts] = contexts
        # phrases by their first word: a sentence is checked only where one may start
        self._starts: dict[str, list[tuple[tuple[str, ...], list[str]]]] = {}
        for phrase, contexts in self.phrases.items():
            self._starts.setdefault(phrase[0], []).append((phrase, contexts))
        self.order = {c: i for i, c in enumerate(order)}

    def contexts_for(self, doc_or_lemmas: Doc | Span | Iterable[str]) -> list[str]:
        """Contexts named by the words of a parsed sentence (lemmas and surface forms) or of a
        plain list of lemmas, in the order of the PLOVER vocabulary."""
        if isinstance(doc_or_lemmas, Doc | Span):
            seqs = [
                [t.lemma_.lower() for t in doc_or_lemmas],
                [t.lower_ for t in doc_or_lemmas],
            ]
        else:
            seqs = [[w.lower() for w in doc_or_lemmas]]
        return self.contexts_of(seqs)

    def contexts_of(self, seqs: Iterable[Sequence[str]]) -> list[str]:
        """Contexts named by sequences of lowercase words (a sentence's lemmas, its forms)."""
        found: set[str] = set()
        words, starts = self.words, self._starts
        for seq in seqs:
            for i, word in enumerate(seq):
                found.update(words.get(word, ()))
                for phrase, contexts in starts.get(word, ()):
                    if tuple(seq[i : i + len(phrase)]) == phrase:
                        found.update(contexts)
        return sorted(found, key=lambda c: self.order.get(c, len(self.order)))


def load_contexts(codebook: Codebook) -> ContextRules:
    """Read ``patterns/contexts.yaml``; every context must be declared in the PLOVER vocabulary."""
    table = load_validated(CONTEXTS_FILE, ContextsFile).contexts
    keywords: dict[str, list[str]] = {}
    for context, words in table.items():
        if context not in codebook.contexts:
            raise KnowledgeError(
                f"detente/data/{CONTEXTS_FILE}: contexts.{context}: undeclared PLOVER context"
            )
        for word in words:
            keywords.setdefault(word.lower(), []).append(context)
    return ContextRules(keywords, codebook.contexts)
