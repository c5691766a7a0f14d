"""Tests for the built-in actor knowledge and its loader."""

from __future__ import annotations

from pathlib import Path

import pycountry
import pytest

from detente.errors import KnowledgeError
from detente.knowledge.actors import ActorKnowledge, load_actor_knowledge

PROVENANCE = "provenance:\n  source: test\n  license: MIT\n  notes: written by the test\n"


@pytest.fixture(scope="module")
def k() -> ActorKnowledge:
    return load_actor_knowledge()


def _user_file(tmp_path: Path, body: str, name: str = "user.yaml") -> Path:
    path = tmp_path / name
    path.write_text(PROVENANCE + body, encoding="utf-8")
    return path


def _owner_of(k: ActorKnowledge, form: str) -> list[str]:
    """Every country iso3 / organization name listing ``form`` (case-insensitive)."""
    key = form.casefold()
    owners = [c.iso3 for c in k.countries if key in {f.casefold() for f in c.surface_forms()}]
    owners += [o.name for o in k.organizations if key in {a.casefold() for a in o.aliases}]
    return owners


def _term(k: ActorKnowledge, term: str):
    matches = [t for t in k.sector_terms if t.term == term]
    assert len(matches) == 1, f"{term!r}: {matches}"
    return matches[0]


# --------------------------------------------------------------------------- countries


def test_every_iso_country_is_present(k: ActorKnowledge) -> None:
    ours = {c.iso3 for c in k.countries}
    iso = {c.alpha_3 for c in pycountry.countries}
    assert iso - ours == set()
    assert {"PSE", "XKX"} <= ours
    assert len(k.countries) == len(ours)  # no duplicates


def test_most_countries_have_demonym_and_capital(k: ActorKnowledge) -> None:
    n = len(k.countries)
    with_demonym = sum(1 for c in k.countries if c.demonyms)
    with_metonym = sum(1 for c in k.countries if c.metonyms)
    assert with_demonym / n >= 0.95
    assert with_metonym / n >= 0.95
    # major states have both
    for iso3 in ("USA", "RUS", "CHN", "FRA", "GBR", "DEU", "IRN", "ISR", "UKR", "NGA", "BRA"):
        assert k.country(iso3).demonyms and k.country(iso3).metonyms, iso3


@pytest.mark.parametrize(
    ("form", "iso3", "role"),
    [
        ("Moscow", "RUS", "metonyms"),
        ("the Kremlin", "RUS", "metonyms"),
        ("Washington", "USA", "metonyms"),
        ("the White House", "USA", "metonyms"),
        ("the Pentagon", "USA", "military_metonyms"),
        ("Downing Street", "GBR", "metonyms"),
        ("Zhongnanhai", "CHN", "metonyms"),
        ("Jerusalem", "ISR", "metonyms"),
        ("Kyiv", "UKR", "metonyms"),
        ("Kiev", "UKR", "metonyms"),
        ("Ramallah", "PSE", "metonyms"),
        ("the Jewish state", "ISR", "aliases"),
        ("Gaza", "PSE", "aliases"),
        ("the Gaza Strip", "PSE", "aliases"),
        ("the West Bank", "PSE", "aliases"),
        ("U.S.", "USA", "aliases"),
        ("America", "USA", "aliases"),
        ("Britain", "GBR", "aliases"),
        ("Holland", "NLD", "aliases"),
        ("Ivory Coast", "CIV", "aliases"),
        ("Burma", "MMR", "aliases"),
        ("DPRK", "PRK", "aliases"),
        ("the Emirates", "ARE", "aliases"),
        ("Czechia", "CZE", "aliases"),
        ("Kosovo", "XKX", "aliases"),
        ("Saudi", "SAU", "demonyms"),
        ("Emirati", "ARE", "demonyms"),
        ("Palestinian", "PSE", "demonyms"),
        ("Israelis", "ISR", "people"),
    ],
)
def test_country_facts(k: ActorKnowledge, form: str, iso3: str, role: str) -> None:
    assert form in getattr(k.country(iso3), role)
    assert _owner_of(k, form) == [iso3]


