"""Actor knowledge: countries, organizations, sector terms and anaphors, loaded from YAML.

The built-in files live in ``detente/data/actors/``:

* ``countries.yaml``      -- ``countries:`` one entry per ISO 3166-1 country/territory (+ XKX)
* ``organizations.yaml``  -- ``organizations:`` IGOs, NGOs, state bodies, parties, armed groups
* ``sectors.yaml``        -- ``sectors:`` (code -> meaning), ``terms:`` and ``anaphors:``

User files have the same schema and may hold any subset of those top-level keys (plus the
mandatory ``provenance:`` header). They are overlaid after the built-ins, in order: a country
with the same ``iso3``, an organization with the same ``name`` (case-insensitive), a term or
anaphor with the same ``term`` replaces the earlier entry; sector codes are added or redefined.

After merging, the whole is checked and any problem raises :class:`KnowledgeError`: sector codes
must be declared, organization countries must exist, codes are uppercase, and a surface form
(compared case-insensitively) may belong to only one country or organization.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Sequence
from datetime import date
from pathlib import Path
from typing import Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    field_validator,
    model_validator,
)

from detente.errors import KnowledgeError
from detente.knowledge.files import load_yaml, validate_entry
from detente.records import ActorKind

BUILTIN_FILES: tuple[str, ...] = (
    "actors/countries.yaml",
    "actors/organizations.yaml",
    "actors/sectors.yaml",
    "actors/people.yaml",
)
SECTION_KEYS: tuple[str, ...] = ("countries", "organizations", "sectors", "terms", "anaphors")

OrganizationKind = Literal["igo", "armed_group", "org", "person"]

_ISO3 = re.compile(r"[A-Z]{3}")
_SECTOR = re.compile(r"[A-Z]{3}")
_CODE = re.compile(r"[A-Z][A-Z0-9]*")


def _norm_form(text: str) -> str:
    """Key under which surface forms are compared: case-folded, single-spaced."""
    return " ".join(text.split()).casefold()


def _clean_strings(values: list[str], what: str) -> list[str]:
    out = []
    for value in values:
        value = " ".join(value.split())
        if not value:
            raise ValueError(f"empty string in {what}")
        out.append(value)
    return out


def _lower_term(value: str) -> str:
    value = " ".join(value.split()).lower()
    if not value:
        raise ValueError("term is empty")
    return value


def _clean_name(value: str) -> str:
    value = " ".join(value.split())
    if not value:
        raise ValueError("name is empty")
    return value


def _sector_code(value: str | None) -> str | None:
    if value is not None and not _SECTOR.fullmatch(value):
        raise ValueError(f"sector codes are 3 uppercase letters, got {value!r}")
    return value


class _Entry(BaseModel):
    model_config = ConfigDict(extra="forbid")

    # Where the entry was read from (file name), for error messages; set by the loader.
    _source: str | None = PrivateAttr(default=None)

    def _where(self) -> str:
        return f" (from {self._source})" if self._source else ""


class CountryEntry(_Entry):
    """A country or territory and the surface forms that denote it."""

    iso3: str
    name: str
    aliases: list[str] = Field(min_length=1, description="Names of the country/state itself.")
    demonyms: list[str] = Field(default_factory=list, description='Adjectives ("Russian").')
    people: list[str] = Field(default_factory=list, description='Population nouns ("Russians").')
    metonyms: list[str] = Field(
        default_factory=list, description="Capitals / seats of government standing for GOV."
    )
    military_metonyms: list[str] = Field(
        default_factory=list, description='Places standing for the military ("the Pentagon").'
    )

    @field_validator("iso3")
    @classmethod
    def _iso3(cls, value: str) -> str:
        if not _ISO3.fullmatch(value):
            raise ValueError(f"iso3 must be 3 uppercase letters, got {value!r}")
        return value

    _name = field_validator("name")(_clean_name)

    @field_validator("aliases", "demonyms", "people", "metonyms", "military_metonyms")
    @classmethod
    def _forms(cls, values: list[str]) -> list[str]:
        return _clean_strings(values, "surface forms")

    def surface_forms(self) -> list[str]:
        """Every form listed for this country, in all roles."""
        return [
            *self.aliases,
            *self.demonyms,
            *self.people,
            *self.metonyms,
            *self.military_metonyms,
        ]


class Role(BaseModel):
    """A code an entry holds between two dates (either end open): "RUSGOV from 2000-05-07"."""

    model_config = ConfigDict(extra="forbid")

    code: str
    country: str | None = None
    sector: str | None = None
    start: date | None = None
    end: date | None = None

    def holds_on(self, day: date) -> bool:
        return (self.start is None or self.start <= day) and (self.end is None or day <= self.end)


class OrganizationEntry(_Entry):
    """An IGO, NGO, state body, party, non-state armed group, or a named person.

    ``code``/``country``/``sector`` apply when the article date is unknown or no ``roles``
    entry covers it; otherwise the role holding on the article's date wins.
    """

    name: str
    code: str
    kind: OrganizationKind
    country: str | None = None
    sector: str | None = None
    aliases: list[str] = Field(min_length=1)
    phoenix_code: str | None = None
    roles: list[Role] = Field(default_factory=list)

    _name = field_validator("name")(_clean_name)

    @field_validator("code", "phoenix_code")
    @classmethod
    def _code(cls, value: str | None) -> str | None:
        if value is not None and not _CODE.fullmatch(value):
            raise ValueError(f"actor codes are uppercase letters/digits, got {value!r}")
        return value

    @field_validator("country")
    @classmethod
    def _country(cls, value: str | None) -> str | None:
        if value is not None and not _ISO3.fullmatch(value):
            raise ValueError(f"country must be an ISO3 code (3 uppercase letters), got {value!r}")
        return value

    _sector = field_validator("sector")(_sector_code)

    @field_validator("aliases")
    @classmethod
    def _forms(cls, values: list[str]) -> list[str]:
        return _clean_strings(values, "aliases")


class SectorTerm(_Entry):
    """A title or noun giving an actor its sector. ``sector=None`` means "member of" (inherited)."""

    term: str
    sector: str | None
    kind: ActorKind
    # the actor code after the country when it says more than the sector: "health ministry"
    # GOVHLH (PETRARCH agent codes such as [~GOVHLH]); it must begin with the sector
    code: str | None = Field(default=None, pattern=r"^([A-Z]{3}){2,}$")

    _term = field_validator("term")(_lower_term)
    _sector = field_validator("sector")(_sector_code)

    @model_validator(mode="after")
    def _code_extends_sector(self) -> SectorTerm:
        if self.code is not None and not (self.sector and self.code.startswith(self.sector)):
            raise ValueError(f"code {self.code} must begin with the sector {self.sector}")
        return self


class Anaphor(_Entry):
    """A generic description referring back to an earlier actor of kind ``refers_to`` (with
    ``both``, to the last two distinct ones: "the two countries", "both sides").

    ``sector`` is the sector the resolved actor takes ("the government" -> GOV); ``None`` keeps
    the antecedent's.
    """

    term: str
    refers_to: ActorKind | None  # None: any kind of actor (for ``both``)
    sector: str | None = None
    both: bool = False  # "the two parties": the last two distinct actors, together

    _term = field_validator("term")(_lower_term)
    _sector = field_validator("sector")(_sector_code)

    @model_validator(mode="after")
    def _kind_needed(self) -> Anaphor:
        if self.refers_to is None and not self.both:
            raise ValueError("refers_to is needed unless the anaphor is 'both'")
        return self


class Sector(BaseModel):
    """A sector code's meaning and the properties rules ask of it."""

    model_config = ConfigDict(extra="forbid")

    meaning: str = Field(min_length=1)
    national: bool = False  # an unqualified mention ("the police") takes the main country
    armed: bool = False  # an organization coded with it is an armed group
    transnational: bool = False  # a bare code of it names no country ("GOV", "IGO")
    political: bool = False  # an unresolved actor of it may start an event by itself

    @field_validator("meaning")
    @classmethod
    def _meaning(cls, value: str) -> str:
        value = " ".join(value.split())
        if not value:
            raise ValueError("a sector needs a one-line meaning")
        return value


