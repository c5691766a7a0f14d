"""Reading gold-standard files for ``detente evaluate``: detente YAML/JSONL, PETRARCH, PLOVER.

Every format is turned into :class:`GoldRecord` s: a text, its date, and the events a human
coder expects from it as :class:`GoldEvent` dyads (one source, one target, acceptable types).

* ``detente``: a YAML file either like ``seed/expected.yaml`` (one article: ``published``,
  ``must``/``should``/``must_not`` specs; the text is ``text:``, ``text_file:`` or the only
  ``.txt`` file beside the gold file) or like ``tests/golden/events.yaml`` (``cases:`` each with
  ``text``, ``published``, ``expect`` and ``absent``); or JSON Lines of such cases.
* ``petrarch``: the PETRARCH validation records, as JSON Lines (``id, date, text, expected:
  [{source, target, code}], expect_no_event, error, valid, category``) or as the original XML
  (``<Sentence date id category sentence|evaluate>`` with ``<EventCoding>`` and ``<Text>``).
  Records marked invalid or carrying an ``error`` (discards, bad input) are skipped. PETRARCH
  actor codes are matched by prefix: ``---`` is "no country"; a quoted phrase (an actor the
  dictionaries do not code) matches any actor.
* ``plover``: PLOVER JSON records (a JSON list or JSON Lines), each one event with ``event``,
  ``source``/``target`` lists of ``{code, sector}``, ``mode``, ``context`` and the ``text`` and
  ``date``; records with the same ``id``-less text are one document. A record may instead hold
  ``events: [...]``.
"""

from __future__ import annotations

import html
import json
import re
from datetime import date
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field

from detente.errors import InputError
from detente.evaluate.specs import ActorSpec, EventSpec

Scheme = Literal["cameo", "plover"]
FORMATS = ("detente", "petrarch", "plover")


class GoldEvent(BaseModel):
    """One expected dyad. ``types``: acceptable CAMEO code prefixes or PLOVER event names."""

    model_config = ConfigDict(extra="forbid")

    id: str | None = None
    types: list[str] = Field(default_factory=list)
    source: ActorSpec | None = None
    target: ActorSpec | None = None
    tier: Literal["must", "should"] = "must"
    evidence: str | None = None  # text the coded event's sentence must hold (see specs)

    @property
    def group(self) -> str:
        """The key the report groups this event under (CAMEO root or PLOVER event)."""
        return _group(self.types[0]) if self.types else "any"


