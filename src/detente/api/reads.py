"""The read-only endpoints: ``GET /events``, ``/stories``, ``/dyads``, ``/series``, ``/alerts``,
``/claims``, ``/counts``, ``/articles/{id}`` and ``/status`` (docs/api.md). Each opens the
store read-only for the request and answers through ``listing.page``."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from detente.analytics import queries as analytics
from detente.api.listing import Format, frame_items, page, plain
from detente.api.service import ApiError, Service
from detente.api.spans import spans
from detente.records import MODALITIES
from detente.store import queries
from detente.store.db import EventFilter
from detente.store.export import frame_records
from detente.version import __version__

ASSERTED = ("asserted",)
_ALLOWED: dict[int, set[str]] = {}


def service(request: Request) -> Service:
    return request.app.state.detente


def known_params(request: Request) -> None:
    """400 for a query parameter the endpoint does not take (a misspelt filter would
    otherwise be ignored silently)."""
    route = request.scope.get("route")
    if route is None or not hasattr(route, "dependant"):
        return
    allowed = _ALLOWED.get(id(route))
    if allowed is None:
        allowed = _ALLOWED[id(route)] = _query_names(route.dependant)
    unknown = sorted(set(request.query_params) - allowed)
    if unknown:
        names = ", ".join(repr(u[:40]) for u in unknown)
        takes = ", ".join(sorted(allowed)) or "no query parameters"
        plural = "s" if len(unknown) > 1 else ""
        raise ApiError(
            400,
            f"unknown query parameter{plural} {names}; {request.method} {route.path} takes:"
            f" {takes}",
        )


def _query_names(dependant: Any) -> set[str]:
    """The query parameters of a route's dependant and of its dependencies, all the way down."""
    names = {p.alias for p in dependant.query_params}
    for sub in dependant.dependencies:
        names |= _query_names(sub)
    return names


router = APIRouter(dependencies=[Depends(known_params)])

Since = Annotated[date | None, Query(description="Published on or after (YYYY-MM-DD).")]
Until = Annotated[date | None, Query(description="Published on or before (YYYY-MM-DD).")]
Country = Annotated[
    str | None, Query(description="Any actor with this country (ISO3) or code prefix.")
]
Dyad = Annotated[str | None, Query(description="SOURCE,TARGET (country or code prefix each).")]
EventType = Annotated[str | None, Query(description="PLOVER type or CAMEO code prefix.")]
AllModalities = Annotated[
    bool, Query(description="Also negated, future, hypothetical and requested events.")
]
By = Literal["day", "week", "month", "year"]


FIRST_DAY, LAST_DAY = date(1800, 1, 1), date(2200, 12, 31)  # the dates ingest reads
MOST_ROWS = 2**53  # limit and offset: more than any store holds, less than SQL's BIGINT


def _in_range(**days: date | None) -> None:
    for name, day in days.items():
        if day is not None and not FIRST_DAY <= day <= LAST_DAY:
            raise ApiError(
                422,
                f"query parameter '{name}': {day.isoformat()} is outside the dates detente reads"
                f" ({FIRST_DAY.year}-{LAST_DAY.year})",
            )


def _filter(**values: Any) -> EventFilter:
    _in_range(since=values.get("since"), until=values.get("until"))
    try:
        return queries.make_filter(**values)
    except ValueError as exc:
        raise ApiError(422, f"query parameter 'dyad': {exc}") from exc


def event_filter(
    since: Since = None,
    until: Until = None,
    country: Country = None,
    dyad: Dyad = None,
    event: EventType = None,
    all_modalities: AllModalities = False,
) -> EventFilter:
    """The CLI's event filter (--since, --until, --country, --dyad, --event, --all-modalities)."""
    return _filter(
        since=since, until=until, country=country, dyad=dyad, event=event,
        modalities=None if all_modalities else ASSERTED,
    )  # fmt: skip


def linked_filter(
    since: Since = None,
    until: Until = None,
    country: Country = None,
    dyad: Dyad = None,
    event: EventType = None,
) -> EventFilter:
    """The filter of claims and counts (no modalities: a claim is not negated or future)."""
    return _filter(
        since=since, until=until, country=country, dyad=dyad, event=event, modalities=None
    )


@dataclass(frozen=True)
class Paging:
    limit: int | None
    offset: int
    fmt: Format


