"""``POST /code``: a text or an HTML page in; its events (``detente code --format jsonl``
records), claims, counts and spans out. Nothing is stored."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from detente.api.reads import known_params, linked_item, service
from detente.api.service import ApiError
from detente.api.spans import spans
from detente.errors import InputError
from detente.records import MODALITIES, Article
from detente.text import make_article

ITEM = "<request>"


class CodeRequest(BaseModel):
    """What to code: ``text`` or ``html`` (exactly one), with optional metadata."""

    model_config = ConfigDict(extra="forbid", strict=True)

    text: str | None = Field(default=None, description="The article as plain text.")
    html: str | None = Field(default=None, description="An HTML page (its main text is coded).")
    published: str | None = Field(
        default=None, description="Publication date (YYYY-MM-DD or any form ingest reads)."
    )
    url: str | None = None
    title: str | None = None
    source: str | None = None
    all_modalities: bool = Field(
        default=False, description="Also negated, future, hypothetical and requested events."
    )


def json_body(request: Request) -> None:
    """415 for a body that is not JSON."""
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind != "application/json" and not kind.endswith("+json"):
        raise ApiError(415, f"POST /code takes JSON (Content-Type: application/json), not {kind!r}")


def token(request: Request, authorization: Annotated[str | None, Header()] = None) -> None:
    service(request).check_token(authorization)


router = APIRouter(dependencies=[Depends(known_params), Depends(token), Depends(json_body)])


def article_of(body: CodeRequest, max_chars: int) -> Article:
    """The article to code (an ``InputError`` for text that cannot be one)."""
    if (body.text is None) == (body.html is None):
        raise InputError(ITEM, "give exactly one of 'text' and 'html'")
    text, title, published, source = body.text, body.title, body.published, body.source
    if body.html is not None:
        from detente.ingest.webtext import extract_html

        page = extract_html(body.html, ITEM, body.url)
        text, title = page.text, title or page.title
        published, source = published or page.published, source or page.site
    return make_article(
        text, item=ITEM, published=published, url=body.url, title=title, source=source,
        max_chars=max_chars,
    )  # fmt: skip


@router.post("/code", summary="Code a text (nothing stored)")
def post_code(request: Request, body: CodeRequest) -> JSONResponse:
    svc = service(request)
    try:
        article = article_of(body, svc.settings.max_chars)
    except InputError as exc:
        raise ApiError(422, f"the text cannot be coded: {exc.reason}") from exc
    modalities = MODALITIES if body.all_modalities else ("asserted",)
    events, analysis, error, took = svc.code(article, modalities)
    if error is not None:
        raise ApiError(422, f"the text cannot be coded: {error}")
    ref = article.model_dump(mode="json", exclude={"text"})
    records = [e.model_dump(mode="json") for e in events or []]
    claims: list[dict[str, Any]] = []
    counts: list[dict[str, Any]] = []
    if analysis is not None:
        claims = [
            linked_item(ref, n, c.model_dump(mode="json")) for n, c in enumerate(analysis.claims)
        ]
        counts = [
            linked_item(ref, n, k.model_dump(mode="json")) for n, k in enumerate(analysis.counts)
        ]
    answer = {
        "article": ref, "text": article.text, "events": records, "claims": claims,
        "counts": counts, "spans": spans(records, claims, counts),
    }  # fmt: skip
    return JSONResponse(answer, headers={"Server-Timing": f"code;dur={took * 1000:.1f}"})
