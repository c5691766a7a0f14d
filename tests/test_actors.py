"""Actor resolution: golden phrases (tests/golden/actors.yaml), written for detente."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from detente.text import make_article

GOLDEN = Path(__file__).resolve().parent / "golden" / "actors.yaml"
CASES = yaml.safe_load(GOLDEN.read_text(encoding="utf-8"))["cases"]


@pytest.mark.parametrize("case", CASES, ids=[f"{c['mention']}|{c['text'][:30]}" for c in CASES])
def test_actor_phrase(case, coder):
    mentions = coder.mentions(make_article(case["text"], published=case.get("published")))
    found = [m for m in mentions if m.actor.text == case["mention"]]
    if case.get("absent"):
        assert not found, found
        return
    assert found, f"no mention {case['mention']!r}; got {[m.actor.text for m in mentions]}"
    actor = found[0].actor
    for field, want in case["expect"].items():
        assert getattr(actor, field) == want, f"{field}: {actor}"


def test_offsets_point_into_the_text(coder):
    article = make_article(
        "Later, Egyptian Foreign Minister Omar Nabil met Hamas leaders in Cairo."
    )
    for m in coder.mentions(article):
        assert article.text[m.actor.start : m.actor.end] == m.actor.text


def test_coreference_records_its_antecedent(coder):
    article = make_article("Egyptian Foreign Minister Omar Nabil arrived. Later, Nabil spoke.")
    later = [m for m in coder.mentions(article) if m.actor.text == "Nabil"]
    assert later and later[0].resolved_from is not None
    assert later[0].resolved_from.text == "Egyptian Foreign Minister Omar Nabil"


def test_at_least_a_hundred_phrases():
    assert len(CASES) >= 100


def test_a_term_code_longer_than_its_sector(coder, tmp_path):
    from detente.coding.actors import ActorMatcher
    from detente.coding.coder import Coder, code
    from detente.knowledge.actors import load_actor_knowledge
    from detente.settings import Settings

    path = tmp_path / "terms.yaml"
    path.write_text(
        "provenance: {source: test, license: MIT}\n"
        "terms:\n  - {term: port authority, sector: GOV, kind: org, code: GOVPRT}\n",
        encoding="utf-8",
    )
    matcher = ActorMatcher(coder.nlp.nlp, load_actor_knowledge([path]))
    mine = Coder(coder.nlp, coder.codebook, coder.patterns, matcher, Settings())
    events = code("The Kenyan port authority criticised Tanzania on Monday.", coder=mine)
    sources = [a for e in events for a in e.source]
    assert [(a.code, a.sector) for a in sources] == [("KENGOVPRT", "GOV")]


@pytest.mark.parametrize("national, country", [(True, "KEN"), (False, None)])
def test_a_user_sector_declared_national_takes_a_country_from_evidence(
    coder, tmp_path, national, country
):
    from detente.coding.actors import ActorMatcher
    from detente.coding.coder import Coder
    from detente.knowledge.actors import load_actor_knowledge
    from detente.settings import Settings

    path = tmp_path / "sectors.yaml"
    path.write_text(
        "provenance: {source: test, license: MIT}\n"
        f"sectors:\n  PRT: {{meaning: port authorities, national: {str(national).lower()}}}\n"
        "terms:\n  - {term: port authority, sector: PRT, kind: org}\n",
        encoding="utf-8",
    )
    matcher = ActorMatcher(coder.nlp.nlp, load_actor_knowledge([path]))
    mine = Coder(coder.nlp, coder.codebook, coder.patterns, matcher, Settings())
    article = make_article(
        "MOMBASA, Kenya — President William Ruto spoke in Nairobi. Later, the port authority "
        "said it would reopen the harbour."
    )
    found = [m.actor for m in mine.mentions(article) if "port authority" in m.actor.text]
    assert [a.country for a in found] == [country]


def test_unresolved_actors_in_the_store_and_exports(tmp_path, coder):
    import io
    import json

    from detente.store.db import open_store
    from detente.store.export import plover_jsonl

    text = "Police in Nairobi arrested Joseph Kamau on Monday."
    article = make_article(text, published="2024-05-06")
    events = coder.code_article(article, ("asserted",))
    assert [a.unresolved for e in events for a in e.target] == [True]
    with open_store(tmp_path / "u.duckdb") as store:
        store.store_article(article, events)
        assert store.event_actors()["unresolved"].tolist() == [False, True]
        out = io.StringIO()
        plover_jsonl(store, out)
        record = json.loads(out.getvalue().splitlines()[0])
        assert record["recipient"][0]["unresolved"] is True
        assert record["source"][0]["unresolved"] is False