class ActorKnowledge(BaseModel):
    """Merged, validated actor knowledge. Construct it with :func:`load_actor_knowledge`."""

    model_config = ConfigDict(extra="forbid")

    countries: list[CountryEntry]
    organizations: list[OrganizationEntry]
    sector_terms: list[SectorTerm]
    anaphors: list[Anaphor]
    sectors: dict[str, Sector]

    _countries_by_iso3: dict[str, CountryEntry] = PrivateAttr(default_factory=dict)
    _orgs_by_name: dict[str, OrganizationEntry] = PrivateAttr(default_factory=dict)
    _surnames: dict[str, list[OrganizationEntry]] = PrivateAttr(default_factory=dict)

    @model_validator(mode="after")
    def _check(self) -> ActorKnowledge:
        _check_knowledge(self)
        self._countries_by_iso3 = {c.iso3: c for c in self.countries}
        self._orgs_by_name = {_norm_form(o.name): o for o in self.organizations}
        self._surnames = _surname_index(self.organizations)
        return self

    def sectors_with(
        self, prop: Literal["national", "armed", "transnational", "political"]
    ) -> frozenset[str]:
        """The declared sector codes that have this property."""
        return frozenset(code for code, s in self.sectors.items() if getattr(s, prop))

    @property
    def surnames(self) -> dict[str, list[OrganizationEntry]]:
        """Surname -> the known persons (``kind: person``) who bear it, built at load time from
        their names and multi-word aliases ("Putin" -> Vladimir Putin)."""
        return self._surnames

    def country(self, iso3: str) -> CountryEntry:
        """The country with this ISO3 code; :class:`KnowledgeError` if there is none."""
        try:
            return self._countries_by_iso3[iso3.upper()]
        except KeyError:
            raise KnowledgeError(f"unknown country code {iso3!r}") from None

    def organization(self, name: str) -> OrganizationEntry:
        """The organization with this name (case-insensitive); :class:`KnowledgeError` if none."""
        try:
            return self._orgs_by_name[_norm_form(name)]
        except KeyError:
            raise KnowledgeError(f"unknown organization {name!r}") from None


