"""``detente dict import-petrarch``: a small invented dictionary, and the Phoenix dictionaries."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from detente.cli import app
from detente.knowledge.actors import load_actor_knowledge
from detente.knowledge.codes import load_codebook
from detente.knowledge.patterns import load_patterns
from detente.petrarch.actors import alias_forms
from detente.petrarch.importer import import_petrarch, write_import
from detente.petrarch.read import parse_code

# Invented places and people (Zembla, Odo Krastev, ...); codes follow the CAMEO layout.
ACTORS = """\
# invented actors for detente's tests
ZEMBLA_  [ZEM]
+ZEMBLAN_
+RUSSIA   # clashes with the built-in country

ZEMBLAN_ROYAL_NAVY_ [ZEMMIL]  # an organisation
GREY_COUNCIL [IGOGOV]

ODO_KRASTEV_  # a person
+PRESIDENT_KRASTEV
\t[ZEMREB <990101]
\t[ZEMGOV 19990101-20040322]
\t[ZEMELI >040323]
\t[ZEMELI]

MYSTERY_ENVOY [---]
NAVY_OF_ZEMBLA [ZEMMIL]
+ZEMBLAN_ROYAL_NAVY_
"""

AGENTS = """\
!PERSON! = MAN, MEN
HARBOUR!PERSON! [~LAB]
TIDE_WARDEN {TIDE_WARDENS} [~WRD]
LAMP_KEEPER [~CVL]
PRESS {} [~MED]
PORT_AUTHORITY {} [~GOVPRT]
FLEET_BOSS [ZEM~]
"""

VERBS = """\
&VESSEL
+BARGE
+SKIFF
+PADDLE_STEAMER

