"""Golden sentence → event cases (tests/golden/events.yaml, cameo_roots.yaml, defaults.yaml,
senses.yaml), written for detente."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from detente.coding.coder import code
from detente.evaluate.specs import case_failures
from detente.records import MODALITIES

GOLDEN = Path(__file__).resolve().parent / "golden"

CASES = yaml.safe_load((GOLDEN / "events.yaml").read_text(encoding="utf-8"))["cases"]
ROOT_CASES = yaml.safe_load((GOLDEN / "cameo_roots.yaml").read_text(encoding="utf-8"))["cases"]
DEFAULT_CASES = yaml.safe_load((GOLDEN / "defaults.yaml").read_text(encoding="utf-8"))["cases"]
SENSE_CASES = yaml.safe_load((GOLDEN / "senses.yaml").read_text(encoding="utf-8"))["cases"]
ALL_CASES = CASES + ROOT_CASES + DEFAULT_CASES + SENSE_CASES


@pytest.mark.parametrize("case", ALL_CASES, ids=[c["id"] for c in ALL_CASES])
def test_golden_case(case, coder):
    events = code(case["text"], case.get("published"), modalities=MODALITIES, coder=coder)
    problems = case_failures(case, events)
    assert not problems, "\n".join(problems)


def test_every_family_has_five_cases():
    families: dict[str, int] = {}
    for case in CASES:
        families[case["family"]] = families.get(case["family"], 0) + 1
    for family in (
        "CONSULT", "ACCUSE", "APPEAL", "ASSAULT", "ABDUCT", "NEGATION", "PASSIVE", "SAMECODE",
        "BODY_OF",
    ):  # fmt: skip
        assert families.get(family, 0) >= 5, family


def test_every_cameo_root_has_three_cases():
    roots: dict[str, int] = {}
    for case in ROOT_CASES:
        roots[case["family"]] = roots.get(case["family"], 0) + 1
        assert all(str(e["cameo"]).startswith(case["family"]) for e in case["expect"]), case["id"]
    assert {f"{n:02d}" for n in range(1, 21)} <= set(roots)
    assert all(n >= 3 for n in roots.values()), roots
    assert len(ROOT_CASES) >= 60


THREADED = [
    "date 2024-05-02\nKenya accused Somalia of shelling a border town on Tuesday.",
    "date 2024-05-03\nChile and Peru signed a fisheries accord in Lima.",
    "date 2024-05-04\nJapanese police arrested three protesters outside the embassy.",
    "date 2024-05-05\nEgypt will not host the talks, its foreign ministry said.",
    "date 2024-05-06\nQatar praised Norway for mediating between the two rivals.",
    "date 2024-05-07\nIranian forces seized a tanker near the Strait of Hormuz on Sunday.",
]


def test_one_coder_used_from_several_threads_gives_the_sequential_results(coder):
    from concurrent.futures import ThreadPoolExecutor

    from detente.text import make_article

    articles = [make_article(t) for t in THREADED] * 3

    def run(article):
        return [e.model_dump() for e in coder.code_article(article, MODALITIES)]

    sequential = [run(a) for a in articles]
    with ThreadPoolExecutor(max_workers=4) as pool:
        threaded = list(pool.map(run, articles))
    assert threaded == sequential and sum(map(len, sequential)) >= len(articles)


def test_articles_coded_together_give_the_results_of_each_alone(coder):
    """NER and parsing run once for a group of articles: no article sees another's."""
    from detente.text import make_article

    texts = [
        *THREADED,
        "Turkey hosted the Armenian envoy.\n\nIt later accused him of lying to reporters.",
        "Prices rose again this week.",
    ]
    articles = [make_article(t, article_id=f"g{i}") for i, t in enumerate(texts)]
    together = [[e.model_dump() for e in ev] for _, ev in coder.code_articles(articles, MODALITIES)]
    alone = [[e.model_dump() for e in coder.code_article(a, MODALITIES)] for a in articles]
    assert together == alone and len(together) == len(articles)
