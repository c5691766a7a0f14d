"""README.md keeps up with the code: each CLI command is shown, each Python path it names exists."""

from __future__ import annotations

import importlib
import re
from pathlib import Path

import pytest
import typer.main

from detente.cli import app

README = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")

# `detente.store.queries.events/dyads` names detente.store.queries.events and ...queries.dyads;
# `./detente.duckdb` (a file name) is no Python path
DOTTED = re.compile(r"(?<![\w./-])(detente(?:\.[A-Za-z_]\w*)+)((?:/[A-Za-z_]\w*)*)")
FROM_IMPORT = re.compile(r"^\s*from\s+(detente(?:\.\w+)*)\s+import\s+([\w\s,()]+)$", re.M)
INLINE = re.compile(r"`([^`]+)`")  # a span may wrap onto the next line
BLOCK = re.compile(r"```(\w*)\n(.*?)```", re.S)


def _commands(command, path: tuple[str, ...] = ()):
    subcommands = getattr(command, "commands", None)
    if subcommands is None:
        yield path
        return
    for name, sub in sorted(subcommands.items()):
        if not sub.hidden:
            yield from _commands(sub, (*path, name))


def _python_text() -> str:
    """The ```python blocks and the inline code spans outside any block."""
    blocks = [body for lang, body in BLOCK.findall(README) if lang == "python"]
    return "\n".join([*blocks, *INLINE.findall(BLOCK.sub("", README))])


def _python_paths() -> list[str]:
    text = _python_text()
    paths = []
    for dotted, alternatives in DOTTED.findall(text):
        paths.append(dotted)
        stem = dotted.rsplit(".", 1)[0]
        paths += [f"{stem}.{name}" for name in alternatives.split("/") if name]
    for module, names in FROM_IMPORT.findall(text):
        paths += [f"{module}.{n.strip()}" for n in names.strip("() \n").split(",") if n.strip()]
    return sorted(set(paths))


def _resolve(path: str) -> object:
    """Import the longest module prefix of ``path``, then look the rest up as attributes."""
    parts = path.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:cut]))
        except ModuleNotFoundError:
            continue
        for name in parts[cut:]:
            obj = getattr(obj, name)
        return obj
    raise ModuleNotFoundError(path)


COMMANDS = [" ".join(p) for p in _commands(typer.main.get_command(app))]
PATHS = _python_paths()


def test_the_walk_finds_commands_and_subcommands():
    assert {"code", "ingest", "dict import-petrarch"} <= set(COMMANDS)


@pytest.mark.parametrize("command", COMMANDS)
def test_every_cli_command_is_shown_in_the_readme(command):
    shown = re.compile(r"\bdetente\s+" + r"\s+".join(map(re.escape, command.split())) + r"\b")
    assert shown.search(README), f"README.md never shows `detente {command}`"


def test_the_readme_names_python_paths():
    assert {"detente.code", "detente.run.ingest", "detente.store.open_store"} <= set(PATHS)


@pytest.mark.parametrize("path", PATHS)
def test_every_python_path_in_the_readme_exists(path):
    try:
        _resolve(path)
    except (ImportError, AttributeError) as exc:
        pytest.fail(f"README.md names {path}, which does not resolve: {exc}")


def test_a_stale_path_would_be_caught():
    with pytest.raises((ImportError, AttributeError)):
        _resolve("detente.ingest_run.ingest")
    with pytest.raises(AttributeError):
        _resolve("detente.store.queries.no_such_query")
