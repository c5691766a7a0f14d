"""Exports of stored events: PLOVER event records (JSON Lines, ``plover.py``), GDELT 2.0 event
and mentions tables (TSV, ``gdelt.py``: folded events and their mentions), Parquet, CSV;
and of stored claims and counts (JSON Lines, one record per claim or count).

Each function takes a store, a destination (path or text stream) and a filter, and returns the
number of rows written. The SQL lives in ``db.py``.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

import pandas as pd

from detente.store.db import EventFilter, Store
from detente.store.gdelt import GDELT_COLUMNS, gdelt_frame, mentions_frame
from detente.store.plover import plover_records

__all__ = ["FORMATS", "GDELT_COLUMNS", "export", "gdelt_frame", "plover_records"]

FORMATS = ("plover", "gdelt", "mentions", "parquet", "csv", "claims", "counts")


def export(
    fmt: str, store: Store, out: str | Path | IO[str], flt: EventFilter | None = None
) -> int:
    """Write events (or claims, or counts) in ``fmt`` (one of ``FORMATS``) to ``out``."""
    writers = {
        "plover": plover_jsonl,
        "gdelt": gdelt_tsv,
        "mentions": mentions_tsv,
        "parquet": parquet,
        "csv": csv,
        "claims": claims_jsonl,
        "counts": counts_jsonl,
    }
    if fmt not in writers:
        raise ValueError(f"format must be one of {', '.join(FORMATS)}, not {fmt!r}")
    return writers[fmt](store, out, flt)


def _open(out: str | Path | IO[str]):
    if isinstance(out, str | Path):
        return Path(out).open("w", encoding="utf-8", newline="")
    return _Borrowed(out)


class _Borrowed:
    def __init__(self, fh: IO[str]) -> None:
        self.fh = fh

    def __enter__(self) -> IO[str]:
        return self.fh

    def __exit__(self, *exc: object) -> None:
        self.fh.flush()


def _none(value: Any) -> Any:
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NaT:
        return None
    return value


def plover_jsonl(store: Store, out: str | Path | IO[str], flt: EventFilter | None = None) -> int:
    n = 0
    with _open(out) as fh:
        for record in plover_records(store, flt):
            fh.write(json.dumps(record, ensure_ascii=False) + "\n")
            n += 1
    return n


def gdelt_tsv(
    store: Store, out: str | Path | IO[str], flt: EventFilter | None = None, header: bool = False
) -> int:
    """Tab-separated, no header by default (as GDELT publishes its files)."""
    return _tsv(gdelt_frame(store, flt), out, header)


def mentions_tsv(
    store: Store, out: str | Path | IO[str], flt: EventFilter | None = None, header: bool = False
) -> int:
    """The mentions of the GDELT export, in GDELT's mentions-table layout (TSV, no header)."""
    return _tsv(mentions_frame(store, flt), out, header)


def _tsv(frame, out: str | Path | IO[str], header: bool) -> int:
    with _open(out) as fh:
        frame.to_csv(fh, sep="\t", header=header, index=False, lineterminator="\n")
    return len(frame)


def parquet(store: Store, out: str | Path | IO[str], flt: EventFilter | None = None) -> int:
    import pyarrow.parquet as pq

    if not isinstance(out, str | Path):
        raise ValueError("Parquet needs a file path, not a stream")
    table = store.to_arrow(flt)
    pq.write_table(table, str(out))
    return table.num_rows


def csv(store: Store, out: str | Path | IO[str], flt: EventFilter | None = None) -> int:
    frame = store.events(flt)
    with _open(out) as fh:
        frame.to_csv(fh, index=False, lineterminator="\n")
    return len(frame)


def linked_records(
    store: Store, what: str, flt: EventFilter | None = None
) -> Iterator[dict[str, Any]]:
    """Stored claims (``what="claims"``) or counts (``"counts"``) as records: the ``Claim`` /
    ``CasualtyCount`` fields (``event`` is the linked event's id or null) plus ``article`` and
    ``id`` (article id and position)."""
    rows = store.claims(flt) if what == "claims" else store.casualty_counts(flt)
    yield from frame_records(rows)


def frame_records(rows: pd.DataFrame) -> Iterator[dict[str, Any]]:
    """The records of a frame of ``Store.claims`` or ``Store.casualty_counts`` rows (as
    ``linked_records`` gives them)."""
    for r in rows.to_dict("records"):
        day = _none(r["published"])
        yield {
            "id": f"{r['article_id']}:{r['idx']}",
            "article": {
                "id": r["article_id"],
                "url": _none(r["article_url"]),
                "title": _none(r["article_title"]),
                "source": _none(r["article_source"]),
                "published": day.date().isoformat() if day is not None else None,
            },
            **json.loads(r["record"]),
        }


def _jsonl(records: Iterator[dict[str, Any]], out: str | Path | IO[str]) -> int:
    n = 0
    with _open(out) as fh:
        for record in records:
            fh.write(json.dumps(record, ensure_ascii=False) + "\n")
            n += 1
    return n


def claims_jsonl(store: Store, out: str | Path | IO[str], flt: EventFilter | None = None) -> int:
    return _jsonl(linked_records(store, "claims", flt), out)


def counts_jsonl(store: Store, out: str | Path | IO[str], flt: EventFilter | None = None) -> int:
    return _jsonl(linked_records(store, "counts", flt), out)
