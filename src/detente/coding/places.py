"""Places in an article and the location of each event.

Candidates are spaCy GPE/LOC/FAC entities (where NER ran) and gazetteer matches of capitalised
token n-grams, plus demonyms before a territory noun ("in Israeli territory"). A candidate that
overlaps an actor mention ("Moscow said", "Israel's Foreign Ministry") is a place only when it
is the object of a locative preposition ("in Gaza"). Each is resolved by population and by the
countries the article already mentions ("Rafah" next to Gaza → the Palestinian Rafah).

An event's location is the place attached to the trigger's clause ("airstrikes in Khan
Younis"), else the sentence's only place, else a fallback from the actors' country (refined to
the article's most mentioned place in that country), marked ``method="fallback"``.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from spacy.tokens import Doc, Token

from detente.knowledge.gazetteer import Gazetteer, Place, fold
from detente.records import Actor, Location, TextSpan

_NER_PLACES = {"GPE", "LOC", "FAC"}
_NOT_PLACE_ENTS = {"PERSON", "ORG", "NORP", "WORK_OF_ART", "EVENT", "PRODUCT", "LAW"}
_CLIMB = {"compound", "amod", "nmod", "appos", "conj"}

# (start, end, actor) of an actor mention, token offsets in the sentence doc
ActorSpan = tuple[int, int, Actor]


@dataclass
class PlaceMention:
    start: int  # token offsets in the sentence doc
    end: int
    place: Place
    span: TextSpan  # article character offsets
    is_place: bool  # False when it only names an actor ("Moscow said")


@dataclass
class SentenceView:
    """What the locator needs of one sentence (a view on the pipeline's own sentence)."""

    index: int
    doc: Doc
    lo: int  # token bounds of the sentence in ``doc``
    hi: int
    offset: int  # article character offset of ``doc``
    actors: list[ActorSpan]


class Locator:
    """Finds places with a gazetteer; one per coder (no I/O)."""

    def __init__(self, gazetteer: Gazetteer) -> None:
        self.gaz = gazetteer

    def article(self, sents: list[SentenceView]) -> ArticlePlaces:
        countries: Counter[str] = Counter(
            a.country for s in sents for _, _, a in s.actors if a.country
        )
        found = {s.index: self.sentence_places(s, countries) for s in sents}
        return ArticlePlaces(self.gaz, found)

    # --- candidates ---------------------------------------------------------------------------
    def sentence_places(self, s: SentenceView, countries: Counter[str]) -> list[PlaceMention]:
        doc, out = s.doc, []
        taken: set[int] = set()
        spans: list[tuple[int, int, bool]] = []
        # what the sentence's document has, asked once (each ask scans its tokens)
        ann = (doc.has_annotation("ENT_IOB"), doc.has_annotation("TAG"))
        parsed = doc.has_annotation("DEP")
        if ann[0]:
            spans += [(e.start, e.end, True) for e in doc.ents if e.label_ in _NER_PLACES]
        i = s.lo
        while i < s.hi:
            tok = doc[i]
            if not tok.text[:1].isupper() or not self.gaz.may_start(tok.text):
                i += 1
                continue
            if any(a <= i < b for a, b, _ in spans):
                i += 1
                continue
            for n in range(min(4, s.hi - i), 0, -1):
                if self._plausible(doc, i, i + n, s, countries, ann, parsed):
                    spans.append((i, i + n, False))
                    i += n - 1
                    break
            i += 1
        for start, end, from_ner in sorted(spans):
            if not (s.lo <= start and end <= s.hi):
                continue
            actor = next((a for a, b, x in s.actors if a < end and start < b), None)
            place = self._resolve(doc[start:end].text, s, start, end, countries)
            if place is None:
                continue
            is_place = self._locative(doc, start, end, parsed) or (actor is None and from_ner)
            is_place = is_place or (actor is None and not (parsed and _subject(doc[end - 1])))
            out.append(self._mention(s, start, end, place, is_place))
            taken |= set(range(start, end))
        for a, b, actor in s.actors:  # "in Israeli territory": a demonym before a territory noun
            if b < s.hi and a not in taken and doc[b].lower_ in self.gaz.territory_nouns:
                country = self.gaz.country(actor.country)
                if country is not None and self._locative(doc, b, b + 1, parsed):
                    out.append(self._mention(s, a, b + 1, country, True))
        return sorted(out, key=lambda m: m.start)

    def _plausible(
        self,
        doc: Doc,
        start: int,
        end: int,
        s: SentenceView,
        countries: Counter[str],
        ann: tuple[bool, bool],
        parsed: bool,
    ) -> bool:
        """Is a capitalised n-gram a gazetteer place here? NER calling it a person or an
        organisation ("Khan Younis" as PERSON) is overruled by a locative preposition or by a
        candidate in a country the article mentions."""
        span = doc[start:end]
        if not span[-1].text[:1].isupper():
            return False
        if fold(span.text) in self.gaz.not_places:
            # a country named as an actor is a place only after "in/at/near ..." ("in Israel")
            actor = next((x for a, b, x in s.actors if a == start and b == end), None)
            if (
                actor is None
                or actor.kind != "state"
                or not self._locative(doc, start, end, parsed)
            ):
                return False
        candidates = self.gaz.lookup(span.text)
        if not candidates:
            return False
        ner, tagged = ann
        if tagged:
            if any(t.pos_ != "PROPN" for t in span):
                return False
        elif end - start == 1 and span[0].is_sent_start:
            return any(a <= start < b for a, b, _ in s.actors)
        if ner and any(t.ent_type_ in _NOT_PLACE_ENTS for t in span):
            in_context = any(p.country in countries for p, _ in candidates)
            return in_context or self._locative(doc, start, end, parsed)
        return True

    def _resolve(
        self, text: str, s: SentenceView, start: int, end: int, countries: Counter[str]
    ) -> Place | None:
        candidates = self.gaz.lookup(text)
        actor = next((x for a, b, x in s.actors if a <= start and end <= b), None)
        metonym = actor is not None and actor.kind == "state" and actor.code != actor.country
        if actor is not None and actor.country and not (metonym and len(candidates) > 1):
            same = [c for c in candidates if c[0].country == actor.country]
            if same or not candidates:
                return self.gaz.best(same, countries) or self.gaz.country(actor.country)
        return self.gaz.best(candidates, countries)

    def place_here(self, doc: Doc, start: int, end: int) -> bool:
        """Do tokens ``start:end`` of a parsed sentence name a gazetteer place where a place
        stands ("shelled Khan Younis", "in Khan Younis")?"""
        return bool(self.gaz.lookup(doc[start:end].text)) and self._locative(doc, start, end, True)

    def _locative(self, doc: Doc, start: int, end: int, parsed: bool) -> bool:
        if not parsed:
            prev = doc[start - 1] if start > 0 else None
            if prev is not None and prev.lower_ == "the" and start > 1:
                prev = doc[start - 2]
            return prev is not None and prev.lower_ in self.gaz.locative_preps
        tok = doc[start:end].root
        if tok.dep_ == "dobj" and tok.head.lemma_ in self.gaz.physical_verbs:
            return True  # "shelled Kharkiv"
        for _ in range(4):
            if tok.dep_ in _CLIMB and tok.head is not tok:
                tok = tok.head
            elif tok.dep_ == "pobj" and tok.head.lower_ == "of":  # "the city of Rafah"
                if tok.head.head.lemma_ not in self.gaz.territory_nouns:
                    return False
                tok = tok.head.head
            else:
                break
        return tok.dep_ == "pobj" and tok.head.lower_ in self.gaz.locative_preps

    @staticmethod
    def _mention(s: SentenceView, start: int, end: int, place: Place, is_place: bool):
        span = s.doc[start:end]
        begin = s.offset + span.start_char
        return PlaceMention(
            start,
            end,
            place,
            TextSpan(text=span.text, start=begin, end=begin + len(span.text)),
            is_place,
        )


def _subject(tok: Token) -> bool:
    """Is ``tok`` (of a parsed sentence) a subject or a possessor?"""
    return tok.dep_ in ("nsubj", "nsubjpass", "poss")


class ArticlePlaces:
    """The places of one article, by sentence; answers "where did this event happen?"."""

    def __init__(self, gaz: Gazetteer, by_sentence: dict[int, list[PlaceMention]]) -> None:
        self.gaz = gaz
        self.by_sentence = by_sentence
        self.counts: Counter[int | str] = Counter(
            _key(m.place) for ms in by_sentence.values() for m in ms if m.is_place
        )
        self.places = {
            _key(m.place): m.place for ms in by_sentence.values() for m in ms if m.is_place
        }

    def locate(
        self,
        index: int,
        trigger: Token,
        sources: list[Actor],
        targets: list[Actor],
        quad: int | None,
    ) -> Location | None:
        here = [m for m in self.by_sentence.get(index, []) if m.is_place]
        for anchor in _anchors(trigger):
            for child in anchor.children:
                direct = [m for m in here if m.start <= child.i < m.end and child.dep_ == "dobj"]
                if direct:  # "shelled Kharkiv" (only places after a physical verb are kept)
                    return _location(direct[0].place, "clause", direct[0].span)
                if child.dep_ == "prep" and child.lower_ in self.gaz.locative_preps:
                    lo, hi = child.left_edge.i, child.right_edge.i + 1
                    inside = [m for m in here if lo <= m.start and m.end <= hi]
                    if inside:
                        return _location(inside[0].place, "clause", inside[0].span)
        if len({_key(m.place) for m in here}) == 1:
            return _location(here[0].place, "sentence", here[0].span)
        first, second = (targets, sources) if quad == 4 else (sources, targets)
        for actor in first + second:
            if actor.country and (country := self.gaz.country(actor.country)) is not None:
                inside = [k for k, p in self.places.items() if p.country == actor.country]
                if inside:
                    best = max(inside, key=lambda k: (self.counts[k], self.places[k].weight))
                    return _location(self.places[best], "fallback", None)
                return _location(country, "fallback", None)
        if self.counts:
            return _location(self.places[self.counts.most_common(1)[0][0]], "fallback", None)
        return None


def _anchors(trigger: Token) -> list[Token]:
    """The trigger, its light verb ("conducted airstrikes") and its objects."""
    out = [trigger]
    if trigger.dep_ in ("dobj", "nsubjpass", "pobj") and trigger.head.pos_ in ("VERB", "AUX"):
        out.append(trigger.head)
    out += [c for c in trigger.children if c.dep_ in ("dobj", "attr")]
    return out


def _key(place: Place) -> int | str:
    return place.geonameid if place.geonameid is not None else place.name


def _location(place: Place, method: str, span: TextSpan | None) -> Location:
    return Location(
        name=place.name,
        geonameid=place.geonameid,
        lat=place.lat,
        lon=place.lon,
        admin1=place.admin1,
        country=place.country,
        feature=place.feature,
        precision=place.feature,
        method=method,
        text=span,
    )


def find_places(article, coder) -> list[PlaceMention]:
    """Every resolved place mention of ``article`` (full spaCy pass; for inspection and tests —
    the pipeline itself locates events without this extra pass)."""
    from detente.text import paragraphs

    if coder.locator is None:
        return []
    mentions = coder.mentions(article)
    views, n = [], 0
    paras = paragraphs(article.text, coder.settings.max_paragraph, coder.settings.max_sentence)
    for (start, _), doc in zip(paras, coder.nlp.nlp.pipe(t for _, t in paras), strict=True):
        for sent in doc.sents:
            lo, hi = start + sent.start_char, start + sent.end_char
            spans = []
            for m in mentions:
                if lo <= m.actor.start and m.actor.end <= hi:
                    span = doc.char_span(m.actor.start - start, m.actor.end - start, "expand")
                    if span is not None:
                        spans.append((span.start, span.end, m.actor))
            views.append(SentenceView(n, doc, sent.start, sent.end, start, spans))
            n += 1
    found = coder.locator.article(views)
    return [m for ms in found.by_sentence.values() for m in ms]