_NAME_SUFFIXES = {"jr", "jr.", "sr", "sr.", "ii", "iii", "iv"}


def _surname(name: str) -> str | None:
    words = [w for w in name.split() if w.casefold() not in _NAME_SUFFIXES]
    if len(words) < 2:
        return None
    last = words[-1]
    return last if len(last) > 2 and last[0].isupper() and last.isalpha() else None


def _surname_index(organizations: list[OrganizationEntry]) -> dict[str, list[OrganizationEntry]]:
    index: dict[str, list[OrganizationEntry]] = {}
    for org in organizations:
        if org.kind != "person":
            continue
        for form in {_surname(n) for n in (org.name, *org.aliases)} - {None}:
            index.setdefault(form, []).append(org)
    return index


# --------------------------------------------------------------------------- validation


def _check_knowledge(k: ActorKnowledge) -> None:
    for code in k.sectors:
        if not _SECTOR.fullmatch(code):
            raise KnowledgeError(f"sector codes are 3 uppercase letters, got {code!r}")

    def need_sector(sector: str | None, owner: str, entry: _Entry) -> None:
        if sector is not None and sector not in k.sectors:
            raise KnowledgeError(
                f"{owner}{entry._where()}: sector {sector!r} is not declared under 'sectors'"
            )

    iso3s = {c.iso3 for c in k.countries}
    for org in k.organizations:
        need_sector(org.sector, f"organization {org.name!r}", org)
        if org.country is not None and org.country not in iso3s:
            raise KnowledgeError(
                f"organization {org.name!r}{org._where()}: unknown country {org.country!r}"
            )
    for term in k.sector_terms:
        need_sector(term.sector, f"term {term.term!r}", term)
    for anaphor in k.anaphors:
        need_sector(anaphor.sector, f"anaphor {anaphor.term!r}", anaphor)

    owners: dict[str, tuple[str, str, _Entry]] = {}  # form -> (owner id, label, entry)
    items: list[tuple[str, str, _Entry, Iterable[str]]] = [
        (f"country:{c.iso3}", f"country {c.iso3}", c, c.surface_forms()) for c in k.countries
    ]
    items += [
        (f"org:{_norm_form(o.name)}", f"organization {o.name!r}", o, o.aliases)
        for o in k.organizations
    ]
    for owner_id, label, entry, forms in items:
        for form in forms:
            key = _norm_form(form)
            previous = owners.setdefault(key, (owner_id, label, entry))
            if previous[0] != owner_id:
                raise KnowledgeError(
                    f"alias clash: {form!r} is listed for both {previous[1]}{previous[2]._where()}"
                    f" and {label}{entry._where()}"
                )


# --------------------------------------------------------------------------- loading


class _Layer:
    """The entries of one knowledge file, validated but not yet merged."""

    def __init__(self) -> None:
        self.countries: list[CountryEntry] = []
        self.organizations: list[OrganizationEntry] = []
        self.sectors: dict[str, Sector] = {}
        self.terms: list[SectorTerm] = []
        self.anaphors: list[Anaphor] = []


