"""Parsers for PETRARCH/TABARI dictionary files (actors, agents, discards, verbs).

They only read the text into plain entries with their line numbers; :mod:`detente.petrarch.importer`
turns the entries into detente's own formats. Lines that cannot be read are returned as
``(line number, text, reason)`` rejections.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, timedelta

Rejected = tuple[int, str, str]

_COMMENT = re.compile(r"\s#.*$|^#.*$")
_CODES = re.compile(r"\[([^\]]*)\]")


def strip_comment(line: str) -> str:
    return _COMMENT.sub("", line).rstrip()


def words(phrase: str) -> list[str]:
    """The words of a dictionary phrase: ``_`` and spaces join words; a trailing ``_`` marks an
    exact word end (TABARI), which detente's exact matching gives anyway."""
    return [w for w in re.split(r"[_\s]+", phrase.strip()) if w]


def petrarch_date(text: str) -> date:
    """``080508`` (YYMMDD, years < 30 are 20xx) or ``20080508``."""
    text = text.strip()
    if len(text) == 8:
        return date(int(text[:4]), int(text[4:6]), int(text[6:]))
    if len(text) == 6:
        yy = int(text[:2])
        return date(2000 + yy if yy < 30 else 1900 + yy, int(text[2:4]), int(text[4:]))
    raise ValueError(f"date {text!r} is neither YYMMDD nor YYYYMMDD")


@dataclass
class CodeSpec:
    code: str
    start: date | None = None
    end: date | None = None

    @property
    def dated(self) -> bool:
        return self.start is not None or self.end is not None


def parse_code(raw: str) -> CodeSpec:
    """``RUSGOV``, ``RUSGOV >080508``, ``X <080508``, ``X 19870101-20040322`` (ends inclusive;
    ``<D`` ends the day before D)."""
    raw = raw.strip()
    m = re.fullmatch(r"(\S+)\s*(?:([<>])\s*(\d{6,8})|(\d{6,8})\s*-\s*(\d{6,8}))?", raw)
    if not m:
        raise ValueError(f"cannot read code {raw!r}")
    code = m[1]
    if m[2] == ">":
        return CodeSpec(code, start=petrarch_date(m[3]))
    if m[2] == "<":
        return CodeSpec(code, end=petrarch_date(m[3]) - timedelta(days=1))
    if m[4]:
        return CodeSpec(code, start=petrarch_date(m[4]), end=petrarch_date(m[5]))
    return CodeSpec(code)


@dataclass
class ActorRecord:
    line: int
    phrases: list[list[str]]  # the entry phrase, then its synonyms, as word lists
    codes: list[CodeSpec] = field(default_factory=list)
    text: str = ""


def parse_actors(lines: list[str]) -> tuple[list[ActorRecord], list[Rejected]]:
    entries: list[ActorRecord] = []
    rejected: list[Rejected] = []
    current: ActorRecord | None = None
    for n, raw in enumerate(lines, 1):
        if raw.lstrip().startswith(("<", "-->")):
            continue  # XML-style comment lines of the validation dictionaries
        line = strip_comment(raw)
        if not line.strip():
            continue
        body = _CODES.sub("", line).strip()
        codes = _CODES.findall(line)
        if line.startswith("+"):
            if current is None:
                rejected.append((n, raw, "synonym before any entry"))
            elif ws := words(body[1:]):
                current.phrases.append(ws)
            continue
        if body and not line[0].isspace():
            current = ActorRecord(line=n, phrases=[words(body)], text=line.strip())
            entries.append(current)
        elif body or current is None:
            rejected.append((n, raw, "cannot read line (no entry to attach it to)"))
            continue
        for c in codes:
            try:
                current.codes.append(parse_code(c))
            except ValueError as exc:
                rejected.append((n, raw, str(exc)))
    return entries, rejected


@dataclass
class AgentRecord:
    line: int
    phrase: list[str]
    plurals: list[list[str]] | None  # None: no {...}; []: regular plural
    code: str


def parse_agents(lines: list[str]) -> tuple[list[AgentRecord], list[Rejected]]:
    macros: dict[str, list[str]] = {}
    out: list[AgentRecord] = []
    rejected: list[Rejected] = []
    for n, raw in enumerate(lines, 1):
        if raw.lstrip().startswith(("<", "-->")):
            continue
        line = strip_comment(raw).strip()
        if not line:
            continue
        if m := re.fullmatch(r"(![A-Z]+!)\s*=\s*(.+)", line):
            macros[m[1]] = [w.strip() for w in m[2].split(",") if w.strip()]
            continue
        codes = _CODES.findall(line)
        if len(codes) != 1:
            rejected.append((n, raw, "agent line needs exactly one [code]"))
            continue
        plural_m = re.search(r"\{([^}]*)\}", line)
        phrase = re.sub(r"\{[^}]*\}|\[[^\]]*\]", "", line).strip()
        variants = [phrase]
        for name, subs in macros.items():
            if any(name in v for v in variants):
                variants = [v.replace(name, s) for v in variants for s in subs]
        if "!" in phrase and any("!" in v for v in variants):
            rejected.append((n, raw, "unknown !MACRO! substitution"))
            continue
        plurals = None
        if plural_m is not None:
            plurals = [words(p) for p in plural_m[1].split() if p.strip()]
        for v in variants:
            out.append(AgentRecord(n, words(v), plurals, codes[0].strip()))
    return out, rejected


@dataclass
class VerbBlock:
    line: int
    name: str
    code: str
    verbs: list[tuple[int, str]] = field(default_factory=list)  # (line, raw verb phrase)
    patterns: list[tuple[int, str, str]] = field(default_factory=list)  # (line, body, code)


def parse_verbs(
    lines: list[str],
) -> tuple[dict[str, list[str]], list[VerbBlock], list[Rejected]]:
    """(``&`` synsets, verb blocks, rejections) of a PETRARCH verbs file (CAMEO.2.0 layout)."""
    synsets: dict[str, list[str]] = {}
    blocks: list[VerbBlock] = []
    rejected: list[Rejected] = []
    synset: str | None = None  # the synset whose members the following "+" lines are
    block: VerbBlock | None = None
    for n, raw in enumerate(lines, 1):
        if raw.lstrip().startswith(("<", "-->")):
            continue
        line = strip_comment(raw).strip()
        if not line:
            synset = None
            continue
        if m := re.fullmatch(r"---\s*(.+?)\s*\[([^\]]*)\]\s*---", line):
            block = VerbBlock(n, m[1], m[2].strip())
            blocks.append(block)
            synset = None
        elif re.fullmatch(r"&[A-Z0-9_]+", line):
            synset = line.rstrip("_")
            synsets[synset] = []
        elif line.startswith("+") and synset is not None:
            synsets[synset].append(line[1:])
        elif block is None:
            rejected.append((n, raw, "line outside a synset or verb block"))
        elif line.startswith("-"):
            codes = _CODES.findall(line)
            if len(codes) != 1:
                rejected.append((n, raw, "pattern needs exactly one [code]"))
            else:
                block.patterns.append((n, _CODES.sub("", line)[1:].strip(), codes[0].strip()))
        else:
            block.verbs.append((n, line))
    return synsets, blocks, rejected
