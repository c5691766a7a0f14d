"""The layer contracts in pyproject.toml (``[tool.importlinter]``) hold, and they really bite.

Each case copies the package's Python files to a temporary directory, adds one small module
that breaks a rule, and runs ``lint-imports`` with the project's own configuration against the
copy: the check must fail and name the contract that was broken. The unmodified copy must pass.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "src" / "detente"
CONFIG = ROOT / "pyproject.toml"
LINT = "from importlinter.cli import lint_imports_command; lint_imports_command()"

LAYERS = "Layers: adapters > run > tools > stages > knowledge > base"
FACADE = "Only users import the facade"
CYCLES = "No import cycles between sibling modules"

# (what is wrong, {file inside the package: its source}, contract expected to break);
# a name starting with "+" appends to a copied file instead of adding a new one.
VIOLATIONS = [
    (
        "knowledge imports an adapter",
        {"knowledge/_probe.py": "import detente.cli\n"},
        LAYERS,
    ),
    (
        "a base module imports a stage",
        {"+records.py": "import detente.store\n"},  # "+": appended to the copied file
        LAYERS,
    ),
    (
        "one stage imports a sibling stage",
        {"store/_probe.py": "from detente.coding import coder\n"},
        LAYERS,
    ),
    (
        "a stage imports the runner above it",
        {"claims/_probe.py": "import detente.run\n"},
        LAYERS,
    ),
    (
        "the HTTP API imports the CLI above it",
        {"api/_probe.py": "import detente.cli\n"},
        LAYERS,
    ),
    (
        "the dashboard imports the HTTP API beside it",
        {"web/_probe.py": "import detente.api\n"},
        LAYERS,
    ),
    (
        "one adapter imports a sibling adapter",
        {"api/_probe.py": "import detente.component\n"},
        LAYERS,
    ),
    (
        "a top-level module that belongs to no layer",
        {"misc.py": "VALUE = 1\n"},
        LAYERS,
    ),
    (
        "a module imports the root facade",
        {"knowledge/_probe.py": "import detente\n"},
        FACADE,
    ),
    (
        "two modules of one package import each other",
        {
            "store/_probe_a.py": "from detente.store import _probe_b\n",
            "store/_probe_b.py": "from detente.store import _probe_a\n",
        },
        CYCLES,
    ),
]


def _copy_package(tmp_path: Path) -> Path:
    src = tmp_path / "src"
    shutil.copytree(
        PACKAGE,
        src / "detente",
        ignore=shutil.ignore_patterns("__pycache__", "data"),
    )
    return src


def _lint(src: Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(src)}
    return subprocess.run(
        [sys.executable, "-c", LINT, "--config", str(CONFIG), "--no-cache"],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_real_package_keeps_every_contract(tmp_path: Path) -> None:
    result = _lint(ROOT / "src", tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_an_unmodified_copy_keeps_every_contract(tmp_path: Path) -> None:
    result = _lint(_copy_package(tmp_path), tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize(
    ("files", "contract"),
    [(files, contract) for _, files, contract in VIOLATIONS],
    ids=[why for why, _, _ in VIOLATIONS],
)
def test_a_violation_fails_the_check(tmp_path: Path, files: dict[str, str], contract: str) -> None:
    src = _copy_package(tmp_path)
    for name, source in files.items():
        if name.startswith("+"):
            path = src / "detente" / name[1:]
            path.write_text(path.read_text(encoding="utf-8") + source, encoding="utf-8")
        else:
            (src / "detente" / name).write_text(source, encoding="utf-8")
    result = _lint(src, tmp_path)
    assert result.returncode != 0, result.stdout
    broken = [line for line in result.stdout.splitlines() if " BROKEN" in line]
    assert any(line.startswith(contract) for line in broken), result.stdout