def test_ambiguous_forms_belong_to_one_country(k: ActorKnowledge) -> None:
    assert _owner_of(k, "Congo") == ["COD"]
    assert _owner_of(k, "Georgia") == ["GEO"]
    assert _owner_of(k, "Congo Republic") == ["COG"]


def test_country_lookup(k: ActorKnowledge) -> None:
    assert k.country("rus").name == "Russia"
    with pytest.raises(KnowledgeError, match="XXX"):
        k.country("XXX")


# --------------------------------------------------------------------------- organizations


def test_hamas(k: ActorKnowledge) -> None:
    hamas = k.organization("Hamas")
    assert (hamas.kind, hamas.country, hamas.sector, hamas.code) == (
        "armed_group",
        "PSE",
        "REB",
        "PSEREB",
    )
    assert hamas.phoenix_code == "PSEREBHMS"
    assert _owner_of(k, "Islamic Resistance Movement") == ["Hamas"]


@pytest.mark.parametrize(
    ("alias", "country", "kind", "sector"),
    [
        ("Hezbollah", "LBN", "armed_group", "REB"),
        ("Houthis", "YEM", "armed_group", "REB"),
        ("Ansar Allah", "YEM", "armed_group", "REB"),
        ("ISIS", None, "armed_group", "REB"),
        ("Daesh", None, "armed_group", "REB"),
        ("al-Shabaab", "SOM", "armed_group", "REB"),
        ("Boko Haram", "NGA", "armed_group", "REB"),
        ("Taliban", "AFG", "armed_group", "REB"),
        ("RSF", "SDN", "armed_group", "REB"),
        ("PKK", "TUR", "armed_group", "REB"),
        ("M23", "COD", "armed_group", "REB"),
        ("TPLF", "ETH", "armed_group", "REB"),
        ("HTS", "SYR", "armed_group", "REB"),
        ("Fatah", "PSE", "org", "PTY"),
        ("IRGC", "IRN", "org", "MIL"),
        ("Mossad", "ISR", "org", "SPY"),
        ("IDF", "ISR", "org", "MIL"),
        ("Wagner Group", "RUS", "armed_group", "UAF"),
        ("ICRC", None, "org", "NGO"),
        ("Amnesty International", None, "org", "NGO"),
        ("MSF", None, "org", "NGO"),
    ],
)
def test_organization_facts(
    k: ActorKnowledge, alias: str, country: str | None, kind: str, sector: str
) -> None:
    (owner,) = _owner_of(k, alias)
    org = k.organization(owner)
    assert (org.country, org.kind, org.sector) == (country, kind, sector)


@pytest.mark.parametrize(
    ("alias", "code"),
    [
        ("UN Security Council", "IGOUNO"),
        ("UNSC", "IGOUNO"),
        ("United Nations", "IGOUNO"),
        ("U.N.", "IGOUNO"),
        ("NATO", "IGOWSTNAT"),
        ("European Union", "IGOEUREEC"),
        ("Brussels", "IGOEUREEC"),
        ("UNHCR", "IGOUNOREFHCR"),
        ("WHO", "IGOUNOHLHWHO"),
        ("IAEA", "IGOUNOIAE"),
        ("ICC", "IGOJUDICC"),
        ("Arab League", "IGOMEAARL"),
        ("African Union", "IGOAFRAFU"),
    ],
)
def test_igo_facts(k: ActorKnowledge, alias: str, code: str) -> None:
    (owner,) = _owner_of(k, alias)
    org = k.organization(owner)
    assert org.kind == "igo"
    assert org.code == code
    assert org.country is None


