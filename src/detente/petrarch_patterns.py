"""PETRARCH agents → sector terms, PETRARCH verbs → detente verb patterns (see petrarch.py)."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from detente.codebook import Codebook
from detente.petrarch_read import AgentRecord, VerbBlock, words

Report = Callable[[int, str, str], None]  # (line, text, reason)

ORG_NOUNS = {
    "ministry",
    "ministries",
    "government",
    "governments",
    "council",
    "councils",
    "party",
    "parties",
    "media",
    "office",
    "agency",
    "court",
    "courts",
    "parliament",
    "army",
    "police",
    "service",
    "services",
    "group",
    "groups",
    "union",
    "committee",
    "commission",
    "department",
    "board",
    "bank",
    "movement",
}
PREP_TARGETS = ["prep:to", "prep:with", "prep:against", "prep:on", "prep:for"]


def regular_plural(word: str) -> str:
    if word.endswith("y") and len(word) > 2 and word[-2] not in "aeiou":
        return word[:-1] + "ies"
    if word.endswith(("s", "x", "z", "ch", "sh")):
        return word + "es"
    return word + "s"


def convert_agents(
    agents: list[AgentRecord],
    known_terms: set[str],
    sectors: dict[str, str],
    report: Report,
) -> tuple[list[dict[str, Any]], dict[str, str], int]:
    """(terms, newly declared sectors, terms already known) of the agent records."""
    terms: dict[str, dict[str, Any]] = {}
    new_sectors: dict[str, str] = {}
    known = 0
    for a in agents:
        m = re.fullmatch(r"~([A-Z]{3})([A-Z]*)", a.code.upper())
        if not m:
            why = f"agent code {a.code!r} does not combine after a country (only [~XXX] does)"
            report(a.line, " ".join(a.phrase), why)
            continue
        sector = m[1]
        if sector not in sectors and sector not in new_sectors:
            new_sectors[sector] = f"sector {sector}, declared by a PETRARCH agents import"
        singular = " ".join(a.phrase).lower()
        forms = [(singular, False)]
        if a.plurals == []:
            forms.append((" ".join([*a.phrase[:-1], regular_plural(a.phrase[-1])]).lower(), True))
        for p in a.plurals or []:
            forms.append((" ".join(p).lower(), True))
        for term, plural in forms:
            if term in known_terms:
                known += 1
                continue
            if term in terms:
                report(a.line, term, "term listed twice (first wins)")
                continue
            last = term.split()[-1]
            kind = "org" if last in ORG_NOUNS else "people" if plural else "person"
            terms[term] = {"term": term, "sector": sector, "kind": kind}
    return list(terms.values()), new_sectors, known


def _lemma(raw: str) -> str | None:
    """The single-word verb of a block line (``HURRY {HURRIES ...}``), else None."""
    ws = words(re.sub(r"\{[^}]*\}", "", raw))
    return ws[0].lower() if len(ws) == 1 and ws[0].isalpha() else None


def _objects(token: str, synsets: dict[str, list[str]]) -> list[str]:
    members = synsets.get(token.rstrip("_"), []) if token.startswith("&") else [token]
    out = []
    for m in members:
        ws = words(re.sub(r"\{[^}]*\}", "", m))
        if len(ws) == 1 and ws[0].isalpha():
            out += [ws[0].lower(), singular(ws[0].lower())]
    return list(dict.fromkeys(out))


def singular(word: str) -> str:
    """A naive singular, so that an object written ``TIES`` also matches the lemma ``tie``."""
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith(("ches", "shes", "sses", "xes")):
        return word[:-2]
    if word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def _pattern(
    body: str, code: str, synsets: dict[str, list[str]]
) -> tuple[dict[str, Any] | None, str]:
    """(pattern fields, '') or (None, why not)."""
    if ":" in code:
        return None, f"code pair {code!r} is not supported"
    if "$" in body:
        return None, "source slot ($) outside the subject is not supported"
    if not body.startswith("*"):
        return None, "words before the verb are not supported"
    if body.startswith("*_"):
        return None, "particle joined to the verb is not supported"
    rest = body[1:].strip()
    if rest in ("", "+"):
        return {"target": ["obj"]}, ""
    if m := re.fullmatch(r"\(\s*([A-Z]+)\s*(\+)?\s*\)", rest):
        prep = m[1].lower()
        return {"target": [f"prep:{prep}"], "requires_prep": [prep]}, ""
    if m := re.fullmatch(r"(&?[A-Z][A-Z-]*_?)\s*\(\s*([A-Z]+)\s*(\+)?\s*\)", rest):
        objs = _objects(m[1], synsets)
        if not objs:
            return None, f"object {m[1]} has only multi-word forms"
        prep = m[2].lower()
        return {"object": objs, "target": [f"prep:{prep}"], "requires_prep": [prep]}, ""
    if re.fullmatch(r"&?[A-Z][A-Z_-]*", rest) and "_" not in rest.rstrip("_"):
        objs = _objects(rest, synsets)
        if not objs:
            return None, f"synset {rest} is empty or has only multi-word members"
        return {"object": objs, "target": list(PREP_TARGETS)}, ""
    return None, "noun phrase or prepositional phrase with nouns is not representable"


def convert_verbs(
    synsets: dict[str, list[str]], blocks: list[VerbBlock], codebook: Codebook, report: Report
) -> list[dict[str, Any]]:
    constrained: list[dict[str, Any]] = []
    plain: list[dict[str, Any]] = []
    for b in blocks:
        lemmas = []
        for line, raw in b.verbs:
            lemma = _lemma(raw)
            if lemma is None:
                report(line, raw, "multi-word or phrasal verb form is not converted")
            else:
                lemmas.append(lemma)
        lemmas = list(dict.fromkeys(lemmas))
        if not lemmas:
            for line, body, code in b.patterns:
                report(line, f"- {body} [{code}]", f"block {b.name} has no single-word verb")
            continue
        slug = re.sub(r"[^a-z0-9]+", "-", b.name.lower()).strip("-")
        if b.code not in ("---", ""):
            if codebook.has(b.code):
                plain.append(
                    {
                        "id": f"petrarch-{slug}-{b.line}",
                        "lemmas": lemmas,
                        "code": b.code,
                        "target": ["obj"],
                    }
                )
            else:
                report(b.line, f"--- {b.name} [{b.code}] ---", f"unknown CAMEO code {b.code!r}")
        for line, body, code in b.patterns:
            fields, why = _pattern(body, code, synsets)
            if fields is not None and not codebook.has(code):
                fields, why = None, f"unknown CAMEO code {code!r}"
            if fields is None:
                report(line, f"- {body} [{code}]", why)
                continue
            entry = {"id": f"petrarch-{slug}-{line}", "lemmas": lemmas, "code": code, **fields}
            (plain if fields == {"target": ["obj"]} else constrained).append(entry)
    return constrained + plain
