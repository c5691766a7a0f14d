"""``detente evaluate``: scoring arithmetic, the three gold formats, and the seed article."""

from __future__ import annotations

import html
import json
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from detente.cli import app
from detente.coding.coder import code
from detente.errors import InputError
from detente.evaluate.formats import GoldEvent, GoldRecord, load_gold
from detente.evaluate.penta import (
    PentaRecord,
    PentaReport,
    content_words,
    evaluate_sentences,
    load_sentences,
    penta_class,
    pick,
    score_sentence,
    shares_word,
)
from detente.evaluate.scoring import CodedDyad, Report, Tally, evaluate, score_record
from detente.evaluate.specs import ActorSpec, matched, specs
from detente.records import (
    Actor,
    ArticleRef,
    Cameo,
    CoderInfo,
    Event,
    Plover,
    Sentence,
    TextSpan,
)


def actor(code: str, country: str | None = None, sector: str | None = None) -> Actor:
    return Actor(text=code, start=0, end=1, code=code, country=country, sector=sector, kind="org")


def dyad(cameo: str, src: Actor | None, tgt: Actor | None, plover: str = "OTHER") -> CodedDyad:
    return CodedDyad(cameo, plover, src, tgt)


def gold(types: str, src: str | None, tgt: str | None, tier: str = "must") -> GoldEvent:
    def spec(code):
        return None if code is None else ActorSpec(code=code)

    return GoldEvent(types=[types], source=spec(src), target=spec(tgt), tier=tier)


def score(events: list[GoldEvent], coded: list[CodedDyad], scheme: str = "cameo") -> Report:
    report = Report(scheme=scheme)
    record = GoldRecord(id="r", text="t", events=events, scheme=scheme)
    score_record(record, coded, report)
    return report


# --------------------------------------------------------------------------- arithmetic


def test_counts_at_three_levels():
    events = [gold("040", "ARN", "GON"), gold("112", "ARN", "OSG"), gold("190", "GONMIL", "ARN")]
    coded = [
        dyad("040", actor("ARN"), actor("GON")),  # right everywhere
        dyad("1121", actor("ARNGOV", "ARN", "GOV"), actor("OSG")),  # right type and countries
        dyad("173", actor("ARN"), actor("GON")),  # nothing expected it
    ]
    report = score(events, coded)
    t, c, a = (report.levels[k].overall for k in ("type", "country", "actor"))
    assert (t.correct, t.missed, t.extra) == (2, 1, 1)
    assert (c.correct, c.missed, c.extra) == (2, 1, 1)
    assert (a.correct, a.missed, a.extra) == (1, 2, 2)
    assert t.precision == pytest.approx(2 / 3) and t.recall == pytest.approx(2 / 3)
    assert a.f1 == pytest.approx(1 / 3)
    groups = report.levels["actor"].groups
    assert groups["04"].model_dump() == {"correct": 1, "missed": 0, "extra": 0}
    assert groups["11"].model_dump() == {"correct": 0, "missed": 1, "extra": 1}
    assert groups["17"].extra == 1 and groups["19"].missed == 1
    assert report.levels["type"].records_correct == 0


def test_matching_is_one_to_one():
    events = [gold("040", "ARN", "GON"), gold("040", "ARN", "GON")]
    report = score(events, [dyad("040", actor("ARN"), actor("GON"))])
    assert report.levels["actor"].overall.model_dump() == {"correct": 1, "missed": 1, "extra": 0}


def test_must_events_are_matched_before_should_events():
    events = [gold("04", "ARN", None, tier="should"), gold("04", "ARN", "GON")]
    report = score(events, [dyad("042", actor("ARN"), actor("GON"))])
    assert report.levels["actor"].tiers == {"should": [0, 1], "must": [1, 1]}


def test_petrarch_null_country_and_uncoded_actor():
    events = [
        GoldEvent(types=["023"], source=ActorSpec(code="---GOV"), target=ActorSpec()),
    ]
    ok = score(events, [dyad("023", actor("GOV", None, "GOV"), None)])
    assert ok.levels["actor"].overall.correct == 1
    wrong = score(events, [dyad("023", actor("ARNGOV", "ARN", "GOV"), actor("GON"))])
    assert wrong.levels["type"].overall.correct == 1
    assert wrong.levels["country"].overall.correct == 0


