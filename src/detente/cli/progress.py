"""Progress bars for long commands: on a terminal only, on the console given (stderr)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from rich.console import Console


@contextmanager
def progress_bar(console: Console, *columns: Any, **fields: Any) -> Iterator[Any]:
    """A started rich ``Progress`` with one task, yielded as ``update(**values)``; ``None``
    when ``console`` is not a terminal (pipes and CI get no bar)."""
    if not console.is_terminal:
        yield None
        return
    from rich.progress import Progress

    with Progress(*columns, console=console, transient=True) as bar:
        task = bar.add_task("", total=None, **fields)

        def update(**values: Any) -> None:
            bar.update(task, **values)

        update.elapsed = lambda: bar.tasks[0].elapsed or 1e-9  # type: ignore[attr-defined]
        yield update
