"""The coder: ingest → nlp (pass 1) → actors → nlp (pass 2, selected sentences) → events.

``load_coder`` is the factory that does all I/O (model, code tables, dictionaries, patterns);
``Coder`` itself only computes. ``code`` is the one-call convenience API.
"""

from __future__ import annotations

import gc
import hashlib
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from typing import Any

from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, Span, Token

from detente.coding.actors import (
    ActorMatcher,
    ArticleContext,
    Mention,
    Piece,
    attached_country,
    chunk,
    compose,
    coordinated_country,
    dateline_country,
    enrich_from_apposition,
    fill_country,
    institution,
    mediates,
    place_unresolved,
    unresolved,
)
from detente.coding.combine import LearnedTyper, load_learned
from detente.coding.dates import event_date
from detente.coding.events import SentenceCoder
from detente.coding.nlp import NLP, load_nlp
from detente.coding.places import ArticlePlaces, Locator, SentenceView
from detente.coding.raw import ActorMap, RawEvent, confidence
from detente.errors import InputError
from detente.knowledge.actors import load_actor_knowledge
from detente.knowledge.codes import Codebook, load_codebook
from detente.knowledge.contexts import ContextRules, load_contexts
from detente.knowledge.gazetteer import Gazetteer, load_gazetteer
from detente.knowledge.lexicon import Lexicon, load_lexicon
from detente.knowledge.patterns import PatternSet, load_patterns
from detente.records import (
    MODALITIES,
    Actor,
    ActorMention,
    Article,
    ArticleActors,
    ArticleRef,
    CoderInfo,
    Event,
    Sentence,
    TextSpan,
)
from detente.settings import Settings
from detente.text import make_article, paragraphs
from detente.version import __version__

_PERSONAL = {"he", "she", "his", "her", "him"}
# pronoun forms of one referent: "her" (possessive) and "her"/"she" later are the same person
_SAME_REFERENT = (
    {"she", "her", "hers", "herself"},
    {"he", "him", "his", "himself"},
    {"it", "its", "itself"},
    {"they", "them", "their", "theirs", "themselves"},
)
_SUBJECT_PRONOUNS = {"it", "they", "he", "she"}
_GROUP = 8  # articles are analysed and parsed in groups of about this many batches' sentences


@dataclass
class _Sent:
    """One sentence. Until it is selected for parsing, ``doc`` is its paragraph's pass-1 doc and
    token offsets (mentions) are paragraph-relative; after pass 2, ``doc`` is the parsed sentence
    alone and offsets are sentence-relative. ``offset`` is the article char offset of ``doc``."""

    index: int
    span: Span  # the sentence in its pass-1 paragraph doc
    start: int  # char offset of the sentence in the article text
    doc: Doc
    offset: int
    candidates: list[Piece]  # dictionary (and NER) matches, in ``doc`` token offsets
    # (has a word that can trigger an event, has a subject pronoun or a word for people)
    cue: tuple[bool, bool]
    mentions: list[Mention] = field(default_factory=list)
    parsed: bool = False

    @property
    def alone(self) -> bool:
        """Has the sentence been cut out of its paragraph (for NER or parsing)?"""
        return self.doc is not self.span.doc

    @property
    def bounds(self) -> tuple[int, int]:
        return (0, len(self.doc)) if self.alone else (self.span.start, self.span.end)


