"""Catching up by position: the events after a cursor as they commit, none skipped.

`EventLog.follow` and the named consumers (`jobsearch_core.consumers`) both read this
way. It is safe because every backend makes positions visible in commit order (see the
guarantees page): once the head reads N, every event up to N has committed, so a read
that starts after N was read covers them all, and nothing can commit behind the cursor.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator

import attrs

from jobsearch_core.events.base import Recorded

__all__ = ["STOP_CHECK", "WAKEABLE_WAIT", "Source", "follow"]

#: How long a wait lasts at a time on a backend that wakes readers (`WakesOnAppend`).
WAKEABLE_WAIT = 30.0
#: How long such a wait lasts at most when the reader may be told to stop meanwhile.
STOP_CHECK = 0.25


@attrs.frozen
class Source:
    """What a reader follows: its events after a position, the log's head, and how to wait."""

    #: The reader's events after a position (its stream and types only), in order.
    read: Callable[[int], Iterator[Recorded]]
    #: The log's last position.
    head: Callable[[], int]
    #: The backend's `wait_for_append`, when it can wake a reader; else the reader polls.
    wait: Callable[[int, float], None] | None = None


def follow(
    source: Source,
    *,
    after: int,
    idle_timeout: float | None,
    poll_interval: float,
    stop: threading.Event | None = None,
    reached: Callable[[int], None] | None = None,
) -> Iterator[Recorded]:
    """The source's events after `after` as they commit: those there already, then each new one.

    Ends when the caller stops iterating, when `idle_timeout` seconds pass without an event,
    or soon after `stop` is set. After each pass over the log, `reached` hears the position
    up to which every event has been read (events the source leaves out included), so a
    reader can move past them.
    """
    wait = source.wait
    cursor = after
    last_news = time.monotonic()
    while stop is None or not stop.is_set():
        seen_head = source.head()
        for recorded in source.read(cursor):
            cursor = recorded.position
            last_news = time.monotonic()
            yield recorded
            if stop is not None and stop.is_set():
                return
        # Everything up to the head read before the pass has committed, and the pass read
        # it all: the cursor may move there even when the source left those events out.
        cursor = max(cursor, seen_head)
        if reached is not None:
            reached(cursor)
        # A backend that wakes us on news can be waited on for long; one that cannot is
        # asked again every poll_interval.
        pause = poll_interval if wait is None else WAKEABLE_WAIT
        if idle_timeout is not None:
            left = idle_timeout - (time.monotonic() - last_news)
            if left <= 0:
                return
            pause = min(pause, left)
        if wait is not None:
            wait(cursor, pause if stop is None else min(pause, STOP_CHECK))
        elif stop is not None:
            stop.wait(pause)
        else:
            time.sleep(pause)