def test_organization_codes_are_uniform(k: ActorKnowledge) -> None:
    for org in k.organizations:
        assert org.code.isupper()
        if org.kind == "igo":
            assert org.code.startswith("IGO"), org.name
        elif not org.code.startswith("IMG"):
            assert org.code == (org.country or "") + (org.sector or ""), org.name


def test_isis_is_transnational(k: ActorKnowledge) -> None:
    isis = k.organization("Islamic State")
    assert isis.country is None
    assert isis.code == "IMGMUSISI"


# --------------------------------------------------------------------------- sectors, terms


@pytest.mark.parametrize(
    ("term", "sector", "kind"),
    [
        ("deputy foreign minister", "GOV", "person"),
        ("deputy foreign ministers", "GOV", "people"),
        ("foreign ministry", "GOV", "org"),
        ("minister of foreign affairs", "GOV", "person"),
        ("health ministry", "HLH", "org"),
        ("defense forces", "MIL", "org"),
        ("defence forces", "MIL", "org"),
        ("defence minister", "GOV", "person"),
        ("officials", "GOV", "people"),
        ("official", "GOV", "person"),
        ("ambassador", "GOV", "person"),
        ("embassy", "GOV", "org"),
        ("spokesperson", "GOV", "person"),
        ("lawmakers", "LEG", "people"),
        ("parliament", "LEG", "org"),
        ("judge", "JUD", "person"),
        ("prosecutors", "JUD", "people"),
        ("police officers", "COP", "people"),
        ("troops", "MIL", "people"),
        ("soldier", "MIL", "person"),
        ("air force", "MIL", "org"),
        ("intelligence", "SPY", "org"),
        ("militants", "REB", "people"),
        ("militant group", "REB", "armed_group"),
        ("terror group", "REB", "armed_group"),
        ("gunmen", "REB", "people"),
        ("opposition", "OPP", "org"),
        ("protesters", "CVL", "people"),
        ("refugees", "REF", "people"),
        ("journalists", "MED", "people"),
        ("companies", "BUS", "org"),
        ("trade unions", "LAB", "org"),
        ("doctors", "HLH", "people"),
        ("students", "EDU", "people"),
        ("aid groups", "NGO", "org"),
        ("representatives", None, "people"),
        ("delegation", None, "people"),
        ("leaders", None, "people"),
    ],
)
def test_sector_terms(k: ActorKnowledge, term: str, sector: str | None, kind: str) -> None:
    t = _term(k, term)
    assert (t.sector, t.kind) == (sector, kind)


def test_sector_terms_are_lowercase_and_plentiful(k: ActorKnowledge) -> None:
    assert len(k.sector_terms) >= 300
    assert all(t.term == t.term.lower() for t in k.sector_terms)
    assert len({t.term for t in k.sector_terms}) == len(k.sector_terms)
    used = {t.sector for t in k.sector_terms} - {None}
    assert used <= set(k.sectors)


def test_anaphors(k: ActorKnowledge) -> None:
    by_term = {a.term: a for a in k.anaphors}
    assert by_term["the group"].refers_to == "armed_group"
    assert by_term["the bloc"].refers_to == "igo"
    assert by_term["the alliance"].refers_to == "igo"
    assert (by_term["the ministry"].refers_to, by_term["the ministry"].sector) == ("org", "GOV")
    assert by_term["the country"].refers_to == "state"
    assert "the jewish state" not in by_term


# --------------------------------------------------------------------------- user overlays


def test_user_file_overrides_country(tmp_path: Path) -> None:
    path = _user_file(
        tmp_path,
        "countries:\n"
        "  - iso3: RUS\n"
        "    name: Russian Federation\n"
        "    aliases: [Russia, Rossiya]\n"
        "    metonyms: [Moscow]\n",
    )
    k = load_actor_knowledge([path])
    rus = k.country("RUS")
    assert rus.name == "Russian Federation"
    assert rus.aliases == ["Russia", "Rossiya"]
    assert "the Kremlin" not in rus.metonyms
    assert len([c for c in k.countries if c.iso3 == "RUS"]) == 1
    assert len(k.countries) == len(load_actor_knowledge().countries)