class Coder:
    """Codes articles into events. Build it with ``load_coder``; it does no I/O itself."""

    def __init__(
        self,
        nlp: NLP,
        codebook: Codebook,
        patterns: PatternSet,
        matcher: ActorMatcher,
        settings: Settings,
        gazetteer: Gazetteer | None = None,
        lexicon: Lexicon | None = None,
        contexts: ContextRules | None = None,
        learned: LearnedTyper | None = None,
    ) -> None:
        self.nlp = nlp
        self.learned = learned  # the learned typer's second opinion (None: patterns only)
        self.locator = Locator(gazetteer) if gazetteer is not None else None
        self.lexicon = lexicon
        self.contexts = contexts  # PLOVER contexts from sentence words (None: code's only)
        self.codebook = codebook
        self.patterns = patterns
        self.matcher = matcher
        self.settings = settings
        self._caps = (settings.max_paragraph, settings.max_sentence)  # of text given to spaCy
        self.info = CoderInfo(name="detente", version=__version__)
        self.cues = PhraseMatcher(nlp.nlp.vocab, attr="LOWER")
        self.cues.add("TRIGGER", list(nlp.nlp.tokenizer.pipe(sorted(patterns.surface_forms))))
        self.cues.add("PRONOUN", list(nlp.nlp.tokenizer.pipe(sorted(_SUBJECT_PRONOUNS))))
        if not settings.require_dyad:  # "three people were killed": worth parsing
            people = sorted(patterns.roles.generic_people)
            self.cues.add("PEOPLE", list(nlp.nlp.tokenizer.pipe(people)))
        self._trigger = nlp.nlp.vocab.strings["TRIGGER"]
        # persons and groups the knowledge base does not know become unresolved actors (not
        # with require_dyad: PETRARCH codes only the actors of its dictionaries)
        self.unknown = not settings.require_dyad

    # --- public API -------------------------------------------------------------------------
    def code_article(self, article: Article, modalities: Iterable[str] = MODALITIES) -> list[Event]:
        return next(iter(self.code_articles([article], modalities)))[1]

    def code_articles(
        self, articles: Iterable[Article], modalities: Iterable[str] = MODALITIES
    ) -> Iterator[tuple[Article, list[Event]]]:
        """Code many articles, batching pass 1 over all their paragraphs."""
        for article, events, _ in self._coded(articles, modalities):
            yield article, events

    def code_with_actors(
        self, articles: Iterable[Article], modalities: Iterable[str] = MODALITIES
    ) -> Iterator[tuple[Article, list[Event], ArticleActors]]:
        """As ``code_articles``, plus each article's sentences and resolved actor mentions
        (for ``detente.claims.analyse``, which then runs no NLP of its own)."""
        for article, events, sents in self._coded(articles, modalities):
            yield article, events, _actors_of(article, sents)

    def _coded(
        self, articles: Iterable[Article], modalities: Iterable[str]
    ) -> Iterator[tuple[Article, list[Event], list[_Sent]]]:
        keep = set(modalities)
        for group in self._analysed(articles):
            # one parse (pass 2) for the whole group: spaCy's cost per batch is high; an
            # article longer than a window is parsed (and coded) a window at a time
            found = [self._resolve(sents, article.published) for article, sents in group]
            long = [self._over_window(sents) for _, sents in group]
            self._parse(
                [s for (wanted, _), x in zip(found, long, strict=True) if not x for s in wanted]
            )
            for (article, sents), (wanted, context), x in zip(group, found, long, strict=True):
                if x:
                    events = self._code_windows(article, sents, wanted, context)
                else:
                    self._settle(sents, context, article.text)
                    events = self._code_sentences(article, sents, wanted)
                yield article, [e for e in events if e.modality in keep], sents

    # --- stages -----------------------------------------------------------------------------
    def _analysed(self, articles: Iterable[Article]) -> Iterator[list[tuple[Article, list[_Sent]]]]:
        """Pass 1 and NER, in groups of whole articles of about ``_GROUP`` batches' sentences
        (NER runs once a group)."""

        def texts() -> Iterator[tuple[str, tuple[Article, int, bool]]]:
            for article in articles:
                paras = paragraphs(article.text, *self._caps)
                for n, (start, text) in enumerate(paras):
                    yield text, (article, start, n == len(paras) - 1)

        current: list[_Sent] = []
        group: list[tuple[Article, list[_Sent]]] = []
        pending = 0  # sentences in ``group``
        for doc, (article, start, last) in self.nlp.nlp.pipe(
            texts(), as_tuples=True, batch_size=self.nlp.batch_size, disable=self.nlp.disabled
        ):
            found = self.matcher.dictionary(doc)
            cues = [(key == self._trigger, i) for key, i, _ in self.cues(doc)]
            arrays: dict[int, tuple[list, Any, bool]] = {}
            for span in doc.sents:
                here = [trigger for trigger, i in cues if span.start <= i < span.end]
                cue = (any(here), not all(here))  # (a trigger word, a pronoun or people word)
                inside = [p for p in found if span.start <= p.start and p.end <= span.end]
                sent = _Sent(len(current), span, start + span.start_char, doc, start, [], cue)
                if (inside or (self.unknown and cue[0])) and _may_name_someone(
                    span, inside, self.unknown
                ):
                    # worth NER: cut the sentence out, pieces in its own offsets
                    sent.doc, sent.offset = _cut(span, arrays), sent.start
                    sent.candidates = [p.shifted(-span.start) for p in inside]
                else:
                    sent.candidates = inside
                current.append(sent)
            if last:
                group.append((article, current))
                pending += len(current)
                current = []
                if pending >= self.nlp.batch_size * _GROUP:
                    yield self._entities(group)
                    group, pending = [], 0
        if group:
            yield self._entities(group)

    def _entities(
        self, group: list[tuple[Article, list[_Sent]]]
    ) -> list[tuple[Article, list[_Sent]]]:
        """NER on the sentences of a group of articles cut out for it."""
        alone = [s for _, sents in group for s in sents if s.alone]
        for s, doc_ in zip(alone, self.nlp.entities([s.doc for s in alone]), strict=True):
            s.doc = doc_
            s.candidates += self.matcher.persons(doc_)
            if self.unknown:
                s.candidates += [g for g in self.matcher.groups(doc_) if not self._place(g)]
        return group

    def mentions(self, article: Article) -> list[ActorMention]:
        """The resolved actor mentions of an article, in text order (no event coding)."""
        return self.actors(article).mentions

    def actors(self, article: Article) -> ArticleActors:
        """The article's sentences and resolved actor mentions (no event coding)."""
        [(_, sents)] = next(self._analysed([article]))
        wanted, context = self._resolve(sents, article.published)
        self._parse(wanted)
        self._settle(sents, context, article.text)
        return _actors_of(article, sents)

    def sentence_coders(self, article: Article) -> list[tuple[Sentence, SentenceCoder]]:
        """The parsed sentences of an article, each with the ``SentenceCoder`` that codes it
        (patterns, candidates for the learned typer): for inspection and tests."""
        [(_, sents)] = next(self._analysed([article]))
        wanted, context = self._resolve(sents, article.published)
        self._parse(wanted)
        self._settle(sents, context, article.text)
        return [
            (
                Sentence(
                    index=s.index, text=s.span.text, start=s.start, end=s.start + len(s.span.text)
                ),
                self._sentence_coder(sents, s),
            )
            for s in wanted
        ]

    def _sentence_coder(
        self, sents: list[_Sent], s: _Sent, where: ArticlePlaces | None = None
    ) -> SentenceCoder:
        amap = self._actor_map(s)
        return SentenceCoder(
            s.doc, amap, self.patterns, self._pronouns(sents, s), s.offset,
            self.settings.require_dyad, _place_actors(where, s.index, amap),
        )  # fmt: skip

    def _over_window(self, sents: list[_Sent]) -> bool:
        return sum(s.span.end_char - s.span.start_char for s in sents) > self.settings.window_chars

    def _code_windows(
        self, article: Article, sents: list[_Sent], wanted: list[_Sent], context: ArticleContext
    ) -> list[Event]:
        """An article over ``Settings.window_chars``, parsed and coded in windows of
        consecutive sentences that long: no more than a window's parses are held (each
        window's are released once it is coded, but for the last two sentences, which the
        next window's pronouns look back to), and an article passing ``Settings.max_events``
        stops before the next window is parsed. Actors and the main country are the
        article's; the places a location falls back on are the window's."""
        chosen = {id(s) for s in wanted}
        windows: list[list[_Sent]] = [[]]
        size = 0
        for s in sents:
            if windows[-1] and size + len(s.span.text) > self.settings.window_chars:
                windows.append([])
                size = 0
            windows[-1].append(s)
            size += len(s.span.text)
        events: list[Event] = []
        for window in windows:
            here = [s for s in window if id(s) in chosen]
            self._parse(here)
            self._settle(window, context, article.text)
            events += self._code_sentences(article, sents, here, window, len(events))
            for s in window[:-2]:
                s.doc, s.parsed = s.span.doc, False  # its parse is no longer needed
        return events

    def _code_sentences(
        self,
        article: Article,
        sents: list[_Sent],
        wanted: list[_Sent],
        window: list[_Sent] | None = None,
        before: int = 0,
    ) -> list[Event]:
        """Events of the ``wanted`` sentences of ``sents`` (of ``window``, after ``before``
        events of earlier windows)."""
        where = self._places(window or sents) if wanted else None
        events: list[Event] = []
        seen: set[str] = set()
        ref = ArticleRef(**article.model_dump(exclude={"text"})) if wanted else None
        for s in wanted:
            coder = self._sentence_coder(sents, s, where)
            contexts = self.contexts.contexts_of(coder.lemmas_and_forms()) if self.contexts else ()
            raws = [] if self.learned and self.learned.only else coder.events()
            raws = [r for r in raws if self._may_code(r, coder)]
            if self.learned is not None:
                raws = [r for r in self.learned.combine(coder, raws) if self._may_code(r, coder)]
            sentence = Sentence(
                index=s.index, text=s.span.text, start=s.start, end=s.start + len(s.span.text)
            )
            records = [self._record(article, ref, sentence, s, raw, contexts) for raw in raws]
            ids = {id(raw): record.id for raw, record in zip(raws, records, strict=True)}
            for raw, event in zip(raws, records, strict=True):
                if raw.about is not None and id(raw.about) in ids:
                    # a commitment points at the event it promises (its id needs no ``about``)
                    event = event.model_copy(update={"about": ids[id(raw.about)]})
                if event.id not in seen:
                    seen.add(event.id)
                    events.append(self._when_where(article, s, raw, event, where))
            if before + len(events) > self.settings.max_events:
                raise InputError(
                    article.id,
                    f"gives over {self.settings.max_events:,} events by sentence {s.index + 1} of"
                    f" {len(sents):,} (the limit, Settings.max_events): not coded",
                )
        return events

    def _place(self, group: Piece) -> bool:
        """Is a named group rather the name of a town or region ("the Zaporizhzhia plant")?"""
        name = group.name or ""
        return (
            self.locator is not None and not name.isupper() and bool(self.locator.gaz.lookup(name))
        )

    def _located(self, s: _Sent, m: Mention) -> bool:
        """Does mention ``m`` follow a locative preposition ("talks in Havana")?"""
        if self.locator is None:
            return False
        lo = s.bounds[0]
        i = m.start - 1
        if i > lo and s.doc[i].lower_ == "the":
            i -= 1
        return i >= lo and s.doc[i].lower_ in self.locator.gaz.locative_preps

    def _town(self, name: str) -> bool:
        """Is a one-word "person" rather a town of some size ("shelling the Zaporizhzhia
        plant")? Then it is no unresolved person."""
        if self.locator is None or " " in name:
            return False
        return any(p.population >= 300_000 for p, _ in self.locator.gaz.lookup(name))

    def _may_code(self, raw: RawEvent, coder: SentenceCoder) -> bool:
        """An unresolved actor (a name the knowledge base does not know) starts no event by
        itself: it takes part beside a known actor, or when its wording gives it a political
        sector ("the Kachin Independence Army": MIL), so "Acme Industries agreed to buy X" or
        "Stellar Foods beat expectations" code nothing."""
        actors = [a for a, _ in raw.sources + raw.targets]
        if not any(a.unresolved for a in actors):
            return True
        return any(
            (a.sector in self.matcher.political) if a.unresolved else not coder.is_generic(a)
            for a in actors
        )

    def _places(self, sents: list[_Sent]) -> ArticlePlaces | None:
        if self.locator is None:
            return None
        views = [
            SentenceView(s.index, s.doc, *s.bounds, s.offset, [
                (m.start, m.end, m.actor) for m in s.mentions if m.actor is not None
            ])
            for s in sents
        ]  # fmt: skip
        return self.locator.article(views)

    def _when_where(
        self, article: Article, s: _Sent, raw: RawEvent, event: Event, where: ArticlePlaces | None
    ) -> Event:
        """Fill the event's location (issue 6) and date from its parsed sentence."""
        update: dict = {}
        if where is not None:
            place = where.locate(
                s.index, raw.trigger, event.source, event.target, event.cameo.quad_class
            )
            update["location"] = place
            if place is not None and place.country and place.method != "fallback":
                # people of no known country are the people of the place it happened; so are
                # people given the other side's country when it happened elsewhere ("Russian
                # missiles struck Kharkiv, killing four civilians": Ukrainian civilians)
                # the target first, then the source against the target as it now stands:
                # "Russian forces shelled Kharkiv, killing three civilians" (civilians given
                # RUS by the sentence) must not make the forces Ukrainian
                for side, other in (("target", "source"), ("source", "target")):
                    actors = getattr(event, side)
                    others = {a.country for a in update.get(other, getattr(event, other))}
                    others.discard(None)
                    if any(_people_elsewhere(a, place.country, others) for a in actors):
                        update[side] = [_with_country(a, place.country, others) for a in actors]
        if self.lexicon is not None:
            day, precision, method = event_date(raw.trigger, article.published, self.lexicon)
            update |= {"date": day, "date_precision": precision, "date_method": method}
        return event.model_copy(update=update) if update else event

    def _resolve(self, sents: list[_Sent], day: date | None) -> tuple[list[_Sent], ArticleContext]:
        """Find and resolve the actors of every sentence; return the sentences worth coding
        (those with a trigger word and an actor or subject pronoun, to parse) and the
        article's context."""
        context = ArticleContext(armed=self.matcher.armed)
        wanted: list[_Sent] = []
        for s in sents:
            aliases = context.short_names() or None
            pieces = self.matcher.pieces(s.doc, aliases, s.candidates, *s.bounds)
            s.mentions = chunk(s.doc, pieces)
            for m in s.mentions:
                span = s.doc[m.start : m.end]
                m.actor = compose(s.doc, m, s.offset, day)
                if m.actor is None:
                    context.resolve(
                        m, span.text, s.offset + span.start_char, s.offset + span.end_char
                    )
                    institution(m, span.text, s.offset + span.start_char, s.offset + span.end_char)
                    if self.unknown and not (m.person and self._town(m.person)):
                        unresolved(
                            m, span.text, s.offset + span.start_char, s.offset + span.end_char
                        )
                context.remember(
                    m, mediates(s.doc, m, self.patterns.roles.mediator_words), self._located(s, m)
                )
            trigger, pronoun = s.cue
            if trigger and (s.mentions or pronoun):
                wanted.append(s)
            elif self.learned is not None and any(m.actor for m in s.mentions):
                wanted.append(s)  # the typer reads every predicate of a sentence with an actor
        return wanted, context

    def _parse(self, wanted: list[_Sent]) -> None:
        """Pass 2 on the wanted sentences (of one or more articles), each cut out alone."""
        arrays: dict[int, tuple[list, Any, bool]] = {}
        for s in wanted:
            if not s.alone:
                for m in s.mentions:
                    m.shift(-s.span.start)
                s.doc, s.offset = _cut(s.span, arrays), s.start
        for s, parsed in zip(wanted, self.nlp.parse([s.doc for s in wanted]), strict=True):
            s.doc, s.parsed = parsed, True
            enrich_from_apposition(s.doc, s.mentions, s.offset)

    def _settle(self, sents: list[_Sent], context: ArticleContext, text: str) -> None:
        """After parsing: the country of each mention from its sentence and article."""
        gazetteer = self.locator.gaz if self.locator is not None else None
        dateline = dateline_country(text, gazetteer, self.matcher)
        main = context.main_country()
        for s in sents:
            named = {m.actor.country for m in s.mentions if m.actor and m.actor.country}
            # the one country the sentence names; of several, the article's main one
            own = next(iter(named)) if len(named) == 1 else (main if main in named else None)
            if s.parsed and self.locator is not None:
                # "shelled Khan Younis", "in Khan Younis": a place NER took for a name
                for m in s.mentions:
                    actor = m.actor
                    if (
                        actor is not None
                        and actor.unresolved
                        and not actor.sector
                        and self.locator.place_here(s.doc, m.start, m.end)
                    ):
                        m.actor = None
            for m in s.mentions:
                here = attached_country(s.doc, m, s.mentions, gazetteer)
                place_unresolved(m, here)
                here = here or coordinated_country(s.doc, m, s.mentions)
                fill_country(m, here or own or dateline, self.matcher.national)

    @staticmethod
    def _actor_map(s: _Sent) -> ActorMap:
        amap: ActorMap = {}
        for m in s.mentions:
            if m.actor is None:
                continue
            idx = set(range(m.start, m.end))
            for p in m.pieces:
                idx |= set(range(p.start, p.end))
            for i in idx:
                amap.setdefault(i, []).extend((a, m.inferred) for a in (m.actor, *m.also))
        return amap

    def _pronouns(self, sents: list[_Sent], s: _Sent):
        """Resolver for pronouns in sentence ``s``: a subject earlier in the sentence, else the
        subject (or first actor) of the previous sentences. ``avoid`` holds the tokens an
        object pronoun cannot stand for: its own clause's subject ("X called Y and urged
        him": not X); such a pronoun then takes the nearest other actor before it in the
        sentence (Y). A pronoun resolved within its sentence is given its antecedent's words
        and span ("Russia said it had expelled ...": Russia), which name the actor; one
        resolved to an earlier sentence keeps its own."""

        def fits(actor: Actor, tok: Token) -> bool:
            if tok.lower_ in _PERSONAL:
                return actor.kind == "person"
            if tok.lower_ in ("it", "its"):
                return actor.kind not in ("person", "people")
            return actor.kind != "person"

        def possessed_by_same(m, tok: Token) -> bool:
            """Is mention ``m`` possessed by a pronoun of ``tok``'s referent ("Her lawyer
            said ... release her": the second "her" is not the lawyer)?"""
            forms = next((f for f in _SAME_REFERENT if tok.lower_ in f), None)
            return forms is not None and any(
                c.dep_ == "poss" and c.lower_ in forms
                for i in range(m.start, m.end)
                for c in s.doc[i].children
            )

        def owner_bound(m, avoid: frozenset[int]) -> bool:
            """Is ``m`` the object of a clause whose subject an object pronoun is bound away
            from? Its possessive then stands for that subject, not for the pronoun ("X phoned
            his counterpart and urged him": him is the counterpart)."""
            if not avoid:
                return False
            head = s.doc[m.end - 1]
            while head.dep_ in ("pobj", "prep") and head.head is not head:
                head = head.head
            if head.dep_ not in ("dobj", "dative"):
                return False
            return any(c.dep_ == "nsubj" and c.i in avoid for c in head.head.children)

        def owner_state(tok: Token) -> Actor | None:
            """The country named in an earlier subject that is a person or people ("Turkey's
            president says it will ...": Turkey), for "it"/"its"."""
            for m in s.mentions:
                if m.end > tok.i or m.actor is None or m.actor.kind not in ("person", "people"):
                    continue
                if not _is_subject(s.doc, m):
                    continue
                for p in m.pieces:
                    if p.type == "country" and p.country == m.actor.country:
                        span = s.doc[p.start : p.end]
                        start = s.offset + span.start_char
                        return Actor(
                            text=span.text, start=start, end=start + len(span.text),
                            name=p.name, code=p.country, country=p.country, kind="state",
                        )  # fmt: skip
            return None

        def resolve(tok: Token, avoid: frozenset[int] = frozenset()) -> list[Actor]:
            here = [
                m
                for m in s.mentions
                if m.actor
                and m.end <= tok.i
                and fits(m.actor, tok)
                and not (possessed_by_same(m, tok) and not owner_bound(m, avoid))
                and not any(i in avoid for i in range(m.start, m.end))
            ]
            subj = [m for m in here if _is_subject(s.doc, m)]
            pick = subj[-1] if subj else (here[-1] if here and avoid else None)
            if pick is not None and pick.actor is not None:
                return [pick.actor]  # its antecedent names it in this sentence
            if tok.lower_ in ("it", "its"):
                state = owner_state(tok)
                if state is not None:
                    return [state]
            for prev in reversed(sents[max(0, s.index - 2) : s.index]):
                cands = [m for m in prev.mentions if m.actor and fits(m.actor, tok)]
                if prev.parsed:
                    cands = [m for m in cands if _is_subject(prev.doc, m)] or cands
                if cands:
                    pick = cands[0]
                    break
            if pick is None or pick.actor is None:
                return []
            start = s.offset + tok.idx
            return [
                pick.actor.model_copy(
                    update={"text": tok.text, "start": start, "end": start + len(tok.text)}
                )
            ]

        return resolve

    def _record(
        self,
        article: Article,
        ref: ArticleRef,
        sentence: Sentence,
        s: _Sent,
        raw: RawEvent,
        contexts: Sequence[str],
    ) -> Event:
        code = raw.code or raw.pattern.code
        for actor, _ in raw.sources if raw.code is None else ():
            code = raw.pattern.source_sector_codes.get(actor.sector or "", code)
        cameo = self.codebook.cameo(code)
        trig_start = s.offset + raw.trigger.idx
        dyad = "full" if raw.sources and raw.targets else (
            "source_only" if raw.sources else "target_only"
        )  # fmt: skip
        sources = [a for a, _ in raw.sources]
        targets = [a for a, _ in raw.targets]
        key = "|".join(
            [
                article.id,
                str(s.index),
                str(trig_start),
                cameo.code,
                ",".join(a.code for a in sources),
                ",".join(a.code for a in targets),
            ]
        )
        return Event(
            id=hashlib.sha1(key.encode()).hexdigest()[:20],
            article=ref,  # one per article, one per sentence: shared by its events
            sentence=sentence,
            trigger=TextSpan(
                text=raw.trigger.text, start=trig_start, end=trig_start + len(raw.trigger.text)
            ),
            cameo=cameo,
            plover=self.codebook.plover(cameo.code, contexts),
            source=sources,
            target=targets,
            modality=raw.modality,
            reciprocal=raw.reciprocal,
            dyad=dyad,
            attribution=raw.attribution,
            confidence=round(confidence(raw), 3),
            method="pattern" if raw.learned is None else "learned",
            coder=self.info,
        )


