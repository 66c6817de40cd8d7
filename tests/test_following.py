"""Catching up by position: `following.follow`, shared by `EventLog.follow` and consumers."""

from __future__ import annotations

import threading
import time

from jobsearch_core import EventLog, GapAdded, GapPracticed
from jobsearch_core.following import Source, follow


def _source(log: EventLog, stream: str | None = None) -> Source:
    wait = getattr(log.backend, "wait_for_append", None)
    return Source(
        read=lambda after: log.read(stream=stream, after=after),
        head=log.backend.head,
        wait=wait,
    )


class TestFollow:
    """Events after a cursor, a pass at a time, until idle or told to stop."""

    def test_reached_moves_past_events_left_out(self, log: EventLog) -> None:
        """A pass that leaves other streams' events out still reaches the head it began at."""
        log.append([GapAdded(skill="SQL")], stream="ann")
        log.append([GapAdded(skill="Go"), GapAdded(skill="Rust")], stream="bob")
        heard: list[int] = []
        seen = [
            r.position
            for r in follow(
                _source(log, "ann"),
                after=0,
                idle_timeout=0.05,
                poll_interval=0.01,
                reached=heard.append,
            )
        ]
        assert seen == [1]
        assert heard[-1] == 3

    def test_stop_from_another_thread_ends_a_wait(self, log: EventLog) -> None:
        """Set while it waits for news, `stop` ends it within a fraction of a second."""
        stop = threading.Event()
        threading.Timer(0.2, stop.set).start()
        started = time.monotonic()
        assert (
            list(follow(_source(log), after=0, idle_timeout=None, poll_interval=30, stop=stop))
            == []
        )
        assert time.monotonic() - started < 2.0

    def test_stop_while_handling_ends_before_the_next_event(self, log: EventLog) -> None:
        """Set while an event is being handled, nothing more is yielded."""
        log.append([GapPracticed(skill="SQL", minutes=i) for i in range(1, 4)])
        stop = threading.Event()
        seen = []
        for recorded in follow(
            _source(log), after=0, idle_timeout=None, poll_interval=1, stop=stop
        ):
            seen.append(recorded.position)
            stop.set()
        assert seen == [1]
