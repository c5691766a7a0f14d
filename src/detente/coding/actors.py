"""Actors stage: dictionary pieces in a sentence → chunked, resolved actor mentions.

1. ``ActorMatcher.pieces`` finds dictionary matches (countries, demonyms, capitals used as
   metonyms, organisations, sector titles, anaphors) plus spaCy PERSON entities.
2. ``chunk`` joins adjacent pieces into one mention ("Russian" + "Deputy Foreign Minister" +
   "Mikhail Bogdanov"; "Israel" 's "Foreign Ministry"; "Hamas" -run "health ministry";
   "Ali Bagheri Kani" of "Iran"), splitting coordinated demonyms ("Israeli and Russian officials").
3. ``ArticleContext`` resolves mentions against the article so far: surnames, "(IDF)"-style
   acronyms, anaphors ("the group"), and at the end unqualified institutions ("the Foreign
   Ministry") to the article's main country.
"""

from __future__ import annotations

import calendar
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date

from spacy.attrs import IS_ALPHA, IS_UPPER, LENGTH
from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc

from detente.knowledge.actors import ActorKnowledge, Role
from detente.knowledge.gazetteer import Gazetteer
from detente.records import Actor, TextSpan

_POSSESSIVE = {"'s", "’s", "'", "’"}
_CONTROL = {"run", "led", "backed", "controlled", "operated", "affiliated", "allied", "linked"}
_OF = {"of", "from"}
_COUNTRYISH = {"country", "demonym", "people", "metonym", "milmetonym"}
_OWNERS = _COUNTRYISH | {"org", "alias"}
_RANK = {"sector": 1, "anaphor": 2, "surname": 3, "person": 4, "entity": 5}
_AFFILIATION = {
    ("linked", "to"),
    ("loyal", "to"),
    ("affiliated", "with"),
    ("allied", "with"),
    ("allied", "to"),
    ("belonging", "to"),
    ("tied", "to"),
    ("aligned", "with"),
}
# the most tokens between two pieces of one phrase ("'s", "- backed", "of the", _AFFILIATION)
_GAP = max(2, *map(len, _AFFILIATION))


@dataclass(frozen=True)
class Piece:
    """One dictionary or NER match, token offsets within its sentence doc."""

    start: int
    end: int
    type: str  # country|demonym|people|metonym|milmetonym|org|sector|person|anaphor|alias|surname
    country: str | None = None
    sector: str | None = None
    kind: str | None = None
    name: str | None = None
    code: str | None = None
    origin: Actor | None = None  # for "alias" pieces: the earlier mention they stand for
    roles: tuple[Role, ...] = ()  # dated codes of a named entry (PETRARCH-style [RUSGOV >080508])
    both: bool = False  # an anaphor for two actors ("the two sides")
    options: tuple[Piece, ...] = ()  # for "surname" pieces: the known persons bearing it

    def shifted(self, by: int) -> Piece:
        return self.at(self.start + by, self.end + by)

    def at(self, start: int, end: int) -> Piece:
        """This piece at other token offsets (``dataclasses.replace`` without its checks:
        pieces are moved by the thousand)."""
        piece = object.__new__(Piece)
        piece.__dict__.update(self.__dict__)
        piece.__dict__["start"], piece.__dict__["end"] = start, end
        return piece

    def known_person(self, day: date | None) -> Piece | None:
        """For a bare surname: the one known person bearing it who holds a role on ``day``
        (with no date: the only person bearing it); None when that is not exactly one."""
        if day is None:
            fits = list(self.options)
        else:
            fits = [o for o in self.options if any(r.holds_on(day) for r in o.roles)]
        if len(fits) != 1:
            return None
        return fits[0].at(self.start, self.end)

    def on(self, day: date | None) -> Piece:
        """This piece with the code/country/sector of the role holding on ``day``."""
        if day is None or not self.roles:
            return self
        for role in self.roles:
            if role.holds_on(day):
                return replace(self, code=role.code, country=role.country, sector=role.sector)
        return self


