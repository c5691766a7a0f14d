"""Events with an incomplete dyad and generic civilians (tests/golden/dyads.yaml), and
``require_dyad`` (full dyads only: what the coder codes without incomplete ones)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from detente.coding.coder import Coder, code, load_coder
from detente.evaluate.specs import describe, matched, specs
from detente.settings import Settings

GOLDEN = Path(__file__).resolve().parent / "golden"
CASES = yaml.safe_load((GOLDEN / "dyads.yaml").read_text(encoding="utf-8"))["cases"]
EVENT_CASES = yaml.safe_load((GOLDEN / "events.yaml").read_text(encoding="utf-8"))["cases"]


@pytest.fixture(scope="module")
def strict() -> Coder:
    return load_coder(Settings(require_dyad=True))


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_dyad_case(case, coder, strict):
    events = code(case["text"], case.get("published"), coder=coder)
    got = "\n".join(describe(e) for e in events) or "(no events)"
    for spec in specs(case.get("expect")):
        assert matched(spec, events), f"missing {spec}\ncoded:\n{got}"
    for spec in specs(case.get("absent")):
        assert not matched(spec, events), f"unexpected {spec}\ncoded:\n{got}"
    # with full dyads required, none of the incomplete ones, nor generic civilians
    tight = code(case["text"], case.get("published"), coder=strict)
    for e in tight:
        assert e.dyad == "full" or e.cameo.code in _optional_targets(strict), describe(e)
        # PETRARCH codes only the actors of its dictionaries
        assert not any(a.unresolved for a in e.source + e.target), describe(e)
    if case["family"] == "GENERIC":
        for spec in specs(case.get("expect")):
            assert not matched(spec, tight), describe(matched(spec, tight)[0])


def _optional_targets(coder: Coder) -> set[str]:
    return {p.code for p in coder.patterns.patterns if p.target_optional and p.code}


def test_incomplete_events_have_lower_confidence(coder):
    (partial,) = code("Three journalists were arrested in Cairo on Sunday.", coder=coder)
    (full,) = code("Egyptian police arrested three journalists in Cairo.", coder=coder)
    assert partial.dyad == "target_only" and full.dyad == "full"
    assert partial.confidence < full.confidence


@pytest.mark.parametrize("case", EVENT_CASES[::4], ids=[c["id"] for c in EVENT_CASES[::4]])
def test_require_dyad_keeps_every_full_event(case, coder, strict):
    """Full-dyad coding is unchanged: the strict coder's events are the default's full ones
    without generic civilians or places standing for a target (a strict event without a
    target is the default's with or without one)."""

    def key(e, targets=True):
        return (e.cameo.code, e.trigger.start, tuple(a.code for a in e.source),
                tuple(a.code for a in e.target) if targets else ())  # fmt: skip

    loose = code(case["text"], case.get("published"), coder=coder)
    tight = code(case["text"], case.get("published"), coder=strict)
    have = {key(e) for e in loose} | {key(e, targets=False) for e in loose}
    assert {key(e) for e in tight} <= have
    assert all(e.dyad == "full" or not e.target for e in tight)


def test_incomplete_dyads_in_the_store_and_exports(tmp_path, coder):
    import io
    import json

    from detente.store.db import EventFilter, open_store
    from detente.store.export import gdelt_frame, plover_jsonl
    from detente.text import make_article

    article = make_article(
        "Three journalists were arrested in Cairo on Sunday. Egyptian police arrested two "
        "lawyers in Giza.",
        published="2024-03-03",
    )
    events = coder.code_article(article, ("asserted",))
    assert {e.dyad for e in events} == {"target_only", "full"}
    with open_store(tmp_path / "d.duckdb") as store:
        store.store_article(article, events)
        assert set(store.events()["dyad"]) == {"target_only", "full"}
        assert set(store.events(EventFilter(require_dyad=True))["dyad"]) == {"full"}
        out = io.StringIO()
        plover_jsonl(store, out)
        records = {r["dyad"]: r for r in map(json.loads, out.getvalue().splitlines())}
        assert records["target_only"]["source"] is None
        assert records["target_only"]["recipient"][0]["code"] == "EGY"
        assert records["full"]["source"][0]["cameo_code"] == "EGYCOP"
        gdelt = gdelt_frame(store).set_index("EventCode")
        assert gdelt["Actor1Code"].isna().sum() == 1 and gdelt["Actor2Code"].notna().all()


def test_fallback_target_roles_take_the_longest_listed_prefix():
    from detente.knowledge.patterns import Roles

    roles = Roles(
        provenance={"source": "test"},
        fallback_targets={"19": ["prep:against"], "190": ["prep:on"]},
    )
    on = ["prep:on", "obj.prep:on", "obj.acl.prep:on", "obj.poss", "obj.acl.agent", "obj.prep:by"]
    assert roles.fallback_for("1901") == on
    assert roles.fallback_for("195") == [r.replace(":on", ":against") for r in on]
    assert roles.fallback_for("04") == []