Limit = Annotated[
    int | None,
    Query(ge=1, le=MOST_ROWS, description="Rows per page (JSON: 50, at most Settings.max_page)."),
]
Offset = Annotated[int, Query(ge=0, le=MOST_ROWS, description="Rows skipped.")]
FormatQuery = Annotated[Format, Query(description="json, or a download: jsonl, csv, parquet.")]


def paging(
    request: Request, limit: Limit = None, offset: Offset = 0, format: FormatQuery = "json"
) -> Paging:
    most = service(request).settings.max_page
    if format == "json":
        limit = min(50, most) if limit is None else limit
        if limit > most:
            raise ApiError(
                422,
                f"query parameter 'limit': at most {most:,} rows a JSON page (got {limit});"
                " page with offset, or download with format=jsonl, csv or parquet",
            )
    return Paging(limit, offset, format)


Filter = Annotated[EventFilter, Depends(event_filter)]
Linked = Annotated[EventFilter, Depends(linked_filter)]
Page = Annotated[Paging, Depends(paging)]


def event_item(row: dict[str, Any]) -> dict[str, Any]:
    """An event's record (``detente.Event`` as JSON) from its stored row."""
    record = row.get("record")
    if isinstance(record, str) and record:
        return json.loads(record)
    return {k: plain(v) for k, v in row.items() if k != "record"}


@router.get("/events", summary="Stored events (detente.Event records)")
def get_events(request: Request, flt: Filter, pg: Page) -> Response:
    with service(request).reading() as store:
        total = queries.total(store, "events", flt)
        frame = queries.events(store, flt, pg.limit, pg.offset)
    items = [event_item(r) for r in frame.to_dict("records")] if pg.fmt in ("json", "jsonl") else []
    return page("events", pg.fmt, total, pg.limit, pg.offset, items, frame)


@router.get("/stories", summary="Folded events: one per real-world event")
def get_stories(
    request: Request,
    flt: Filter,
    pg: Page,
    min_articles: Annotated[
        int, Query(ge=1, le=MOST_ROWS, description="Only events carried by this many.")
    ] = 1,
) -> Response:
    with service(request).reading() as store:
        total = queries.total(store, "stories", flt, min_articles)
        frame = queries.stories(store, flt, pg.limit, min_articles=min_articles, offset=pg.offset)
    return page("stories", pg.fmt, total, pg.limit, pg.offset, frame_items(frame), frame)


@router.get(
    "/stories/{story_id}/mentions",
    summary="The mentions of one folded event, each with the documents that carried it",
    description=(
        "Every mention folded into the folded event `story_id` (an `id` of `GET /stories`), in"
        " publication order: `id` (the mention's event id), `event` (its record, as `GET"
        " /events` gives it) and `documents` (the stored article and every copy or reprint of"
        " it: `url`, `source`, `title`, `published`). 404 if no folded event has that id."
    ),
)
def get_story_mentions(request: Request, story_id: str, pg: Page) -> Response:
    with service(request).reading() as store:
        frame = queries.mentions(store, story_id, pg.limit, pg.offset)
        if frame is None:
            raise ApiError(
                404, f"no folded event with id {story_id!r} in the store (ids: GET /stories)"
            )
        total = queries.mention_total(store, story_id)
        wanted = pg.fmt in ("json", "jsonl") and len(frame)
        docs = queries.documents(store, list(frame["article_id"])) if wanted else None
    if pg.fmt not in ("json", "jsonl"):
        return page("mentions", pg.fmt, total, pg.limit, pg.offset, [], frame)
    carried: dict[str, list[dict[str, Any]]] = {}
    if docs is not None:
        for d in frame_items(docs):
            carried.setdefault(d.pop("article_id"), []).append(d)
    items = [
        {"id": row["id"], "event": event_item(row), "documents": carried.get(row["article_id"], [])}
        for row in frame.to_dict("records")
    ]
    return page("mentions", pg.fmt, total, pg.limit, pg.offset, items, frame)


def _aggregate(name: str, frame, pg: Paging) -> Response:
    """A page of an aggregated frame (dyads, series, alerts): all rows are computed, then cut."""
    total = len(frame)
    cut = frame.iloc[pg.offset : None if pg.limit is None else pg.offset + pg.limit]
    return page(name, pg.fmt, total, pg.limit, pg.offset, frame_items(cut), cut)


@router.get("/dyads", summary="Events per source-target pair and period")
def get_dyads(request: Request, flt: Filter, pg: Page, by: By = "month") -> Response:
    with service(request).reading() as store:
        frame = queries.dyads(store, by, flt)
    return _aggregate("dyads", frame, pg)