@dataclass
class Mention:
    """A chunk of pieces in a sentence doc and the actor it denotes (None until resolved)."""

    start: int
    end: int
    pieces: list[Piece]
    actor: Actor | None = None
    anaphor: Piece | None = None  # set for "the group"-style mentions
    person: str | None = None  # person name, when the chunk names one
    inferred: bool = False  # resolved by coreference or article context
    alias_of: str | None = None  # "(IDF)" right after the chunk
    resolved_from: TextSpan | None = None  # the earlier mention coreference used
    also: list[Actor] = field(default_factory=list)  # the second actor of "the two sides"

    def shift(self, by: int) -> None:
        """Move token offsets (when the sentence is cut out of its paragraph)."""
        self.start += by
        self.end += by
        self.pieces = [p.shifted(by) for p in self.pieces]
        if self.anaphor is not None:
            self.anaphor = self.anaphor.shifted(by)


class ActorMatcher:
    """Finds actor pieces in sentence docs. Built once per coder from loaded knowledge."""

    def __init__(self, nlp: Language, knowledge: ActorKnowledge) -> None:
        self.proper = PhraseMatcher(nlp.vocab, attr="ORTH")
        self.common = PhraseMatcher(nlp.vocab, attr="LOWER")
        self.info: dict[str, Piece] = {}
        self.national = knowledge.sectors_with("national")
        self.political = knowledge.sectors_with("political")
        self.armed = knowledge.sectors_with("armed")
        self._country_names = {
            " ".join(a.split()).casefold(): c.iso3 for c in knowledge.countries for a in c.aliases
        }  # sectors a country may be given
        self._add_knowledge(nlp, knowledge)

    def _add(self, matcher: PhraseMatcher, nlp: Language, key: str, piece: Piece, terms) -> None:
        self.info[key] = piece
        forms: set[str] = set()
        for term in terms:
            forms.add(term)
            if term.startswith("the "):
                forms.add("The " + term[4:])
                forms.add(term[4:])
        matcher.add(key, [nlp.make_doc(t) for t in sorted(forms)])

    def _org_piece(self, org) -> Piece:
        return Piece(
            0,
            0,
            "org",
            org.country,
            org.sector,
            org.kind,
            name=org.name,
            code=org.code,
            roles=tuple(org.roles),
        )

    def _add_knowledge(self, nlp: Language, kb: ActorKnowledge) -> None:
        for c in kb.countries:
            for typ, terms, sector in (
                ("country", c.aliases, None),
                ("demonym", c.demonyms, None),
                ("people", c.people, None),
                ("metonym", c.metonyms, "GOV"),
                ("milmetonym", c.military_metonyms, "MIL"),
            ):
                if terms:
                    piece = Piece(0, 0, typ, country=c.iso3, sector=sector, name=c.name)
                    self._add(self.proper, nlp, f"{typ}:{c.iso3}", piece, terms)
        for i, org in enumerate(kb.organizations):
            self._add(self.proper, nlp, f"org:{i}", self._org_piece(org), org.aliases)
        for surname, people in kb.surnames.items():
            options = tuple(self._org_piece(o) for o in people)
            piece = Piece(0, 0, "surname", kind="person", name=surname, options=options)
            self._add(self.proper, nlp, f"surname:{surname}", piece, [surname])
        for i, term in enumerate(kb.sector_terms):
            piece = Piece(
                0, 0, "sector", sector=term.sector, kind=term.kind, name=term.term, code=term.code
            )
            self._add(self.common, nlp, f"sector:{i}", piece, [term.term])
        for i, ana in enumerate(kb.anaphors):
            piece = Piece(
                0, 0, "anaphor", sector=ana.sector, kind=ana.refers_to, name=ana.term, both=ana.both
            )
            self._add(self.common, nlp, f"anaphor:{i}", piece, [ana.term])

    def country_named(self, name: str) -> str | None:
        """The ISO3 code of the country with this name ("Nigeria"), or None."""
        return self._country_names.get(" ".join(name.split()).casefold())

    def candidates(self, doc: Doc) -> list[Piece]:
        """Every dictionary match and PERSON entity in ``doc`` (overlaps not yet resolved)."""
        return self.dictionary(doc) + self.persons(doc)

    def dictionary(self, doc: Doc) -> list[Piece]:
        """Every dictionary match in ``doc`` (needs only the tokenizer)."""
        found: list[Piece] = []
        capitals = _in_capitals(doc)
        for matcher in (self.proper, self.common):
            for match_id, start, end in matcher(doc):
                if capitals and matcher is self.proper and doc[start:end].text.isupper():
                    continue  # "WHY IT IS SO": in a headline in capitals, no acronym is sure
                proto = self.info[doc.vocab.strings[match_id]]
                if proto.type == "surname" and _month_in_date(doc, start, end):
                    continue  # "on 21 May 1998", "in May": a month, not Theresa May
                found.append(proto.at(start, end))
        return found

    @staticmethod
    def persons(doc: Doc) -> list[Piece]:
        """PERSON entities of ``doc`` (needs NER)."""
        return [
            Piece(e.start, e.end, "person", kind="person", name=e.text)
            for e in doc.ents
            if e.label_ == "PERSON"
        ]

    @staticmethod
    def groups(doc: Doc) -> list[Piece]:
        """Named organisations (ORG) and named peoples ("Kurds", NORP in the plural) of ``doc``
        (needs NER): the dictionaries may not know them, and then they are unresolved actors."""
        out = []
        if _in_capitals(doc):
            return out  # a headline in capitals: every word looks like an acronym
        named = {i for e in doc.ents for i in range(e.start, e.end)}

        def bracketed(start: int, end: int) -> bool:
            # "the Sudanese Armed Forces (SAF)": the short name of what precedes
            return (
                start > 0
                and end < len(doc)
                and (doc[start - 1].text, doc[end].text)
                == (
                    "(",
                    ")",
                )
            )

        for tok in doc:
            if (
                tok.i not in named
                and tok.is_upper
                and tok.is_alpha
                and 2 <= len(tok) <= 6
                and not bracketed(tok.i, tok.i + 1)
            ):
                out.append(Piece(tok.i, tok.i + 1, "entity", kind="org", name=tok.text))
        for e in doc.ents:
            span = e
            if bracketed(e.start, e.end):
                continue
            if span[0].lower_ == "the":
                span = span[1:]
            if not span or not any(t.is_alpha for t in span):
                continue
            if e.label_ == "ORG":
                out.append(Piece(span.start, span.end, "entity", kind="org", name=span.text))
            elif e.label_ == "NORP" and span[-1].text[-1:] == "s" and span[-1].is_title:
                out.append(Piece(span.start, span.end, "entity", kind="people", name=span.text))
        return out

    def pieces(
        self,
        doc: Doc,
        aliases: dict[str, Actor] | None = None,
        found: list[Piece] | None = None,
        lo: int = 0,
        hi: int | None = None,
    ) -> list[Piece]:
        """Non-overlapping pieces in tokens ``lo:hi``: longest first, names before titles."""
        hi = len(doc) if hi is None else hi
        if found is None:
            found = self.candidates(doc)
        found = [p for p in found if lo <= p.start and p.end <= hi]
        if aliases:
            for tok in doc[lo:hi]:
                if tok.text in aliases:
                    a = aliases[tok.text]
                    info = (a.country, a.sector, a.kind, a.name, a.code, a)
                    found.append(Piece(tok.i, tok.i + 1, "alias", *info))
        found = _named_groups(found)
        # Priority: longer spans first; among equals, names before titles, anaphors, NER persons.
        found.sort(key=lambda p: (-(p.end - p.start), _RANK.get(p.type, 0), p.start))
        taken: set[int] = set()
        kept: list[Piece] = []
        for p in found:
            span = set(range(p.start, p.end))
            if span & taken:
                if p.type != "person":
                    continue
                # trim a PERSON entity that starts with a dictionary piece ("Minister Ali Kani")
                free = [i for i in range(p.start, p.end) if i not in taken]
                if not free or free != list(range(free[0], p.end)):
                    continue
                p = replace(p, start=free[0], name=doc[free[0] : p.end].text)
                span = set(free)
            taken |= span
            kept.append(p)
        return sorted(kept, key=lambda p: p.start)