def test_user_file_overrides_organization_and_adds_sector(tmp_path: Path) -> None:
    path = _user_file(
        tmp_path,
        "sectors:\n  XYZ: a test sector\n"
        "organizations:\n"
        "  - {name: taliban, code: AFGGOV, kind: org, country: AFG, sector: GOV,"
        " aliases: [Taliban, the Taliban]}\n"
        "  - {name: Test Group, code: FRAXYZ, kind: armed_group, country: FRA, sector: XYZ,"
        " aliases: [Test Group]}\n"
        "terms:\n  - {term: Deputy Foreign Minister, sector: XYZ, kind: person}\n",
    )
    k = load_actor_knowledge([path])
    taliban = k.organization("Taliban")
    assert (taliban.code, taliban.sector, taliban.kind) == ("AFGGOV", "GOV", "org")
    assert k.organization("Test Group").sector == "XYZ"
    assert _term(k, "deputy foreign minister").sector == "XYZ"  # normalized, replaced


def test_alias_clash_in_user_file_names_both(tmp_path: Path) -> None:
    path = _user_file(
        tmp_path,
        "organizations:\n"
        "  - {name: Moscow Group, code: RUSREB, kind: armed_group, country: RUS,"
        " sector: REB, aliases: [moscow]}\n",
    )
    with pytest.raises(KnowledgeError) as err:
        load_actor_knowledge([path])
    message = str(err.value)
    assert "clash" in message
    assert "country RUS" in message
    assert "Moscow Group" in message
    assert str(path) in message


def test_alias_clash_between_two_user_countries(tmp_path: Path) -> None:
    first = _user_file(
        tmp_path, "countries:\n  - {iso3: AAA, name: Aland, aliases: [Freedonia]}\n", "a.yaml"
    )
    second = _user_file(
        tmp_path, "countries:\n  - {iso3: BBB, name: Bland, aliases: [FREEDONIA]}\n", "b.yaml"
    )
    with pytest.raises(KnowledgeError, match=r"AAA.*BBB"):
        load_actor_knowledge([first, second])


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        ("countries:\n  - {iso3: Rus, name: X, aliases: [X]}\n", "iso3"),
        ("countries:\n  - {iso3: ZZZZ, name: X, aliases: [X]}\n", "iso3"),
        (
            "organizations:\n  - {name: X, code: fraReb, kind: org, aliases: [Xx]}\n",
            "uppercase",
        ),
        (
            "organizations:\n  - {name: X, code: FRAQQQ, kind: org, country: FRA,"
            " sector: QQQ, aliases: [Xx]}\n",
            "QQQ",
        ),
        (
            "organizations:\n  - {name: X, code: QQQREB, kind: org, country: QQQ,"
            " sector: REB, aliases: [Xx]}\n",
            "unknown country",
        ),
        (
            "organizations:\n  - {name: X, code: FRAREB, kind: militia, aliases: [Xx]}\n",
            "kind",
        ),
        ("terms:\n  - {term: chief plumber, sector: PLU, kind: person}\n", "PLU"),
        ("terms:\n  - {term: chief plumber, sector: GOV, kind: plumber}\n", "kind"),
        ("anaphors:\n  - {term: the outfit, refers_to: gang}\n", "refers_to"),
        ("countries:\n  - {iso3: FRA, name: France, aliases: [France], colour: blue}\n", "colour"),
        ("actors: []\n", "unknown top-level"),
        (
            "terms:\n  - {term: plumber, sector: GOV, kind: person}\n"
            "  - {term: Plumber, sector: GOV, kind: person}\n",
            "twice",
        ),
    ],
)
def test_invalid_user_files(tmp_path: Path, body: str, fragment: str) -> None:
    path = _user_file(tmp_path, body)
    with pytest.raises(KnowledgeError, match=fragment):
        load_actor_knowledge([path])