def test_empty_counts_do_not_divide_by_zero():
    c = Tally()
    assert (c.precision, c.recall, c.f1) == (0.0, 0.0, 0.0)
    assert score([], []).levels["actor"].records_correct == 1


def test_plover_scheme_compares_event_names():
    events = [GoldEvent(types=["ASSAULT"], source=ActorSpec(code="ARNMIL"))]
    report = score(events, [dyad("190", actor("ARNMIL"), None, "ASSAULT")], scheme="plover")
    assert report.levels["actor"].overall.correct == 1
    assert "ASSAULT" in report.levels["actor"].groups


# --------------------------------------------------------------------------- formats


def test_detente_article_format(tmp_path):
    (tmp_path / "story.txt").write_text("Arnor scolded Gondor.", encoding="utf-8")
    (tmp_path / "gold.yaml").write_text(
        "published: 2021-03-04\n"
        "must:\n  - {id: a, source: {country: ARN}, target: {name: Gondor}, cameo_roots: ['11']}\n"
        "should:\n  - {id: b, source: {country: ARN}, cameo: '04'}\n"
        "must_not:\n  - {id: c, cameo_roots: ['19']}\n",
        encoding="utf-8",
    )
    [record] = load_gold(tmp_path / "gold.yaml", "detente").records
    assert record.text == "Arnor scolded Gondor."
    assert str(record.published) == "2021-03-04"
    assert [(e.id, e.tier, e.types, e.group) for e in record.events] == [
        ("a", "must", ["11"], "11"),
        ("b", "should", ["04"], "04"),
    ]
    assert record.events[0].target.name == "Gondor"
    assert [f.id for f in record.forbidden] == ["c"]


def test_detente_cases_format(tmp_path):
    path = tmp_path / "cases.yaml"
    path.write_text(
        "cases:\n  - id: one\n    family: X\n    text: Arnor met Gondor.\n"
        "    published: 2020-01-02\n    expect: [{cameo: '04', source: {country: ARN}}]\n"
        "    absent: [{cameo: '11'}]\n",
        encoding="utf-8",
    )
    [record] = load_gold(path).records
    assert (record.id, record.category, len(record.events), len(record.forbidden)) == (
        "one",
        "X",
        1,
        1,
    )


def test_petrarch_jsonl_format(tmp_path):
    rows = [
        {"id": "A-1", "date": "19950101", "text": "Arnor  met\nGondor.", "category": "DEMO",
         "valid": True, "error": None, "expect_no_event": False,
         "expected": [{"source": "ARN", "target": "GON", "code": "040"}]},
        {"id": "A-2", "date": "080508", "text": "Nothing.", "valid": True, "error": None,
         "expected": [], "expect_no_event": True},
        {"id": "A-3", "date": "19950101", "text": "x", "valid": False, "expected": []},
        {"id": "A-4", "date": "19950101", "text": "x", "valid": True, "error": "dateline",
         "expected": []},
    ]  # fmt: skip
    path = tmp_path / "v.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in rows), encoding="utf-8")
    gs = load_gold(path, "petrarch")
    assert [r.id for r in gs.records] == ["A-1", "A-2"]
    assert set(gs.skipped) == {"A-3", "A-4"}
    first = gs.records[0]
    assert first.text == "Arnor met Gondor." and str(first.published) == "1995-01-01"
    assert first.events[0].source.code == "ARN" and first.events[0].types == ["040"]
    assert str(gs.records[1].published) == "2008-05-08" and gs.records[1].events == []


