"""Inputs → shards: the units of work of a cluster ingest (``run/cluster.py``).

A shard is one input file, or a byte range of a large uncompressed JSON Lines file (cut at line
starts, about ``shard_bytes`` each), so that a task reads tens of MB and writes its own output
files. ``plan`` lists the files of the inputs in the order ``read_inputs`` reads them (folders
sorted, hidden files and skipped paths left out), so that a cluster ingest sees the articles in
the order a local ingest does; ``read_shard`` yields the same ``Found``/``Failure`` results, with
the same item names (``path:line`` for a JSON Lines row), as ``read_inputs`` does for them.
A shard's id is a hash of its path, size, modification time and byte range: the same inputs
give the same ids, and a changed file gets a new one.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from detente.errors import InputError
from detente.ingest.sources import (
    Failure,
    Result,
    SourceOptions,
    read_inputs,
    read_jsonl,
    skipped,
)

SHARD_BYTES = 32 << 20  # tens of MB of input per task, as spaCy's maintainers advise
_JSONL = (".jsonl", ".ndjson")


@dataclass(frozen=True)
class Shard:
    id: str
    path: str
    start: int = 0
    end: int | None = None  # None: the whole file
    first_line: int = 0  # lines before ``start``
    size: int = 0  # bytes of input in the shard

    @property
    def name(self) -> str:
        if self.end is None:
            return self.path
        return f"{self.path}[{self.start}:{self.end}]"


def _shard_id(path: Path, start: int, end: int | None) -> str:
    st = path.stat()
    key = f"{path.resolve()}|{st.st_size}|{st.st_mtime_ns}|{start}|{end}"
    return hashlib.sha1(key.encode("utf-8")).hexdigest()[:16]


def _files(inputs: Iterable[str], opts: SourceOptions) -> Iterator[Path | Failure]:
    for name in inputs:
        if name == "-" or name.startswith(("http://", "https://")):
            raise InputError(name, "a cluster ingest reads files and folders only")
        path = Path(name)
        if path.is_dir():
            for p in sorted(p for p in path.rglob(opts.glob) if p.is_file()):
                hidden = any(part.startswith(".") for part in p.relative_to(path).parts)
                if not hidden and not skipped(p, opts.skip):
                    yield p
        elif skipped(path, opts.skip):
            yield Failure(name, "read", "this is the output dataset's own file, not an input")
        elif path.is_file():
            yield path
        else:
            yield Failure(name, "read", "no such file, folder or URL")


def _line_cuts(path: Path, shard_bytes: int) -> list[tuple[int, int, int]]:
    """(start, end, lines before start) ranges of about ``shard_bytes``, cut at line starts."""
    size = path.stat().st_size
    cuts: list[tuple[int, int, int]] = []
    start = lines = 0
    with path.open("rb") as fh:
        while start < size:
            target = start + shard_bytes
            if target >= size:
                cuts.append((start, size, lines))
                break
            fh.seek(start)
            chunk_lines = 0
            while fh.tell() < target:  # count the lines of the range while finding its end
                block = fh.read(min(1 << 20, target - fh.tell()))
                if not block:
                    break
                chunk_lines += block.count(b"\n")
            rest = fh.readline()  # finish the line that straddles the cut
            chunk_lines += rest.endswith(b"\n")
            end = fh.tell()
            cuts.append((start, end, lines))
            start, lines = end, lines + chunk_lines
    return cuts


def plan(
    inputs: Iterable[str], opts: SourceOptions, shard_bytes: int = SHARD_BYTES
) -> tuple[list[Shard], list[Failure]]:
    """The shards of ``inputs``, in reading order, and the inputs that are not there."""
    shards: list[Shard] = []
    missing: list[Failure] = []
    for found in _files(inputs, opts):
        if isinstance(found, Failure):
            missing.append(found)
            continue
        size = found.stat().st_size
        if found.name.lower().endswith(_JSONL) and size > shard_bytes:
            for start, end, lines in _line_cuts(found, shard_bytes):
                sid = _shard_id(found, start, end)
                shards.append(Shard(sid, str(found), start, end, lines, end - start))
        else:
            shards.append(Shard(_shard_id(found, 0, None), str(found), size=size))
    return shards, missing


def read_shard(shard: Shard, opts: SourceOptions) -> Iterator[Result]:
    """The articles (and failures) of one shard, as ``read_inputs`` gives them."""
    if shard.end is None:
        yield from read_inputs([shard.path], opts)
        return
    path = Path(shard.path)
    try:
        yield from read_jsonl(path, opts, (shard.start, shard.end, shard.first_line))
    except InputError as exc:
        yield Failure(exc.item, "read", exc.reason)
    except OSError as exc:
        yield Failure(shard.path, "read", f"{type(exc).__name__}: {exc}")


def input_bytes(shards: Iterable[Shard]) -> int:
    return sum(s.size for s in shards)


__all__ = ["SHARD_BYTES", "Shard", "input_bytes", "plan", "read_shard"]
