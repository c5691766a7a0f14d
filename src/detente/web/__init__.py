"""The dashboard (issue 15): pages that read detente's HTTP API and show its events over time,
dyads, a network, a map, a table with the source sentences and articles, and "code a text".
``mount(app)`` adds them to the API's app; ``detente serve`` does it."""

from detente.web.assets import ASSETS_ENV, Assets, AssetsMissing, find_assets
from detente.web.mount import mount

__all__ = ["ASSETS_ENV", "Assets", "AssetsMissing", "find_assets", "mount"]