_MONTHS = {m for m in calendar.month_name if m}
_BEFORE_MONTH = {"in", "since", "until", "till", "through", "last", "next", "early", "late", "mid"}


def _month_in_date(doc: Doc, start: int, end: int) -> bool:
    """Is the one-word match ``start:end`` a month of a date ("21 May 1998", "May 12", "in
    May") rather than a surname?"""
    if end - start != 1 or doc[start].text not in _MONTHS:
        return False
    before = doc[start - 1] if start > 0 else None
    after = doc[end] if end < len(doc) else None
    return (after is not None and after.like_num) or (
        before is not None and (before.like_num or before.lower_ in _BEFORE_MONTH)
    )


def _in_capitals(doc: Doc) -> bool:
    """Is most of ``doc``'s (or its sentence's) wording in capitals, as in some headlines?"""
    if not len(doc):
        return False
    alpha, upper, length = doc.to_array([IS_ALPHA, IS_UPPER, LENGTH]).T  # no Token objects
    words = (alpha == 1) & (length > 1)
    n = int(words.sum())
    return n >= 3 and int(upper[words].sum()) * 2 > n


def _named_groups(found: list[Piece]) -> list[Piece]:
    """Keep a named group (an NER entity) only where no dictionary match or person name
    overlaps it, but for a noun for a body that ends it, which it replaces and whose sector it
    takes ("the Kachin Liberation Party": PTY)."""
    groups = [p for p in found if p.type == "entity"]
    if not groups:
        return found
    others = [p for p in found if p.type != "entity"]
    kept: list[Piece] = []
    inside: set[int] = set()
    for g in groups:
        over = [p for p in others if p.start < g.end and g.start < p.end]
        if any(p.type != "sector" or p.start < g.start or p.end > g.end for p in over):
            continue
        last = max(over, key=lambda p: p.end) if over else None
        if last is not None:
            if last.end != g.end or last.kind not in ("org", "armed_group"):
                continue  # "the Harbour Kings", "Teachers Union": the dictionary's nouns stand
            g = replace(g, sector=last.sector)  # "the Kachin Liberation Party": PTY
        inside |= {id(p) for p in over}
        kept.append(g)
    return [p for p in others if id(p) not in inside] + kept


