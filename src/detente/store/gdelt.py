"""Stored events in the layout of the GDELT 2.0 event table (61 tab-separated columns).

GDELT rows are dyadic: an event with a compound side ("Chile and Peru accused Bolivia", "X
criticised Y and Z") gives one row per source–target pair, in the order of the actors in the
sentence. Each row's ``GlobalEventID`` is ``int(event id[:12], 16) * 4096 + pair``: unique,
and the same on every export of the same store (at most 4096 pairs are exported per event).

``FractionDate`` is ``year + (day of the year - 1) / days in that year`` (four decimals): the
"share of the year completed" GDELT's codebook describes. GDELT computes it as
``(month * 30 + day) / 365``, which runs past the next year (2024-12-31 → 2025.0685); here
every day of a year stays below the next year's 1 January.

ActionGeo is filled from the event's location (the offline GeoNames gazetteer): Type 1 country,
2 US state, 3 US city, 4 other city, 5 other first-level division (a region of detente's own
has no GDELT type); CountryCode FIPS 10-4 as GDELT uses it ("UK" for the United Kingdom);
ADM1Code the FIPS country code followed by the GeoNames admin1 code (the FIPS division code for
most countries, the state's postal code for the US, "USTX"), just the country code for a
country; FeatureID the FIPS country code for a country, the ADM1Code for a state, and for a
city its GeoNames id prefixed with ``GN`` (GDELT's numeric FeatureIDs are GNS/GNIS ids, which
the offline gazetteer does not have; the prefix keeps the two apart).
"""

from __future__ import annotations

import calendar
from datetime import date
from itertools import islice, product
from typing import Any

import pandas as pd

from detente.knowledge.gazetteer import country_codes
from detente.store.db import EventFilter, Store

MAX_PAIRS = 4096

# The 61 columns of the GDELT 2.0 event table, in order (GDELT Event Codebook V2.0).
GDELT_COLUMNS = [
    "GlobalEventID", "Day", "MonthYear", "Year", "FractionDate",
    *(f"Actor{n}{f}" for n in (1, 2) for f in (
        "Code", "Name", "CountryCode", "KnownGroupCode", "EthnicCode", "Religion1Code",
        "Religion2Code", "Type1Code", "Type2Code", "Type3Code")),
    "IsRootEvent", "EventCode", "EventBaseCode", "EventRootCode", "QuadClass", "GoldsteinScale",
    "NumMentions", "NumSources", "NumArticles", "AvgTone",
    *(f"{g}Geo_{f}" for g in ("Actor1", "Actor2", "Action") for f in (
        "Type", "FullName", "CountryCode", "ADM1Code", "ADM2Code", "Lat", "Long", "FeatureID")),
    "DATEADDED", "SOURCEURL",
]  # fmt: skip


def fraction_date(day: date) -> float:
    """``year + (day of the year - 1) / days in the year``: 1 January is ``year.0000`` and
    31 December stays below ``year + 1``."""
    days = 366 if calendar.isleap(day.year) else 365
    return day.year + (day.timetuple().tm_yday - 1) / days


def global_event_id(event_id: str, pair: int) -> int:
    """The GDELT id of pair ``pair`` (0-based) of an event: deterministic and unique."""
    return int(event_id[:12], 16) * MAX_PAIRS + pair


def _value(v: Any) -> Any:
    return None if v is None or v is pd.NaT or (isinstance(v, float) and v != v) else v


def _day(r: dict[str, Any]) -> date | None:
    """The event's date when detente found one, else the publication date."""
    for key in ("event_date", "published"):
        v = _value(r.get(key))
        if v is not None:
            return v.date() if hasattr(v, "date") else v
    return None


def _actor(n: int, a: dict[str, Any] | None) -> dict[str, Any]:
    if a is None:
        return {}
    name = _value(a.get("name")) or _value(a.get("text"))
    return {
        f"Actor{n}Code": a["code"],
        f"Actor{n}Name": name.upper() if name else None,
        f"Actor{n}CountryCode": _value(a.get("country")),
        f"Actor{n}Type1Code": _value(a.get("sector")),
    }


def action_geo(r: dict[str, Any]) -> dict[str, Any]:
    """The ActionGeo_* fields of an event row (its ``location_*`` columns)."""
    name, feature = _value(r.get("location_name")), _value(r.get("location_feature"))
    if name is None:
        return {}
    iso3 = _value(r.get("location_country"))
    codes = country_codes().get(iso3 or "")
    fips = codes.fips if codes else None
    admin1 = _value(r.get("location_admin1"))
    us = iso3 == "USA"
    kind = {"country": 1, "admin": 2 if us else 5, "city": 3 if us else 4}.get(feature)
    adm1 = (fips + admin1 if admin1 else fips) if fips else None
    geonameid = _value(r.get("location_geonameid"))
    feature_id = {
        "country": fips,
        "admin": adm1,
        "city": f"GN{int(geonameid)}" if geonameid is not None else None,
    }.get(feature)
    return {
        "ActionGeo_Type": kind,
        "ActionGeo_FullName": name,
        "ActionGeo_CountryCode": fips,
        "ActionGeo_ADM1Code": adm1 if feature in ("country", "admin", "city") else None,
        "ActionGeo_Lat": _value(r.get("location_lat")),
        "ActionGeo_Long": _value(r.get("location_lon")),
        "ActionGeo_FeatureID": feature_id,
    }


