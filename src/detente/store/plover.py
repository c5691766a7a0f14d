"""Stored events as PLOVER event records (JSON Lines), with the field names of the PLOVER
specification's "JSON Data Fields" chapter (OEDA, PLOVER manual, draft 0.7b1).

Specification fields: ``id``, ``has_event``, ``date`` (the event's date, YYYY-MM-DD; null when
detente found none, e.g. background events), ``source`` and ``recipient`` (lists of actor
objects; null when no known actor is on that side), ``event`` (list of PLOVER event
categories), ``mode``, ``context`` (list), ``event_loc`` (location object, GeoNames field
names), ``event_text`` (list: the trigger), ``quad_code``, ``event_scale`` (Goldstein),
``text`` (the sentence), ``text_info`` (``sequence``, ``start``, ``end``), ``cite_info``
(``citation``: detente's article id, ``url``, ``title``, ``publication``, ``coder``,
``codebook``) and ``coder``. Actor objects: ``code`` (the actor's country, else the first three
letters of its code: "IGO"), ``sector``, ``actor_text``, ``identifier_text`` (the resolved
name). The location object: ``geonameid``, ``name``, ``latitude``, ``longitude``,
``country_code`` (ISO 3166-1 alpha-2, as GeoNames), ``cc3`` (alpha-3) and ``admin1_code``
(GeoNames' names, spaces written as underscores).

The specification invites named fields of one's own; detente adds ``cameo`` (code),
``modality``, ``dyad``, ``reciprocal``, ``confidence``, ``date_precision``, ``date_method``,
``about``, ``attribution``, an actor's full ``cameo_code``, ``kind`` and ``unresolved`` (a
person or group the knowledge base does not know, coded only with what its wording says), the
location's ``feature``, ``precision`` and ``method``, and the article's ``published`` date in
``cite_info``.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from typing import Any

import pandas as pd

from detente.knowledge.gazetteer import country_codes
from detente.store.db import EventFilter, Store

CODEBOOK = "plover-base (detente's CAMEO→PLOVER map)"


def _none(value: Any) -> Any:
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NaT:
        return None
    return value


def _int(value: Any) -> int | None:
    value = _none(value)
    return None if value is None else int(value)


def _day(value: Any) -> str | None:
    value = _none(value)
    if value is None:
        return None
    return (value.date() if hasattr(value, "date") else value).isoformat()


def actor_object(a: dict[str, Any]) -> dict[str, Any]:
    """A PLOVER actor object from an ``event_actors`` row."""
    code, country = a["code"], _none(a.get("country"))
    return {
        "code": country or (code[:3] if code else None),
        "sector": _none(a.get("sector")),
        "actor_text": _none(a.get("text")),
        "identifier_text": _none(a.get("name")),
        "cameo_code": code,
        "kind": _none(a.get("kind")),
        "unresolved": bool(_none(a.get("unresolved"))),  # not known to the dictionaries
    }


def location_object(r: dict[str, Any]) -> dict[str, Any] | None:
    """PLOVER ``event_loc`` from an event row's ``location_*`` columns, or None."""
    name = _none(r.get("location_name"))
    if name is None:
        return None
    iso3 = _none(r.get("location_country"))
    codes = country_codes().get(iso3 or "")
    return {
        "geonameid": _int(r.get("location_geonameid")),
        "name": name,
        "latitude": _none(r.get("location_lat")),
        "longitude": _none(r.get("location_lon")),
        "country_code": codes.iso2 if codes else None,
        "cc3": iso3,
        "admin1_code": _none(r.get("location_admin1")),
        "feature": _none(r.get("location_feature")),
        "precision": _none(r.get("location_precision")),
        "method": _none(r.get("location_method")),
    }


def _attribution(r: dict[str, Any]) -> dict[str, Any] | None:
    code = _none(r.get("attribution_code"))
    if code is None:
        return None
    return {"code": code, "text": _none(r.get("attribution_text"))}


def plover_records(store: Store, flt: EventFilter | None = None) -> Iterator[dict[str, Any]]:
    """One PLOVER event record per stored event (see the module docstring for the fields)."""
    sides: dict[str, dict[str, list[dict]]] = {}
    for a in store.event_actors(flt).to_dict("records"):
        group = sides.setdefault(a["event_id"], {"source": [], "target": []})
        group[a["role"]].append(actor_object(a))
    for r in store.events(flt).to_dict("records"):
        who = sides.get(r["id"], {"source": [], "target": []})
        coder = f"{r['coder_name']} {r['coder_version']}"
        yield {
            "id": r["id"],
            "has_event": True,
            "date": _day(r.get("event_date")),
            "source": who["source"] or None,
            "recipient": who["target"] or None,
            "event": [r["plover_event"]],
            "mode": _none(r["plover_mode"]),
            "context": json.loads(r["plover_context"] or "[]"),
            "event_loc": location_object(r),
            "event_text": [r["trigger_text"]],
            "quad_code": _int(r["quad_class"]),
            "event_scale": _none(r["goldstein"]),
            "text": r["sentence_text"],
            "text_info": {
                "sequence": int(r["sentence_index"]),
                "start": _int(r.get("sentence_start")),
                "end": _int(r.get("sentence_end")),
            },
            "cite_info": {
                "citation": r["article_id"],
                "url": _none(r["article_url"]),
                "title": _none(r["article_title"]),
                "publication": _none(r["article_source"]),
                "published": _day(r.get("published")),
                "coder": coder,
                "codebook": CODEBOOK,
            },
            "coder": coder,
            "cameo": r["cameo_code"],
            "modality": r["modality"],
            "dyad": _none(r.get("dyad")),
            "reciprocal": bool(r["reciprocal"]),
            "confidence": r["confidence"],
            "date_precision": _none(r.get("date_precision")),
            "date_method": _none(r.get("date_method")),
            "about": _none(r.get("about_event")),
            "attribution": _attribution(r),
        }