def test_petrarch_xml_format(tmp_path):
    path = tmp_path / "records.xml"
    path.write_text(
        "<Validation><!-- a <comment> -->\n"
        '<Sentence date="19950101" id="X-1" category="DEMO" sentence="true">\n'
        '<EventCoding sourcecode="ARN" targetcode="GON" eventcode="064"></EventCoding>\n'
        '<EventCoding sourcecode=\'"SOME CROWD"\' targetcode="GON" eventcode="141"/>\n'
        "<Text>\nArnor restored ties\nwith Gondor.\n</Text>\n<Parse>(ROOT)</Parse>\n</Sentence>\n"
        '<Sentence date = "19950101" id ="X-2" category="E" sentence="true">\n'
        '<EventCoding error="dateline"></EventCoding><Text>x</Text></Sentence>\n'
        '<Sentence date="19950101" id="X-3" category="E" sentence="false">\n'
        '<EventCoding noevents="True"></EventCoding><Text>y</Text></Sentence>\n'
        '<Sentence date="19950101" id="X-4" category="N" evaluate="true">\n'
        '<EventCoding noevents="True" /><Text>z</Text></Sentence>\n'
        "</Validation>\n",
        encoding="utf-8",
    )
    gs = load_gold(path, "petrarch")
    assert [r.id for r in gs.records] == ["X-1", "X-4"]
    assert set(gs.skipped) == {"X-2", "X-3"}
    x1 = gs.records[0]
    assert x1.text == "Arnor restored ties with Gondor."
    assert [(e.types, e.source, e.target.code) for e in x1.events] == [
        (["064"], ActorSpec(code="ARN"), "GON"),
        (["141"], ActorSpec(), "GON"),  # an uncoded phrase matches any actor
    ]
    assert gs.records[1].events == []


def test_plover_format(tmp_path):
    rows = [
        {"id": "p1", "date": "2022-05-01", "text": "Arnor shelled Gondor.", "event": "assault",
         "mode": "aerial", "context": ["military"],
         "source": [{"code": "ARN", "sector": "MIL"}],
         "target": [{"code": "GON"}, {"code": "DAG"}]},
        {"id": "p2", "date": "2022-05-01", "text": "Arnor shelled Gondor.", "event": "THREATEN",
         "source": [{"code": "ARN"}], "target": [{"code": "GON"}]},
    ]  # fmt: skip
    path = tmp_path / "plover.json"
    path.write_text(json.dumps(rows), encoding="utf-8")
    [record] = load_gold(path, "plover").records
    assert record.scheme == "plover"
    assert [(e.group, e.source.code, e.target.code) for e in record.events] == [
        ("ASSAULT", "ARNMIL", "GON"),
        ("ASSAULT", "ARNMIL", "DAG"),
        ("THREATEN", "ARN", "GON"),
    ]
    (tmp_path / "plover.jsonl").write_text("\n".join(json.dumps(r) for r in rows))
    assert len(load_gold(tmp_path / "plover.jsonl", "plover").records[0].events) == 3


def test_unknown_format_and_missing_file(tmp_path):
    from detente.errors import InputError

    with pytest.raises(InputError, match="unknown gold format"):
        load_gold(tmp_path / "x", "tabari")
    with pytest.raises(InputError, match="no such file"):
        load_gold(tmp_path / "x", "detente")


# --------------------------------------------------------------------------- the seed


def test_seed_evaluation_agrees_with_the_seed_test(shared, coder):
    path = shared / "seed" / "expected.yaml"
    report = evaluate(load_gold(path, "detente"), coder)
    assert report.records == 1
    # the seed test's view: every must spec matched by an asserted event
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    text = (shared / "seed" / "000_535072f1729582a0.txt").read_text(encoding="utf-8")
    asserted = code(text, raw["published"], coder=coder)
    must = specs(raw["must"])
    found = sum(bool(matched(s, asserted)) for s in must)
    assert found >= len(must) - 1  # the seed test lists the one entry still missed
    assert report.levels["actor"].tiers["must"] == [found, len(must)]
    assert report.levels["actor"].tiers["should"][0] >= 3
    assert report.results[0].forbidden_hits == []


