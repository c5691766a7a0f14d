"""How listings show values: shared by ``code`` and the store commands."""

from __future__ import annotations

from typing import Any

import pandas as pd


def when(day: Any, precision: str | None, method: str | None) -> str:
    """An event's date as listings show it: to its precision ("2024-03", "wk 2024-03-04"),
    "historical" for background events, empty when unknown."""
    if method == "historical":
        return "historical"
    if day is None or day is pd.NaT or (isinstance(day, float) and day != day):
        return ""
    shown = {"day": "%Y-%m-%d", "week": "wk %Y-%m-%d", "month": "%Y-%m", "year": "%Y"}
    return day.strftime(shown.get(precision or "day", "%Y-%m-%d"))