def test_user_file_needs_provenance(tmp_path: Path) -> None:
    path = tmp_path / "bare.yaml"
    path.write_text("countries: []\n", encoding="utf-8")
    with pytest.raises(KnowledgeError, match="provenance"):
        load_actor_knowledge([path])


def test_missing_user_file(tmp_path: Path) -> None:
    with pytest.raises(KnowledgeError):
        load_actor_knowledge([tmp_path / "nope.yaml"])


def test_loads_are_independent() -> None:
    first = load_actor_knowledge()
    first.country("FRA").aliases.append("Gaul")
    assert "Gaul" not in load_actor_knowledge().country("FRA").aliases


def test_pair_anaphors(k: ActorKnowledge, tmp_path: Path) -> None:
    pairs = {a.term: a for a in k.anaphors if a.both}
    assert pairs["the two sides"].refers_to is None
    assert pairs["the two countries"].refers_to == "state"
    # only a pair anaphor may leave its antecedent's kind open
    bad = _user_file(tmp_path, "anaphors:\n  - {term: the other one, refers_to: null}\n")
    with pytest.raises(KnowledgeError, match="refers_to"):
        load_actor_knowledge([bad])


def test_term_codes_extend_their_sector(tmp_path: Path) -> None:
    good = _user_file(
        tmp_path, "terms:\n  - {term: port authority, sector: GOV, kind: org, code: GOVPRT}\n"
    )
    term = next(t for t in load_actor_knowledge([good]).sector_terms if t.term == "port authority")
    assert term.code == "GOVPRT"
    bad = _user_file(
        tmp_path, "terms:\n  - {term: port authority, sector: GOV, kind: org, code: BUSPRT}\n"
    )
    with pytest.raises(KnowledgeError, match="must begin with the sector"):
        load_actor_knowledge([bad])


def test_sector_properties(k: ActorKnowledge, tmp_path: Path) -> None:
    national = k.sectors_with("national")
    assert {"GOV", "COP", "MIL"} <= national and not {"REB", "IGO", "NGO"} & national
    assert {"REB", "UAF"} <= k.sectors_with("armed")
    assert {"IGO", "GOV"} <= k.sectors_with("transnational")
    path = _user_file(tmp_path, "sectors:\n  XYZ: {meaning: a test sector, national: true}\n")
    assert "XYZ" in load_actor_knowledge([path]).sectors_with("national")


# --------------------------------------------------------------------------- one schema per file


def _cameo_with(tmp_path: Path, body: str) -> Path:
    from importlib import resources

    text = resources.files("detente").joinpath("data/codes/cameo.csv").read_text("utf-8")
    old = "\n190,Use conventional military force,19,1,-10.0,"
    assert old in text
    path = tmp_path / "cameo.csv"
    path.write_text(text.replace(old, "\n190,Use conventional military force,19,1," + body, 1))
    return path


def _load_codebook_cameo(path: Path) -> None:
    from detente.knowledge.codes import load_codebook

    load_codebook(cameo_path=path)


def _load_codebook_plover(path: Path) -> None:
    from detente.knowledge.codes import load_codebook

    load_codebook(plover_path=path)


def _load_user_patterns(path: Path) -> None:
    from detente.knowledge.codes import load_codebook
    from detente.knowledge.patterns import load_patterns

    load_patterns(load_codebook(), [path])


def _validated(model_path: str):
    """A loader validating a tmp file with the schema ``module:Model``."""

    def load(path: Path) -> None:
        import importlib

        from detente.knowledge.files import load_validated

        module, name = model_path.split(":")
        load_validated(path, getattr(importlib.import_module(module), name))

    return load


def _load_user_actors(path: Path) -> None:
    load_actor_knowledge([path])