def _cut(span: Span, arrays: dict[int, tuple[list, Any, bool]]) -> Doc:
    """``span.as_doc()``, with its document's attribute array computed once for all the
    sentences cut out of it (``arrays``, by document; spaCy computes it again for each). A
    document of tokens and sentence starts only (pass 1: no parse, entities, categories or
    hooks) needs none of what ``as_doc`` repairs or copies beyond the array, nor the span's
    vector it computes: the same document is built directly."""
    doc = span.doc
    found = arrays.get(id(doc))
    if found is None:
        head = doc._get_array_attrs()
        bare = not (
            doc.has_annotation("DEP")
            or doc.has_annotation("ENT_IOB")
            or doc.cats
            or doc.user_hooks
            or doc.user_span_hooks
            or doc.user_token_hooks
        )
        found = arrays[id(doc)] = (head, doc.to_array(head), bare)
    head, array, bare = found
    if not bare:
        return span.as_doc(array_head=head, array=array)
    tokens = list(span)
    out = Doc(
        doc.vocab, words=[t.text for t in tokens], spaces=[bool(t.whitespace_) for t in tokens]
    )
    out.from_array(head, array[span.start : span.end])
    out.noun_chunks_iterator = doc.noun_chunks_iterator
    out.tensor = doc.tensor[span.start : span.end]
    return out


