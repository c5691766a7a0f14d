"""``mount(app)``: the dashboard's routes on a FastAPI (or Starlette) app that serves detente's
HTTP API. The pages are static: they read the API's JSON endpoints from the same origin, so the
dashboard adds no query of its own and imports nothing of ``detente.api``."""

from __future__ import annotations

from pathlib import Path

from starlette.requests import Request
from starlette.responses import FileResponse, RedirectResponse, Response

from detente.web.assets import STATIC, Assets, find_assets

PAGES = ("app.js", "style.css")
# the browser may load nothing from another origin; charts style themselves inline
POLICY = (
    "default-src 'self'; img-src 'self' data: blob:; style-src 'self' 'unsafe-inline'; "
    "script-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; "
    "form-action 'self'"
)
HEADERS = {"Content-Security-Policy": POLICY, "X-Content-Type-Options": "nosniff"}


def mount(
    app,
    *,
    prefix: str = "/ui",
    assets: Assets | Path | str | None = None,
    api: str = "",
    root: bool = True,
) -> Assets:
    """Add the dashboard under ``prefix`` (``/ui/``) to ``app``: its page, its scripts, the npm
    assets (``/ui/vendor/...``) and the world shapes (``/ui/vendor/world.json``). ``api`` is the
    path the API's endpoints start with (``""``: at the root). With ``root``, ``/`` redirects to
    the dashboard unless the app already answers it. Raises ``AssetsMissing`` (naming ``make
    web-assets``) before adding anything when the npm packages are not installed."""
    found = assets if isinstance(assets, Assets) else find_assets(assets)
    prefix = "/" + prefix.strip("/")
    index = (STATIC / "index.html").read_text(encoding="utf-8")
    page = index.replace("{{api}}", api.rstrip("/")).replace("{{prefix}}", prefix)

    async def dashboard(request: Request) -> Response:
        return Response(page, media_type="text/html; charset=utf-8", headers=HEADERS)

    async def to_dashboard(request: Request) -> Response:
        return RedirectResponse(prefix + "/")

    async def static(request: Request) -> Response:
        name = request.path_params["name"]
        if name not in PAGES:
            return Response("not found", status_code=404, media_type="text/plain")
        return FileResponse(STATIC / name, headers={"Cache-Control": "no-cache"})

    async def vendor(request: Request) -> Response:
        name = request.path_params["name"]
        if name == "world.json":
            return Response(found.world(), media_type="application/json", headers=_cached())
        path = found.vendor(name)
        if path is None:
            return Response("not found", status_code=404, media_type="text/plain")
        return FileResponse(path, headers=_cached())

    had_root = any(getattr(r, "path", None) == "/" for r in app.router.routes)
    app.add_route(prefix, to_dashboard, include_in_schema=False)
    app.add_route(prefix + "/", dashboard, include_in_schema=False)
    app.add_route(prefix + "/static/{name}", static, include_in_schema=False)
    app.add_route(prefix + "/vendor/{name}", vendor, include_in_schema=False)
    if root and not had_root:
        app.add_route("/", to_dashboard, include_in_schema=False)
    return found


def _cached() -> dict[str, str]:
    return {"Cache-Control": "public, max-age=86400"}
