"""spaCy component: ``nlp.add_pipe("detente")`` codes each doc's text as ``detente.code``
does and sets ``doc._.events`` (a list of ``detente.Event``, the same records).

    import spacy
    nlp = spacy.blank("en")            # or any pipeline of yours
    nlp.add_pipe("detente")            # found through the ``spacy_factories`` entry point
    doc = nlp("Russian forces shelled Kharkiv on Monday, Ukrainian officials said.")
    for e in doc._.events:
        print(e.cameo.code, [a.code for a in e.source], [a.code for a in e.target])

detente parses with its own pipeline (``Settings.spacy_model``, loaded once per component on
the first doc), whatever the host pipeline has, so the events are those of ``detente.code``.
A doc's publication date (for event dates) is ``doc._.published`` (a date or "YYYY-MM-DD"),
else the component's ``published``; ``modalities`` are those kept (asserted only by default,
as ``detente.code``). Each event's trigger is also a span of ``doc.spans["detente"]``, labelled
with its CAMEO code, when the doc's text is the article text detente coded (it is unless the
text has control characters, non-NFC characters or a "date YYYY-MM-DD" first line).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import date
from typing import Any

from spacy.language import Language
from spacy.tokens import Doc, Span

from detente.errors import InputError
from detente.records import Article, Event
from detente.settings import Settings
from detente.text import make_article

for _name in ("events", "published"):
    if not Doc.has_extension(_name):
        Doc.set_extension(_name, default=None)


class DetenteComponent:
    """The ``detente`` pipe: ``doc._.events`` from detente's coder (built on first use)."""

    def __init__(
        self,
        nlp: Language,
        name: str = "detente",
        modalities: Iterable[str] = ("asserted",),
        published: str | None = None,
        spans_key: str = "detente",
    ) -> None:
        self.name = name
        self.modalities = tuple(modalities)
        self.published = published
        self.spans_key = spans_key
        self._coder: Any = None

    @property
    def coder(self) -> Any:
        if self._coder is None:
            from detente.coding import coder as pipeline

            self._coder = pipeline.load_coder(Settings.from_env())
        return self._coder

    def _article(self, doc: Doc) -> Article | None:
        published: date | str | None = doc._.published or self.published
        try:
            return make_article(
                doc.text, item="<doc>", published=published, max_chars=self.coder.settings.max_chars
            )
        except InputError as exc:
            if not doc.text.strip():  # nothing to code
                return None
            raise ValueError(f"detente cannot code this doc: {exc.reason}") from exc

    def __call__(self, doc: Doc) -> Doc:
        return next(self.pipe([doc]))

    def pipe(self, stream: Iterable[Doc], batch_size: int = 16) -> Iterator[Doc]:
        """Docs in batches of ``batch_size``, each batch coded together (as ingest does)."""
        batch: list[Doc] = []
        for doc in stream:
            batch.append(doc)
            if len(batch) >= batch_size:
                yield from self._code(batch)
                batch = []
        if batch:
            yield from self._code(batch)

    def _code(self, docs: list[Doc]) -> Iterator[Doc]:
        articles = [self._article(doc) for doc in docs]
        wanted = [a for a in articles if a is not None]
        coded = iter(self.coder.code_articles(wanted, self.modalities)) if wanted else iter(())
        for doc, article in zip(docs, articles, strict=True):
            events: list[Event] = [] if article is None else next(coded)[1]
            doc._.events = events
            self._spans(doc, article, events)
            yield doc

    def _spans(self, doc: Doc, article: Article | None, events: list[Event]) -> None:
        if article is None:
            doc.spans[self.spans_key] = []
            return
        lead = doc.text.find(article.text)
        spans: list[Span] = []
        if lead >= 0:
            for e in events:
                start, end = e.trigger.start + lead, e.trigger.end + lead
                span = doc.char_span(start, end, label=e.cameo.code, alignment_mode="expand")
                if span is not None:
                    spans.append(span)
        doc.spans[self.spans_key] = spans


@Language.factory(
    "detente",
    default_config={"modalities": ["asserted"], "published": None, "spans_key": "detente"},
)
def make_detente(
    nlp: Language, name: str, modalities: list[str], published: str | None, spans_key: str
) -> DetenteComponent:
    """The ``detente`` factory (``nlp.add_pipe("detente", config={...})``)."""
    return DetenteComponent(nlp, name, modalities, published, spans_key)
