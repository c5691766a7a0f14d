"""Event dates (tests/golden/dates.yaml, written for detente)."""

from __future__ import annotations

import pytest
import yaml
from conftest import GOLDEN

from detente.coding.coder import code
from detente.coding.dates import find_dates
from detente.knowledge.lexicon import load_lexicon
from detente.records import MODALITIES

CASES = yaml.safe_load((GOLDEN / "dates.yaml").read_text(encoding="utf-8"))["cases"]


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_golden_date_case(case, coder):
    if "trigger" in case:
        events = code(case["text"], case["published"], modalities=MODALITIES, coder=coder)
        hits = [e for e in events if e.trigger.text == case["trigger"]]
        assert hits, [e.trigger.text for e in events]
        got = (hits[0].date, hits[0].date_precision, hits[0].date_method)
    else:
        found = find_dates(case["text"], case["published"], load_lexicon().numbers)
        got = found[0][1] if found else (None, None, None)
    assert got[0] == case["date"], got
    if "precision" in case:
        assert got[1] == case["precision"], got
    if "method" in case:
        assert got[2] == case["method"], got


def test_enough_golden_cases():
    assert len(CASES) >= 20


def test_seed_dates(shared, coder):
    text = (shared / "seed" / "000_535072f1729582a0.txt").read_text(encoding="utf-8")
    events = code(text, modalities=MODALITIES, coder=coder)
    attack = [e for e in events if e.trigger.text == "attack" and e.sentence.index == 5]
    assert attack, [e.trigger.text for e in events]
    assert not (attack[0].date == attack[0].article.published and attack[0].date_precision == "day")
    assert attack[0].date_method == "historical"
    ongoing = [e for e in events if e.trigger.text in ("airstrikes", "rockets")]
    assert ongoing and all(e.date and e.date <= e.article.published for e in ongoing)
    assert all(e.date_method for e in ongoing)
