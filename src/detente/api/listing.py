"""Answers of the listings: one JSON page ``{"total", "limit", "offset", "items"}``, or a
download of the same rows as JSON Lines, CSV or Parquet (docs/api.md)."""

from __future__ import annotations

import io
import json
import math
from datetime import date, datetime
from typing import Any, Literal

import numpy as np
import pandas as pd
from fastapi.responses import JSONResponse, Response

Format = Literal["json", "jsonl", "csv", "parquet"]
MEDIA = {
    "jsonl": "application/x-ndjson",
    "csv": "text/csv; charset=utf-8",
    "parquet": "application/vnd.apache.parquet",
}


def plain(value: Any) -> Any:
    """A JSON value for a value of a DataFrame row: dates as ISO text (a day when the time is
    midnight), NaN/NaT as null, numpy scalars and arrays as Python ones."""
    if value is None or value is pd.NaT:
        return None
    if isinstance(value, float | np.floating):
        return None if math.isnan(value) else float(value)
    if isinstance(value, np.bool_):
        return bool(value)
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, pd.Timestamp | datetime):
        if value.hour == value.minute == value.second == value.microsecond == 0:
            return value.date().isoformat()
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, np.ndarray | list | tuple):
        return [plain(v) for v in value]
    return value


def frame_items(frame: pd.DataFrame) -> list[dict[str, Any]]:
    return [{k: plain(v) for k, v in row.items()} for row in frame.to_dict("records")]


def page(
    name: str,
    fmt: Format,
    total: int,
    limit: int | None,
    offset: int,
    items: list[dict[str, Any]],
    frame: pd.DataFrame | None = None,
) -> Response:
    """The answer of a listing called ``name``: the page as JSON, else a download of ``items``
    (JSON Lines) or of ``frame`` (CSV, Parquet; ``items`` as a frame when there is none)."""
    if fmt == "json":
        return JSONResponse({"total": total, "limit": limit, "offset": offset, "items": items})
    if fmt == "jsonl":
        body: bytes = "".join(_line(i) for i in items).encode("utf-8")
    else:
        table = frame if frame is not None else pd.DataFrame(items)
        body = _csv(table) if fmt == "csv" else _parquet(table)
    headers = {
        "Content-Disposition": f'attachment; filename="{name}.{fmt}"',
        "X-Total-Count": str(total),
    }
    return Response(body, media_type=MEDIA[fmt], headers=headers)


def _line(item: dict[str, Any]) -> str:
    return json.dumps(item, ensure_ascii=False) + "\n"


def _csv(frame: pd.DataFrame) -> bytes:
    out = io.StringIO()
    frame.to_csv(out, index=False, lineterminator="\n")
    return out.getvalue().encode("utf-8")


def _parquet(frame: pd.DataFrame) -> bytes:
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.Table.from_pandas(_flat(frame), preserve_index=False)
    sink = pa.BufferOutputStream()
    pq.write_table(table, sink)
    return sink.getvalue().to_pybytes()


def _flat(frame: pd.DataFrame) -> pd.DataFrame:
    """Nested values (dicts, lists of dicts) as JSON text, so that any column is typed."""
    out = frame.copy()
    for col in out.columns:
        if out[col].dtype == object and any(isinstance(v, dict | list) for v in out[col]):
            out[col] = [None if v is None else json.dumps(plain(v)) for v in out[col]]
    return out
