"""The CAMEO and PLOVER code tables (package data ``codes/cameo.csv`` and ``codes/plover.yaml``).

``load_codebook()`` reads and validates both files and returns a :class:`Codebook`; callers keep
the instance (nothing is cached here and nothing is read at import).
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from detente.errors import KnowledgeError
from detente.knowledge.files import KnowledgeFile, load_validated, load_validated_rows
from detente.records import Cameo, Plover

CAMEO_FILE = "codes/cameo.csv"
PLOVER_FILE = "codes/plover.yaml"
EXPECTED_CODES = 312
CAMEO_COLUMNS = [
    "code",
    "name",
    "root",
    "level",
    "goldstein",
    "goldstein_source",
    "quad_class",
    "plover_event",
    "plover_mode",
    "plover_context",
]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class CameoCode(_Model):
    """One row of ``cameo.csv``."""

    code: str = Field(pattern=r"^\d{2,4}[A-Z]?$")  # a letter only in user codes
    name: str = Field(min_length=1)
    root: str = Field(pattern=r"^\d{2}$")
    level: int = Field(ge=0, le=3)
    goldstein: float | None = Field(ge=-10, le=10)
    goldstein_source: Literal["gdelt", "icews", "phoenix", "user"]
    quad_class: int | None = Field(ge=1, le=4)
    plover_event: str = Field(min_length=1)
    plover_mode: str | None = None
    plover_context: tuple[str, ...] = ()

    @model_validator(mode="before")
    @classmethod
    def _from_csv(cls, data: Any) -> Any:
        """A CSV row: cells stripped, an empty mode is none, contexts are ``|``-separated."""
        if not isinstance(data, dict) or not isinstance(data.get("plover_context"), str):
            return data
        data = {k: v.strip() if isinstance(v, str) else v for k, v in data.items()}
        data["plover_mode"] = data.get("plover_mode") or None
        data["plover_context"] = tuple(c for c in data["plover_context"].split("|") if c)
        return data


class UserCode(_Model):
    """An event code a user pattern file declares beyond CAMEO (PETRARCH dictionaries carry
    their own, e.g. ``0874`` or ``174K``). It takes root, Goldstein value, QuadClass and PLOVER
    mapping from its longest CAMEO prefix; without one, those are unknown (``None``, PLOVER
    ``OTHER``)."""

    code: str = Field(pattern=r"^\d{2,4}[A-Z]?$")
    name: str = Field(min_length=1)


class PloverEvent(_Model):
    definition: str = Field(min_length=1)
    modes: tuple[str, ...] = ()


class PloverFile(KnowledgeFile):
    """``codes/plover.yaml``: the PLOVER event types (with their modes) and contexts."""

    events: dict[str, PloverEvent]
    contexts: tuple[str, ...]


class Codebook(_Model):
    """Validated CAMEO codes with their PLOVER mapping, plus the PLOVER vocabulary."""

    entries: dict[str, CameoCode]
    events: dict[str, PloverEvent]
    contexts: tuple[str, ...]
    provenance: dict[str, str] = Field(default_factory=dict)

    def has(self, code: str) -> bool:
        return code in self.entries

    def codes(self) -> list[str]:
        """All CAMEO codes, in file order."""
        return list(self.entries)

    def entry(self, code: str) -> CameoCode:
        try:
            return self.entries[code]
        except (KeyError, TypeError):
            raise KnowledgeError(f"unknown CAMEO code: {code!r}") from None

    def with_codes(self, codes: Iterable[UserCode]) -> Codebook:
        """This codebook plus user codes (a code already in the codebook keeps its entry)."""
        added: dict[str, CameoCode] = {}
        for u in codes:
            if u.code in self.entries or u.code in added:
                continue
            prefix = next(
                (u.code[:k] for k in range(len(u.code) - 1, 1, -1) if u.code[:k] in self.entries),
                None,
            )
            like = self.entries[prefix] if prefix else None
            added[u.code] = CameoCode(
                code=u.code,
                name=u.name,
                root=like.root if like else u.code[:2],
                level=3,
                goldstein=like.goldstein if like else None,
                goldstein_source="user",
                quad_class=like.quad_class if like else None,
                plover_event=like.plover_event if like else "OTHER",
                plover_mode=like.plover_mode if like else None,
                plover_context=like.plover_context if like else (),
            )
        if not added:
            return self
        return self.model_copy(update={"entries": {**self.entries, **added}})

    def root_of(self, code: str) -> str:
        return self.entry(code).root

    def cameo(self, code: str) -> Cameo:
        e = self.entry(code)
        return Cameo(
            code=e.code, root=e.root, name=e.name, goldstein=e.goldstein, quad_class=e.quad_class
        )

    def plover(self, code: str, extra_contexts: Iterable[str] = ()) -> Plover:
        """The mapped PLOVER event of ``code``; contexts are the mapped ones, then the extras."""
        e = self.entry(code)
        extra = list(extra_contexts)
        unknown = [c for c in extra if c not in self.contexts]
        if unknown:
            raise KnowledgeError(f"undeclared PLOVER context(s): {', '.join(unknown)}")
        context = list(dict.fromkeys([*e.plover_context, *extra]))
        return Plover(event=e.plover_event, mode=e.plover_mode, context=context)


def load_codebook(cameo_path: Path | None = None, plover_path: Path | None = None) -> Codebook:
    """Read and validate the code tables (package data unless paths are given)."""
    cameo_name = str(cameo_path or f"detente/data/{CAMEO_FILE}")
    _, rows = load_validated_rows(cameo_path or CAMEO_FILE, CameoCode, CAMEO_COLUMNS)
    vocab = load_validated(plover_path or PLOVER_FILE, PloverFile)
    events, contexts = vocab.events, vocab.contexts
    entries: dict[str, CameoCode] = {}
    for entry in rows:
        if entry.code in entries:
            raise KnowledgeError(f"{cameo_name}: duplicate CAMEO code {entry.code}")
        entries[entry.code] = entry
    _check(entries, events, contexts, cameo_name)
    provenance = {k: str(v) for k, v in vocab.provenance.items()}
    return Codebook(entries=entries, events=events, contexts=contexts, provenance=provenance)


def _check(
    entries: dict[str, CameoCode],
    events: dict[str, PloverEvent],
    contexts: tuple[str, ...],
    name: str,
) -> None:
    if len(entries) != EXPECTED_CODES:
        raise KnowledgeError(f"{name}: expected {EXPECTED_CODES} CAMEO codes, found {len(entries)}")
    for e in entries.values():
        if not e.code.startswith(e.root) or e.root not in entries:
            raise KnowledgeError(f"{name}: code {e.code} has bad root {e.root!r}")
        event = events.get(e.plover_event)
        if event is None:
            raise KnowledgeError(f"{name}: code {e.code}: undeclared PLOVER event {e.plover_event}")
        if e.plover_mode is not None and e.plover_mode not in event.modes:
            raise KnowledgeError(
                f"{name}: code {e.code}: mode {e.plover_mode!r} not declared for {e.plover_event}"
            )
        for c in e.plover_context:
            if c not in contexts:
                raise KnowledgeError(f"{name}: code {e.code}: undeclared PLOVER context {c!r}")