def _glue(doc: Doc, prev: Piece, nxt: Piece) -> bool:
    """May ``prev`` and ``nxt`` belong to one actor phrase given the tokens between them?"""
    if nxt.start - prev.end > _GAP:
        return False  # no glue wording is that long
    between = [t.text for t in doc[prev.end : nxt.start]]
    if not between:
        return not (prev.type == "person" and nxt.type == "person")
    if between[0] in _POSSESSIVE and len(between) <= 2:
        return prev.type in _OWNERS and nxt.type in {"sector", "org", "person"}
    if len(between) == 2 and between[0] == "-" and between[1].lower() in _CONTROL:
        return nxt.type in {"sector", "org"}
    if tuple(w.lower() for w in between) in _AFFILIATION:
        return prev.type == "sector" and nxt.type in {"org", "alias"}
    if len(between) in (1, 2) and between[0].lower() in _OF and between[-1] in (between[0], "the"):
        if prev.type == "anaphor":  # "the Government of Hungary": a body of that country
            return nxt.type == "country"
        return prev.type in {"sector", "person"} and nxt.type in _OWNERS | {"entity"}
    return False


def _coordinated(doc: Doc, pieces: list[Piece], i: int) -> bool:
    """Is pieces[i] a demonym coordinated with the next ("Israeli and Russian officials")?"""
    if i + 2 >= len(pieces):
        return False
    a, b, head = pieces[i], pieces[i + 1], pieces[i + 2]
    between = [t.lower_ for t in doc[a.end : b.start]]
    return (
        a.type == "demonym"
        and b.type == "demonym"
        and between in (["and"], [","], [",", "and"])
        and head.type == "sector"
        and head.start == b.end
    )


def _acronym_follows(doc: Doc, end: int) -> bool:
    return (
        end + 2 < len(doc)
        and doc[end].text == "("
        and doc[end + 2].text == ")"
        and doc[end + 1].is_upper
    )


