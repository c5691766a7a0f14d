"""The marked stretches of an article's text: every event's trigger, actors and place, every
claim, count and hedge (docs/api.md, ``spans``), from the records the API returns."""

from __future__ import annotations

from typing import Any

Span = dict[str, Any]


class _Spans:
    def __init__(self) -> None:
        self.by_key: dict[tuple, Span] = {}

    def add(
        self, kind: str, start: Any, end: Any, label: str, event: str | None, **more: Any
    ) -> Span | None:
        if not isinstance(start, int) or not isinstance(end, int) or end <= start:
            return None
        key = (kind, start, end, label)
        span = self.by_key.get(key)
        if span is None:
            span = self.by_key[key] = {"start": start, "end": end, "kind": kind, "label": label}
            span["events"] = []
            span.update(more)
        if event and event not in span["events"]:
            span["events"].append(event)
        return span

    def actor(self, actor: dict[str, Any] | None, role: str, event: str | None) -> None:
        if not actor:
            return
        span = self.add(
            "actor", actor.get("start"), actor.get("end"), actor.get("code") or "", event,
            roles=[], name=actor.get("name"), country=actor.get("country"),
        )  # fmt: skip
        if span is not None and role not in span["roles"]:
            span["roles"].append(role)

    def sorted(self) -> list[Span]:
        return sorted(self.by_key.values(), key=lambda s: (s["start"], -s["end"], s["kind"]))


def spans(
    events: list[dict[str, Any]], claims: list[dict[str, Any]], counts: list[dict[str, Any]]
) -> list[Span]:
    """The spans of ``events`` (event records), ``claims`` and ``counts`` (their items)."""
    out = _Spans()
    for e in events:
        eid, trigger, cameo = e.get("id"), e.get("trigger") or {}, e.get("cameo") or {}
        out.add(
            "trigger", trigger.get("start"), trigger.get("end"),
            f"{cameo.get('code', '')} {cameo.get('name', '')}".strip(), eid,
            plover=(e.get("plover") or {}).get("event"), quad_class=cameo.get("quad_class"),
            modality=e.get("modality"),
        )  # fmt: skip
        for role in ("source", "target"):
            for a in e.get(role) or []:
                out.actor(a, role, eid)
        out.actor(e.get("attribution"), "attribution", eid)
        loc = e.get("location") or {}
        where = loc.get("text") or {}
        name = ", ".join(p for p in (loc.get("name"), loc.get("country")) if p)
        out.add("place", where.get("start"), where.get("end"), name, eid)
    for kind, items in (("claim", claims), ("count", counts)):
        for item in items:
            event, text = item.get("event"), item.get("text") or {}
            if kind == "claim":
                label = f"{item.get('cue', '')}: {item.get('stance') or 'says'}"
            else:
                label = f"{item.get('category', '')} {_figure(item.get('low'), item.get('high'))}"
            out.add(kind, text.get("start"), text.get("end"), label.strip(), event,
                    **{kind: item.get("id")})  # fmt: skip
            out.actor(item.get("claimant"), "claimant", event)
            for h in item.get("hedges") or []:
                out.add("hedge", h.get("start"), h.get("end"), h.get("kind") or "", event)
    return out.sorted()


def _figure(low: Any, high: Any) -> str:
    if low is None and high is None:
        return "?"
    if low == high or high is None:
        return f"{low}"
    if low is None:
        return f"up to {high}"
    return f"{low}-{high}"