def _actors_of(article: Article, sents: list[_Sent]) -> ArticleActors:
    return ArticleActors(
        article=article.id,
        sentences=[
            Sentence(index=s.index, text=s.span.text, start=s.start, end=s.start + len(s.span.text))
            for s in sents
        ],
        mentions=[
            ActorMention(sentence=s.index, actor=m.actor, resolved_from=m.resolved_from)
            for s in sents
            for m in s.mentions
            if m.actor is not None
        ],
    )


def _place_actors(where: ArticlePlaces | None, index: int, amap: ActorMap) -> dict[int, Actor]:
    """Token index -> the place named there, as the state it lies in, for the places of
    sentence ``index`` that are no actor mention (what may stand for an event's target)."""
    out: dict[int, Actor] = {}
    for m in where.by_sentence.get(index, []) if where is not None else []:
        country = m.place.country
        if not country or any(i in amap for i in range(m.start, m.end)):
            continue
        actor = Actor(
            text=m.span.text, start=m.span.start, end=m.span.end, name=m.place.name,
            code=country, country=country, kind="state",
        )  # fmt: skip
        out.update(dict.fromkeys(range(m.start, m.end), actor))
    return out


def _people_elsewhere(a: Actor, country: str, others: set[str]) -> bool:
    """Are ``a`` civilians of no known country, or people (civilians, students, soldiers
    named by a bare noun) of the other side's country when the event happened in
    ``country``?"""
    if a.kind != "people" or not a.sector or a.unresolved:
        return False
    if a.country is None:
        return a.code == "CVL"  # aid workers (NGO) and the like are nobody's nationals
    return a.country in others and a.country != country and a.code == a.country + a.sector


