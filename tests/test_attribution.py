"""Reported speech, compound actors, coordinated verbs, reciprocal events (golden YAML)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from detente.coding.coder import code
from detente.evaluate.specs import case_failures
from detente.records import MODALITIES

GOLDEN = Path(__file__).resolve().parent / "golden" / "attribution.yaml"
CASES = yaml.safe_load(GOLDEN.read_text(encoding="utf-8"))["cases"]


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_case(case, coder):
    events = code(case["text"], case.get("published"), modalities=MODALITIES, coder=coder)
    assert not case_failures(case, events), "\n".join(case_failures(case, events))


def test_enough_cases():
    assert len(CASES) >= 20
