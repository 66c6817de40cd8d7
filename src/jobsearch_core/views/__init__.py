"""Views: named, versioned folds of a stream's events into a state other tools can read."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Generic, TypeVar

import attrs

from jobsearch_core.events import Event, Recorded

__all__ = ["View", "fold"]

S = TypeVar("S")


@attrs.frozen(kw_only=True)
class View(Generic[S]):
    """A named fold: `initial()` makes the empty state, `apply(state, recorded)` folds one event.

    `apply` may change the state in place and must return it. It must be total: any
    sequence of valid events folds without an exception. Bump `version` whenever the
    fold or the state's shape changes, so snapshots of the old version are ignored.
    `state_type` is the attrs class of the state; snapshots are taken only when it is
    set (cattrs turns it to JSON and back). `events`, when given, names the event classes
    `apply` folds (their subclasses too): the replay engine then skips calling it for the
    rest, which counts when several views replay in one pass.
    """

    name: str
    version: int
    initial: Callable[[], S]
    apply: Callable[[S, Recorded], S]
    state_type: type[S] | None = None
    description: str = ""
    events: tuple[type[Event], ...] | None = None


def fold(view: View[S], events: Iterable[Event | Recorded], *, stream: str = "me") -> S:
    """Fold events (or records) into a fresh state, honouring retractions; for tests and tools.

    Plain events are numbered 1, 2, 3 ... as if they were the whole log.
    """
    from jobsearch_core.views._replay import replay_records

    records: list[Recorded] = []
    for i, item in enumerate(events, start=1):
        if isinstance(item, Recorded):
            records.append(item)
        else:
            records.append(
                Recorded(position=i, stream=stream, version=i, recorded_at=item.at, event=item)
            )
    return replay_records(view, records)