def chunk(doc: Doc, pieces: list[Piece]) -> list[Mention]:
    """Group pieces into mentions."""
    mentions: list[Mention] = []
    i = 0
    while i < len(pieces):
        if _coordinated(doc, pieces, i):
            # "Israeli and Russian officials": one mention per demonym, sharing the head.
            head = pieces[i + 2]
            for dem in pieces[i : i + 2]:
                mentions.append(Mention(dem.start, dem.end, [dem, head]))
            mentions[-1].end = head.end
            i += 3
            continue
        group = [pieces[i]]
        while i + 1 < len(pieces) and _glue(doc, group[-1], pieces[i + 1]):
            i += 1
            group.append(pieces[i])
        mention = Mention(group[0].start, group[-1].end, group)
        end = group[-1].end
        if _acronym_follows(doc, end):  # "the Israeli Defense Forces (IDF)"
            mention.alias_of = doc[end + 1].text
        mentions.append(mention)
        i += 1
    return mentions


def _in_office(piece: Piece, day: date | None) -> bool:
    return day is not None and any(r.holds_on(day) for r in piece.roles)


def _known(piece: Piece, day: date | None) -> Piece:
    """A piece with its dated role on ``day``; a bare surname becomes the one known person
    bearing it on that day, else a plain name for in-article coreference."""
    if piece.type == "surname":
        known = piece.known_person(day)
        if known is None:
            return replace(piece, type="person", options=())
        piece = known
    return piece.on(day)


def compose(doc: Doc, mention: Mention, offset: int, day: date | None = None) -> Actor | None:
    """The actor a chunk denotes on ``day`` (the article date), or None when it needs context
    (a bare name, an anaphor)."""
    ps = [_known(p, day) for p in mention.pieces]
    by_type: dict[str, list[Piece]] = {}
    for p in ps:
        by_type.setdefault(p.type, []).append(p)
    span = doc[mention.start : mention.end]
    text, start, end = span.text, offset + span.start_char, offset + span.end_char

    def first(*types: str) -> Piece | None:
        return next((p for p in ps if p.type in types), None)

    if "anaphor" in by_type and len(ps) == 1:
        mention.anaphor = ps[0]
        return None
    ps = [replace(p, type="sector") if p.type == "anaphor" else p for p in ps]
    by_type = {}
    for p in ps:
        by_type.setdefault(p.type, []).append(p)
    alias = by_type.get("alias", [None])[0]
    if alias is not None and alias.origin is not None:
        mention.inferred = True
        origin = alias.origin
        mention.resolved_from = TextSpan(text=origin.text, start=origin.start, end=origin.end)
    person = by_type.get("person", [None])[-1]
    sector_p = by_type.get("sector", [None])[-1]
    org = first("org", "alias")
    place = first(*_COUNTRYISH)
    country = place.country if place else (org.country if org else None)
    if person is not None:
        mention.person = person.name
    if person is None and sector_p is None and org is None and place is None:
        return None
    if person is not None and sector_p is None and org is None and place is None:
        return None  # a bare name: resolved by coreference or apposition later
    sector: str | None
    members = (
        org is not None
        and sector_p is not None
        and sector_p.kind in ("people", "person")
        and (org.kind == "armed_group" or sector_p.sector is None)
    )
    if members and person is None:
        # "Hezbollah fighters", "al-Shabaab militants", "gunmen linked to Boko Haram"
        sector, name, code, kind = org.sector, org.name, org.code or "", org.kind or "org"
    elif (
        sector_p is not None
        and sector_p.sector is not None
        and not (org is not None and org.kind == "person" and _in_office(org, day))
    ):  # a known person's office on the article date says more than the title
        sector = sector_p.sector
        if (
            org is not None
            and org.sector
            and sector == "GOV"
            and sector_p.kind != "org"
            and org.kind != "person"
        ):
            sector = org.sector  # "Red Cross officials": the officials of a non-state body
        kind = "person" if person is not None else (sector_p.kind or "org")
        name = person.name if person else (org.name if org else None)
        base = country or (org.code if org and org.kind == "igo" else None)
        # a term's own longer code ("health ministry": GOVHLH) when its sector was kept
        code = (base or "") + (
            sector_p.code if sector == sector_p.sector and sector_p.code else sector
        )
    elif org is not None:
        sector, name, code = org.sector, org.name, org.code or ""
        kind = "person" if person is not None else (org.kind or "org")
        if person is not None:
            name = person.name
    elif place is not None:
        sector = place.sector
        kind = {"people": "people"}.get(place.type, "person" if person else "state")
        if sector_p is not None and sector_p.kind in ("people", "person"):
            kind = "person" if person else sector_p.kind  # "his Bolivian counterpart": one
        name = person.name if person else place.name
        code = place.country + (sector or "")
    else:
        return None
    if person is not None:
        kind = "person"
    group = first("entity")
    unknown = group is not None and org is None and person is None
    if unknown:  # "CTDF fighters", "rebels of the MDLF": members of a group nobody knows
        name = group.name
    return Actor(
        text=text,
        start=start,
        end=end,
        name=name,
        code=code or ("" if unknown else "UNK"),
        country=country,
        sector=sector,
        kind=kind,
        unresolved=unknown,
    )