--- SCOLD  [111]  ---
SCOLD
BERATE {BERATES BERATED }
+TELL_OFF
+DRESS_DOWN [112]
WIRE_+TAP
- * &VESSEL  [073]  # SCOLD
- * (AGAINST +)  [112]  # SCOLD
- NEITHER *  [081]
- * {ARMS SHIPMENT}  [072]
- * (TO)  [042:043]
- * (WITH)  [999]
- % SAID_WOULD *  [036]
- * UP_ (IN $)  [043]
- * ++ [044]
- * (OVER {PADDLE STEAMER}) [---]
"""

DISCARDS = "# story discards\n+SPORTS_RESULTS\n"


@pytest.fixture(scope="module")
def imported(tmp_path_factory):
    folder = tmp_path_factory.mktemp("dicts")
    for name, text in (
        ("Test.actors.txt", ACTORS),
        ("Test.agents.txt", AGENTS),
        ("Test.verbs.txt", VERBS),
        ("Test.discards.txt", DISCARDS),
        ("Test.notes.txt", "whatever\n"),
    ):
        (folder / name).write_text(text, encoding="utf-8")
    result = import_petrarch([folder], load_actor_knowledge(), load_codebook())
    paths = write_import(result, folder / "out")
    return result, paths


def reasons(result, file: str) -> dict[str, str]:
    """text -> every reason given for it, joined with "; "."""
    out: dict[str, str] = {}
    for f, _, text, why in result.rejected:
        if f == file:
            out[text] = f"{out[text]}; {why}" if text in out else why
    return out


def test_dates_and_codes():
    assert parse_code("RUSGOV >080508").start == date(2008, 5, 8)
    assert parse_code("X <080508").end == date(2008, 5, 7)
    spec = parse_code("X 19870101 - 20040322")
    assert (spec.start, spec.end) == (date(1987, 1, 1), date(2004, 3, 22))
    assert not parse_code("ZEMGOV").dated
    with pytest.raises(ValueError):
        parse_code("X >2008")


def test_alias_forms():
    assert alias_forms(["VLADIMIR", "PUTIN"]) == ["Vladimir Putin"]
    assert alias_forms(["THE", "REPUBLIC", "OF", "ZEMBLA"]) == ["the Republic of Zembla"]
    assert alias_forms(["UN", "ENVOY"]) == ["Un Envoy", "UN Envoy"]
    assert alias_forms(["IMF"]) == ["Imf", "IMF"]


def test_actor_entries(imported):
    result, _ = imported
    actors = result.actors
    [zembla] = actors["countries"]
    assert zembla["iso3"] == "ZEM" and zembla["aliases"] == ["Zembla", "Zemblan"]
    assert "Zemblan" in zembla["aliases"] and "Russia" not in zembla["aliases"]
    orgs = {o["name"]: o for o in actors["organizations"]}
    navy = orgs["Zemblan Royal Navy"]
    assert (navy["code"], navy["country"], navy["sector"], navy["kind"]) == (
        "ZEMMIL",
        "ZEM",
        "MIL",
        "org",
    )
    council = orgs["Grey Council"]
    assert (council["kind"], council["country"], council["sector"]) == ("igo", None, "GOV")
    odo = orgs["Odo Krastev"]
    assert odo["kind"] == "person" and odo["code"] == "ZEMELI"
    assert "President Krastev" in odo["aliases"]
    assert odo["roles"] == [
        {"code": "ZEMREB", "country": "ZEM", "sector": "REB", "end": date(1998, 12, 31)},
        {"code": "ZEMGOV", "country": "ZEM", "sector": "GOV",
         "start": date(1999, 1, 1), "end": date(2004, 3, 22)},
        {"code": "ZEMELI", "country": "ZEM", "sector": "ELI", "start": date(2004, 3, 23)},
    ]  # fmt: skip
    assert result.counts["dated roles"] == 3
    assert orgs["Navy of Zembla"]["aliases"] == ["Navy of Zembla"]
    assert result.counts["actors"] == 5  # Zembla, two navies, the council, Odo Krastev


def test_rejected_actor_lines(imported):
    result, _ = imported
    why = reasons(result, "Test.actors.txt")
    assert "alias clash: already listed for country:RUS" in why["Russia"]
    assert "code '---' is not an actor code" in why["MYSTERY_ENVOY [---]"]
    # the second navy entry's synonym is the first navy's name: dropped, the entry kept
    assert "alias clash: already listed for Zemblan Royal Navy" in why["Zemblan Royal Navy"]
    assert reasons(result, "Test.notes.txt") == {"": "not an actors/agents/discards/verbs file"}
    assert "discards are not converted" in reasons(result, "Test.discards.txt")["+SPORTS_RESULTS"]


def test_agent_terms_and_sectors(imported):
    result, _ = imported
    terms = {t["term"]: t for t in result.actors["terms"]}
    assert terms["harbourman"] == {"term": "harbourman", "sector": "LAB", "kind": "person"}
    assert terms["harbourmen"]["sector"] == "LAB"
    assert terms["tide wardens"] == {"term": "tide wardens", "sector": "WRD", "kind": "people"}
    assert terms["lamp keepers"]["kind"] == "people"  # no braces: the regular plural
    assert "press" in terms and "presses" not in terms  # "{}": no plural
    # a longer agent code is kept whole: ZEM + port authority = ZEMGOVPRT
    assert terms["port authority"] == {
        "term": "port authority",
        "sector": "GOV",
        "kind": "org",
        "code": "GOVPRT",
    }
    assert "WRD" in result.actors["sectors"] and "LAB" not in result.actors["sectors"]
    assert "does not combine after a country" in reasons(result, "Test.agents.txt")["FLEET BOSS"]


def test_verb_patterns(imported):
    result, _ = imported
    scold = [p for p in result.patterns["verbs"] if p["lemmas"] == ["scold", "berate"]]
    pats = {p["code"]: p for p in scold}
    # the block's own code: any object, else the first actor after the verb
    assert pats["111"]["lemmas"] == ["scold", "berate"]
    assert pats["111"]["target"] == ["next"] and "after" not in pats["111"]
    # a synset: one element with every member, multi-word members spaced
    assert pats["073"]["after"] == ["barge|skiff|paddle steamer"]
    assert pats["112"]["after"] == ["against", "<target>"] and "target" not in pats["112"]
    assert pats["081"]["before"] == ["neither"]
    # code pairs: the second code is coded target -> source
    assert (pats["042"]["after"], pats["042"]["reverse_code"]) == (["to"], "043")
    # _ glues words together and to the verb; % is a compound actor coded both ways
    assert pats["036"]["before"] == ["<both>", "said=", "would"]
    assert pats["043"]["after"] == ["up", "in", "<source>"]
    # codes beyond CAMEO are declared, so the pattern file loads on its own
    assert pats["999"]["after"] == ["with"]
    assert {"code": "999", "name": "SCOLD (code of an imported PETRARCH verbs file)"} in (
        result.patterns["codes"]
    )
    # patterns naming more words are tried first; the block's own code last
    order = [p["code"] for p in scold]
    assert order.index("043") < order.index("081") < order.index("111") == len(order) - 1
    assert result.patterns["verbs"][-1] == pats["111"]
    # verbs with words of their own, or a code of their own, get patterns apart
    by_id = {p["id"]: p for p in result.patterns["verbs"]}
    tell = [p for p in by_id.values() if p["lemmas"] == ["tell"]]
    assert {p["code"] for p in tell} == {
        "111",
        "073",
        "112",
        "081",
        "042",
        "999",
        "036",
        "043",
        "072",
        None,
    }
    assert all(p["after"][0] == "=off" for p in tell)
    dress = [p for p in by_id.values() if p["lemmas"] == ["dress"]]
    # its own code, and the block's "(AGAINST +)" pattern that has the same code
    assert {tuple(p["after"]) for p in dress if p["code"] == "112"} == {
        ("=down",),
        ("=down", "against", "<target>"),
    }
    tap = [p for p in by_id.values() if p["lemmas"] == ["tap"]]
    assert [p["before"] for p in tap if p["code"] == "081"] == [["neither", "wire="]]
    why = reasons(result, "Test.verbs.txt")
    # {A B}: words in a row; [---]: a wording that codes nothing (stops the block's code)
    assert pats["072"]["after"] == ["arms", "=shipment"]
    nothing = [p for p in scold if p["code"] is None]
    assert [p["after"] for p in nothing] == [["over", "paddle", "=steamer"]]
    assert "cannot read '++'" in why["- * ++ [044]"]


def test_written_files_load_as_detente_knowledge(imported):
    _, paths = imported
    kb = load_actor_knowledge([paths["actors"]])
    odo = kb.organization("Odo Krastev")
    assert odo.roles[1].holds_on(date(2000, 6, 1)) and odo.roles[1].code == "ZEMGOV"
    assert kb.country("ZEM").name == "Zembla"
    assert kb.sectors["WRD"]
    patterns = load_patterns(load_codebook(), [paths["patterns"]])
    assert any(p.id.startswith("petrarch-scold") for p in patterns.patterns)
    assert yaml.safe_load(paths["actors"].read_text(encoding="utf-8"))["provenance"]["source"]
    assert paths["rejected"].read_text(encoding="utf-8").startswith("file\tline\ttext\treason")


def test_cli_prints_counts(tmp_path):
    (tmp_path / "Mini.actors.txt").write_text("ZEMBLA_ [ZEM]\n", encoding="utf-8")
    out = tmp_path / "out"
    result = CliRunner().invoke(
        app, ["dict", "import-petrarch", str(tmp_path / "Mini.actors.txt"), "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    for label in ("actors", "aliases", "dated roles", "agents", "verb patterns", "rejected"):
        assert label in result.output
    assert (out / "actors.yaml").is_file()


@pytest.mark.model
def test_phoenix_import_codes_putin_as_government(shared, tmp_path):
    from detente.coding.coder import code, load_coder
    from detente.settings import Settings

    phoenix = shared / "eval" / "petrarch2" / "dicts" / "phoenix"
    result = import_petrarch([phoenix], load_actor_knowledge(), load_codebook())
    assert result.counts["actors"] > 20_000 and result.counts["dated roles"] > 20_000
    paths = write_import(result, tmp_path)
    coder = load_coder(Settings(actor_files=[Path(paths["actors"])]))
    text = "Russian President Vladimir Putin met the French ambassador."
    events = code(text, "2015-06-01", coder=coder)
    assert any(a.code == "RUSGOV" for e in events for a in e.source), events