@pytest.mark.model
def test_evaluate_cli_json(shared):
    result = CliRunner().invoke(app, ["evaluate", str(shared / "seed" / "expected.yaml"), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    overall = data["levels"]["actor"]["overall"]
    assert overall["correct"] + overall["missed"] == 11
    found, total = data["levels"]["actor"]["tiers"]["must"]
    assert total == 6 and found >= 5
    assert set(data["levels"]) == {"type", "country", "actor"}


def test_petrarch_xml_and_jsonl_agree(shared):
    folder = shared / "eval" / "petrarch2"
    for xml, jsonl in (
        (folder / "dicts" / "PETR.UnitTest.records.xml", folder / "petrarch2_validation.jsonl"),
        (
            folder / "dicts_2_02" / "PETR_Validate_records_2_02.xml",
            folder / "udpetrarch_validation_2_02.jsonl",
        ),
    ):
        a, b = load_gold(xml, "petrarch"), load_gold(jsonl, "petrarch")
        assert [r.id for r in a.records] == [r.id for r in b.records]
        # the 2.02 JSON Lines kept one XML entity escaped ("&amp;TIETYPE"); XML decodes it
        assert [r.text for r in a.records] == [html.unescape(r.text) for r in b.records]
        assert [r.events for r in a.records] == [r.events for r in b.records]
        assert set(a.skipped) == set(b.skipped)


# --------------------------------------------------------------------------- penta sentences


def event(code: str, source: list[str], target: list[str], **kw) -> Event:
    def actors(texts: list[str]) -> list[Actor]:
        return [Actor(text=t, start=0, end=len(t), code="XXX", kind="org") for t in texts]

    return Event(
        id="e",
        article=ArticleRef(id="a"),
        sentence=Sentence(index=0, text="s", start=0, end=1),
        trigger=TextSpan(text="t", start=0, end=1),
        cameo=Cameo(code=code, root=code[:2], name="n", goldstein=0.0, quad_class=1),
        plover=Plover(event="OTHER"),
        source=actors(source),
        target=actors(target),
        confidence=1.0,
        coder=CoderInfo(version="0"),
        **kw,
    )


def test_penta_classes_follow_cameo_roots():
    assert [penta_class(r) for r in ("01", "02", "03", "05", "06", "08")] == [0, 0, 1, 1, 2, 2]
    assert [penta_class(r) for r in ("09", "13", "16", "14", "15", "17", "20")] == [
        3,
        3,
        3,
        4,
        4,
        4,
        4,
    ]
    assert penta_class("1123") == 3 and penta_class("99") is None


def test_content_words_drop_function_words_and_possessives():
    assert content_words("the Ruritanian government's envoy") == {
        "ruritanian",
        "government",
        "envoy",
    }
    assert content_words("Ruritania ’ s envoy") == content_words("Ruritania's envoy")
    assert content_words("the rebels' leader") == {"rebels", "leader"}
    assert content_words("They") == {"they"}  # nothing but function words: keep them
    assert content_words("the US and its allies") == {"us", "allies"}
    assert shares_word("Ruritania's foreign minister", ["the Minister"])
    assert not shares_word("the army of Ruritania", ["the police of Borduria"])


def write_penta(tmp_path, rows: list[dict]):
    path = tmp_path / "gold.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in rows), encoding="utf-8")
    return path


def test_penta_reader(tmp_path):
    path = write_penta(
        tmp_path,
        [
            {
                "id": "x1",
                "text": "Borduria shelled a Ruritanian border post.",
                "penta_class": 4,
                "source": ["Borduria"],
                "target": ["a Ruritanian border post"],
                "reciprocal": [],
            },
            {
                "text": "The two envoys met in Geneva.",
                "penta_class": 1,
                "source": [],
                "target": [],
                "reciprocal": ["The two envoys"],
                "penta_meaning": "ignored",
            },
        ],
    )
    first, second = load_sentences(path, "penta")
    assert (first.id, first.penta_class, first.target) == ("x1", 4, ["a Ruritanian border post"])
    assert (second.id, second.group, second.reciprocal) == ("line-2", "1", ["The two envoys"])
    assert [r.id for r in pick([first, second], 1)] == ["x1"]
    assert len(pick([first, second], 1, sample=True)) == 1
    bad = write_penta(tmp_path, [{"text": "No class here."}])
    with pytest.raises(InputError, match="penta_class"):
        load_sentences(bad, "penta")
    with pytest.raises(InputError, match="unknown sentence format"):
        load_sentences(path, "tabari")


def test_penta_scoring_counts_roles_of_the_gold_class_only():
    record = PentaRecord(
        id="r",
        text="t",
        penta_class=4,
        source=["the Bordurian artillery"],
        target=["Ruritania's border post", "a customs office"],
    )
    # a class-4 event with the roles right, and a class-0 event naming the customs office
    result = score_sentence(
        record,
        [
            event("195", ["Bordurian gunners"], ["the post"]),
            event("010", ["a customs office"], []),
            event("190", ["Ruritania"], [], modality="negated"),  # not asserted: ignored
        ],
    )
    assert result.found and result.class_ok and result.predicted == [0, 4]
    assert result.source == [True] and result.target == [True, False]
    # the roles are not interchangeable, unless the event is reciprocal
    swapped = [event("190", ["the post"], ["Bordurian gunners"])]
    assert score_sentence(record, swapped).source == [False]
    assert score_sentence(
        record, [event("190", ["the post"], ["Bordurian gunners"], reciprocal=True)]
    ).source == [True]
    nothing = score_sentence(record, [])
    assert not nothing.found and not nothing.class_ok and nothing.source == [False]


def test_penta_report_figures_and_confusion():
    gold = [
        PentaRecord(id="a", text="t", penta_class=3, source=["Borduria"]),
        PentaRecord(id="b", text="t", penta_class=3),
        PentaRecord(id="c", text="t", penta_class=1, target=["the Ruritanian envoy"]),
    ]
    report = PentaReport(
        kind="penta",
        results=[
            score_sentence(gold[0], [event("112", ["Borduria"], []), event("193", [], [])]),
            score_sentence(gold[1], []),
            score_sentence(gold[2], [event("042", ["Borduria"], ["an envoy"])]),
        ],
    )
    overall = report.overall()
    assert overall.found == pytest.approx(2 / 3) and overall.class_ == pytest.approx(2 / 3)
    assert overall.class_only == pytest.approx(1 / 3)
    assert (overall.source, overall.source_spans) == (1.0, 1)
    assert (overall.target, overall.target_spans) == (1.0, 1)
    assert overall.reciprocal is None
    assert report.groups()["3"].found == 0.5
    assert report.confusion() == {"1": {"1": 1}, "3": {"3": 1, "4": 1, "none": 1}}
    data = report.as_json()
    assert data["overall"]["class"] == pytest.approx(2 / 3)


def test_penta_end_to_end_on_own_sentences(tmp_path, coder):
    path = write_penta(
        tmp_path,
        [
            {
                "text": "Israeli warplanes bombed Hamas positions in Gaza on Tuesday.",
                "penta_class": 4,
                "source": ["Israeli warplanes"],
                "target": ["Hamas positions"],
            },
            {"text": "The orchestra played three symphonies to a full hall.", "penta_class": 0},
        ],
    )
    report = evaluate_sentences(load_sentences(path, "penta"), coder)
    hit, miss = report.results
    assert hit.found and hit.class_ok and hit.source == [True] and hit.target == [True]
    assert not miss.found


# False events on invented sentences without any political event: at most one in ten (the
# failure message lists them; `detente evaluate tests/data/negatives.yaml -f negatives`).
NEGATIVES = Path(__file__).resolve().parent / "data" / "negatives.yaml"


def test_false_event_rate_on_negatives(coder):
    records = load_sentences(NEGATIVES, "negatives")
    assert len(records) == 192 and {r.domain for r in records} >= {"sport", "weather"}
    report = evaluate_sentences(records, coder, "negatives")
    false = [f"{r.id} ({r.group}): {r.events}" for r in report.results if r.found]
    assert report.overall().found <= 0.10, "\n".join(false)
