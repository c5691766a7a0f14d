"""The CAMEO/PLOVER code tables: shipped data, lookups and validation of bad files."""

from __future__ import annotations

import csv
from importlib import resources
from pathlib import Path

import pytest

from detente.errors import KnowledgeError
from detente.knowledge.codes import Codebook, load_codebook
from detente.records import Cameo, Plover

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
REFERENCE = SHARED / "reference" / "cameo_codes.csv"


@pytest.fixture(scope="module")
def book() -> Codebook:
    return load_codebook()


def package_file(name: str) -> str:
    return resources.files("detente").joinpath("data", "codes", name).read_text(encoding="utf-8")


def test_counts(book: Codebook) -> None:
    codes = book.codes()
    assert len(codes) == len(set(codes)) == 312
    roots = {book.root_of(c) for c in codes}
    assert roots == {f"{n:02d}" for n in range(1, 21)}
    assert all(book.has(r) for r in roots)


def test_known_facts(book: Codebook) -> None:
    fight = book.cameo("190")
    assert isinstance(fight, Cameo)
    assert (fight.root, fight.quad_class) == ("19", 4)
    assert fight.goldstein < 0
    assert book.plover("040").event == "CONSULT"
    assert book.plover("181") == Plover(event="ASSAULT", mode="abduct", context=[])
    assert book.plover("094").context == ["military", "legal"]
    assert book.cameo("057").goldstein == 8.0
    assert book.cameo("0874").goldstein == 10.0
    assert book.cameo("1823").goldstein == -10.0


def test_quad_class_follows_icews_root_grouping(book: Codebook) -> None:
    expected = {range(1, 6): 1, range(6, 9): 2, range(9, 14): 3, range(14, 21): 4}
    for code in book.codes():
        root = int(book.root_of(code))
        quad = next(q for r, q in expected.items() if root in r)
        assert book.cameo(code).quad_class == quad, code


def test_roots_01_02_have_own_mapping(book: Codebook) -> None:
    assert book.plover("015").event == "CONCEDE"
    assert book.plover("016").event == "REJECT"
    assert book.plover("012").event == "ACCUSE"
    assert {book.plover(c).event for c in ("013", "018")} == {"SUPPORT"}
    assert {book.plover(c).event for c in ("010", "011", "017")} == {"OTHER"}
    appeals = [c for c in book.codes() if c.startswith("02")]
    assert len(appeals) == 28
    assert {book.plover(c).event for c in appeals} == {"REQUEST"}
    assert book.plover("0233") == Plover(event="REQUEST", mode="assist", context=["humanitarian"])
    assert book.plover("026").mode == "meet"


def test_every_code_maps_to_declared_plover(book: Codebook) -> None:
    for code in book.codes():
        p = book.plover(code)
        assert p.event in book.events, code
        assert p.mode is None or p.mode in book.events[p.event].modes, code
        assert set(p.context) <= set(book.contexts), code


def test_plover_extra_contexts_union_is_ordered_and_deduped(book: Codebook) -> None:
    p = book.plover("196", extra_contexts=["military", "humanitarian", "legal", "humanitarian"])
    assert p.context == ["legal", "military", "humanitarian"]
    with pytest.raises(KnowledgeError, match="no_such_context"):
        book.plover("196", extra_contexts=["no_such_context"])


def test_unknown_code(book: Codebook) -> None:
    assert not book.has("999")
    for call in (book.cameo, book.plover, book.root_of):
        with pytest.raises(KnowledgeError, match="999"):
            call("999")


def test_provenance_headers(book: Codebook) -> None:
    header = package_file("cameo.csv").split("\ncode,")[0]
    for key in ("source", "license", "goldstein_rule", "quad_class_rule", "root_01_rule"):
        assert f"# {key}: " in header
    assert "MIT" in header
    assert {"source", "license", "notes"} <= set(book.provenance)


def test_loads_are_independent() -> None:
    assert load_codebook() is not load_codebook()


def test_goldstein_matches_chosen_source_column(book: Codebook) -> None:
    if not REFERENCE.exists():
        pytest.skip(f"reference data absent: {REFERENCE} (only in the developers' checkout)")
    with REFERENCE.open(encoding="utf-8") as fh:
        reference = {r["cameo_code"]: r for r in csv.DictReader(fh)}
    assert set(reference) == set(book.codes())
    for code, row in reference.items():
        entry = book.entry(code)
        first = next(s for s in ("gdelt", "icews", "phoenix") if row[f"goldstein_{s}"])
        assert entry.goldstein_source == first, code
        assert entry.goldstein == float(row[f"goldstein_{first}"]), code
        assert entry.quad_class == int(row["quadclass_icews_r"]), code
        assert entry.name == row["name"].strip(), code
    assert book.entry("1213").goldstein_source == "icews"


# --- corrupted files -------------------------------------------------------------------------


def _write_bad(tmp_path: Path, old: str, new: str) -> Path:
    text = package_file("cameo.csv")
    assert old in text
    path = tmp_path / "cameo.csv"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("\n190,Use conventional military force,19,1,-10.0,", "\n190,X,19,1,-12.0,", "goldstein"),
        ("\n190,Use conventional military force,19,1,", "\n190,X,18,1,", "bad root"),
        (",-10.0,gdelt,4,ASSAULT,,military\n", ",-10.0,gdelt,5,ASSAULT,,military\n", "quad_class"),
        (",4,ASSAULT,abduct,\n", ",4,ASSAULT,kidnap,\n", "kidnap"),
        (",4,ASSAULT,abduct,\n", ",4,ASSAULTX,abduct,\n", "ASSAULTX"),
        ("ASSAULT,,military\n", "ASSAULT,,martial\n", "martial"),
        ("\n0874,", "\n0873,", "duplicate CAMEO code 0873"),
        ("\n# license: ", "\n# licence: ", "license"),
    ],
)
def test_corrupted_cameo_file_is_rejected(tmp_path: Path, old: str, new: str, message: str) -> None:
    with pytest.raises(KnowledgeError, match=message):
        load_codebook(cameo_path=_write_bad(tmp_path, old, new))


def test_missing_row_is_rejected(tmp_path: Path) -> None:
    lines = package_file("cameo.csv").splitlines(keepends=True)
    path = tmp_path / "cameo.csv"
    path.write_text("".join(line for line in lines if not line.startswith("2042,")), "utf-8")
    with pytest.raises(KnowledgeError, match="expected 312 CAMEO codes, found 311"):
        load_codebook(cameo_path=path)


def test_plover_vocabulary_must_declare_used_events(tmp_path: Path) -> None:
    text = package_file("plover.yaml").replace("  OTHER:\n", "  UNUSED:\n")
    path = tmp_path / "plover.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(KnowledgeError, match="undeclared PLOVER event OTHER"):
        load_codebook(plover_path=path)