def _with_country(a: Actor, country: str, others: set[str]) -> Actor:
    if not _people_elsewhere(a, country, others):
        return a
    return a.model_copy(update={"country": country, "code": country + a.sector})


def _may_name_someone(span: Span, pieces: list[Piece], groups: bool = False) -> bool:
    """Could NER find a person here: a capitalised word, not sentence-initial, outside the
    dictionary matches? ("Residents described long queues" cannot; "Minister Ali Kani" can.)
    With ``groups`` (named groups are wanted too), an acronym ("the ONLF") counts, and so does
    a sentence-initial name of two capitalised words ("Reliance Jio agreed")."""
    covered = {i for p in pieces if p.type != "surname" for i in range(p.start, p.end)}

    def capital(t: Token) -> bool:
        return t.i not in covered and (
            t.is_title or (groups and t.is_upper and t.is_alpha and len(t) > 1)
        )

    if groups and len(span) > 1 and capital(span[0]) and (span[0].is_upper or capital(span[1])):
        return True
    return any(capital(t) for t in span[1:])


def _is_subject(doc: Doc, m: Mention) -> bool:
    """Is the mention the subject of a verb (not a possessor mis-parsed as one)?"""
    if m.end >= len(doc) or doc[m.end].dep_ == "case" or doc[m.end].text in ("’s", "'s"):
        return False
    head = doc[m.end - 1]
    return head.dep_ in ("nsubj", "nsubjpass") and head.head.pos_ in ("VERB", "AUX")


