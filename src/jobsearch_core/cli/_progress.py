"""Progress bars for long replays and imports: on a terminal's stderr only, never in pipes."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from jobsearch_core.cli._common import stderr_is_terminal
from jobsearch_core.log import EventLog

__all__ = ["LONG", "bar", "view"]

#: Work over this many events shows a bar.
LONG = 10_000


@contextmanager
def bar(total: int, description: str) -> Iterator[Callable[[int], None]]:
    """A callback that moves a bar to `done` of `total`; a no-op when quiet."""
    if total <= LONG or not stderr_is_terminal():
        yield lambda done: None
        return
    progress = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=Console(stderr=True),
        transient=True,
    )
    with progress:
        task = progress.add_task(description, total=total)
        yield lambda done: progress.update(task, completed=done)


def view(log: EventLog, name: str, *, stream: str, as_of: int | datetime | None) -> Any:
    """`log.view(...)`, with a bar while a long log replays (the bar follows global positions)."""
    head = log.head
    with bar(head, f"replaying {name} ({stream})") as advance:
        return log.view(name, stream=stream, as_of=as_of, progress=advance if head > LONG else None)
