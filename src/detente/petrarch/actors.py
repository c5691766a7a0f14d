"""PETRARCH actor entries → detente countries and organizations (used by petrarch.py).

Country and sector come from the CAMEO code: the first three letters when they are a country
code (built-in or declared by the import), the next three when they are a declared sector;
``IGO…`` codes are IGOs; entries with dated codes are persons. Aliases already owned by a
built-in entry or an earlier imported one are dropped and reported (the loader rejects an alias
listed for two entries); a country entry silently skips the aliases its built-in country has.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from detente.knowledge.actors import ActorKnowledge, Role
from detente.knowledge.files import KnowledgeFile
from detente.petrarch.read import ActorRecord

Reject = Callable[[str, int, str, str], None]  # (file, line, text, reason)

CONNECTORS = {
    "of",
    "the",
    "and",
    "for",
    "de",
    "du",
    "des",
    "la",
    "le",
    "al",
    "el",
    "bin",
    "von",
    "van",
    "der",
    "on",
    "in",
    "to",
    "da",
    "di",
    "del",
    "y",
}


class PetrarchCodes(KnowledgeFile):
    """``data/petrarch/codes.yaml``: PETRARCH codes that are not detente sectors, and the nouns
    that make an agent phrase an organization."""

    not_countries: frozenset[str]
    armed: frozenset[str]
    org_nouns: frozenset[str]


_ACTOR_CODE = re.compile(r"[A-Z][A-Z0-9]*")


def _norm(text: str) -> str:
    return " ".join(text.split()).casefold()


def _cap(word: str, first: bool, keep_short: bool) -> str:
    low = word.lower()
    if low in CONNECTORS and not first:
        return low
    if first and low == "the":
        return "the"
    if keep_short and len(word) <= 3 and word.isalpha():
        return word.upper()
    return "-".join(p[:1].upper() + p[1:].lower() for p in word.split("-"))


def alias_forms(ws: list[str]) -> list[str]:
    """Mixed-case forms of an upper-case dictionary phrase (``VLADIMIR_PUTIN_`` → Vladimir
    Putin); short words are also kept in capitals (``UN``), a short single word too (``IMF``)."""
    forms = []
    for keep in (False, True):
        forms.append(" ".join(_cap(w, i == 0, keep) for i, w in enumerate(ws)))
    if len(ws) == 1 and len(ws[0]) <= 5:
        forms.append(ws[0].upper())
    return list(dict.fromkeys(f for f in forms if f))


class Actors:
    """Collects the converted actor entries of an import."""

    def __init__(
        self, kb: ActorKnowledge, sectors: dict[str, str], report: Reject, codes: PetrarchCodes
    ) -> None:
        self.kb, self.sectors, self.report = kb, sectors, report
        # bare three-letter codes naming no country; sectors of armed groups
        self.transnational = kb.sectors_with("transnational") | codes.not_countries
        self.armed = kb.sectors_with("armed") | codes.armed
        self.builtin_iso3 = {c.iso3 for c in kb.countries}
        self.countries = set(self.builtin_iso3)  # plus codes the import declares
        self.owner: dict[str, str] = {}
        for c in kb.countries:
            for f in c.surface_forms():
                self.owner[_norm(f)] = f"country:{c.iso3}"
        for o in kb.organizations:
            for f in o.aliases:
                self.owner[_norm(f)] = f"builtin org {o.name}"
        self.builtin_keys = set(self.owner)
        self.builtin_orgs = {_norm(o.name) for o in kb.organizations}
        self.names: set[str] = set()
        self.new_countries: dict[str, dict] = {}
        self.country_aliases: dict[str, list[str]] = {}
        self.orgs: list[dict] = []
        self.labels: dict[str, str] = {}
        self.n_aliases = self.n_roles = 0

    def split(self, code: str) -> tuple[str | None, str | None]:
        head, sector = code[:3], code[3:6]
        sector = sector if sector in self.sectors else None
        if head == "IGO" or head not in self.countries:
            return None, sector if head == "IGO" else None
        return head, sector

    def _aliases(self, rec: ActorRecord, owner: str, where: str) -> list[str]:
        kept: list[str] = []
        for ws in rec.phrases:
            clash = None
            for form in alias_forms(ws):
                key = _norm(form)
                prev = self.owner.setdefault(key, owner)
                if prev != owner:
                    clash = clash or (form, prev)
                elif key not in self.builtin_keys:
                    kept.append(form)
            if clash:
                label = self.labels.get(clash[1], clash[1])
                self.report(where, rec.line, clash[0], f"alias clash: already listed for {label}")
        return list(dict.fromkeys(kept))

    def country_level(self, rec: ActorRecord) -> str | None:
        """The code of an entry that names a country (one undated 3-letter code)."""
        if len(rec.codes) != 1 or rec.codes[0].dated:
            return None
        code = rec.codes[0].code.upper()
        ok = len(code) == 3 and code.isalpha() and code not in self.transnational
        return code if ok else None

    def add(self, rec: ActorRecord, where: str) -> None:
        codes, roles = [], []
        for c in rec.codes:
            code = c.code.upper()
            if not _ACTOR_CODE.fullmatch(code):
                self.report(where, rec.line, rec.text, f"code {c.code!r} is not an actor code")
                continue
            (roles if c.dated else codes).append((code, c))
        if not codes and not roles:
            self.report(where, rec.line, rec.text, "entry has no usable code")
            return
        if len(codes) > 1:
            extra = [c for c, _ in codes[1:]]
            self.report(where, rec.line, rec.text, f"extra undated codes ignored: {extra}")
        code = codes[0][0] if codes else roles[-1][0]
        if self.country_level(rec):
            aliases = self._aliases(rec, f"country:{code}", where)
            if code not in self.builtin_iso3 and code not in self.new_countries:
                if not aliases:
                    self.report(where, rec.line, rec.text, "new country with no free alias")
                    return
                self.new_countries[code] = {"iso3": code, "name": aliases[0], "aliases": []}
            self.country_aliases.setdefault(code, []).extend(aliases)
            self.n_aliases += len(aliases)
            return
        aliases = self._aliases(rec, f"org:{len(self.orgs)}", where)
        if not aliases:
            self.report(where, rec.line, rec.text, "every alias clashes; entry dropped")
            return
        country, sector = self.split(code)
        entry: dict[str, Any] = {"name": self._name(aliases[0], code), "code": code}
        entry["kind"] = (
            "person"
            if roles
            else "igo"
            if code.startswith("IGO")
            else "armed_group"
            if code.startswith("IMG") or sector in self.armed
            else "org"
        )
        entry.update(country=country, sector=sector, aliases=aliases)
        if roles:
            entry["roles"] = []
            for rcode, spec in roles:
                rc, rs = self.split(rcode)
                role = Role(code=rcode, country=rc, sector=rs, start=spec.start, end=spec.end)
                entry["roles"].append(role.model_dump(exclude_none=True))
            self.n_roles += len(roles)
        self.labels[f"org:{len(self.orgs)}"] = f"{entry['name']} (line {rec.line})"
        self.orgs.append(entry)
        self.n_aliases += len(aliases)

    def _name(self, name: str, code: str) -> str:
        for candidate in (name, f"{name} [{code}]"):
            key = _norm(candidate)
            if key not in self.builtin_orgs and key not in self.names:
                self.names.add(key)
                return candidate
        n = 2
        while _norm(f"{name} [{code}] {n}") in self.names:
            n += 1
        self.names.add(_norm(f"{name} [{code}] {n}"))
        return f"{name} [{code}] {n}"

    def countries_out(self) -> list[dict]:
        out = []
        for code, extra in self.country_aliases.items():
            if not extra and code not in self.new_countries:
                continue
            if code in self.new_countries:
                entry = self.new_countries[code]
            else:
                entry = self.kb.country(code).model_dump()
            entry["aliases"] = list(dict.fromkeys([*entry["aliases"], *extra]))
            out.append(entry)
        return out