def _entries(data: dict[str, Any], key: str, model: type[_Entry], name: str) -> list[Any]:
    raw = data.get(key)
    if raw is None:
        return []
    if not isinstance(raw, list):
        raise KnowledgeError(f"{name}: '{key}' must be a list")
    out = []
    for i, item in enumerate(raw):
        entry = validate_entry(item, model, name, f"{key}[{i}]")
        entry._source = name
        out.append(entry)
    return out


def _no_duplicates(entries: list[Any], key: Any, what: str, name: str) -> None:
    seen: set[str] = set()
    for entry in entries:
        k = key(entry)
        if k in seen:
            raise KnowledgeError(f"{name}: {what} {k!r} is listed twice")
        seen.add(k)


def _parse_layer(data: dict[str, Any], name: str) -> _Layer:
    unknown = sorted(set(data) - set(SECTION_KEYS) - {"provenance"})
    if unknown:
        raise KnowledgeError(
            f"{name}: unknown top-level key(s) {', '.join(unknown)};"
            f" expected {', '.join(SECTION_KEYS)}"
        )
    layer = _Layer()
    layer.countries = _entries(data, "countries", CountryEntry, name)
    layer.organizations = _entries(data, "organizations", OrganizationEntry, name)
    layer.terms = _entries(data, "terms", SectorTerm, name)
    layer.anaphors = _entries(data, "anaphors", Anaphor, name)
    _no_duplicates(layer.countries, lambda c: c.iso3, "country", name)
    _no_duplicates(layer.organizations, lambda o: _norm_form(o.name), "organization", name)
    _no_duplicates(layer.terms, lambda t: t.term, "term", name)
    _no_duplicates(layer.anaphors, lambda a: a.term, "anaphor", name)

    sectors = data.get("sectors")
    if sectors is not None:
        if not isinstance(sectors, dict):
            raise KnowledgeError(f"{name}: 'sectors' must be a mapping of code -> meaning")
        for code, meaning in sectors.items():
            if not isinstance(code, str) or not _SECTOR.fullmatch(code):
                raise KnowledgeError(f"{name}: sector codes are 3 uppercase letters, got {code!r}")
            if isinstance(meaning, str):
                meaning = {"meaning": meaning}
            layer.sectors[code] = validate_entry(meaning, Sector, name, f"sectors.{code}")
    return layer


def _overlay(base: dict[str, Any], entries: list[Any], key: Any) -> None:
    """Replace entries with the same key (keeping their position), append new ones."""
    for entry in entries:
        base[key(entry)] = entry


@functools.cache
def _builtin_data(relpath: str) -> dict[str, Any]:
    """Parsed built-in file, read once per process (entries are re-validated on every load,
    so callers never share model instances)."""
    return load_yaml(relpath)


def load_actor_knowledge(paths: Sequence[Path | str] = (), builtin: bool = True) -> ActorKnowledge:
    """Built-in actor knowledge, overlaid with the user files in ``paths`` (in order). With
    ``builtin`` false, only the built-in sector codes are kept: the user files are the whole
    dictionary (as a PETRARCH user's own actors and agents files are).

    Raises :class:`KnowledgeError` if a file is missing, lacks its provenance header, has an
    invalid entry, or if the merged knowledge is inconsistent (alias clash, undeclared sector,
    unknown country).
    """
    layers = [_parse_layer(_builtin_data(rel), f"detente/data/{rel}") for rel in BUILTIN_FILES]
    if not builtin:
        for layer in layers:
            layer.countries, layer.organizations, layer.terms, layer.anaphors = [], [], [], []
    layers += [_parse_layer(load_yaml(Path(p)), str(p)) for p in paths]

    countries: dict[str, CountryEntry] = {}
    organizations: dict[str, OrganizationEntry] = {}
    terms: dict[str, SectorTerm] = {}
    anaphors: dict[str, Anaphor] = {}
    sectors: dict[str, Sector] = {}
    for layer in layers:
        _overlay(countries, layer.countries, lambda c: c.iso3)
        _overlay(organizations, layer.organizations, lambda o: _norm_form(o.name))
        _overlay(terms, layer.terms, lambda t: t.term)
        _overlay(anaphors, layer.anaphors, lambda a: a.term)
        sectors.update(layer.sectors)

    return ActorKnowledge(
        countries=list(countries.values()),
        organizations=list(organizations.values()),
        sector_terms=list(terms.values()),
        anaphors=list(anaphors.values()),
        sectors=sectors,
    )