BROKEN_FILES = {
    "plover": (
        _load_codebook_plover,
        "events:\n  AGREE: {definition: agree, modes: 5}\ncontexts: [military]\n",
        "events.AGREE.modes",
    ),
    "actors": (
        _load_user_actors,
        "terms:\n  - {term: chief plumber, sector: GOV, kind: plumber}\n",
        "terms[0] (chief plumber).kind",
    ),
    "actor sector": (
        _load_user_actors,
        "sectors:\n  XYZ: {meaning: a sector, national: perhaps}\n",
        "sectors.XYZ.national",
    ),
    "user patterns": (
        _load_user_patterns,
        "verbs:\n  - {id: expel, lemmas: [expel], code: '1661', target: [nowhere]}\n",
        "verbs[0] (expel).target",
    ),
    "verbs": (
        _validated("detente.knowledge.patterns:VerbsFile"),
        "patterns:\n  - {id: x, lemmas: [], code: '010'}\n",
        "patterns[0] (x).lemmas",
    ),
    "nouns": (
        _validated("detente.knowledge.patterns:NounsFile"),
        "light_verbs: [conduct]\npatterns:\n  - {id: y, lemmas: [raid], code: '190', pos: VERB}\n",
        "patterns[0] (y).pos",
    ),
    "modality": (
        _validated("detente.knowledge.patterns:Modality"),
        "negating_heads: [fail]\nfuture_aux: 3\nhypothetical_aux: []\nhypothetical_marks: []\n"
        "intent_heads: []\nrequest_heads: []\ntransparent_heads: []\n",
        "future_aux",
    ),
    "irregular": (
        _validated("detente.knowledge.patterns:IrregularFile"),
        "forms:\n  meet: [met]\n  hold: {held: 1}\n",
        "forms.hold",
    ),
    "contexts": (
        _validated("detente.knowledge.contexts:ContextsFile"),
        "contexts:\n  military: [troops, 7]\n",
        "contexts.military[1]",
    ),
    "lexicon": (
        _validated("detente.knowledge.lexicon:LexiconFile"),
        "reporting_verbs: {}\nattribution_phrases: []\nhedges: {'reportedly': maybe}\n"
        "counts: {}\nunits: []\nnumbers: {}\nmultipliers: {}\nvague: {}\n",
        "hedges.reportedly",
    ),
    "places": (
        _validated("detente.knowledge.gazetteer:PlacesFile"),
        "regions:\n  - {name: Test Bay, names: [Test Bay], country: XYZ, lon: 1.0,"
        " feature: region}\n"
        "not_places: []\nlocative_preps: [in]\nterritory_nouns: []\nphysical_verbs: []\n",
        "regions[0] (Test Bay).lat",
    ),
    "samples": (
        _validated("detente.knowledge.samples:SamplesFile"),
        "articles:\n  - {id: s1, title: A title}\n",
        "articles[0] (s1).text",
    ),
    "petrarch codes": (
        _validated("detente.petrarch.actors:PetrarchCodes"),
        "not_countries: [NGM]\narmed: [INS]\norg_nouns: [ministry, {x: 1}]\n",
        "org_nouns[1]",
    ),
}


@pytest.mark.parametrize("kind", sorted(BROKEN_FILES))
def test_a_broken_file_names_the_file_and_the_entry(tmp_path: Path, kind: str) -> None:
    load, body, entry = BROKEN_FILES[kind]
    path = _user_file(tmp_path, body)
    with pytest.raises(KnowledgeError) as err:
        load(path)
    assert str(path) in str(err.value) and entry in str(err.value), str(err.value)


def test_a_broken_cameo_row_names_the_file_and_the_row(tmp_path: Path) -> None:
    path = _cameo_with(tmp_path, "-12.0,")
    with pytest.raises(KnowledgeError) as err:
        _load_codebook_cameo(path)
    message = str(err.value)
    assert str(path) in message and "(190).goldstein" in message, message
