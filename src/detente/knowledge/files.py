"""Reading knowledge files (YAML/CSV package data or user files) with their provenance header.

Every knowledge file says where its content comes from:

* YAML files have a top-level ``provenance:`` mapping with at least ``source`` and ``license``.
* CSV files start with ``#`` comment lines, including ``# source: ...`` and ``# license: ...``.

Files are read with ``importlib.resources`` so they work from a wheel as well as a checkout.
"""

from __future__ import annotations

import csv
import io
import json
from importlib import resources
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError

from detente.errors import KnowledgeError

REQUIRED_PROVENANCE = ("source", "license")
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
# keys that name an entry in an error message, first found wins
_IDENT_KEYS = ("id", "code", "iso3", "name", "term", "word", "lemma", "title")

M = TypeVar("M", bound=BaseModel)


class KnowledgeFile(BaseModel):
    """Base of the schema of a whole knowledge file: its ``provenance:`` header (checked by
    :func:`load_yaml`) and, in subclasses, its sections. Unknown keys are errors."""

    model_config = ConfigDict(extra="forbid")

    provenance: dict[str, Any]


def package_text(relpath: str) -> str:
    """Text of a file under ``detente/data``."""
    node = resources.files("detente").joinpath("data")
    for part in relpath.split("/"):
        node = node.joinpath(part)
    try:
        return node.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise KnowledgeError(f"package data file missing: detente/data/{relpath}") from exc


def package_files(reldir: str, suffix: str) -> list[str]:
    """Relative paths of the files in a package data folder ending in ``suffix``, sorted."""
    node = resources.files("detente").joinpath("data")
    for part in reldir.split("/"):
        node = node.joinpath(part)
    if not node.is_dir():
        raise KnowledgeError(f"package data folder missing: detente/data/{reldir}")
    return sorted(f"{reldir}/{p.name}" for p in node.iterdir() if p.name.endswith(suffix))


def _read(source: str | Path) -> tuple[str, str]:
    """(text, name) of a package-relative path (str) or a user file (Path)."""
    if isinstance(source, Path):
        try:
            return source.read_text(encoding="utf-8"), str(source)
        except OSError as exc:
            raise KnowledgeError(f"cannot read knowledge file {source}: {exc}") from exc
    return package_text(source), f"detente/data/{source}"


def load_yaml(source: str | Path) -> dict[str, Any]:
    """A YAML knowledge file as a dict; checks its provenance header."""
    text, name = _read(source)
    try:
        data = _json_or_none(text)
        if data is None:
            data = yaml.load(text, Loader=_LOADER)
    except yaml.YAMLError as exc:
        raise KnowledgeError(f"{name}: invalid YAML: {exc}") from exc
    if not isinstance(data, dict):
        raise KnowledgeError(f"{name}: expected a mapping at top level")
    _check_provenance(data.get("provenance"), name)
    return data


def _json_or_none(text: str) -> Any:
    """JSON is YAML: a file written as JSON (large imported dictionaries) is read with the
    much faster JSON parser; anything else (or invalid JSON) goes to the YAML parser."""
    if not text.lstrip().startswith("{"):
        return None
    try:
        return json.loads(text)
    except ValueError:
        return None


def load_csv(source: str | Path) -> tuple[dict[str, str], list[dict[str, str]]]:
    """(provenance, rows) of a CSV knowledge file whose header lines start with ``#``."""
    text, name = _read(source)
    header: dict[str, str] = {}
    body: list[str] = []
    for line in text.splitlines():
        if not body and line.startswith("#"):
            key, _, value = line.lstrip("# ").partition(":")
            if value:
                header[key.strip()] = value.strip()
        else:
            body.append(line)
    _check_provenance(header, name)
    rows = list(csv.DictReader(io.StringIO("\n".join(body))))
    return header, rows


def _check_provenance(prov: Any, name: str) -> None:
    if not isinstance(prov, dict):
        raise KnowledgeError(f"{name}: missing provenance header")
    missing = [k for k in REQUIRED_PROVENANCE if not prov.get(k)]
    if missing:
        raise KnowledgeError(f"{name}: provenance header lacks {', '.join(missing)}")


def source_name(source: str | Path) -> str:
    """How a knowledge file is named in messages."""
    return str(source) if isinstance(source, Path) else f"detente/data/{source}"


def load_validated(source: str | Path, model: type[M], data: Any = None) -> M:
    """A YAML knowledge file (package-relative path or user file) validated as ``model``.

    ``data`` is the already-parsed file, when the caller has it. Every problem raises a
    :class:`KnowledgeError` naming the file and the entry (``verbs[3] (expel).code: ...``).
    """
    if data is None:
        data = load_yaml(source)
    return validate(data, model, source_name(source))


def validate(data: Any, model: type[M], name: str) -> M:
    """``data`` validated as ``model``; errors are :class:`KnowledgeError`s naming ``name``
    and the entry."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise KnowledgeError(f"{name}: {describe_error(exc, data)}") from None


def load_validated_rows(
    source: str | Path, model: type[M], columns: list[str]
) -> tuple[dict[str, str], list[M]]:
    """(provenance, rows) of a CSV knowledge file, each row validated as ``model``; errors name
    the file and the row (``data row 3 (0212).goldstein: ...``)."""
    header, rows = load_csv(source)
    name = source_name(source)
    out = []
    for n, row in enumerate(rows, start=1):
        if list(row) != columns or None in row.values():
            raise KnowledgeError(f"{name}: data row {n}: expected columns {','.join(columns)}")
        out.append(validate_entry(row, model, name, f"data row {n}"))
    return header, out


def validate_entry(item: Any, model: type[M], name: str, label: str) -> M:
    """One entry of a file (``label`` says where: ``terms[3]``) validated as ``model``."""
    try:
        return model.model_validate(item)
    except ValidationError as exc:
        ident = _ident(item)
        where = label + (f" ({ident})" if ident else "")
        parts = []
        for err in exc.errors():
            loc = entry_label(err["loc"], item)
            parts.append(f"{where}.{loc}: {err['msg']}" if err["loc"] else f"{where}: {err['msg']}")
        raise KnowledgeError(f"{name}: {'; '.join(dict.fromkeys(parts))}") from None


def describe_error(exc: ValidationError, data: Any) -> str:
    """Pydantic errors as ``section[index] (key).field: message``, '; '-joined."""
    parts = []
    for err in exc.errors():
        parts.append(f"{entry_label(err['loc'], data)}: {err['msg']}")
    return "; ".join(dict.fromkeys(parts))


def entry_label(loc: tuple[Any, ...], data: Any) -> str:
    """A pydantic error location with list positions shown as ``[i]`` and the entry's
    identifying key, when it has one."""
    label = ""
    node = data
    for part in loc:
        if isinstance(part, int):
            label += f"[{part}]"
            node = node[part] if isinstance(node, list) and part < len(node) else None
            ident = _ident(node)
            if ident:
                label += f" ({ident})"
        else:
            label += f".{part}" if label else str(part)
            node = node.get(part) if isinstance(node, dict) else None
    return label or "top level"


def _ident(node: Any) -> str | None:
    if not isinstance(node, dict):
        return None
    for key in _IDENT_KEYS:
        value = node.get(key)
        if isinstance(value, str | int) and not isinstance(value, bool):
            return str(value)
    return None
