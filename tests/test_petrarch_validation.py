"""The PETRARCH2 validation suites as regression guards (issue 4, part 5).

Each suite's own dictionaries (fictional countries, partly WEIS-era toy codes) are imported with
``import_petrarch`` and every valid record is coded and scored, as PETRARCH runs them: with
those dictionaries alone, full dyads only (PETRARCH's ``require_dyad``, on by default in its
configuration), every modality but negated scored. Two suites: the PETRARCH2 one
(``petrarch2_validation.jsonl``, ``dicts/``) and its 2018 revision (``udpetrarch_validation_
2_02.jsonl``, ``dicts_2_02/``). The floors are the figures measured when the test was last
raised (2026-11-25): later changes may raise them, never lower them.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from detente.coding.coder import load_coder
from detente.evaluate.formats import load_gold
from detente.evaluate.scoring import UNNEGATED, evaluate
from detente.knowledge.actors import load_actor_knowledge
from detente.knowledge.codes import load_codebook
from detente.petrarch.importer import import_petrarch, write_import
from detente.settings import Settings

pytestmark = pytest.mark.model  # the spaCy model, loaded without the `coder` fixture


@dataclass(frozen=True)
class Suite:
    gold: str
    dicts: str
    records: int  # valid records without an error marker
    skipped: int
    fully_correct: int  # floor: records with every event found, nothing extra (actor level)
    events_found: int  # floor: expected events found with the full actor codes


SUITES = {
    "petrarch2": Suite("petrarch2_validation.jsonl", "dicts", 272, 12, 203, 256),  # of 352
    "2.02": Suite("udpetrarch_validation_2_02.jsonl", "dicts_2_02", 257, 17, 184, 229),  # of 308
}


@pytest.fixture(scope="module", params=list(SUITES))
def scored(request, shared, tmp_path_factory):
    suite = SUITES[request.param]
    folder = shared / "eval" / "petrarch2"
    # the coding ontology file of 2.02 is no dictionary: the import lists it as not converted
    dicts = sorted((folder / suite.dicts).glob("PETR*Validate*.txt"))
    result = import_petrarch(dicts, load_actor_knowledge(builtin=False), load_codebook())
    paths = write_import(result, tmp_path_factory.mktemp("validate"))
    settings = Settings(
        actor_files=[paths["actors"]],
        pattern_files=[paths["patterns"]],
        builtin_patterns=False,
        builtin_actors=False,
        require_dyad=True,
    )
    coder = load_coder(settings)
    gold = load_gold(folder / suite.gold, "petrarch")
    return suite, evaluate(gold, coder, UNNEGATED)


def test_every_valid_record_is_scored(scored):
    suite, report = scored
    assert report.records == suite.records
    assert len(report.skipped) == suite.skipped


def test_pass_rate_does_not_fall(scored):
    suite, report = scored
    actor = report.levels["actor"]
    assert actor.records_correct >= suite.fully_correct, report.categories("actor")
    assert actor.overall.correct >= suite.events_found
    # the looser levels can only find more
    assert report.levels["type"].overall.correct >= actor.overall.correct
