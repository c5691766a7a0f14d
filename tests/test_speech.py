"""Golden speech cases (tests/golden/speech.yaml): statements, commitments, default senses."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from detente.coding.coder import code
from detente.evaluate.specs import case_failures
from detente.records import MODALITIES

GOLDEN = Path(__file__).resolve().parent / "golden"
CASES = yaml.safe_load((GOLDEN / "speech.yaml").read_text(encoding="utf-8"))["cases"]
NEGATIVES = Path(__file__).resolve().parent / "data" / "negatives.yaml"


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_speech_case(case, coder):
    events = code(case["text"], case.get("published"), modalities=MODALITIES, coder=coder)
    problems = case_failures(case, events)
    assert not problems, "\n".join(problems)


def test_every_speech_family_has_five_cases():
    families: dict[str, int] = {}
    for case in CASES:
        families[case["family"]] = families.get(case["family"], 0) + 1
    for family in ("STATEMENT", "COMMITMENT", "OFFER", "REFUSAL", "DEMAND"):
        assert families.get(family, 0) >= 5, family


def test_negatives_rarely_code_an_event(coder):
    """Sport, markets, weather, science: at most one sentence in twenty codes an event."""
    sentences = yaml.safe_load(NEGATIVES.read_text(encoding="utf-8"))["sentences"]
    coded = [s["text"] for s in sentences if code(s["text"], coder=coder)]
    assert len(coded) <= len(sentences) // 20, coded


def test_a_commitment_links_the_event_it_promises(coder):
    events = code(
        "Ethiopia promised to release Eritrean prisoners.", modalities=MODALITIES, coder=coder
    )
    promise = next(e for e in events if e.cameo.code == "0353")
    release = next(e for e in events if e.id == promise.about)
    assert release.cameo.code.startswith("084") and release.modality == "future"
    assert promise.modality == "asserted" and release.about is None