def load_coder(settings: Settings | None = None, gazetteer: Gazetteer | None = None) -> Coder:
    """Build a coder: loads the spaCy model and every knowledge file (the only I/O)."""
    settings = settings or Settings.from_env()
    nlp = load_nlp(settings)
    codebook = load_codebook()
    patterns = load_patterns(codebook, settings.pattern_files, settings.builtin_patterns)
    codebook = patterns.codebook or codebook  # with the user files' own codes
    knowledge = load_actor_knowledge(settings.actor_files, settings.builtin_actors)
    matcher = ActorMatcher(nlp.nlp, knowledge)
    gazetteer = gazetteer or load_gazetteer()  # once per process (cached)
    contexts = load_contexts(codebook)
    learned = load_learned(settings, codebook)  # None unless Settings.typer asks for it
    coder = Coder(
        nlp, codebook, patterns, matcher, settings, gazetteer, load_lexicon(), contexts, learned
    )
    if gc.get_freeze_count() == 0:
        # The first coder of a process mostly lives as long as it: its ~400,000 objects (the
        # gazetteer, dictionaries, model) leave the cyclic collector's care, so no full
        # collection walks them again (each took 0.4-0.7 s, up to a tenth of coding a batch;
        # freed by reference counting still). Later coders are left to the collector.
        gc.freeze()
    return coder


@lru_cache(maxsize=1)
def default_coder() -> Coder:
    """The coder ``detente.code`` uses when none is passed (built on first use)."""
    return load_coder()


def code(
    text: str,
    published: date | str | None = None,
    *,
    url: str | None = None,
    title: str | None = None,
    source: str | None = None,
    article_id: str | None = None,
    modalities: Iterable[str] = ("asserted",),
    coder: Coder | None = None,
) -> list[Event]:
    """Code one text into events (asserted ones by default)."""
    coder = coder or default_coder()
    article = make_article(
        text,
        article_id=article_id,
        published=published,
        url=url,
        title=title,
        source=source,
        max_chars=coder.settings.max_chars,
    )
    return coder.code_article(article, modalities)
