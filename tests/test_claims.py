"""Claims and counts (tests/golden/claims.yaml, written for detente)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
import yaml
from conftest import GOLDEN

from detente.claims.claims import analyse
from detente.coding.coder import code
from detente.text import make_article

CASES = yaml.safe_load((GOLDEN / "claims.yaml").read_text(encoding="utf-8"))["cases"]


def _claim_ok(c, spec) -> bool:
    who = c.claimant
    checks = [
        "claimant" not in spec or (who is not None and who.text == spec["claimant"]),
        "country" not in spec or (who is not None and who.country == spec["country"]),
        "cue" not in spec or c.cue.lower() == spec["cue"],
        "stance" not in spec or c.stance == spec["stance"],
        "about" not in spec or spec["about"] in (c.about or ""),
        set(spec.get("hedges", [])) <= {h.text for h in c.hedges},
    ]
    return all(checks)


def _count_ok(n, spec) -> bool:
    checks = [n.category == spec["category"], n.low == spec["low"], n.high == spec["high"]]
    checks.append("unit" not in spec or n.unit == spec["unit"])
    checks.append("claimant" not in spec or (n.claimant and n.claimant.text == spec["claimant"]))
    checks.append(set(spec.get("hedges", [])) <= {h.text for h in n.hedges})
    return all(checks)


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_golden_claim_case(case, coder):
    result = analyse(make_article(case["text"], published="2023-11-16"), coder)
    listing = result.model_dump(exclude={"claims": {"__all__": {"text"}}})
    for spec in case.get("claims", []):
        assert any(_claim_ok(c, spec) for c in result.claims), (spec, listing)
    for spec in case.get("counts", []):
        assert any(_count_ok(n, spec) for n in result.counts), (spec, listing)
    if case.get("no_counts"):
        assert not result.counts, listing
    for word in case.get("no_claims_by", []):
        assert not [c for c in result.claims if c.claimant and word in c.claimant.text.lower()]


def test_enough_golden_cases():
    assert len(CASES) >= 20


def test_spans_point_into_the_text(coder):
    text = "Six civilians were reportedly killed in the shelling, Ukrainian officials said."
    result = analyse(make_article(text), coder)
    assert result.counts and result.claims
    for n in result.counts:
        assert text[n.text.start : n.text.end] == n.text.text
        for h in n.hedges:
            assert text[h.start : h.end] == h.text


def test_counts_link_to_events(coder):
    text = "Israeli troops arrested 12 Palestinians in Jenin, the army said."
    events = code(text, "2023-11-16", coder=coder)
    result = analyse(make_article(text, published="2023-11-16"), coder, events)
    assert events and result.counts
    assert result.counts[0].event == events[0].id


def test_seed_casualty_figures_claim(shared, coder):
    text = (shared / "seed" / "000_535072f1729582a0.txt").read_text(encoding="utf-8")
    result = analyse(make_article(text), coder)
    hits = [
        c
        for c in result.claims
        if c.claimant is not None
        and c.claimant.text == "Gaza’s Hamas-run health ministry"
        and c.claimant.country == "PSE"
    ]
    assert hits, [c.claimant for c in result.claims]
    hedges = {h.text for h in hits[0].hedges}
    assert "cannot be independently verified" in hedges, hedges
    assert "casualty figures" in (hits[0].about or "")


def _coded(coder, text: str):
    article = make_article(text, published="2024-03-05")
    [(_, events, actors)] = list(coder.code_with_actors([article]))
    return article, events, actors


def test_analysis_from_the_coders_actors_needs_no_nlp(coder):
    text = (
        "Kenyan police said that Somali militants abducted two aid workers near Mandera. "
        "According to Kenyan officials, at least 14 people were killed in the raid."
    )
    article, events, actors = _coded(coder, text)
    assert [s.text for s in actors.sentences] == [
        text[s.start : s.end] for s in actors.sentences
    ] and len(actors.sentences) == 2
    assert actors.mentions == coder.mentions(article)  # what a separate pass would find
    # a stand-in with the lexicon only: any NLP or actor matching would fail on it
    lexicon_only = SimpleNamespace(lexicon=coder.lexicon)
    reused = analyse(article, lexicon_only, events, actors)
    assert reused == analyse(article, coder, events)
    assert len(reused.claims) == 2 and len(reused.counts) == 2
    with pytest.raises(AttributeError):
        analyse(article, lexicon_only, events)


def test_claims_link_to_the_event_they_are_about(coder):
    text = (
        "Norway's foreign ministry said that Iran detained two Norwegian journalists in Tehran. "
        "Chile accused Peru of spying, and Peru expelled 3 Chilean diplomats, Peruvian officials "
        "said. The weather in Lima was mild on Sunday, Chilean officials said."
    )
    article, events, actors = _coded(coder, text)
    by_code = {e.cameo.code[:3]: e.id for e in events}
    assert {"173", "112", "161"} <= set(by_code), by_code
    result = analyse(article, coder, events, actors)
    links = {(c.claimant.code, c.cue): c.event for c in result.claims}
    assert links[("NORGOV", "said")] == by_code["173"]  # the detention it reports
    assert links[("CHL", "accused")] == by_code["112"]  # the cue is the event itself
    assert links[("PERGOV", "said")] == by_code["161"]  # the nearer of the events it reports
    weather = next(c for c in result.claims if c.sentence == 2)
    # nothing else coded there: the claim is the officials' plain statement (CAMEO 010)
    assert weather.event == by_code["010"] and weather.claimant.code == "CHLGOV"
    detained = next(n for n in result.counts if n.category == "arrested")
    assert detained.event == by_code["173"] and detained.low == 2


def test_counts_link_to_the_nearest_event_not_the_first(coder):
    text = "Somalia condemned Kenya on Monday after Kenyan troops arrested 12 fishermen at sea."
    article, events, actors = _coded(coder, text)
    assert [e.cameo.code for e in events] == ["111", "173"]
    (count,) = analyse(article, coder, events, actors).counts
    assert (count.category, count.low, count.event) == ("arrested", 12, events[1].id)


def test_a_back_reference_hedges_the_figures_before_it(coder):
    text = "Rebels killed 9 soldiers near Goma. The figures could not be independently verified."
    article, events, actors = _coded(coder, text)
    (count,) = analyse(article, coder, events, actors).counts
    assert [h.text for h in count.hedges] == ["could not be independently verified"]
    assert text[count.hedges[0].start : count.hedges[0].end] == count.hedges[0].text
