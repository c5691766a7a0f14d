"""The PETRARCH2 validation suite as a regression guard (issue 4, part 5).

The suite's own dictionaries (fictional countries, partly WEIS-era toy codes) are imported with
``import_petrarch`` and every valid record of ``petrarch2_validation.jsonl`` is coded and
scored. The floors below are the figures measured when the test was written (2026-11-25):
later changes may raise them, never lower them.
"""

from __future__ import annotations

import pytest

from detente.codebook import load_codebook
from detente.evaluate import UNNEGATED, evaluate
from detente.gold_formats import load_gold
from detente.knowledge import load_actor_knowledge
from detente.petrarch import import_petrarch, write_import
from detente.pipeline import load_coder
from detente.settings import Settings

RECORDS = 272  # valid records without an error marker (284 in the file)
FLOOR_FULLY_CORRECT = 200  # records with every event found and nothing extra (actor level)
FLOOR_EVENTS_FOUND = 253  # expected events found with the full actor codes, of 352


@pytest.fixture(scope="module")
def report(shared, tmp_path_factory):
    folder = shared / "eval" / "petrarch2"
    dicts = sorted((folder / "dicts").glob("PETR.Validate.*.txt"))
    # the suite's dictionaries alone, as PETRARCH runs it; every modality but negated is scored
    result = import_petrarch(dicts, load_actor_knowledge(builtin=False), load_codebook())
    paths = write_import(result, tmp_path_factory.mktemp("validate"))
    settings = Settings(
        actor_files=[paths["actors"]],
        pattern_files=[paths["patterns"]],
        builtin_patterns=False,
        builtin_actors=False,
    )
    coder = load_coder(settings)
    gold = load_gold(folder / "petrarch2_validation.jsonl", "petrarch")
    return evaluate(gold, coder, UNNEGATED)


def test_every_valid_record_is_scored(report):
    assert report.records == RECORDS
    assert len(report.skipped) == 12


def test_pass_rate_does_not_fall(report):
    actor = report.levels["actor"]
    assert actor.records_correct >= FLOOR_FULLY_CORRECT, report.categories("actor")
    assert actor.overall.correct >= FLOOR_EVENTS_FOUND
    # the looser levels can only find more
    assert report.levels["type"].overall.correct >= actor.overall.correct
