"""Event patterns and modality cues: data files loaded, validated and indexed by lemma."""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, field_validator

from detente.errors import KnowledgeError
from detente.knowledge.codes import Codebook, UserCode
from detente.knowledge.files import KnowledgeFile, load_validated
from detente.knowledge.wordorder import Phrase, parse_element

# a role is a path of dependency steps from the trigger: "obj.acl.prep:on" is the "on" object
# of a participle modifying the trigger's object ("lifted the ban imposed on X")
_STEP = (
    r"(subj|obj|next|cause|poss|compound|amod|dative|light|between|acl|advcl|xcomp|ccomp|acomp|agent"
    r"|prep:[a-z]+)"
)
_ROLE = re.compile(rf"^{_STEP}(\.{_STEP})*$")


class Pattern(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str
    pos: Literal["VERB", "NOUN"] = "VERB"
    lemmas: list[str] = Field(min_length=1)
    code: str | None  # None: this wording codes nothing, and no later pattern is tried
    source: list[str] = Field(default_factory=list)
    target: list[str] = Field(default_factory=list)
    object: list[str] | None = None
    with_word: list[str] | None = None
    requires_prep: list[str] | None = None
    requires_light: bool = False
    between: bool = False
    source_sector_codes: dict[str, str] = Field(default_factory=dict)
    target_optional: bool = False
    confidence: float = Field(default=0.8, gt=0, le=1)
    reverse_code: str | None = None  # also code target → source with this code ("arrive in")
    # a reporting verb ("said", "told"): its statement is dropped when a clause it governs
    # codes an event of its own (statements.py)
    reporting: bool = False
    # sectors whose actors cannot act in this sense: "researchers said", "the company warned"
    # are no political statements; "shares attacked" no attack (senses.py)
    not_source_sectors: list[str] = Field(default_factory=list)
    not_target_sectors: list[str] = Field(default_factory=list)
    # a sense that needs a known doer: "a man was stabbed" by nobody known is crime (senses.py)
    source_required: bool = False
    # a sense that needs its other side: "gave 10 million dollars to Sudan" is aid, "gave no
    # details" nothing; without a target the pattern gives no incomplete event (senses.py)
    target_required: bool = False
    before: list[str] = Field(default_factory=list)  # word-order constraints: see phrases.py
    after: list[str] = Field(default_factory=list)
    _phrase: Phrase | None = PrivateAttr(default=None)

    def model_post_init(self, _context: object) -> None:
        if self.before or self.after:  # parsed (and checked) once, at load
            self._phrase = Phrase.of(
                [parse_element(e, "before") for e in self.before],
                [parse_element(e, "after") for e in self.after],
            )

    @property
    def phrase(self) -> Phrase | None:
        """The parsed word-order constraint, or None when the pattern has none."""
        return self._phrase

    @field_validator("source", "target")
    @classmethod
    def _roles(cls, roles: list[str]) -> list[str]:
        bad = [r for r in roles if not _ROLE.match(r)]
        if bad:
            raise ValueError(f"unknown role(s) {bad}")
        return roles


class VerbPattern(Pattern):
    pos: Literal["VERB"] = "VERB"


class NounPattern(Pattern):
    pos: Literal["NOUN"] = "NOUN"


class VerbsFile(KnowledgeFile):
    """``patterns/verbs.yaml`` and ``patterns/defaults.yaml`` (gate-less default senses)."""

    patterns: list[VerbPattern]


class NounsFile(KnowledgeFile):
    """``patterns/nouns.yaml``: eventive-noun patterns and the light verbs."""

    light_verbs: list[str] = Field(default_factory=list)
    patterns: list[NounPattern]


class UserPatternFile(KnowledgeFile):
    """A user pattern file: verb and noun patterns, light verbs, and its own event codes."""

    verbs: list[VerbPattern] = Field(default_factory=list)
    nouns: list[NounPattern] = Field(default_factory=list)
    light_verbs: list[str] = Field(default_factory=list)
    codes: list[UserCode] = Field(default_factory=list)


class IrregularFile(KnowledgeFile):
    """``patterns/irregular.yaml``: lemma → surface forms suffix rules miss."""

    forms: dict[str, list[str]] = Field(default_factory=dict)


class Modality(KnowledgeFile):
    """``patterns/modality.yaml``: the cue words of each modality."""

    negating_heads: set[str]
    future_aux: set[str]
    hypothetical_aux: set[str]
    hypothetical_marks: set[str]
    intent_heads: set[str]
    request_heads: set[str]
    transparent_heads: set[str]
    reporting_heads: set[str] = Field(default_factory=set)
    # verbs of weighing an option: an act in their verbal complement is hypothetical
    # ("is considering sending troops"), and they code the option considered (014)
    deliberation_heads: set[str] = Field(default_factory=set)
    # reporting verbs that, over the speaker's own act of force, claim responsibility (015)
    responsibility_heads: set[str] = Field(default_factory=set)
    # outlook adjectives of a reported clause ("X said it is skeptical of Y"): a pessimistic
    # (012) or optimistic (013) comment; doubt words also make the clause's events hypothetical
    pessimistic_words: set[str] = Field(default_factory=set)
    optimistic_words: set[str] = Field(default_factory=set)
    doubt_words: set[str] = Field(default_factory=set)


class Roles(KnowledgeFile):
    """``patterns/roles.yaml``: how arguments attach without roles of a pattern's own."""

    _candidates: dict[str, list[str]] = PrivateAttr(default_factory=dict)

    generic_people: set[str] = Field(default_factory=set)
    generic_number_roots: set[str] = Field(default_factory=set)
    # CAMEO code prefix -> target roles tried, in order, when a pattern's own target roles
    # find no actor (the longest prefix listed wins)
    fallback_targets: dict[str, list[str]] = Field(default_factory=dict)

    # CAMEO code prefixes whose subjectless purpose clause, finding no target of its own,
    # addresses the controlling verb's object ("summoned the envoy to complain")
    controller_targets: list[str] = Field(default_factory=list)
    # verbs through which an eventive noun is caused ("leading to the summoning of Y"): the
    # noun's source is the agent of the cause (role ``cause``)
    causal_heads: set[str] = Field(default_factory=set)
    # request verbs that ask someone only through a preposition ("called on B to X"): their
    # direct object is someone phoned or summoned ("called B to congratulate him")
    request_by_prep: set[str] = Field(default_factory=set)
    # word forms marking a go-between ("Qatar mediated"): never one of "both sides"
    mediator_words: set[str] = Field(default_factory=set)
    # "VERB" / "NOUN" -> target roles of a predicate no pattern typed (a candidate of the
    # learned typer), tried in order and expanded as the fallbacks are
    candidate_targets: dict[Literal["VERB", "NOUN"], list[str]] = Field(default_factory=dict)

    # CAMEO code prefixes of sending: a target that is the source's own people is what is
    # sent ("sent a team of paratroopers to Lebanon"); the recipient after "to" is the target
    sent_own: list[str] = Field(default_factory=list)
    # roles that name what an event is about, not whom it addresses ("complain about X"):
    # in a purpose clause addressing the controlling verb's object, that object wins
    topic_roles: set[str] = Field(default_factory=set)
    # CAMEO code prefix -> roles whose phrase may name a place that stands for the target
    # when no actor is found ("shelled Kharkiv", "imposed a curfew in Basra")
    place_targets: dict[str, list[str]] = Field(default_factory=dict)

    def place_targets_for(self, code: str) -> list[str]:
        """The place-target roles of ``code`` (the longest listed prefix), or none."""
        for n in range(len(code), 0, -1):
            if code[:n] in self.place_targets:
                return self.place_targets[code[:n]]
        return []

    def addresses_controller(self, code: str) -> bool:
        return any(code.startswith(prefix) for prefix in self.controller_targets)

    @field_validator("fallback_targets")
    @classmethod
    def _fallback_roles(cls, value: dict[str, list[str]]) -> dict[str, list[str]]:
        for prefix, roles in value.items():
            bad = [r for r in roles if not _ROLE.match(r)]
            if not prefix.isdigit() or bad:
                raise ValueError(f"{prefix}: code prefixes are digits, roles valid: {bad}")
        return value

    @field_validator("place_targets")
    @classmethod
    def _place_roles(cls, value: dict[str, list[str]]) -> dict[str, list[str]]:
        return cls._fallback_roles(value)

    @field_validator("candidate_targets")
    @classmethod
    def _candidate_roles(cls, value: dict[str, list[str]]) -> dict[str, list[str]]:
        bad = [r for roles in value.values() for r in roles if not _ROLE.match(r)]
        if bad:
            raise ValueError(f"unknown role(s) {bad}")
        return value

    def candidate_for(self, pos: str) -> list[str]:
        """The target roles of a candidate predicate of part of speech ``pos``."""
        key = "NOUN" if pos in ("NOUN", "PROPN") else "VERB"
        return self._candidates.setdefault(key, self.expanded(self.candidate_targets.get(key, [])))

    def fallback_for(self, code: str) -> list[str]:
        """The fallback target roles of ``code`` (longest listed prefix), or none: each listed
        role on the trigger, then, for a preposition, on the trigger's object noun and on a
        participle modifying it ("sanctions on X", "the ban imposed on X"); last the object's
        possessor ("rejected the Croatian government's request")."""
        for n in range(len(code), 0, -1):
            if code[:n] in self.fallback_targets:
                return self.expanded(self.fallback_targets[code[:n]])
        return []

    @staticmethod
    def expanded(roles: list[str]) -> list[str]:
        """``roles`` and, for each ``prep:X``, the same preposition one step into the object
        (``obj.prep:X``, ``obj.acl.prep:X``); then the object's author: its possessor
        (``obj.poss``), the agent of a participle on it ("rejected an appeal lodged by X":
        ``obj.acl.agent``), its "by" ("denied charges by X": ``obj.prep:by``). The object
        noun's own modifiers are where a non-actor object ("a travel ban") names the other
        side."""
        out: list[str] = []
        for role in roles:
            out.append(role)
            if role.startswith("prep:"):
                out += [f"obj.{role}", f"obj.acl.{role}"]
        out += ["obj.poss", "obj.acl.agent", "obj.prep:by"]
        return list(dict.fromkeys(out))


class Commitments(KnowledgeFile):
    """Commitment wording (``data/patterns/commitments.yaml``, used by coding/commitments.py)."""

    heads: set[str]
    future_aux: set[str]
    reported_aux: set[str]
    intent_codes: dict[str, str]
    # an offer of forces ("is ready to send troops to Y") is intent (0334), not a threat
    offer_heads: set[str] = Field(default_factory=set)
    # decisions that are the decided act itself, for these roots ("decided to lift sanctions")
    decision_heads: set[str] = Field(default_factory=set)
    # roots of verbal acts a commitment makes by announcing them ("said it would appeal to Y")
    verbal_roots: set[str] = Field(default_factory=set)
    decided_roots: set[str] = Field(default_factory=set)
    offered_force: str | None = None
    force_roots: set[str] = Field(default_factory=set)
    hostile_preps: set[str] = Field(default_factory=set)
    border_words: set[str] = Field(default_factory=set)
    # refusals (refusals.py): "refused to Z", "is not ready to Z", "said it will not Z"
    refusal_heads: set[str] = Field(default_factory=set)
    readiness_heads: set[str] = Field(default_factory=set)
    reject_codes: dict[str, str] = Field(default_factory=dict)
    # demands and appeals (demands.py): "X said Y must / should Z", "urged Y to Z"
    demand_aux: set[str] = Field(default_factory=set)
    appeal_aux: set[str] = Field(default_factory=set)
    obligation_heads: set[str] = Field(default_factory=set)
    demand_codes: dict[str, str] = Field(default_factory=dict)
    # "Y must end its attacks": a demand to de-escalate (the code of de-escalating)
    stop_heads: set[str] = Field(default_factory=set)
    conflict_roots: set[str] = Field(default_factory=set)
    deescalation: str = "087"

    def code_for(self, code: str) -> str | None:
        """The commitment code for a committed event's code (longest prefix), or None."""
        return longest_prefix(self.intent_codes, code)

    def reject_for(self, code: str) -> str | None:
        """The rejection code for a refused event's code (longest prefix), or None."""
        return longest_prefix(self.reject_codes, code)

    def demand_for(self, code: str, appeal: bool = False) -> str | None:
        """The demand (or appeal) code for a demanded event's code (longest prefix), or None.
        CAMEO's appeals mirror its demands: the appeal code is "02" + the demand code's tail."""
        demand = longest_prefix(self.demand_codes, code)
        return "02" + demand[2:] if demand and appeal else demand

    def codes(self) -> list[str]:
        """Every code the file names (checked against the codebook at load)."""
        demands = list(self.demand_codes.values())
        return [
            *self.intent_codes.values(), *self.reject_codes.values(), *demands,
            *([self.offered_force] if self.offered_force else []),
            *("02" + d[2:] for d in demands),
        ]  # fmt: skip


def longest_prefix(table: dict[str, str], code: str) -> str | None:
    """The value of the longest prefix of ``code`` listed in ``table`` (two digits at least)."""
    for n in range(len(code), 1, -1):
        if code[:n] in table:
            return table[code[:n]]
    return None


_VOWELS = set("aeiou")


def inflections(lemma: str) -> set[str]:
    """Regular English forms of a verb or noun lemma: -s/-es/-ies, -ed/-d/-ied, -ing, doubling."""
    forms = {lemma, lemma + "s", lemma + "es", lemma + "ed", lemma + "d", lemma + "ing"}
    if lemma.endswith("y") and len(lemma) > 2 and lemma[-2] not in _VOWELS:
        forms |= {lemma[:-1] + "ies", lemma[:-1] + "ied"}
    if lemma.endswith("e"):
        forms.add(lemma[:-1] + "ing")
    if (
        len(lemma) > 2
        and lemma[-1] not in _VOWELS | {"w", "x", "y"}
        and lemma[-2] in _VOWELS
        and lemma[-3] not in _VOWELS
    ):
        forms |= {lemma + lemma[-1] + "ed", lemma + lemma[-1] + "ing"}
    return forms


class _Shortlist:
    """The patterns of one (lemma, pos) in order; those that need words (``before``/``after``)
    are also indexed by each word of their first need, so a sentence lacking them skips them
    without a look (a PETRARCH import lists dozens of phrases for a common verb)."""

    def __init__(self, patterns: list[Pattern], phrases: dict[int, Phrase | None]) -> None:
        self.patterns = patterns
        self.free: list[int] = []
        self.keyed: dict[str, list[int]] = {}
        for n, p in enumerate(patterns):
            phrase = phrases[id(p)]
            if phrase is None or not phrase.needs:
                self.free.append(n)
            else:
                for word in phrase.needs[0]:
                    self.keyed.setdefault(word, []).append(n)

    def viable(self, words: set[str]) -> list[Pattern]:
        if not self.keyed:
            return self.patterns
        keep = set(self.free)
        small, big = (self.keyed, words) if len(self.keyed) < len(words) else (words, self.keyed)
        for word in small:
            if word in big:
                keep.update(self.keyed[word])
        return [self.patterns[n] for n in sorted(keep)]


class PatternSet:
    """All patterns, indexed by (lemma, pos) for constant-time lookup per token."""

    # "the missiles fired by X struck ...": a thing as subject names its user by its "by"
    VERB_SOURCE = ("subj", "subj.acl.agent")
    NOUN_SOURCE = ("light", "poss", "prep:by", "obj.prep:by", "compound", "amod")

    def __init__(
        self,
        patterns: Sequence[Pattern],
        light_verbs: set[str],
        modality: Modality,
        irregular: dict[str, list[str]] | None = None,
        codebook: Codebook | None = None,
        roles: Roles | None = None,
        commitments: Commitments | None = None,
    ):
        self.patterns = list(patterns)
        self.codebook = codebook  # the codebook the patterns were checked against
        self.light_verbs = light_verbs
        self.modality = modality
        self.roles = roles or Roles(provenance={"source": "empty"})
        self.commitments = commitments  # None: no commitment events (PETRARCH-only coding)
        # the pattern commitment events are recorded with (their code is set per event)
        self.commitment = Pattern(
            id="commitment", lemmas=["will"], code="030", source=["subj"], target=["obj"],
            target_optional=True, confidence=0.6,
        )  # fmt: skip
        # the pattern demands from obligation wording are recorded with ("X said Y must Z")
        self.demand = Pattern(
            id="demand-clause", lemmas=["must"], code="100", source=["subj"], target=["obj"],
            target_optional=True, confidence=0.6,
        )  # fmt: skip
        # the pattern refusals are recorded with ("said it will not lift the ban": 1241)
        self.refusal = Pattern(
            id="refusal", lemmas=["not"], code="120", source=["subj"], target=["obj"],
            target_optional=True, confidence=0.6,
        )  # fmt: skip
        self.index: dict[tuple[str, str], list[Pattern]] = {}
        for p in self.patterns:
            if not p.source:
                p.source = list(self.VERB_SOURCE if p.pos == "VERB" else self.NOUN_SOURCE)
            if not p.target and not p.target_optional:
                p.target = ["obj"]
            for lemma in p.lemmas:
                self.index.setdefault((lemma, p.pos), []).append(p)
        self.lemmas = {lemma for lemma, _ in self.index}
        # parsed word-order constraints by pattern identity (pydantic private attributes are
        # slow to read on the hot path)
        self.phrases: dict[int, Phrase | None] = {id(p): p.phrase for p in self.patterns}
        self.shortlists = {key: _Shortlist(ps, self.phrases) for key, ps in self.index.items()}
        self._fallbacks: dict[int, tuple[list[str], bool]] = {}  # by pattern identity
        # lowercase surface forms of every trigger lemma: the pre-parse sentence filter, and
        # the way back to a lemma the lemmatizer missed ("cordoned" lemmatized "cordone")
        self.surface_forms: set[str] = set()
        self.form_lemmas: dict[str, list[str]] = {}
        for lemma in sorted(self.lemmas):
            forms = inflections(lemma) | set((irregular or {}).get(lemma, []))
            self.surface_forms |= forms
            for form in forms:
                self.form_lemmas.setdefault(form, []).append(lemma)

    def may_trigger(self, lemma: str, form: str) -> bool:
        """Can a token of this lemma and lowercase form have any pattern (``candidates``)?"""
        return lemma in self.lemmas or form in self.lemmas or form in self.form_lemmas

    def fallbacks(self, p: Pattern) -> tuple[list[str], bool]:
        """The fallback target roles of ``p``'s class that are not its own target roles, and
        whether its class addresses the controlling verb's object (``Roles``), once each."""
        found = self._fallbacks.get(id(p))
        if found is None:
            extra = [r for r in self.roles.fallback_for(p.code or "") if r not in p.target]
            found = (extra, self.roles.addresses_controller(p.code or ""))
            self._fallbacks[id(p)] = found
        return found

    def candidates(
        self, lemma: str, pos: str, form: str | None = None, words: set[str] | None = None
    ) -> list[Pattern]:
        """Patterns for a token. A pattern listed under the token's own lowercase ``form``
        (PETRARCH lists "left" apart from "leave") is tried before those of its lemma. With
        the sentence's ``words``, patterns needing a word it lacks are left out."""
        kind = "VERB" if pos in ("VERB", "AUX") else "NOUN" if pos in ("NOUN", "PROPN") else ""
        keys = [(lemma, kind)]
        if form is not None and form != lemma and (form, kind) in self.index:
            keys.insert(0, (form, kind))
        if (lemma, kind) not in self.index and form is not None:
            # the lemmatizer's lemma has no patterns: the lemmas this form inflects
            keys += [(other, kind) for other in self.form_lemmas.get(form, ()) if other != form]
        out: list[Pattern] = []
        for key in keys:
            if key in self.index:
                out += self.index[key] if words is None else self.shortlists[key].viable(words)
        return out


def load_patterns(
    codebook: Codebook, extra: Sequence[Path] = (), builtin: bool = True
) -> PatternSet:
    """Built-in verb/noun patterns (unless ``builtin`` is false) plus user pattern files, checked
    against the codebook extended by the user files' own ``codes:`` (``PatternSet.codebook``)."""
    nouns = load_validated("patterns/nouns.yaml", NounsFile)
    patterns: list[Pattern] = []
    if builtin:
        verbs = load_validated("patterns/verbs.yaml", VerbsFile).patterns
        # default senses come last: a lemma's gated patterns are tried before its default
        defaults = load_validated("patterns/defaults.yaml", VerbsFile).patterns
        patterns = [*verbs, *nouns.patterns, *defaults]
    light = set(nouns.light_verbs)
    user: list[Pattern] = []  # user files win: their patterns are tried before the built-ins
    codes: list[UserCode] = []
    for path in extra:
        data = load_validated(Path(path), UserPatternFile)
        user += [*data.verbs, *data.nouns]
        light |= set(data.light_verbs)
        codes += data.codes
    codebook = codebook.with_codes(codes)
    patterns = user + patterns
    seen: set[str] = set()
    for p in patterns:
        if p.id in seen:
            raise KnowledgeError(f"duplicate pattern id {p.id!r}")
        seen.add(p.id)
        for code in filter(None, (p.code, *p.source_sector_codes.values(), p.reverse_code)):
            if not codebook.has(code):
                raise KnowledgeError(f"pattern {p.id!r}: unknown CAMEO code {code!r}")
    modality = load_validated("patterns/modality.yaml", Modality)
    irregular = load_validated("patterns/irregular.yaml", IrregularFile).forms
    roles = load_validated("patterns/roles.yaml", Roles)
    commitments = None
    if builtin:
        commitments = load_validated("patterns/commitments.yaml", Commitments)
        for code in commitments.codes():
            if not codebook.has(code):
                raise KnowledgeError(f"commitments.yaml: unknown CAMEO code {code!r}")
    return PatternSet(patterns, light, modality, irregular, codebook, roles, commitments)
