"""PETRARCH agents → sector terms, PETRARCH verbs → detente verb patterns (see petrarch.py)."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from detente.knowledge.codes import Codebook
from detente.petrarch.read import AgentRecord, VerbBlock

Report = Callable[[int, str, str], None]  # (line, text, reason)

# a PETRARCH pattern without a + slot: the first actor after the verb (the passive subject)
DEFAULT_TARGET = ("next",)
USER_CODE = re.compile(r"\d{2,4}[A-Z]?")


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
    org_nouns: frozenset[str],
) -> tuple[list[dict[str, Any]], dict[str, str], int]:
    """(terms, newly declared sectors, terms already known) of the agent records; a term whose
    last word is one of ``org_nouns`` is an organization."""
    terms: dict[str, dict[str, Any]] = {}
    new_sectors: dict[str, str] = {}
    known = 0
    for a in agents:
        m = re.fullmatch(r"~([A-Z]{3})((?:[A-Z]{3})*)", a.code.upper())
        if not m:
            why = f"agent code {a.code!r} does not combine after a country (only [~XXX] does)"
            report(a.line, " ".join(a.phrase), why)
            continue
        sector = m[1]
        if sector not in sectors and sector not in new_sectors:
            new_sectors[sector] = f"sector {sector}, declared by a PETRARCH agents import"
        singular = " ".join(a.phrase).lower()
        forms = [(singular, False)]
        if a.plurals is None:  # no braces: the regular plural; "{}": no plural ("MEDIA {}")
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
            kind = "org" if last in org_nouns else "people" if plural else "person"
            terms[term] = {"term": term, "sector": sector, "kind": kind}
            if m[2]:
                terms[term]["code"] = m[1] + m[2]  # [~GOVHLH]: kept whole after the country
    return list(terms.values()), new_sectors, known


@dataclass(frozen=True)
class VerbForm:
    """One verb line of a block: the verb and the words glued to it (``WIRE_+TAP``,
    ``+CORDON_OFF``), and the line's own code, which replaces the block's."""

    lemma: str
    before: tuple[str, ...] = ()
    after: tuple[str, ...] = ()
    code: str | None = None


def _verb_form(raw: str) -> VerbForm | None:
    """``HURRY {HURRIES ...}``, ``+BREAK_DOWN {...}``, ``DOWNPLAY [014]``; None if unreadable."""
    code = re.search(r"\[([^\]]*)\]", raw)
    parts = [p for p in re.split(r"[\s_]+", re.sub(r"\{[^}]*\}|\[[^\]]*\]", "", raw)) if p]
    own = code[1].strip() if code else None
    if len(parts) == 1 and parts[0].isalpha():
        return VerbForm(parts[0].lower(), code=own)
    marked = [k for k, p in enumerate(parts) if p.startswith("+")]
    if len(parts) < 2 or len(marked) != 1 or not all(p.lstrip("+").isalpha() for p in parts):
        return None
    k = marked[0]
    return VerbForm(
        parts[k][1:].lower(),
        tuple(f"{w.lower()}=" for w in parts[:k]),
        tuple(f"={w.lower()}" for w in parts[k + 1 :]),
        own,
    )


def _members(token: str, synsets: dict[str, list[str]], depth: int = 0) -> list[str]:
    """The phrases a synset stands for (nested synsets expanded), lowercase, words spaced."""
    out: list[str] = []
    for m in synsets.get(token.rstrip("_"), []):
        m = re.sub(r"\{[^}]*\}", "", m).strip()
        if m.startswith("&") and depth < 4:
            out += _members(m, synsets, depth + 1)
        elif ws := [w.lower() for w in re.split(r"[\s_]+", m) if w]:
            out.append(" ".join(ws))
    return list(dict.fromkeys(out))


_SLOTS = {"+": "<target>", "$": "<source>", "%": "<both>"}


def _phrase(body: str, synsets: dict[str, list[str]]) -> tuple[dict[str, Any] | None, str]:
    """A pattern body (``SAID WOULD * OVER +``) as ``before``/``after`` elements."""
    items: list[tuple[str, bool]] = []  # (item, glued to the previous item)
    body = re.sub(r"\{([^{}]*)\}", lambda m: "_".join(m[1].split()), body)  # {A B}: in a row
    for chunk in body.replace("(", " ").replace(")", " ").split():
        parts = [x for x in chunk.split("_") if x]
        items += [(x, k > 0) for k, x in enumerate(parts)]
    verbs = [k for k, (x, _) in enumerate(items) if x == "*"]
    if len(verbs) != 1:
        return None, "pattern needs exactly one * (the verb)"
    v = verbs[0]
    elements: list[str] = []
    for k, (item, glued) in enumerate(items):
        if k == v or item == "^":  # ^ skips a noun phrase: gaps are allowed anyway
            elements.append("*" if k == v else "")
            continue
        if item in _SLOTS:
            elements.append(_SLOTS[item])
            continue
        if item.startswith("&"):
            alts = _members(item, synsets)
            if not alts:
                return None, f"synset {item} is empty or unknown"
            word = "|".join(alts)
        elif re.fullmatch(r"[A-Za-z0-9'.-]+", item):
            word = item.lower()
        else:
            return None, f"cannot read {item!r}"
        if k < v:  # glued toward the verb: to the next item, unless that is a slot
            nxt = items[k + 1]
            word += "=" if nxt[1] and nxt[0] not in _SLOTS else ""
        elif glued and items[k - 1][0] not in _SLOTS:
            word = "=" + word
        elements.append(word)
    before = [e for e in elements[:v] if e]
    after = [e for e in elements[v + 1 :] if e]
    fields: dict[str, Any] = {}
    if before:
        fields["before"] = before
    if after:
        fields["after"] = after
    if "<both>" not in before + after and "<target>" not in before + after:
        fields["target"] = list(DEFAULT_TARGET)
    return fields, ""


def _words(fields: dict[str, Any]) -> int:
    """How many words a converted pattern names: the more, the earlier it is tried."""
    return sum(not e.startswith("<") for e in fields.get("before", []) + fields.get("after", []))


def _codes(raw: str, codebook: Codebook, declared: dict[str, str], block: str) -> dict[str, str]:
    """``code`` (and ``reverse_code``) fields of ``032`` or ``032:033``; codes not in the
    codebook but shaped like one are declared as user codes. Raises ValueError."""
    parts = [c.strip() for c in raw.split(":")]
    if len(parts) > 2 or parts[0] in ("---", ""):
        raise ValueError(f"code {raw!r} is not an event code (pair)")
    out = {}
    for key, code in zip(("code", "reverse_code"), parts, strict=False):
        if key == "reverse_code" and code == "---":
            continue
        if not codebook.has(code):
            if not USER_CODE.fullmatch(code):
                raise ValueError(f"code {code!r} is not an event code")
            declared.setdefault(code, f"{block} (code of an imported PETRARCH verbs file)")
        out[key] = code
    return out


def convert_verbs(
    synsets: dict[str, list[str]], blocks: list[VerbBlock], codebook: Codebook, report: Report
) -> tuple[list[dict[str, Any]], list[dict[str, str]]]:
    """(detente verb patterns, user codes they use). Patterns naming more words come first;
    a block's own code (any object, first actor after the verb) comes last. Verbs of a block
    with words of their own (``+CORDON_OFF``) or a code of their own get patterns apart."""
    constrained: list[tuple[int, dict[str, Any]]] = []
    plain: list[dict[str, Any]] = []
    declared: dict[str, str] = {}
    for b in blocks:
        groups: dict[tuple, tuple[int, list[str]]] = {}  # (before, after, code) -> (line, lemmas)
        for line, raw in b.verbs:
            form = _verb_form(raw)
            if form is None:
                report(line, raw, "verb form not readable (one +VERB among its words)")
                continue
            key = (form.before, form.after, form.code)
            groups.setdefault(key, (line, []))[1].append(form.lemma)
        if not groups:
            for line, body, code in b.patterns:
                report(line, f"- {body} [{code}]", f"block {b.name} has no readable verb")
            continue
        slug = re.sub(r"[^a-z0-9]+", "-", b.name.lower()).strip("-")
        for (before, after, own), (vline, lemmas) in groups.items():
            lemmas = list(dict.fromkeys(lemmas))
            tag = "" if (before, after, own) == ((), (), None) else f"-v{vline}"
            words_of = {"before": list(before), "after": list(after)}
            base = own or b.code
            if base not in ("---", ""):
                try:
                    codes = _codes(base, codebook, declared, b.name)
                except ValueError as exc:
                    report(vline if own else b.line, f"{b.name} [{base}]", str(exc))
                else:
                    entry = {"id": f"petrarch-{slug}-{b.line}{tag}", "lemmas": lemmas, **codes}
                    entry |= {k: v for k, v in words_of.items() if v}
                    entry["target"] = list(DEFAULT_TARGET)
                    if tag:
                        constrained.append((_words(entry), entry))
                    else:
                        plain.append(entry)
            for line, body, code in b.patterns:
                fields, why = _phrase(body, synsets)
                try:
                    if fields is None:
                        codes = {}
                    elif code.strip() == "---":  # this wording codes nothing
                        codes = {"code": None}
                    else:
                        codes = _codes(code, codebook, declared, b.name)
                except ValueError as exc:
                    fields, why = None, str(exc)
                if fields is None:
                    if not tag:
                        report(line, f"- {body} [{code}]", why)
                    continue
                merged = {
                    "before": fields.get("before", []) + list(before),
                    "after": list(after) + fields.get("after", []),
                }
                entry = {"id": f"petrarch-{slug}-{line}{tag}", "lemmas": lemmas, **codes}
                entry |= {k: v for k, v in {**fields, **merged}.items() if v}
                constrained.append((_words(entry), entry))
    constrained.sort(key=lambda pair: -pair[0])
    codes_out = [{"code": c, "name": n} for c, n in declared.items()]
    return [e for _, e in constrained] + plain, codes_out