@dataclass
class ArticleContext:
    """What the article has said so far about its actors (for in-article coreference)."""

    aliases: dict[str, Actor] = field(default_factory=dict)
    persons: dict[str, Actor] = field(default_factory=dict)
    history: list[Actor] = field(default_factory=list)
    countries: Counter[str] = field(default_factory=Counter)
    # the latest actor of each kind, and of each (kind, sector): what an anaphor looks back
    # to, found without scanning the whole history (which made long articles quadratic)
    latest: dict[tuple[str | None, str | None], Actor] = field(default_factory=dict)
    # countries (or codes) named as go-betweens: never one of "both sides"
    mediators: set[str] = field(default_factory=set)
    # the actors that may be one of "both sides": not a state named as a place ("talks in
    # Havana")
    parties: list[Actor] = field(default_factory=list)
    # armed sectors (sectors.yaml): rebels are a side apart from their country's state
    armed: frozenset[str] = frozenset()

    def remember(self, mention: Mention, mediator: bool = False, place: bool = False) -> None:
        """Note ``mention``'s actor; ``place``: it names a state where something happens
        ("in Havana"), so it is no party to a pair anaphor."""
        actor = mention.actor
        if actor is None:
            return
        self.history.append(actor)
        if not (place and actor.kind == "state"):
            self.parties.append(actor)
        if mediator:
            self.mediators.add(actor.country or actor.code or actor.text)
        self.latest[(actor.kind, None)] = self.latest[(actor.kind, actor.sector)] = actor
        if actor.country:
            state = any(p.type in _COUNTRYISH for p in mention.pieces)
            self.countries[actor.country] += 2 if state else 1
        if mention.alias_of:
            self.aliases[mention.alias_of] = actor
        if mention.person and actor.kind == "person":
            self.persons[mention.person] = actor
            self.persons.setdefault(mention.person.split()[-1], actor)

    def resolve(self, mention: Mention, text: str, start: int, end: int) -> None:
        """Fill ``mention.actor`` from earlier mentions, when it could not stand alone."""
        earlier: Actor | None = None
        if mention.person:
            earlier = self.persons.get(mention.person) or self.persons.get(
                mention.person.split()[-1]
            )
        elif mention.anaphor is not None and mention.anaphor.both:
            pair = self._last_two(mention.anaphor.kind)
            if pair:
                earlier = pair[0]
                mention.also = [
                    pair[1].model_copy(update={"text": text, "start": start, "end": end})
                ]
        elif mention.anaphor is not None:
            ana = mention.anaphor
            earlier = self.latest.get((ana.kind, ana.sector))
        if earlier is not None:
            mention.actor = earlier.model_copy(update={"text": text, "start": start, "end": end})
            mention.inferred = True
            mention.resolved_from = TextSpan(
                text=earlier.text, start=earlier.start, end=earlier.end
            )

    def _last_two(self, kind: str | None) -> list[Actor]:
        """The last two actors of distinct countries (or codes; a country's armed groups apart
        from its state), of ``kind`` if given, in text order; empty when there are fewer."""
        found: dict[str, Actor] = {}  # country (or code) -> its latest mention, plain first
        for actor in reversed(self.parties):
            if (kind and actor.kind != kind) or (
                actor.country is None and actor.sector and (actor.kind in ("person", "people"))
            ):
                continue  # "troops" of no known country are nobody's side
            key = actor.country or actor.code or actor.text
            if key in self.mediators:
                continue  # "Qatar mediated ... Both sides": the parties, not the go-between
            if actor.sector in self.armed and actor.kind != "state":
                key += "/armed"  # a government and its rebels are two sides
            if key not in found and len(found) == 2:
                break
            if key not in found or (found[key].sector and not actor.sector):
                found[key] = actor  # "Chile ... in Santiago": Chile, not its capital
        if len(found) < 2 and kind == "state":
            # "the Egyptian minister hosted the Qatari prime minister ... both countries":
            # the countries of the last two people of distinct countries
            return self._last_two_countries()
        return sorted(found.values(), key=lambda a: a.start) if len(found) == 2 else []

    def _last_two_countries(self) -> list[Actor]:
        """The countries of the last two persons or people of distinct countries (who speak
        for them: ministers, officials), as states."""
        found: dict[str, Actor] = {}
        for actor in reversed(self.parties):
            key = actor.country
            if actor.kind not in ("person", "people"):
                continue
            if not key or key in self.mediators or key in found:
                continue
            found[key] = actor.model_copy(
                update={"code": key, "sector": None, "kind": "state", "name": None}
            )
            if len(found) == 2:
                return sorted(found.values(), key=lambda a: a.start)
        return []

    def short_names(self) -> dict[str, Actor]:
        """Acronyms and one-word surnames seen so far, for matching later bare mentions."""
        names = {k: v for k, v in self.persons.items() if " " not in k}
        return {**names, **self.aliases}

    def main_country(self) -> str | None:
        top = self.countries.most_common(1)
        return top[0][0] if top else None