def _rows(r: dict[str, Any], sides: dict[str, list[dict]]) -> list[dict[str, Any]]:
    day = _day(r)
    code = r["cameo_code"]
    stored = _value(r.get("stored_at"))
    common = {
        "Day": day.strftime("%Y%m%d") if day else None,
        "MonthYear": day.strftime("%Y%m") if day else None,
        "Year": day.strftime("%Y") if day else None,
        "FractionDate": f"{fraction_date(day):.4f}" if day else None,
        "IsRootEvent": int(r["sentence_index"] == 0),
        "EventCode": code,
        "EventBaseCode": code[:3],
        "EventRootCode": r["cameo_root"],
        "QuadClass": None if _value(r["quad_class"]) is None else int(r["quad_class"]),
        "GoldsteinScale": _value(r["goldstein"]),
        "NumMentions": r["n_mentions"],
        "NumSources": r["n_sources"],
        "NumArticles": r["n_articles"],
        **action_geo(r),
        "DATEADDED": stored.strftime("%Y%m%d%H%M%S") if stored is not None else None,
        "SOURCEURL": _value(r["source_url"]),
    }
    pairs = product(sides.get("source") or [None], sides.get("target") or [None])
    return [
        {"GlobalEventID": global_event_id(r["id"], n), **_actor(1, s), **_actor(2, t), **common}
        for n, (s, t) in enumerate(islice(pairs, MAX_PAIRS))
    ]


def gdelt_frame(store: Store, flt: EventFilter | None = None) -> pd.DataFrame:
    """Folded events in the GDELT 2.0 event-table layout, one row per source–target pair of
    each, described by its first mention, with NumMentions, NumSources and NumArticles over
    every document that carried one of its mentions and DATEADDED when the first was stored
    (``store/stories.py``); what detente does not know is empty."""
    sides: dict[str, dict[str, list[dict]]] = {}
    for a in store.event_actors(flt).to_dict("records"):
        sides.setdefault(a["event_id"], {"source": [], "target": []})[a["role"]].append(a)
    rows = [
        row
        for r in store.gdelt_rows(flt).to_dict("records")
        for row in _rows(r, sides.get(r["id"], {}))
    ]
    return pd.DataFrame(rows, columns=GDELT_COLUMNS, dtype=object)


# The 16 columns of the GDELT 2.0 mentions table, in order (GDELT Event Codebook V2.0).
MENTION_COLUMNS = [
    "GlobalEventID", "EventTimeDate", "MentionTimeDate", "MentionType", "MentionSourceName",
    "MentionIdentifier", "SentenceID", "Actor1CharOffset", "Actor2CharOffset",
    "ActionCharOffset", "InRawText", "Confidence", "MentionDocLen", "MentionDocTone",
    "MentionDocTranslationInfo", "Extras",
]  # fmt: skip


def _stamp(v: Any) -> str | None:
    v = _value(v)
    return v.strftime("%Y%m%d%H%M%S") if v is not None else None


def _offset(v: Any) -> int | None:
    v = _value(v)
    return None if v is None else int(v)


def mentions_frame(store: Store, flt: EventFilter | None = None) -> pd.DataFrame:
    """Mentions in the GDELT 2.0 mentions-table layout: one row per mention per document that
    carried it (a stored article and each of its copies and reprints). GlobalEventID is the
    folded event's first GDELT row (pair 0); SentenceID counts from 1; the offsets are those
    of the first source and target actor and of the trigger in the article's text;
    Confidence is the coder's in percent; MentionType 1 (web); Extras carries detente's
    mention and story ids (``mention=...;story=...``)."""
    from detente.store.stories import mention_rows

    rows = []
    for r in mention_rows(store, flt or EventFilter()).to_dict("records"):
        confidence = _value(r["confidence"])
        rows.append(
            {
                "GlobalEventID": global_event_id(r["story_id"], 0),
                "EventTimeDate": _stamp(r["event_added"]),
                "MentionTimeDate": _stamp(r["mention_added"]),
                "MentionType": 1,
                "MentionSourceName": _value(r["source_name"]),
                "MentionIdentifier": _value(r["url"]),
                "SentenceID": int(r["sentence_index"]) + 1,
                "Actor1CharOffset": _offset(r["actor1_start"]),
                "Actor2CharOffset": _offset(r["actor2_start"]),
                "ActionCharOffset": _offset(r["trigger_start"]),
                "InRawText": 1,
                "Confidence": None if confidence is None else round(confidence * 100),
                "MentionDocLen": _offset(r["n_chars"]),
                "Extras": f"mention={r['mention_id']};story={r['story_id']}",
            }
        )
    return pd.DataFrame(rows, columns=MENTION_COLUMNS, dtype=object)
