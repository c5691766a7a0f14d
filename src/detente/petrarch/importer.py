"""PETRARCH/TABARI dictionaries → detente's own formats (``detente dict import-petrarch``).

* actors files → an actor dictionary (``countries:`` for bare 3-letter country codes,
  ``organizations:`` for every other entry, with dated ``roles``; entries with dated codes are
  ``kind: person``). Country and sector come from the CAMEO code: the first three letters when
  they are a country code (built-in or declared by the import), the next three when they are
  a declared sector; ``IGO…`` codes are IGOs.
* agents files → sector ``terms:`` (``[~GOV]``: the sector combines with a country modifier);
  sector codes detente does not know are declared under ``sectors:``.
* verbs files → a pattern file with ``verbs:``: a verb block's own code, ``* NOUN`` / ``* &SYNSET``
  (object constraint) and ``* (PREP)`` / ``* (PREP +)`` patterns. Everything else is rejected.
* discards files are not converted (detente has no discard lists).

The loader rejects an alias listed for two entries, so an alias that a built-in entry (or an
earlier imported entry) already has is dropped and reported; for country entries, aliases the
built-in country already has are simply skipped. Every line not converted is reported with
its reason.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from detente.errors import InputError
from detente.knowledge.actors import ActorKnowledge
from detente.knowledge.codes import Codebook
from detente.knowledge.files import load_validated
from detente.petrarch.actors import Actors, PetrarchCodes
from detente.petrarch.patterns import convert_agents, convert_verbs
from detente.petrarch.read import (
    ActorRecord,
    parse_actors,
    parse_agents,
    parse_verbs,
    strip_comment,
)


@dataclass
class PetrarchImport:
    """What an import produced: the two YAML documents, counts and the rejected lines."""

    actors: dict[str, Any]
    patterns: dict[str, Any]
    counts: dict[str, int] = field(default_factory=dict)
    rejected: list[tuple[str, int, str, str]] = field(default_factory=list)  # file, line, text, why


# --------------------------------------------------------------------------- import


def _kind(path: Path) -> str | None:
    name = path.name.lower()
    for kind, keys in (
        ("verbs", ("verb", "cameo")),
        ("agents", ("agent",)),
        ("discards", ("discard",)),
        ("actors", ("actor",)),
    ):
        if any(k in name for k in keys):
            return kind
    return None


def dictionary_files(inputs: Sequence[Path | str]) -> list[Path]:
    """The files named, with folders expanded to their ``.txt`` files (sorted)."""
    out: list[Path] = []
    for item in map(Path, inputs):
        if item.is_dir():
            out += sorted(p for p in item.iterdir() if p.suffix == ".txt")
        elif item.is_file():
            out.append(item)
        else:
            raise InputError(str(item), "no such file or folder")
    return out


def _lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8", errors="replace").splitlines()


def import_petrarch(
    inputs: Sequence[Path | str], knowledge: ActorKnowledge, codebook: Codebook
) -> PetrarchImport:
    """Convert PETRARCH dictionary files (or folders of them) against the built-in
    ``knowledge`` (for alias clashes and sectors) and ``codebook`` (for event codes)."""
    result = PetrarchImport(actors={}, patterns={})

    def reporter(where: str):
        return lambda line, text, why: result.rejected.append((where, line, text.strip(), why))

    files = dictionary_files(inputs)
    by_kind: dict[str, list[Path]] = {}
    for f in files:
        kind = _kind(f)
        if kind is None:
            result.rejected.append((f.name, 0, "", "not an actors/agents/discards/verbs file"))
        else:
            by_kind.setdefault(kind, []).append(f)

    petrarch_codes = load_validated("petrarch/codes.yaml", PetrarchCodes)
    sectors = {code: s.meaning for code, s in knowledge.sectors.items()}
    terms: list[dict] = []
    new_sectors: dict[str, str] = {}
    known_terms = {t.term for t in knowledge.sector_terms}
    for f in by_kind.get("agents", []):
        agents, bad = parse_agents(_lines(f))
        result.rejected += [(f.name, n, t.strip(), why) for n, t, why in bad]
        got, declared, known = convert_agents(
            agents, known_terms, sectors, reporter(f.name), petrarch_codes.org_nouns
        )
        terms += got
        known_terms |= {t["term"] for t in got}
        new_sectors.update(declared)
        sectors.update(declared)
        result.counts["agents already known"] = result.counts.get("agents already known", 0)
        result.counts["agents already known"] += known

    actors = Actors(
        knowledge,
        sectors,
        lambda w, n, t, why: result.rejected.append((w, n, t, why)),
        petrarch_codes,
    )
    parsed: list[tuple[str, list[ActorRecord]]] = []
    for f in by_kind.get("actors", []):
        records, bad = parse_actors(_lines(f))
        result.rejected += [(f.name, n, t.strip(), why) for n, t, why in bad]
        parsed.append((f.name, records))
        for rec in records:
            if code := actors.country_level(rec):
                actors.countries.add(code)
    for name, records in parsed:
        for rec in records:
            actors.add(rec, name)

    for f in by_kind.get("discards", []):
        for n, raw in enumerate(_lines(f), 1):
            if strip_comment(raw).strip() and not raw.lstrip().startswith("<"):
                why = "discards are not converted: detente has no discard lists"
                result.rejected.append((f.name, n, raw.strip(), why))

    verbs: list[dict] = []
    codes: list[dict] = []
    for f in by_kind.get("verbs", []):
        synsets, blocks, bad = parse_verbs(_lines(f))
        result.rejected += [(f.name, n, t.strip(), why) for n, t, why in bad]
        got, declared = convert_verbs(synsets, blocks, codebook, reporter(f.name))
        verbs += got
        codes += [c for c in declared if c["code"] not in {d["code"] for d in codes}]

    names = ", ".join(f.name for f in files)
    provenance = {
        "source": f"imported by detente from PETRARCH/TABARI dictionaries: {names}",
        "license": "that of the source dictionaries",
    }
    result.actors = {"provenance": provenance}
    if new_sectors:
        result.actors["sectors"] = new_sectors
    countries = actors.countries_out()
    if countries:
        result.actors["countries"] = countries
    result.actors["organizations"] = actors.orgs
    result.actors["terms"] = terms
    result.patterns = {"provenance": provenance, "codes": codes, "verbs": verbs, "nouns": []}
    result.counts.update(
        {
            "actors": len(actors.orgs) + len(countries),
            "aliases": actors.n_aliases,
            "dated roles": actors.n_roles,
            "agents": len(terms),
            "verb patterns": len(verbs),
            "event codes beyond CAMEO": len(codes),
            "rejected lines": len(result.rejected),
        }
    )
    return result


def _dump(data: dict[str, Any]) -> str:
    """JSON laid out one list entry per line. JSON is YAML, so the file is a YAML knowledge
    file like any other; being JSON, :func:`detente.resources.load_yaml` reads it ~30x faster
    than block YAML (the Phoenix actors: ~0.5 s instead of ~15 s)."""

    def enc(v: Any) -> str:
        return json.dumps(v, ensure_ascii=False, default=str)

    parts = []
    for key, value in data.items():
        if isinstance(value, list) and value:
            items = ",\n".join(f"  {enc(v)}" for v in value)
            parts.append(f"{enc(key)}: [\n{items}\n]")
        else:
            parts.append(f"{enc(key)}: {enc(value)}")
    return "{\n" + ",\n".join(parts) + "\n}\n"


def write_import(result: PetrarchImport, outdir: Path | str) -> dict[str, Path]:
    """Write ``actors.yaml``, ``patterns.yaml`` and ``rejected.tsv`` into ``outdir``."""
    out = Path(outdir)
    out.mkdir(parents=True, exist_ok=True)
    paths = {
        "actors": out / "actors.yaml",
        "patterns": out / "patterns.yaml",
        "rejected": out / "rejected.tsv",
    }
    paths["actors"].write_text(_dump(result.actors), encoding="utf-8")
    paths["patterns"].write_text(_dump(result.patterns), encoding="utf-8")
    rows = ["file\tline\ttext\treason"]
    rows += [f"{f}\t{n}\t{t.replace(chr(9), ' ')}\t{why}" for f, n, t, why in result.rejected]
    paths["rejected"].write_text("\n".join(rows) + "\n", encoding="utf-8")
    return paths
