"""Places and event locations (tests/golden/places.yaml, sentences written for detente)."""

from __future__ import annotations

import pytest
import yaml
from conftest import GOLDEN

from detente.coding.coder import code
from detente.coding.places import find_places
from detente.knowledge.gazetteer import load_gazetteer
from detente.records import MODALITIES
from detente.text import make_article

CASES = yaml.safe_load((GOLDEN / "places.yaml").read_text(encoding="utf-8"))["cases"]


def _fields(obj, spec: dict) -> dict:
    return {k: getattr(obj, k) for k in spec if k not in ("text", "trigger")}


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_golden_place_case(case, coder):
    found = find_places(make_article(case["text"], published="2023-11-16"), coder)
    listing = [(m.span.text, m.place.name, m.place.country, m.is_place) for m in found]
    for spec in case.get("places", []):
        hits = [m for m in found if m.is_place and spec["text"] in m.span.text]
        assert hits, f"{spec['text']} not found as a place: {listing}"
        want = {k: v for k, v in spec.items() if k != "text"}
        assert _fields(hits[0].place, want) == want, listing
    for text in case.get("not_places", []):
        assert not [m for m in found if m.is_place and m.span.text == text], listing
    if "event" in case:
        spec = case["event"]
        events = code(case["text"], "2023-11-16", modalities=MODALITIES, coder=coder)
        located = [e for e in events if e.trigger.text == spec["trigger"]]
        assert located, [e.trigger.text for e in events]
        loc = located[0].location
        assert loc is not None
        want = {k: v for k, v in spec.items() if k != "trigger"}
        assert _fields(loc, want) == want, loc


def test_enough_golden_cases():
    assert len(CASES) >= 30


def test_gazetteer_loads_once_and_indexes_alternate_names():
    gaz = load_gazetteer()
    assert load_gazetteer() is gaz
    assert {p.country for p, _ in gaz.lookup("Rafah")} == {"EGY", "PSE"}
    assert [p.name for p, _ in gaz.lookup("Kiev")] == ["Kyiv"]
    assert gaz.lookup("However") == []


def test_location_offsets_point_into_the_text(coder):
    text = "Kenyan police arrested dozens of protesters in Nairobi."
    events = code(text, "2023-11-16", coder=coder)
    spans = [e.location.text for e in events if e.location and e.location.text]
    assert spans and all(text[s.start : s.end] == s.text for s in spans)


def test_seed_airstrikes_located_in_gaza(shared, coder):
    text = (shared / "seed" / "000_535072f1729582a0.txt").read_text(encoding="utf-8")
    events = code(text, modalities=MODALITIES, coder=coder)
    strikes = [e for e in events if e.trigger.text == "airstrikes"]
    assert strikes, [e.trigger.text for e in events]
    loc = strikes[0].location
    assert loc is not None and loc.country == "PSE" and loc.name == "Gaza", loc