@router.get("/series", summary="Counts per period from the pre-aggregated series")
def get_series(
    request: Request,
    flt: Filter,
    pg: Page,
    by: By = "month",
    level: Literal["pairs", "country_pairs", "countries", "actors"] = "pairs",
) -> Response:
    with service(request).reading() as store:
        try:
            frame = analytics.series(store, level, by, flt)
        except ValueError as exc:
            raise ApiError(422, str(exc)) from exc
    return _aggregate("series", frame, pg)


@router.get("/alerts", summary="Shifts against the trailing baselines, new actors, breaks")
def get_alerts(
    request: Request,
    pg: Page,
    since: Annotated[date | None, Query(description="Every complete period from then.")] = None,
    event: EventType = None,
    all_modalities: AllModalities = False,
    by: Literal["week", "month"] = "week",
) -> Response:
    _in_range(since=since)
    flt = _filter(event=event, modalities=None if all_modalities else ASSERTED)
    svc = service(request)
    with svc.reading() as store:
        try:
            frame = analytics.alerts(store, svc.settings, since=since, by=by, flt=flt)
        except ValueError as exc:
            raise ApiError(422, str(exc)) from exc
    return _aggregate("alerts", frame, pg)


def _linked_page(request: Request, what: str, flt: EventFilter, pg: Paging) -> Response:
    with service(request).reading() as store:
        total = queries.total(store, what, flt)
        read = queries.claims if what == "claims" else queries.counts
        frame = read(store, flt, pg.limit, pg.offset)
    items = list(frame_records(frame)) if pg.fmt in ("json", "jsonl") else []
    return page(what, pg.fmt, total, pg.limit, pg.offset, items, frame)


@router.get("/claims", summary="Stored claims: who says what, how hedged, about which event")
def get_claims(request: Request, flt: Linked, pg: Page) -> Response:
    return _linked_page(request, "claims", flt, pg)


@router.get("/counts", summary="Stored counts: killed, wounded, abducted, ...")
def get_counts(request: Request, flt: Linked, pg: Page) -> Response:
    return _linked_page(request, "counts", flt, pg)


def linked_item(ref: dict[str, Any], idx: int, record: dict[str, Any]) -> dict[str, Any]:
    """A claim or count item (as ``/claims`` gives it) from its record."""
    return {"id": f"{ref['id']}:{idx}", "article": ref, **record}


@router.get("/articles/{article_id}", summary="An article's text with every span found in it")
def get_article(
    request: Request, article_id: str, all_modalities: AllModalities = False
) -> dict[str, Any]:
    with service(request).reading() as store:
        row = store.article(article_id)
        if row is None:
            raise ApiError(404, f"no article with id {article_id!r} in the store")
        records = store.article_records(article_id, None if all_modalities else ASSERTED)
    article = {k: plain(v) for k, v in row.items()}
    ref = {k: article[k] for k in ("id", "url", "title", "source", "published")}
    events = [json.loads(r) for r in records[0]]
    claims = [linked_item(ref, i, json.loads(r)) for i, r in records[1]]
    counts = [linked_item(ref, i, json.loads(r)) for i, r in records[2]]
    return {
        **article, "events": events, "claims": claims, "counts": counts,
        "spans": spans(events, claims, counts),
    }  # fmt: skip


STATUS_TOTALS = ("articles", "events", "asserted", "stories", "claims", "counts", "first", "last")


@router.get("/status", summary="Version, store totals, coder state and limits")
def get_status(request: Request) -> dict[str, Any]:
    svc = service(request)
    out: dict[str, Any] = {"version": __version__, "store": svc.store_path}
    try:
        with svc.reading() as store:
            counts = store.counts()
            first, last = store.span()
            asserted = queries.total(store, "events", queries.make_filter())
            stories = queries.total(store, "stories", queries.make_filter(modalities=None))
        out |= {"articles": counts["articles"], "events": counts["events"]}
        out |= {"asserted": asserted, "stories": stories}
        out |= {"claims": counts["claims"], "counts": counts["counts"]}
        out |= {"first": plain(first), "last": plain(last)}
    except ApiError as exc:
        out |= dict.fromkeys(STATUS_TOTALS)
        out["store_error"] = exc.detail
    s = svc.settings
    out |= {
        "coder": "loaded" if svc.coder_loaded else "not loaded",
        "token_required": svc.token_required,
        "limits": {"max_body": s.max_body, "max_page": s.max_page, "max_chars": s.max_chars},
        "modalities": list(MODALITIES),
    }
    return out
