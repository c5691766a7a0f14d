"""Word-order pattern constraints (``before``/``after``, actor slots, code pairs, user codes)."""

from __future__ import annotations

import textwrap

import pytest

from detente.coding.coder import code, load_coder
from detente.knowledge.codes import UserCode, load_codebook
from detente.knowledge.wordorder import match, parse_element
from detente.settings import Settings


def forms(text: str) -> list[tuple[str, str]]:
    return [(w.lower(), w.lower()) for w in text.split()]


def test_elements_parse_alternatives_glue_and_slots():
    el = parse_element("=swiss francs|euros", "after")
    assert el.glued and el.alternatives == (("swiss", "francs"), ("euros",))
    assert parse_element("plan=", "before").glued
    assert not parse_element("plan=", "after").glued
    assert parse_element("<target>", "after").slot == "target"
    with pytest.raises(ValueError):
        parse_element("a||b", "after")


def test_gaps_glue_and_slots():
    words = forms("Ruritania did not really sign the new trade pact with Freedonia")
    sign = 4
    after = [parse_element(e, "after") for e in ("trade", "=pact", "with", "<target>")]
    found = match(words, sign, [], after)
    assert found is not None and found.slots == {"target": (10, 1)}
    assert found.used == {7, 8, 9}
    # glued to the verb: "pact" does not follow "sign" directly
    assert match(words, sign, [], [parse_element("=pact", "after")]) is None
    # before: in order, gaps allowed unless glued to the verb
    assert match(words, sign, [parse_element("did", "before")], []) is not None
    assert match(words, sign, [parse_element("not=", "before")], []) is None
    assert match(words, sign, [parse_element("really=", "before")], []) is not None
    # after-elements must start within the limit (the trigger's phrase)
    assert match(words, sign, [], [parse_element("freedonia", "after")], limit=9) is None


def test_user_codes_take_their_cameo_prefix():
    book = load_codebook().with_codes(
        [UserCode(code="0878", name="return of a ship"), UserCode(code="912", name="toy")]
    )
    ship = book.cameo("0878")
    assert (ship.root, ship.goldstein) == ("08", book.cameo("087").goldstein)
    assert book.plover("0878").event == book.plover("087").event
    toy = book.cameo("912")
    assert (toy.goldstein, toy.quad_class) == (None, None)
    assert book.plover("912").event == "OTHER"


PATTERNS = """\
provenance: {source: test patterns written for detente's tests, license: MIT}
codes:
  - {code: "0878", name: returned a vessel}
verbs:
  - {id: t-neg, lemmas: [clash], code: "0878", before: ["not="], target: [obj, next]}
  - {id: t-money, lemmas: [give], code: "071", after: ["dollars|euros"], target: [obj, next]}
  - {id: t-nothing, lemmas: [give], code: null, after: ["warning"]}
  - {id: t-give, lemmas: [give], code: "070", target: [obj, next]}
  - {id: t-slot, lemmas: [host], code: "042", after: ["<source>", "in"], before: ["<target>"]}
  - {id: t-both, lemmas: [attend], code: "036", before: ["<both>", "have"]}
  - {id: t-arrive, lemmas: [arrive], code: "032", reverse_code: "033", target: [next]}
  - {id: t-cordon, lemmas: [cordon], code: "1721", after: ["=off"], target: [next]}
"""


@pytest.fixture(scope="module")
def phrase_coder(tmp_path_factory):
    path = tmp_path_factory.mktemp("phr") / "patterns.yaml"
    path.write_text(textwrap.dedent(PATTERNS), encoding="utf-8")
    return load_coder(Settings(pattern_files=[path], builtin_patterns=False))


def coded(text: str, coder) -> set[tuple[str, str, str, str]]:
    events = code(text, "2024-03-01", coder=coder, modalities=("asserted", "future", "negated"))
    return {
        (e.cameo.code, e.source[0].code, e.target[0].code, e.modality)
        for e in events
        if e.source and e.target
    }


@pytest.mark.model
def test_a_pattern_that_names_the_negation_codes_it_as_asserted(phrase_coder):
    assert coded("Chile did not clash with Peru over fishing rights.", phrase_coder) == {
        ("0878", "CHL", "PER", "asserted")
    }
    assert coded("Chile clashed with Peru over fishing rights.", phrase_coder) == set()


@pytest.mark.model
def test_after_words_select_the_pattern(phrase_coder):
    assert ("071", "NOR", "KEN", "asserted") in coded(
        "Norway gave Kenya ten million dollars for schools.", phrase_coder
    )
    # a wording that codes nothing stops the general pattern after it
    assert coded("Norway gave Kenya a warning.", phrase_coder) == set()
    assert coded("Norway gave Kenya a loan.", phrase_coder) == {("070", "NOR", "KEN", "asserted")}


@pytest.mark.model
def test_slots_place_source_and_target(phrase_coder):
    # "<target> hosted <source> in": the one hosted is the source of the praise code
    got = coded("Egypt hosted Jordan in Cairo for talks.", phrase_coder)
    assert ("042", "JOR", "EGY", "asserted") in got


@pytest.mark.model
def test_compound_slot_and_code_pairs(phrase_coder):
    both = coded("Chile and Peru have attended the summit.", phrase_coder)
    assert {("036", "CHL", "PER", "asserted"), ("036", "PER", "CHL", "asserted")} <= both
    got = coded("The Chilean president arrived in Peru on Monday.", phrase_coder)
    assert ("032", "CHLGOV", "PER", "asserted") in got
    assert ("033", "PER", "CHLGOV", "asserted") in got


@pytest.mark.model
def test_a_form_the_lemmatizer_misses_still_finds_its_pattern(phrase_coder):
    # the model lemmatizes "cordoned" as "cordone"; the form is a regular inflection of "cordon"
    got = coded("Kenyan police cordoned off the Somali embassy on Friday.", phrase_coder)
    assert ("1721", "KENCOP", "SOMGOV", "asserted") in got