def unresolved(mention: Mention, text: str, start: int, end: int) -> None:
    """A name the knowledge base does not know, still unresolved after coreference (a bare
    person name, a named group): an actor with its text span, marked unresolved, with what the
    phrase itself says (a sector noun inside a group's name), no code otherwise."""
    if mention.actor is not None:
        return
    group = next((p for p in mention.pieces if p.type == "entity"), None)
    if mention.person:
        name, kind, sector = mention.person, "person", None
    elif group is not None and len(mention.pieces) == 1:
        name, kind, sector = group.name, group.kind or "org", group.sector
    else:
        return
    mention.actor = Actor(
        text=text, start=start, end=end, name=name, code=sector or "", sector=sector,
        kind=kind, unresolved=True,
    )  # fmt: skip


def enrich_from_apposition(doc: Doc, mentions: list[Mention], offset: int) -> None:
    """A bare name gets country and sector from its apposition, in a parsed sentence:
    "Simona Halperin, the deputy director of the Foreign Ministry's ..." → a GOV person."""
    owner = {i: m for m in mentions if m.actor for i in range(m.start, m.end)}
    for m in mentions:
        if not m.person or (m.actor is not None and not m.actor.unresolved):
            continue
        for appos in (c for c in doc[m.end - 1].children if c.dep_ == "appos"):
            found = sorted(
                {id(owner[t.i]): owner[t.i] for t in appos.subtree if t.i in owner}.values(),
                key=lambda o: o.start,
            )
            if found:
                src = found[0].actor
                span = doc[m.start : m.end]
                m.actor = Actor(
                    text=span.text,
                    start=offset + span.start_char,
                    end=offset + span.end_char,
                    name=m.person,
                    code=src.code,
                    country=src.country,
                    sector=src.sector,
                    kind="person",
                    unresolved=src.unresolved,
                )
                m.inferred = found[0].inferred
                break


_ATTACHING = {"in", "from", "at"}
_DATELINE = re.compile(
    r"\A\s*(?P<city>[A-Z][A-Za-z.' -]{1,40}?)(?:,\s*(?P<region>[A-Z][A-Za-z.' ]{1,40}?))?"
    r"\s*(?:\([^)]{1,40}\))?\s*(?:—|–|--|-)\s"
)


def _place_country(name: str, gazetteer: Gazetteer | None) -> str | None:
    """The country of the best-known town or region of that name, if any."""
    if gazetteer is None:
        return None
    best = gazetteer.best(gazetteer.lookup(name), {})
    return best.country if best is not None else None


