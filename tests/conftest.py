"""Shared fixtures: one real coder (real spaCy model, real knowledge files) per test session."""

from __future__ import annotations

from pathlib import Path

import pytest

from detente.coding.coder import Coder, load_coder
from detente.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
GOLDEN = Path(__file__).resolve().parent / "golden"


@pytest.fixture(scope="session")
def coder() -> Coder:
    return load_coder(Settings())


@pytest.fixture(scope="session")
def shared() -> Path:
    if not SHARED.is_dir():
        pytest.skip(f"{SHARED} is absent (it exists only in the developers' workspace)")
    return SHARED
