"""The command-line adapter, run for real (Typer's runner in-process, or a subprocess)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from typer.testing import CliRunner

from detente.cli import app
from detente.records import Event

GOOD = (
    "Egyptian Foreign Minister Omar Nabil met Qatari Prime Minister Khalid Saeed in Cairo on "
    "Monday. Hours later, Hamas fighters fired rockets at Israel.\n"
)


@pytest.fixture
def runner():
    return CliRunner()


def _write(tmp_path, name, data):
    path = tmp_path / name
    path.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))
    return str(path)


@pytest.mark.model
def test_jsonl_output_follows_the_contract(runner, tmp_path):
    path = _write(tmp_path, "good.txt", GOOD)
    result = runner.invoke(app, ["code", "--format", "jsonl", "--published", "2024-03-04", path])
    assert result.exit_code == 0, result.output
    events = [Event.model_validate_json(line) for line in result.stdout.splitlines()]
    codes = {e.cameo.code[:2] for e in events}
    assert {"04", "19"} <= codes
    for e in events:
        assert str(e.article.published) == "2024-03-04"
        assert e.modality == "asserted"
        assert e.source and e.coder.name == "detente"
        raw = json.loads(e.model_dump_json())
        for key in (
            "id",
            "article",
            "sentence",
            "trigger",
            "cameo",
            "plover",
            "source",
            "target",
            "modality",
            "confidence",
            "coder",
        ):
            assert key in raw


@pytest.mark.model
def test_table_output_names_the_events(runner, tmp_path):
    result = runner.invoke(app, ["code", _write(tmp_path, "good.txt", GOOD)])
    assert result.exit_code == 0
    assert "CONSULT" in result.stdout and "ASSAULT" in result.stdout


@pytest.mark.model
def test_stdin_with_published_date(runner):
    result = runner.invoke(
        app, ["code", "-", "--format", "jsonl", "--published", "2023-11-16"], input=GOOD
    )
    assert result.exit_code == 0, result.output
    first = json.loads(result.stdout.splitlines()[0])
    assert first["article"]["published"] == "2023-11-16"
    assert first["article"]["source"] == "<stdin>"


@pytest.mark.model
def test_all_modalities_adds_negated_events(runner, tmp_path):
    path = _write(tmp_path, "neg.txt", "Russia did not condemn Hamas after the attack.\n")
    plain = runner.invoke(app, ["code", "--format", "jsonl", path])
    every = runner.invoke(app, ["code", "--format", "jsonl", "--all-modalities", path])
    assert plain.stdout.strip() == ""
    modalities = [json.loads(line)["modality"] for line in every.stdout.splitlines()]
    assert modalities == ["negated"]


@pytest.mark.model
@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        ("empty.txt", b"", "empty text"),
        ("blank.txt", b"   \n\t\n  ", "empty text"),
        ("latin1.txt", "Caf\xe9 talks in Paris".encode("latin-1"), "not valid UTF-8"),
        ("binary.bin", bytes(range(256)) * 8, "binary"),
        ("huge.txt", b"The minister met the envoy. " * 190_000, "over the limit"),
    ],
)
def test_bad_input_is_named_and_the_batch_goes_on(runner, tmp_path, name, data, reason):
    bad = _write(tmp_path, name, data)
    good = _write(tmp_path, "good.txt", GOOD)
    result = runner.invoke(app, ["code", "--format", "jsonl", bad, good])
    assert result.exit_code == 1
    assert name in result.stderr and reason in result.stderr
    assert len(result.stdout.splitlines()) >= 2  # the good file was still coded


def test_missing_file(runner, tmp_path):
    result = runner.invoke(app, ["code", str(tmp_path / "nope.txt")])
    assert result.exit_code == 1
    assert "nope.txt" in result.stderr and "no such file" in result.stderr


@pytest.mark.model
def test_non_english_text_warns_but_codes(runner, tmp_path):
    text = "Der Minister traf sich am Montag mit dem Botschafter und sprach über die Lage im Land."
    result = runner.invoke(app, ["code", _write(tmp_path, "de.txt", text)])
    assert result.exit_code == 0
    assert "does not look like English" in result.stderr


def test_bad_date_is_a_usage_error(runner, tmp_path):
    result = runner.invoke(app, ["code", "--published", "16/11/2023", _write(tmp_path, "a", GOOD)])
    assert result.exit_code == 2


def test_unknown_model_exits_3_with_a_clear_message(tmp_path):
    env = {**os.environ, "DETENTE_SPACY_MODEL": "no_such_pipeline"}
    proc = subprocess.run(
        [sys.executable, "-m", "detente.cli", "code", _write(tmp_path, "a.txt", GOOD)],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 3
    assert "no_such_pipeline" in proc.stderr and "DETENTE_SPACY_MODEL" in proc.stderr


@pytest.mark.model
def test_samples_are_coded(runner):
    result = runner.invoke(app, ["code", "--samples", "--format", "jsonl"])
    assert result.exit_code == 0
    events = [json.loads(line) for line in result.stdout.splitlines()]
    articles = {e["article"]["id"] for e in events}
    assert len(articles) >= 10  # nearly every sample article yields events


@pytest.mark.model
def test_table_shows_claims_and_counts(runner, tmp_path):
    text = (
        "Sudan's health ministry said at least 25 civilians were killed in the shelling, "
        "a figure that cannot be independently verified.\n"
    )
    result = runner.invoke(app, ["code", "--published", "2024-05-05", _write(tmp_path, "c", text)])
    assert result.exit_code == 0, result.output
    assert "claims" in result.stdout and "counts" in result.stdout
    assert "cannot be independently verified" in result.stdout and "killed" in result.stdout


USER_PATTERNS = """\
provenance: {source: written for detente's tests, license: MIT}
codes:
  - {code: "0878", name: serenaded another actor}
verbs:
  - {id: serenade, lemmas: [serenade], code: "0878", target: [obj]}
"""


@pytest.mark.model
def test_user_pattern_file_with_its_own_code(runner, tmp_path):
    patterns = _write(tmp_path, "patterns.yaml", USER_PATTERNS)
    text = _write(tmp_path, "a.txt", "Norway serenaded Sweden at the summit.\n")
    result = runner.invoke(app, ["code", "--format", "jsonl", "--patterns", patterns, text])
    assert result.exit_code == 0, result.output
    events = [Event.model_validate_json(line) for line in result.stdout.splitlines()]
    serenade = [e for e in events if e.cameo.code == "0878"]
    assert serenade and serenade[0].cameo.root == "08"  # Goldstein etc. of its CAMEO prefix
    assert [a.code for a in serenade[0].source] == ["NOR"]
    assert [a.code for a in serenade[0].target] == ["SWE"]


@pytest.mark.model
def test_html_file_is_read_as_ingest_reads_it(runner, tmp_path):
    from webfixtures import page_html

    path = _write(tmp_path, "page.html", page_html("/talks.html"))
    result = runner.invoke(app, ["code", "--format", "jsonl", path])
    assert result.exit_code == 0, result.output
    articles = [json.loads(line)["article"] for line in result.stdout.splitlines()]
    assert articles and {a["title"] for a in articles} == {"Envoys meet in Oslo"}