def attached_country(
    doc: Doc, mention: Mention, mentions: list[Mention], gazetteer: Gazetteer | None
) -> str | None:
    """The country of a place attached to the mention: "police in Lagos", "troops from
    Chad"."""
    end = mention.end
    if end + 1 < len(doc) and doc[end].lower_ in _ATTACHING:
        first = end + 1 + (doc[end + 1].lower_ == "the")
        named = _country_of(m for m in mentions if m.start == first)
        if named:
            return named
        words = []
        for tok in doc[first : first + 4]:
            if not tok.is_title:
                break
            words.append(tok.text)
        for n in range(len(words), 0, -1):
            country = _place_country(" ".join(words[:n]), gazetteer)
            if country:
                return country
    return None


def coordinated_country(doc: Doc, mention: Mention, mentions: list[Mention]) -> str | None:
    """The country of the conjunct just before: "Danish media and government" — the
    government is Danish too, as the country word qualifies the whole coordination."""
    at = mention.start - 1
    if at > 0 and doc[at].lower_ == "the":
        at -= 1
    if at <= 0 or doc[at].lower_ not in ("and", "or"):
        return None
    return _country_of(m for m in mentions if m.end == at)


def _country_of(mentions: Iterable[Mention]) -> str | None:
    """The country of the first of ``mentions`` whose country comes from a country word."""
    for other in mentions:
        if (
            other.actor is not None
            and other.actor.country
            and any(p.type in _COUNTRYISH for p in other.pieces)
        ):
            return other.actor.country
    return None


def dateline_country(text: str, gazetteer: Gazetteer | None, matcher: ActorMatcher) -> str | None:
    """The country of an article's dateline: "LAGOS, Nigeria (Reuters) —", "KABUL —"."""
    found = _DATELINE.match(text)
    if found is None:
        return None
    region = found.group("region")
    if region:
        country = matcher.country_named(region)
        if country:
            return country
    return _place_country(found.group("city").strip(), gazetteer)


def fill_country(mention: Mention, country: str | None, national: frozenset[str]) -> None:
    """Give an unqualified institution ("the Foreign Ministry") the country the evidence
    found for it (a place attached to it, else the dateline), when its sector is one of the
    ``national`` ones. Without evidence it keeps no country: the article's most frequent
    country is no evidence."""
    actor = mention.actor
    if actor is None or actor.country or not actor.sector or country is None:
        return
    if actor.kind in ("igo", "armed_group") or actor.sector not in national:
        return
    if any(p.type in ("org", "alias") for p in mention.pieces):
        return  # "the EU envoy": belongs to an organisation, not to a country
    mention.actor = actor.model_copy(update={"country": country, "code": country + actor.sector})
    mention.inferred = True


def place_unresolved(mention: Mention, country: str | None) -> None:
    """An unresolved actor takes the country of a place attached to it ("Yazidis in Iraq",
    "a trader from Mali"), and none from any other evidence: a people or group is not the
    state of the sentence or the dateline."""
    actor = mention.actor
    if actor is None or not actor.unresolved or actor.country or country is None:
        return
    code = country + (actor.sector or "")
    mention.actor = actor.model_copy(update={"country": country, "code": code})


def institution(mention: Mention, text: str, start: int, end: int) -> None:
    """An anaphor for a state body that found no antecedent ("the police" with no police
    mentioned before) still denotes that body, of a country yet unknown."""
    ana = mention.anaphor
    if mention.actor is not None or ana is None or ana.both or ana.kind != "state":
        return
    if not ana.sector:
        return
    mention.actor = Actor(
        text=text, start=start, end=end, name=None, code=ana.sector, sector=ana.sector, kind="org"
    )


def mediates(doc: Doc, mention: Mention, words: set[str]) -> bool:
    """Is ``mention`` named as a go-between: a mediation word right after it ("Qatar
    mediated", "Kenyan mediation", "Egyptian-brokered") or "by" it after one ("talks
    facilitated by Oman")?"""
    after = [t for t in doc[mention.end : mention.end + 2] if t.lower_ != "-"][:1]
    if any(t.lower_ in words for t in after):
        return True
    before = doc[max(0, mention.start - 3) : mention.start]
    return (
        len(before) >= 2
        and before[-1].lower_ == "by"
        and any(t.lower_ in words for t in before[:-1])
    )
