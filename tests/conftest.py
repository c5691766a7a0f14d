"""Shared fixtures: one real coder (real spaCy model, real knowledge files) per test session.

A test that codes through the CLI or ``detente.code`` without passing a coder gets the session
coder too: in-process, ``load_coder`` with the default settings returns it rather than loading
the model again (other settings still build their own coder).

Tests that need the spaCy model carry the ``model`` marker: every test that uses the ``coder``
fixture (directly or through another fixture) gets it here; a test that loads the model another
way (its own ``load_coder``, the CLI's ``code``) is marked in its file. ``pytest -m "not model"``
(``make quick``) runs the rest, and a run without any model test refuses to load the model, so an
unmarked test that loads it fails the quick tier instead of silently slowing it down.
"""

from __future__ import annotations

import importlib.abc
import sys
from pathlib import Path

import pytest

from detente.coding.coder import Coder, load_coder
from detente.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
GOLDEN = Path(__file__).resolve().parent / "golden"
MODEL_FIXTURE = "coder"


@pytest.fixture(scope="session")
def coder() -> Coder:
    return load_coder(Settings())


@pytest.fixture(autouse=True)
def _one_default_coder(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    from detente.coding import coder as pipeline

    def load(settings: Settings | None = None, gazetteer=None) -> Coder:
        settings = settings or Settings.from_env()
        if gazetteer is None and settings == Settings():
            return request.getfixturevalue(MODEL_FIXTURE)
        return load_coder(settings, gazetteer)

    monkeypatch.setattr(pipeline, "load_coder", load)


def ingest_samples(folder: Path) -> str:
    """A new store file in ``folder`` holding the bundled samples, ingested by the CLI."""
    from typer.testing import CliRunner

    from detente.cli import app

    path = str(folder / "samples.duckdb")
    result = CliRunner().invoke(app, ["ingest", "--samples", "--db", path])
    assert result.exit_code == 0, result.output
    return path


@pytest.fixture(scope="session")
def shared() -> Path:
    if not SHARED.is_dir():
        pytest.skip(f"{SHARED} is absent (it exists only in the developers' workspace)")
    return SHARED


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if MODEL_FIXTURE in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.model)


class _ModelBlocker(importlib.abc.MetaPathFinder):
    """Refuses to import the spaCy model package: installed for runs without model tests."""

    def __init__(self, package: str) -> None:
        self.package = package

    def find_spec(self, fullname, path=None, target=None):
        if fullname == self.package or fullname.startswith(self.package + "."):
            raise RuntimeError(
                f"this run has no `model` tests, yet a test loads the spaCy model {self.package!r}:"
                " mark that test `@pytest.mark.model` (or give it the `coder` fixture)"
            )
        return None


_BLOCKER = pytest.StashKey[_ModelBlocker]()


def pytest_collection_finish(session: pytest.Session) -> None:
    if any(item.get_closest_marker("model") for item in session.items):
        return
    package = Settings().spacy_model
    if package in sys.modules:
        raise pytest.UsageError(f"the spaCy model {package!r} was loaded during collection")
    session.config.stash[_BLOCKER] = blocker = _ModelBlocker(package)
    sys.meta_path.insert(0, blocker)


def pytest_unconfigure(config: pytest.Config) -> None:
    blocker = config.stash.get(_BLOCKER, None)
    if blocker is not None and blocker in sys.meta_path:
        sys.meta_path.remove(blocker)