class GoldRecord(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str
    text: str
    published: date | None = None
    category: str | None = None
    scheme: Scheme = "cameo"
    events: list[GoldEvent] = Field(default_factory=list)
    forbidden: list[GoldEvent] = Field(default_factory=list)


class GoldSet(BaseModel):
    records: list[GoldRecord]
    skipped: dict[str, str] = Field(default_factory=dict)  # record id -> why it was skipped


def _group(code: str) -> str:
    return code[:2] if code[:1].isdigit() else code.upper()


def _day(value: Any) -> date | None:
    if value is None or value == "":
        return None
    if isinstance(value, date):
        return value
    text = str(value).strip()
    if re.fullmatch(r"\d{8}", text):
        return date(int(text[:4]), int(text[4:6]), int(text[6:]))
    if re.fullmatch(r"\d{6}", text):  # PETRARCH YYMMDD (or MMDDYY in some test files)
        yy, mm, dd = int(text[:2]), int(text[2:4]), int(text[4:])
        if mm > 12:
            mm, dd, yy = yy, mm, dd
        return date(2000 + yy if yy < 30 else 1900 + yy, mm, dd)
    return date.fromisoformat(text[:10])


# --------------------------------------------------------------------------- detente


def _from_spec(raw: dict, tier: str) -> GoldEvent:
    spec = EventSpec.model_validate(raw)
    return GoldEvent(
        id=spec.id,
        types=spec.cameo,
        source=spec.source,
        target=spec.target,
        tier=tier,
        evidence=spec.evidence,
    )


def _article_text(data: dict, path: Path) -> str:
    if data.get("text"):
        return str(data["text"])
    if data.get("text_file"):
        return (path.parent / str(data["text_file"])).read_text(encoding="utf-8")
    texts = sorted(path.parent.glob("*.txt"))
    if len(texts) != 1:
        raise InputError(str(path), "gold file names no text (add text: or text_file:)")
    return texts[0].read_text(encoding="utf-8")


def _case(raw: dict, index: int) -> GoldRecord:
    return GoldRecord(
        id=str(raw.get("id") or f"case-{index}"),
        text=str(raw["text"]),
        published=_day(raw.get("published")),
        category=raw.get("family") or raw.get("category"),
        events=[_from_spec(r, "must") for r in raw.get("expect") or []],
        forbidden=[_from_spec(r, "must") for r in raw.get("absent") or []],
    )


def load_detente(path: Path) -> GoldSet:
    text = path.read_text(encoding="utf-8")
    if path.suffix in (".jsonl", ".json"):
        rows = [json.loads(line) for line in text.splitlines() if line.strip()]
        return GoldSet(records=[_case(r, i) for i, r in enumerate(rows)])
    data = yaml.safe_load(text)
    if not isinstance(data, dict):
        raise InputError(str(path), "expected a YAML mapping")
    if "cases" in data:
        return GoldSet(records=[_case(r, i) for i, r in enumerate(data["cases"])])
    events = [_from_spec(r, "must") for r in data.get("must") or []]
    events += [_from_spec(r, "should") for r in data.get("should") or []]
    record = GoldRecord(
        id=path.stem,
        text=_article_text(data, path),
        published=_day(data.get("published")),
        events=events,
        forbidden=[_from_spec(r, "must") for r in data.get("must_not") or []],
    )
    return GoldSet(records=[record])


# --------------------------------------------------------------------------- PETRARCH


def petrarch_actor(code: str | None) -> ActorSpec | None:
    """A PETRARCH actor code as a spec: quoted phrases match anything; ``---`` is no country."""
    if code is None:
        return None
    code = code.strip()
    if not code or code.startswith('"'):
        return ActorSpec()
    return ActorSpec(code=code)


def _petrarch_record(rid: str, text: str, day: Any, category: str | None, events) -> GoldRecord:
    gold = [
        GoldEvent(
            id=f"{rid}#{i}",
            types=[str(e["code"])],
            source=petrarch_actor(e.get("source")),
            target=petrarch_actor(e.get("target")),
        )
        for i, e in enumerate(events)
    ]
    text = " ".join(text.split())
    return GoldRecord(id=rid, text=text, published=_day(day), category=category, events=gold)


def load_petrarch_jsonl(path: Path) -> GoldSet:
    records, skipped = [], {}
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        r = json.loads(line)
        rid = str(r.get("id") or f"line-{n}")
        if r.get("valid") is False or r.get("evaluate") is False:
            skipped[rid] = "marked invalid"
        elif r.get("error"):
            skipped[rid] = f"error record ({r['error']})"
        else:
            records.append(
                _petrarch_record(rid, r["text"], r.get("date"), r.get("category"), r["expected"])
            )
    return GoldSet(records=records, skipped=skipped)


_SENTENCE = re.compile(r"<Sentence\b([^>]*)>(.*?)</Sentence>", re.S)
_ATTR = re.compile(r"""(\w+)\s*=\s*(?:"([^"]*)"|'([^']*)')""")
_CODING = re.compile(r"<EventCoding\b([^>]*?)/?>")
_TEXT = re.compile(r"<Text>(.*?)</Text>", re.S)


def _attrs(raw: str) -> dict[str, str]:
    return {m[1]: html.unescape(m[2] if m[2] is not None else m[3]) for m in _ATTR.finditer(raw)}


def load_petrarch_xml(path: Path) -> GoldSet:
    """The XML records, read with regular expressions: the 2.02 file is not well-formed XML."""
    raw = re.sub(r"<!--.*?-->", "", path.read_text(encoding="utf-8"), flags=re.S)
    records, skipped = [], {}
    for m in _SENTENCE.finditer(raw):
        head, body = _attrs(m[1]), m[2]
        rid = head.get("id", f"sentence-{len(records) + len(skipped)}")
        codings = [_attrs(c) for c in _CODING.findall(body)]
        text = _TEXT.search(body)
        if (head.get("sentence") or head.get("evaluate") or "true").lower() != "true":
            skipped[rid] = "marked invalid"
        elif any("error" in c for c in codings):
            skipped[rid] = "error record"
        elif text is None:
            skipped[rid] = "no <Text>"
        else:
            events = [
                {"source": c["sourcecode"], "target": c.get("targetcode"), "code": c["eventcode"]}
                for c in codings
                if "eventcode" in c
            ]
            records.append(
                _petrarch_record(
                    rid, html.unescape(text[1]), head.get("date"), head.get("category"), events
                )
            )
    return GoldSet(records=records, skipped=skipped)


# --------------------------------------------------------------------------- PLOVER


def _plover_actor(raw: Any) -> ActorSpec:
    if isinstance(raw, str):
        return ActorSpec(code=raw)
    code = str(raw.get("code") or "") + str(raw.get("sector") or "")
    return ActorSpec(code=code) if code else ActorSpec()


def _plover_events(raw: dict, rid: str) -> list[GoldEvent]:
    out = []
    sources = raw.get("source") or [None]
    targets = raw.get("target") or [None]
    for s in sources if isinstance(sources, list) else [sources]:
        for t in targets if isinstance(targets, list) else [targets]:
            out.append(
                GoldEvent(
                    id=rid,
                    types=[str(raw["event"]).upper()],
                    source=None if s is None else _plover_actor(s),
                    target=None if t is None else _plover_actor(t),
                )
            )
    return out


def load_plover(path: Path) -> GoldSet:
    text = path.read_text(encoding="utf-8").strip()
    if text.startswith("["):
        rows = json.loads(text)
    else:
        rows = [json.loads(line) for line in text.splitlines() if line.strip()]
    docs: dict[str, GoldRecord] = {}
    for i, r in enumerate(rows):
        key = r.get("text") or ""
        rid = str(r.get("id") or f"record-{i}")
        doc = docs.get(key)
        if doc is None:
            day = r.get("date") or r.get("published")
            doc = docs[key] = GoldRecord(id=rid, text=key, published=_day(day), scheme="plover")
        for j, ev in enumerate(r.get("events") or [r]):
            doc.events += _plover_events(ev, f"{rid}#{j}")
    return GoldSet(records=[d for d in docs.values() if d.text])


def load_gold(path: Path | str, fmt: str = "detente") -> GoldSet:
    """Read a gold file in one of :data:`FORMATS`; :class:`InputError` if it cannot be read."""
    path = Path(path)
    if fmt not in FORMATS:
        raise InputError(str(path), f"unknown gold format {fmt!r}; use one of {FORMATS}")
    if not path.is_file():
        raise InputError(str(path), "no such file")
    try:
        if fmt == "detente":
            return load_detente(path)
        if fmt == "plover":
            return load_plover(path)
        if path.suffix == ".xml":
            return load_petrarch_xml(path)
        return load_petrarch_jsonl(path)
    except (KeyError, ValueError, TypeError, yaml.YAMLError) as exc:
        raise InputError(str(path), f"not a valid {fmt} gold file: {exc!r}") from exc
