"""Events stage: dependency patterns over a parsed sentence → raw events with actors.

A raw event is a trigger token, a pattern, sources, targets and a modality; the pipeline turns
it into an ``Event`` record. Roles are read from the parse: subject/agent, object/passive
subject, prepositional complements, possessives, light-verb subjects and "between A and B".
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from spacy.tokens import Doc, Token

from detente.coding import senses
from detente.coding.modality import modality_of
from detente.coding.raw import ActorMap, ActorRef, Candidate, RawEvent
from detente.knowledge.patterns import Pattern, PatternSet
from detente.knowledge.wordorder import PhraseMatch, match
from detente.records import Actor

PRONOUNS = {"it", "they", "he", "she", "its", "their", "his", "her", "them", "him"}
_CLAUSES = {"relcl", "advcl", "parataxis"}  # not acl ("memos sent by X"), not ccomp
_SKIP_DEPS = {"relcl", "advcl", "ccomp", "xcomp", "acl", "punct", "cc", "det", "mark", "aux"}

_PEOPLE_MODS = {"det", "nummod", "amod", "quantmod", "compound", "predet"}

# a pronoun token and the tokens it cannot stand for (its own clause's subject) -> its actors
PronounResolver = Callable[[Token, frozenset[int]], list[Actor]]
_OBJECT_PRONOUNS = {"him", "her", "them", "it"}


class SentenceCoder:
    """Finds the events of one parsed sentence."""

    def __init__(
        self,
        doc: Doc,
        actors: ActorMap,
        patterns: PatternSet,
        pronoun: PronounResolver,
        offset: int = 0,
        require_dyad: bool = False,
        places: dict[int, Actor] | None = None,
    ):
        self.doc = doc
        self.actors = actors
        self.patterns = patterns
        self.pronoun = pronoun
        self.offset = offset  # article char offset of ``doc`` (for generic actors' spans)
        # only events with both a source and a target, no generic civilians (PETRARCH's name)
        self.require_dyad = require_dyad
        # token index -> the place named there (a gazetteer place that is no actor mention)
        self.places = places or {}
        # the generic actors made for this sentence, by identity (kept alive: ids stay unique)
        self._generic: dict[int, Actor] = {}
        # object pronouns resolved away from their clause's subject, by identity: another
        # actor than the subject even when of its code ("X called Y to congratulate him")
        self._distinct: dict[int, Actor] = {}
        self._forms = [(t.lower_, t.lemma_.lower()) for t in doc]  # (lowercase, lemma)
        self.words = {w for pair in self._forms for w in pair}  # every form and lemma
        self._objects: dict[int, list[Token]] = {}  # objects() by token index
        # tokens a pattern decided on: it gave an event, or its wording codes nothing
        self.decided: set[int] = set()
        self._nearby: dict[int, set[str]] = {}  # _near() by token index
        self._kids: dict[int, tuple[Token, ...]] = {}  # kids() by token index

    def kids(self, tok: Token) -> tuple[Token, ...]:
        """``tok.children``, made once a token (spaCy makes new token objects at each walk,
        and roles and patterns walk the same tokens' children again and again)."""
        found = self._kids.get(tok.i)
        if found is None:
            found = self._kids[tok.i] = tuple(tok.children)
        return found

    def lemmas_and_forms(self) -> tuple[list[str], list[str]]:
        """The sentence's lowercase lemmas and its lowercase forms, token by token."""
        return [lemma for _, lemma in self._forms], [form for form, _ in self._forms]

    # --- actors reachable from a token ------------------------------------------------------
    def actors_at(self, tok: Token, conj: bool = True) -> list[tuple[Actor, bool]]:
        """Actors at the nearest depth of ``tok``'s subtree (plus coordinated ones)."""
        frontier = [tok]
        for _ in range(6):
            found: list[tuple[Actor, bool]] = []
            for t in frontier:
                if t.i in self.actors:
                    found += self.actors[t.i]
                elif t.lower_ in PRONOUNS and t.pos_ == "PRON":
                    avoid = self.bound(t)
                    resolved = self.pronoun(t, avoid)
                    if avoid:  # bound away from its clause's subject: another actor
                        resolved = [a.model_copy() for a in resolved]
                        self._distinct.update((id(a), a) for a in resolved)
                    found += [(a, True) for a in resolved]
            if found:
                break
            frontier = [
                c
                for t in frontier
                for c in self.kids(t)
                if c.dep_ not in _SKIP_DEPS and not self._classifier(c)
            ]
            if not frontier:
                return []
        else:
            return []
        if conj:
            for t in frontier:
                for c in [*t.conjuncts, *self._listed(t)]:
                    if c.i > t.i:
                        found += self.actors_at(c, conj=False)
                found += self._shared_head(t)
        return _dedupe(found)

    def bound(self, pron: Token) -> frozenset[int]:
        """The tokens an object pronoun cannot stand for: the subject of its own clause (as
        the patterns read it: "X called Y and urged him" is not X, "X asked Y to help him"
        not Y). Empty for a subject or possessive pronoun."""
        if pron.lower_ not in _OBJECT_PRONOUNS or pron.dep_ not in ("dobj", "dative", "pobj"):
            return frozenset()
        verb = pron.head
        if pron.dep_ == "pobj" and verb.dep_ in ("prep", "dative"):
            verb = verb.head
        if verb.pos_ not in ("VERB", "AUX"):
            return frozenset()
        subjects = self.subjects(verb)
        return frozenset(u.i for t in subjects for c in (t, *t.conjuncts) for u in c.subtree)

    def _listed(self, tok: Token) -> list[Token]:
        """A list the parser hung on ``tok`` as an apposition: "The United States, India,
        Israel and other governments": India (appos) and its conjuncts. An apposition with
        no conjuncts of its own renames ``tok`` ("Rouhani, Iran's president") and is left."""
        out: list[Token] = []
        for c in self.kids(tok):
            if c.dep_ == "appos" and any(g.dep_ == "conj" for g in self.kids(c)):
                out += [c, *c.conjuncts]
        return out

    def _classifier(self, tok: Token) -> bool:
        """Is ``tok`` a lowercase adjective classifying a thing that is no actor ("more military
        aid", "economic sanctions")? Then it names no actor. An adjective on an actor noun is
        part of that actor's mention already, and a capitalised demonym ("Russian tankers") or
        one on an event noun ("military attacks") still stands for its actor."""
        head = tok.head
        return (
            tok.dep_ == "amod"
            and tok.pos_ == "ADJ"
            and tok.is_lower
            and head.i not in self.actors
            and not self.patterns.candidates(head.lemma_.lower(), "NOUN")
        )

    def _shared_head(self, tok: Token) -> list[tuple[Actor, bool]]:
        """Countries coordinated inside an actor phrase share its head's sector: "lawmakers
        in A and B", "the ambassadors of A, B and C" are A's, B's (and C's) lawmakers."""
        out: list[tuple[Actor, bool]] = []
        for head, flag in self.actors.get(tok.i, []):
            if not head.sector or not head.country:
                continue
            # the mention's own tokens too: "expelled diplomats from Iran and Syria" may hang
            # "from Iran" on the verb
            same = [
                self.doc[i]
                for i, found in self.actors.items()
                if any((a.start, a.end) == (head.start, head.end) for a, _ in found)
            ]
            for u in sorted({*tok.subtree, *same}, key=lambda t: t.i):
                # the token that gave the head its country: part of the mention, or the country
                if u.i == tok.i or not any(
                    (a.start, a.end) == (head.start, head.end) or a.code == head.country
                    for a, _ in self.actors.get(u.i, [])
                ):
                    continue
                for c in u.conjuncts:
                    if c.i < u.i:
                        continue
                    for a, f in self.actors.get(c.i, []):
                        if a.kind == "state" and a.sector is None and a.country:
                            a = a.model_copy(
                                update={
                                    "code": a.country + head.sector,
                                    "sector": head.sector,
                                    "kind": head.kind,
                                }
                            )
                            out.append((a, f or flag))
        return out

    # --- grammatical roles --------------------------------------------------------------------
    def subjects(self, tok: Token, depth: int = 0) -> list[Token]:
        kids = self.kids(tok)
        if any(c.dep_ in ("nsubjpass", "auxpass") for c in kids):
            return [p for c in kids if c.dep_ == "agent" for p in self.kids(c) if p.dep_ == "pobj"]
        subj = [c for c in kids if c.dep_ in ("nsubj", "csubj")]
        if subj or depth > 4:
            return subj
        head = tok.head
        if tok.dep_ == "xcomp" or self.purpose(tok):
            # "urged B to X", "called on B to X": B is the one asked to act; else the
            # controlling subject ("X summoned the envoy to complain": X complains)
            obj = [c for c in self.kids(head) if c.dep_ == "dobj"]
            if head.lemma_ in self.patterns.roles.request_by_prep:
                obj = []  # "called the minister to congratulate him": the caller does
            obj = obj or self.called_on(head)
            if obj and head.lemma_ in self.patterns.modality.request_heads:
                return obj
            return self.subjects(head, depth + 1)
        if tok.dep_ in ("conj", "acomp") or (tok.dep_ == "advcl" and tok.tag_ == "VBG"):
            return self.subjects(head, depth + 1)  # "X is about to restore": X
        if tok.dep_ in ("relcl", "acl") and self._is_actor(head):
            return [head]
        if tok.dep_ in ("acl", "xcomp") and head.pos_ == "NOUN":
            poss = [c for c in self.kids(head) if c.dep_ == "poss"]  # "Russia's failure to X"
            if poss or tok.tag_ != "VBG" or head.dep_ != "dobj":
                return poss
            # "X issued a statement calling on Y", "X approved a resolution condemning Y":
            # the document speaks for whoever issued it
            return self.subjects(head.head, depth + 1)
        return []

    def called_on(self, verb: Token) -> list[Token]:
        """The one a verb calls on: "called on / upon B" with the preposition right after
        the verb ("called the envoy on Monday" calls on no one)."""
        return [
            p
            for c in self.kids(verb)
            if c.dep_ == "prep" and c.lower_ in ("on", "upon") and c.i == verb.i + 1
            for p in self.kids(c)
            if p.dep_ == "pobj"
        ]

    def purpose(self, tok: Token) -> bool:
        """Is ``tok`` the verb of a subjectless purpose clause ("... to complain about X")?"""
        return (
            tok.dep_ == "advcl"
            and tok.pos_ == "VERB"
            and any(c.dep_ == "aux" and c.lower_ == "to" for c in self.kids(tok))
            and not any(c.dep_ in ("nsubj", "nsubjpass") for c in self.kids(tok))
        )

    def controller_objects(self, tok: Token) -> list[Token]:
        """For a purpose or complement clause, the controlling verb's object: the one
        addressed ("summoned the envoy to complain", "called the minister to discuss X")."""
        if tok.dep_ != "xcomp" and not self.purpose(tok):
            return []
        return self.objects(tok.head)

    def _is_actor(self, tok: Token) -> bool:
        """Is ``tok`` (or one of its conjuncts) itself part of an actor mention or a pronoun?"""
        return any(
            t.i in self.actors
            or (t.lower_ in PRONOUNS and t.pos_ == "PRON")
            or any(c.i in self.actors for c in self.kids(t) if c.dep_ in ("amod", "compound"))
            for t in (tok, *tok.conjuncts)
        )

    def objects(self, tok: Token) -> list[Token]:
        """The direct objects of ``tok`` (its passive subject when passive), computed once a
        token: patterns and roles ask for them again and again."""
        found = self._objects.get(tok.i)
        if found is None:
            found = self._objects[tok.i] = self._find_objects(tok)
        return list(found)

    def _find_objects(self, tok: Token) -> list[Token]:
        kids = self.kids(tok)
        if any(c.dep_ == "auxpass" for c in kids):
            return [c for c in kids if c.dep_ == "nsubjpass"]
        objs = [c for c in kids if c.dep_ in ("dobj", "dative")]
        if not objs and tok.pos_ == "VERB":
            # "condemned and sanctioned Iran": the shared object hangs on the last verb
            for conj in (c for c in kids if c.dep_ == "conj" and c.pos_ == "VERB"):
                if not any(g.dep_ in ("nsubj", "nsubjpass") for g in self.kids(conj)):
                    objs = [g for g in self.kids(conj) if g.dep_ in ("dobj", "dative")]
                    break
        return objs

    def light_head(self, tok: Token) -> Token | None:
        head = tok.head
        if tok.dep_ in ("dobj", "nsubjpass") and head.lemma_ in self.patterns.light_verbs:
            return head
        return None

    def predicate(self, tok: Token, pos: str) -> Token:
        """The token clause-level cues (modality, attribution, commitment) hang on: a nominal
        trigger's light verb ("launched an attack": launched), else the trigger itself."""
        light = self.light_head(tok) if pos == "NOUN" else None
        return light or tok

    def prep_objects(self, tok: Token, prep: str) -> list[Token]:
        out = []
        for c in self.kids(tok):
            if c.lower_ == prep and (
                c.dep_ in ("prep", "agent") or (c.dep_ == "dative" and c.pos_ == "ADP")
            ):
                out += [p for p in self.kids(c) if p.dep_ in ("pobj", "pcomp")]
        return out

    def role_tokens(self, tok: Token, role: str) -> list[Token]:
        head, _, rest = role.partition(".")
        if head == "light":
            light = self.light_head(tok)
            if light is None:
                return []
            if rest:
                return self.role_tokens(light, rest)
            return [t for t in self.subjects(light) if self._is_actor(t)]
        if rest:
            if head == "obj":
                bases = self.objects(tok) if tok.pos_ != "NOUN" else self.prep_objects(tok, "of")
            elif head.startswith("prep:"):  # "went on strike against X": prep:on.prep:against
                bases = self.prep_objects(tok, head[5:])
            elif head == "subj":  # "the missiles fired by X": subj.acl.agent
                bases = [t for t in self.subjects(tok) if not self._is_actor(t)]
            else:
                bases = [c for c in self.kids(tok) if c.dep_ == head]
            return [t for b in bases for t in self.role_tokens(b, rest)]
        if role == "subj":
            return self.subjects(tok)
        if role == "obj":
            return self.objects(tok)
        if role == "next":
            return self.next_actor(tok)
        if role == "cause":
            return self.cause_agents(tok)
        if role.startswith("prep:"):
            return self.prep_objects(tok, role[5:])
        return [c for c in self.kids(tok) if c.dep_ == role]

    _AGENT_ROLES = ("poss", "prep:from", "prep:by", "compound", "amod")

    def cause_agents(self, tok: Token) -> list[Token]:
        """The agent of the cause of an eventive noun reached through a causal verb: "...
        sparked concerns from X, leading to the summoning of Y" (X, the one concerned),
        "X's protests led to the closure of Y", "... prompting the expulsion of Y". The
        cause is the object of the clause a causal participle hangs on when that object is
        an eventive noun with an agent, else that clause's subject (an actor, or a noun and
        its agent); for a finite causal verb ("led to"), its subject."""
        while tok.dep_ == "conj" and tok.head.pos_ == "NOUN":
            tok = tok.head  # "leading to the recall of X and the closure of Y"
        verb = tok.head
        if tok.dep_ == "pobj" and verb.dep_ == "prep":
            verb = verb.head
        elif tok.dep_ != "dobj":
            return []
        if verb.lemma_.lower() not in self.patterns.roles.causal_heads:
            return []
        if verb.dep_ == "advcl" and verb.tag_ == "VBG":
            clause = verb.head
            causes = [o for o in self.objects(clause) if not self._is_actor(o)]
            causes += [c for c in self.kids(clause) if c.dep_ == "nsubj"]
        else:
            causes = [c for c in self.kids(verb) if c.dep_ == "nsubj"]
        for cause in causes:
            if self._is_actor(cause):
                return [cause]
            found = [t for r in self._AGENT_ROLES for t in self.role_tokens(cause, r)]
            if cause.dep_ == "dobj":  # "drew condemnation from X": "from" on the verb
                found += self.prep_objects(cause.head, "from")
            found = [t for t in found if self.actors_at(t)]
            if found:
                return found[:1]
        return []

    def _actor_or_pronoun(self, t: Token) -> bool:
        return t.i in self.actors or (t.lower_ in PRONOUNS and t.pos_ == "PRON")

    def next_actor(self, tok: Token) -> list[Token]:
        """The first actor after ``tok`` in its phrase (its subtree without clauses): the
        target of a pattern that names no role, as PETRARCH reads it. In the passive, the
        subject; a possessive pronoun ("welcomed their talks with X") is not a target."""
        passive = [c for c in self.kids(tok) if c.dep_ == "nsubjpass"]
        if passive:
            return passive
        out, stack = [], [tok]
        while stack:
            t = stack.pop()
            out.append(t)
            stack += [c for c in self.kids(t) if c.dep_ not in _CLAUSES and c.i > tok.i]
        return [
            t
            for t in sorted(out, key=lambda t: t.i)[1:]
            if not (t.dep_ == "poss" and t.pos_ == "PRON") and self._actor_or_pronoun(t)
        ][:1]

    def slot_actors(self, tok: Token, where: tuple[int, int]) -> list[tuple[Actor, bool]]:
        """Actors of a pattern slot: the first actor token found from ``where`` (index,
        direction), staying on its side of the trigger; a coordination is taken whole."""
        start, step = where
        stop = (tok.i if start < tok.i else len(self.doc)) if step > 0 else -1
        for i in range(start, stop, step):
            t = self.doc[i]
            if not self._actor_or_pronoun(t):
                continue
            while t.dep_ == "conj" and t.head.i < t.i:
                t = t.head  # "A and B have met": from B back to A
            found = self.actors_at(t)
            if found:
                return found
        return []

    def role_actors(
        self,
        tok: Token,
        roles: list[str],
        root: str | None = None,
        selves: _Selves | None = None,
    ) -> list[tuple[Actor, bool]]:
        """Actors of the first role that has some (other than ``selves``, the event's sources:
        "pledged his country's support to X" finds the source in its object first). Without
        any, and unless only full dyads are wanted, unspecified people in a role ("killed
        three people", "detained dozens") stand for a generic civilian actor; ``root`` (the
        CAMEO root) decides whether a bare number ("killed four") counts as people."""
        generic: list[tuple[Actor, bool]] = []
        for role in roles:
            tokens = self.role_tokens(tok, role)
            found = [a for t in tokens for a in self.actors_at(t)]
            if selves is not None:
                found = [a for a in found if a not in selves]
            if found:
                return _dedupe(found)
            if not generic and not self.require_dyad:
                generic = [(a, False) for t in tokens if (a := self.generic(t, root))]
        return generic[:1]

    def fallback_targets(
        self, tok: Token, p: Pattern, root: str, selves: _Selves | None = None
    ) -> list[tuple[Actor, bool]]:
        """Targets when a pattern's own roles find no actor: the class's fallback roles
        (roles.yaml), then, for a purpose clause of a class that addresses someone, the
        controlling verb's object ("summoned the envoy to complain")."""
        extra, controller = self.patterns.fallbacks(p)
        found = self.role_actors(tok, extra, root, selves)
        if not found and controller:
            clause = self.light_head(tok) or tok  # "summoned X to lodge a complaint"
            found = [a for t in self.controller_objects(clause) for a in self.actors_at(t)]
        return [a for a in found if not self._is_generic(a[0])]

    def _sent_own(
        self, code: str, targets: list[tuple[Actor, bool]], sources: list[tuple[Actor, bool]]
    ) -> bool:
        """Are the targets of a sending event (``roles.yaml`` ``sent_own``) all the source's own
        people (its troops, doctors, officials), which are what is sent, not whom to?"""
        if not any(code.startswith(c) for c in self.patterns.roles.sent_own):
            return False
        own = {a.country for a, _ in sources if a.country}
        return bool(own) and all(a.country in own and a.kind != "state" for a, _ in targets)

    def _recipient(self, tok: Token, sources: list[tuple[Actor, bool]]) -> list[tuple[Actor, bool]]:
        """The first actor or place, not the source's own people, after "to / into / in" in
        the trigger's phrase (however the parser hung it: on the verb or on the object)."""
        own = {a.country for a, _ in sources if a.country}
        for t in self._subtree(tok):
            if t.dep_ != "pobj" or t.head.lower_ not in ("to", "into", "in"):
                continue
            found = [
                a for a in self.actors_at(t) if not (a[0].country in own and a[0].kind != "state")
            ]
            if found:
                return found
            place = next((self.places[u.i] for u in self._subtree(t) if u.i in self.places), None)
            if place is not None and place.country not in own:
                return [(place, False)]
        return []

    def _topic_only(self, tok: Token, p: Pattern) -> bool:
        """Does ``p``'s first role with an actor name what the event is about rather than
        whom it addresses (``roles.yaml`` ``topic_roles``: "complain about X")?"""
        topics = self.patterns.roles.topic_roles
        for role in p.target:
            if any(self.actors_at(t) for t in self.role_tokens(tok, role)):
                return role in topics
        return False

    def _addressed(self, tok: Token, p: Pattern) -> list[tuple[Actor, bool]]:
        """The controlling verb's object actors, for a purpose clause of a class that
        addresses someone ("summoned the envoy to complain"), else none."""
        if not self.patterns.roles.addresses_controller(p.code or ""):
            return []
        clause = self.light_head(tok) or tok
        found = [a for t in self.controller_objects(clause) for a in self.actors_at(t)]
        return [a for a in found if not self._is_generic(a[0])]

    def place_targets(
        self, tok: Token, code: str, sources: list[tuple[Actor, bool]]
    ) -> list[tuple[Actor, bool]]:
        """The place that stands for the target of an event whose roles found no actor
        (``roles.yaml`` ``place_targets``): the first place named in the phrase of one of the
        class's roles ("shelled Kharkiv", "imposed a curfew in parts of Kashmir"). A place
        abroad stands for its country, one in a source's own country for its people. A place
        is no actor of its own: it takes part only beside a known source ("a storm pounded
        Denver", "the Springboks beat Ireland in Johannesburg" code nothing)."""
        if not sources or any(a.unresolved or self._is_generic(a) for a, _ in sources):
            return []
        own = {a.country for a, _ in sources if a.country}
        for role in self.patterns.roles.place_targets_for(code):
            for t in self.role_tokens(tok, role):
                at = next((u for u in self._subtree(t) if u.i in self.places), None)
                if at is None:
                    continue
                out: list[tuple[Actor, bool]] = []
                for u in (at, *at.conjuncts):  # "shelled Kramatorsk and Sloviansk"
                    place = self.places.get(u.i)
                    if place is None or any(place.start == p.start for p, _ in out):
                        continue
                    if place.country in own:
                        place = place.model_copy(
                            update={
                                "code": f"{place.country}CVL", "sector": "CVL", "kind": "people",
                                "name": None,
                            }
                        )  # fmt: skip
                    out.append((place, False))
                return out
        return []

    def _is_generic(self, actor: Actor) -> bool:
        """Is ``actor`` a generic civilian stand-in made for this sentence?"""
        return id(actor) in self._generic

    is_generic = _is_generic

    def generic(self, tok: Token, root: str | None) -> Actor | None:
        """A generic civilian actor for a phrase naming unspecified people, or None."""
        roles = self.patterns.roles
        head = tok
        if tok.pos_ == "NUM" or tok.lemma_.lower() in roles.generic_people:
            # "dozens of people", "hundreds of civilians": the phrase runs to the "of" object
            for prep in (c for c in tok.children if c.dep_ == "prep" and c.lower_ == "of"):
                head = next((p for p in prep.children if p.dep_ == "pobj"), head)
        words = {head.lemma_.lower(), head.lower_}
        if words.isdisjoint(roles.generic_people) and not (
            tok.pos_ == "NUM" and tok.head.pos_ == "VERB" and root in roles.generic_number_roots
        ):
            return None
        if head.i in self.actors:
            return None  # a known actor ("hundreds of protesters"): not generic
        left = [c for c in tok.lefts if c.dep_ in _PEOPLE_MODS]
        while left and left[0].dep_ == "amod" and any(c.dep_ != "amod" for c in left[1:]):
            left = left[1:]  # "shot dead two men": an adjective before the number is no part
        span = self.doc[min([tok.i] + [c.left_edge.i for c in left]) : head.i + 1]
        begin = self.offset + span.start_char
        actor = Actor(
            text=span.text, start=begin, end=begin + len(span.text), code="CVL", sector="CVL",
            kind="people",
        )  # fmt: skip
        self._generic[id(actor)] = actor
        return actor

    def attribution(self, tok: Token) -> Actor | None:
        """The speaker an event is attributed to: the subject of a reporting verb governing
        the trigger ("X said Y attacked Z", quotes included), or "according to X"."""
        reporting = self.patterns.modality.reporting_heads
        current = tok
        for _ in range(8):
            for prep in (c for c in self.kids(current) if c.lower_ == "according"):
                for to in (c for c in self.kids(prep) if c.lower_ == "to"):
                    found = [a for p in self.kids(to) for a, _ in self.actors_at(p)]
                    if found:
                        return found[0]
            if current is not tok and current.lemma_.lower() in reporting:
                found = [a for s in self.subjects(current) for a, _ in self.actors_at(s)]
                return found[0] if found else None
            if current.dep_ not in ("ccomp", "xcomp", "conj", "advcl", "parataxis", "dobj", "pobj"):
                return None
            current = current.head
        return None

    # --- matching -----------------------------------------------------------------------------
    def matches(self, tok: Token, p: Pattern) -> PhraseMatch | None:
        """The match of ``p`` at ``tok`` (words used, slots), or None."""
        phrase = self.patterns.phrases[id(p)]
        if phrase is not None and not phrase.possible(self.words):
            return None  # first: the cheapest test, and the most selective
        if p.requires_light and self.light_head(tok) is None:
            return None
        if p.requires_prep and not any(
            c.dep_ in ("prep", "agent") and c.lower_ in p.requires_prep for c in self.kids(tok)
        ):
            return None
        if p.object is not None:
            objs = self.objects(tok) if p.pos == "VERB" else self.prep_objects(tok, "of")
            if not any(o.lemma_.lower() in p.object or "*" in p.object for o in objs):
                return None  # "*": any direct object
        if p.with_word is not None and self._near(tok).isdisjoint(p.with_word):
            return None
        if phrase is None:
            return PhraseMatch()
        return match(self._forms, tok.i, phrase.before, phrase.after, limit=tok.right_edge.i + 1)

    def _near(self, tok: Token) -> set[str]:
        """The forms and lemmas of the tokens up to three levels below ``tok`` (computed once
        a token: a pattern's ``with_word`` looks among them)."""
        near = self._nearby.get(tok.i)
        if near is None:
            below = [t for c in self.kids(tok) for t in _within(c, 2)]
            near = self._nearby[tok.i] = {t.lower_ for t in below} | {t.lemma_ for t in below}
        return near

    def _object_is_event(self, tok: Token) -> bool:
        """ "X fired rockets": the noun carries the event, the light verb does not."""
        if tok.lemma_ not in self.patterns.light_verbs:
            return False
        return any(self.patterns.candidates(o.lemma_.lower(), "NOUN") for o in self.objects(tok))

    def between(self, tok: Token) -> list[tuple[ActorRef, ActorRef]] | None:
        """Pairs for "between A and B", or None without such a phrase.

        Parses of coordinated names vary, so the actors are read from the whole complement in
        text order: the first is one side, the rest (and any "including X") the other.
        """
        objs = self.prep_objects(tok, "between")
        if not objs:
            return None
        found: list[ActorRef] = []
        for obj in objs:
            for t in self._subtree(obj):
                found += self.actors.get(t.i, [])
        found = _dedupe(found)
        return [(found[0], b) for b in found[1:]]

    @staticmethod
    def _both_ways(tok, p, modality, said, pairs) -> Iterator[RawEvent]:
        """A→B and B→A for each pair, marked reciprocal."""
        for (a, fa), (b, fb) in pairs:
            flag = fa or fb
            yield RawEvent(tok, p, [(a, flag)], [(b, flag)], modality, True, said)
            yield RawEvent(tok, p, [(b, flag)], [(a, flag)], modality, True, said)

    @staticmethod
    def _subtree(tok: Token) -> list[Token]:
        """``tok``'s subtree in text order, without relative or adverbial clauses."""
        out, stack = [], [tok]
        while stack:
            t = stack.pop()
            out.append(t)
            stack += [c for c in t.children if c.dep_ not in ("relcl", "acl", "advcl")]
        return sorted(out, key=lambda t: t.i)

    def events(self) -> Iterator[RawEvent]:
        """The sentence's events: pattern events, then what speech adds or drops (statements
        covered by an embedded event; promises and threats from commitment wording)."""
        yield from senses.refine(self, list(self.pattern_events()))

    def pattern_events(self) -> Iterator[RawEvent]:
        may = self.patterns.may_trigger
        for i, (form, lemma) in enumerate(self._forms):
            if may(lemma, form):  # most words have no pattern at all
                yield from self._events_at(self.doc[i])

    def _events_at(self, tok: Token) -> Iterator[RawEvent]:
        """The events triggered by ``tok``: the first pattern whose roles find a full dyad (or
        a source, when its target is optional) wins; without one, the first pattern that found
        one side gives an event with an incomplete dyad (unless ``require_dyad``)."""
        lemma = self._forms[tok.i][1]
        candidates = self.patterns.candidates(lemma, tok.pos_, tok.lower_, self.words)
        light_only = bool(candidates) and self._object_is_event(tok)
        partial: RawEvent | None = None
        best = 0
        for p in candidates:
            if light_only and p.pos == "VERB":
                continue  # "X fired rockets": the noun carries the event
            found = self.matches(tok, p)
            if found is None:
                continue
            if p.code is None:
                self.decided.add(tok.i)
                break  # a wording that codes nothing ("held incidents", PETRARCH [---])
            pred = self.predicate(tok, p.pos)
            self.decided |= {tok.i, pred.i}
            modality = modality_of(pred, self.patterns.modality, found.used)
            said = self.attribution(pred)
            if "both" in found.slots:
                both = self.slot_actors(tok, found.slots["both"])
                pairs = [(a, b) for i, a in enumerate(both) for b in both[i + 1 :]]
                if pairs:
                    yield from self._both_ways(tok, p, modality, said, pairs)
                    return
                continue
            if p.between:
                pairs = self.between(tok)
                if pairs is not None:
                    yield from self._both_ways(tok, p, modality, said, pairs)
                    return
            root = p.code[:2]
            if "source" in found.slots:
                sources = self.slot_actors(tok, found.slots["source"])
            else:
                sources = self.role_actors(tok, p.source, root)
                if not sources and p.pos == "NOUN" and not self.require_dyad:
                    # no agent of its own: the agent of its cause ("leading to the X of Y")
                    sources = self.role_actors(tok, ["cause"], root)
            src_codes = _Selves(sources, self._distinct)
            if "target" in found.slots:
                targets = self.slot_actors(tok, found.slots["target"])
            else:
                targets = self.role_actors(tok, p.target, root, src_codes)
                # the source itself ("pledged its support") leaves the target to find
                targets = [t for t in targets if t not in src_codes]
                if not self.require_dyad and self._topic_only(tok, p):
                    # "summoned the envoy to complain about X": complained to the envoy
                    addressed = self._addressed(tok, p)
                    targets = [t for t in addressed if t not in src_codes] or targets
                if not self.require_dyad and all(self._is_generic(a) for a, _ in targets):
                    extra = self.fallback_targets(tok, p, root, src_codes)
                    targets = [t for t in extra if t not in src_codes] or targets
            targets = [t for t in targets if t not in src_codes]
            if targets and not self.require_dyad and self._sent_own(p.code, targets, sources):
                # "Britain sent a team of paratroopers to Lebanon": the paratroopers are sent
                targets = self._recipient(tok, sources) or targets
            if not targets and self.places and not self.require_dyad:
                targets = self.place_targets(tok, p.code, sources)
            if p.between and not targets and len(sources) >= 2:
                # "Turkish and Greek troops clashed", "Israel and Egypt met"
                pairs = [(a, b) for i, a in enumerate(sources) for b in sources[i + 1 :]]
                yield from self._both_ways(tok, p, modality, said, pairs)
                return
            generic = any(self._is_generic(a) for a, _ in sources + targets)
            if sources and (targets or p.target_optional) and not generic:
                yield RawEvent(tok, p, sources, targets, modality, attribution=said)
                if p.reverse_code and targets:
                    yield RawEvent(
                        tok, p, targets, sources, modality, attribution=said,
                        code=p.reverse_code,
                    )  # fmt: skip
                return
            # a fallback: a full dyad with a generic side beats an incomplete one; a bare
            # noun ("the attack on X", no light verb) asserts no incomplete event
            rank = 2 if sources and targets else 1 if sources or targets else 0
            if rank > best and not self.require_dyad and (p.pos == "VERB" or pred is not tok):
                best, partial = rank, RawEvent(tok, p, sources, targets, modality, attribution=said)
        if partial is not None:
            yield partial

    # --- candidates for the learned typer ----------------------------------------------------
    def covered(self, raws: list[RawEvent]) -> set[int]:
        """Tokens a pattern typed or ruled out: every token a pattern matched at (with an
        event or a wording that codes nothing) and the trigger and predicate of each of
        ``raws`` (the sentence's events, commitments and refusals included)."""
        out = set(self.decided)
        for raw in raws:
            out |= {raw.trigger.i, self.predicate(raw.trigger, raw.pattern.pos).i}
        return out

    def candidates(self, covered: set[int] = frozenset()) -> list[Candidate]:
        """Every predicate of the sentence not in ``covered`` that has an actor: a verb (not a
        reporting verb, whose statements are the patterns' business, nor a light verb whose
        object is the event) or an eventive noun (one with patterns, or the object of a light
        verb: "held a referendum"), with the sources and targets the argument-attachment
        mechanism finds for it (``roles.yaml`` ``candidate_targets``, expanded as the
        fallbacks are). A candidate whose only actors are generic people is left out."""
        roles = self.patterns.roles
        out: list[Candidate] = []
        for tok in self.doc:
            if tok.i in covered or tok.i in self.actors:
                continue
            lemma = self._forms[tok.i][1]
            if tok.pos_ == "VERB":
                if lemma in self.patterns.modality.reporting_heads:
                    continue
                if lemma in self.patterns.light_verbs and any(
                    o.pos_ == "NOUN" for o in self.objects(tok)
                ):
                    continue  # "launched an offensive": the noun is the candidate
                source_roles = PatternSet.VERB_SOURCE
            elif tok.pos_ == "NOUN":
                if self.light_head(tok) is None and not self.patterns.candidates(lemma, "NOUN"):
                    continue
                source_roles = PatternSet.NOUN_SOURCE
            else:
                continue
            sources = self.role_actors(tok, list(source_roles))
            codes = {a.code for a, _ in sources}
            targets = self.role_actors(tok, roles.candidate_for(tok.pos_))
            targets = [t for t in targets if t[0].code not in codes]
            if all(self._is_generic(a) for a, _ in sources + targets):
                continue
            out.append(Candidate(tok, sources, targets))
        return out

    def learned_event(self, cand: Candidate, pattern: Pattern, probability: float) -> RawEvent:
        """The raw event of a candidate the learned typer typed (``pattern`` carries the
        code of its type): modality and attribution from its predicate, as for patterns."""
        pred = self.predicate(cand.trigger, cand.trigger.pos_)
        modality = modality_of(pred, self.patterns.modality)
        return RawEvent(
            cand.trigger, pattern, cand.sources, cand.targets, modality,
            attribution=self.attribution(pred), learned=probability,
        )  # fmt: skip


class _Selves:
    """The sources of an event, for telling a target that is one of them ("pledged its
    support": its is the source) from another actor of the same code ("Prime Minister X
    expressed condolences to the Government": two mentions of one country's government)."""

    def __init__(
        self, sources: list[tuple[Actor, bool]], distinct: dict[int, Actor] | None = None
    ) -> None:
        self.distinct = distinct or {}  # pronouns bound away from the subject: by identity
        self.codes = {a.code for a, _ in sources}
        self.names = {(a.code, (a.name or a.text).lower()) for a, _ in sources}

    def __contains__(self, item: tuple[Actor, bool]) -> bool:
        actor, inferred = item
        if actor.code not in self.codes:
            return False
        if (inferred and id(actor) not in self.distinct) or (
            actor.kind == "state" and not actor.sector
        ):
            return True  # a pronoun or alias for it, or its bare country ("Israel")
        return (actor.code, (actor.name or actor.text).lower()) in self.names


def _within(tok: Token, depth: int) -> list[Token]:
    """``tok`` and its descendants down to ``depth`` levels."""
    out, level = [tok], [tok]
    for _ in range(depth):
        level = [c for t in level for c in t.children]
        out += level
    return out


def _dedupe(items: list[tuple[Actor, bool]]) -> list[tuple[Actor, bool]]:
    seen: set[tuple[int, int, str]] = set()
    out = []
    for actor, inferred in items:
        key = (actor.start, actor.end, actor.code)
        if key not in seen:
            seen.add(key)
            out.append((actor, inferred))
    return out
