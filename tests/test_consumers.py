"""Named consumers on every backend: at least once, in order, resumed from the checkpoint."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime, timedelta

import pytest

from jobsearch_core import (
    BackendError,
    ConsumerError,
    ConsumerStatus,
    Event,
    EventLog,
    GapAdded,
    GapPracticed,
    InvalidInputError,
    Recorded,
    open_log,
)
from jobsearch_core.storage import Backend, NewRow, RowBatch, Snapshot, StoredRow
from jobsearch_core.storage.memory import MemoryBackend


def practice(count: int, *, skill: str = "SQL") -> list[Event]:
    """`count` practice sessions, minutes 1..count."""
    return [GapPracticed(skill=skill, minutes=i) for i in range(1, count + 1)]


def positions(records: list[Recorded]) -> list[int]:
    return [recorded.position for recorded in records]


class TestRun:
    """`run` hands each event after the checkpoint to the handler, in order, once it returns."""

    def test_every_event_in_order_then_the_checkpoint_is_at_the_head(self, log: EventLog) -> None:
        """A new consumer is handed the whole log, in order; its checkpoint ends at the head."""
        log.append(practice(3))
        log.append(practice(2), stream="ann")
        consumer = log.consumer("mailer")
        assert consumer.position == 0
        seen: list[Recorded] = []
        assert consumer.run(seen.append, idle_timeout=0) == 5
        assert positions(seen) == [1, 2, 3, 4, 5]
        assert consumer.position == 5

    def test_the_checkpoint_moves_after_each_event(self, log: EventLog) -> None:
        """While the handler has event N, the checkpoint is at N - 1."""
        log.append(practice(4))
        consumer = log.consumer("mailer")
        during: list[int] = []
        consumer.run(lambda recorded: during.append(consumer.position), idle_timeout=0)
        assert during == [0, 1, 2, 3]

    def test_a_second_run_starts_after_the_checkpoint(self, log: EventLog) -> None:
        """The same name, asked again, is handed only what came after."""
        log.append(practice(2))
        log.consumer("mailer").run(lambda recorded: None, idle_timeout=0)
        log.append(practice(3))
        seen: list[Recorded] = []
        log.consumer("mailer").run(seen.append, idle_timeout=0)
        assert positions(seen) == [3, 4, 5]

    def test_names_keep_their_own_checkpoints(self, log: EventLog) -> None:
        """Two names, two checkpoints."""
        log.append(practice(3))
        log.consumer("mailer").run(lambda recorded: None, idle_timeout=0)
        seen: list[Recorded] = []
        log.consumer("calendar").run(seen.append, idle_timeout=0)
        assert positions(seen) == [1, 2, 3]

    def test_hears_events_appended_while_it_runs(self, log: EventLog) -> None:
        """Appends from another thread reach a running consumer, in order."""
        log.append(practice(1))
        writer = threading.Timer(0.3, lambda: log.append(practice(2, skill="Go")))
        writer.start()
        seen: list[Recorded] = []
        try:
            log.consumer("mailer").run(seen.append, idle_timeout=1.0, poll_interval=0.05)
        finally:
            writer.join()
        assert positions(seen) == [1, 2, 3]

    def test_idle_timeout_zero_catches_up_and_returns(self, log: EventLog) -> None:
        """With idle_timeout=0 an empty log returns at once, handing nothing."""
        started = time.monotonic()
        assert log.consumer("mailer").run(lambda recorded: None, idle_timeout=0) == 0
        assert time.monotonic() - started < 5


class TestFilters:
    """`stream=` and `types=` choose what the handler gets; the checkpoint moves past the rest."""

    def test_stream_and_types(self, log: EventLog) -> None:
        """Only `ann`'s GapAdded events are handed over; the checkpoint still reaches the head."""
        log.append([GapAdded(skill="SQL"), *practice(1)], stream="ann")
        log.append([GapAdded(skill="Go")], stream="bob")
        log.append([GapAdded(skill="Rust")], stream="ann")
        log.append(practice(2), stream="ann")
        seen: list[Recorded] = []
        consumer = log.consumer("adds", stream="ann", types=[GapAdded])
        consumer.run(seen.append, idle_timeout=0)
        assert positions(seen) == [1, 4]
        assert consumer.position == 6

    def test_types_by_name_as_read_takes_them(self, log: EventLog) -> None:
        """A stored type name works as the class does."""
        log.append([GapAdded(skill="SQL"), *practice(2)])
        seen: list[Recorded] = []
        log.consumer("minutes", types="GapPracticed").run(seen.append, idle_timeout=0)
        assert positions(seen) == [2, 3]

    def test_a_failure_after_events_left_out_leaves_the_checkpoint_just_before_it(
        self, log: EventLog
    ) -> None:
        """The events before a failing one that are not the consumer's are behind it."""
        log.append([*practice(3), GapAdded(skill="Go")])

        def fail(recorded: Recorded) -> None:
            raise RuntimeError("no")

        consumer = log.consumer("adds", types=[GapAdded])
        with pytest.raises(ConsumerError) as caught:
            consumer.run(fail, idle_timeout=0)
        assert (caught.value.position, caught.value.checkpoint) == (4, 3)
        assert consumer.position == 3


class TestFailures:
    """A handler that raises stops the consumer, naming it and the position."""

    def test_the_checkpoint_is_left_before_the_failing_event(self, log: EventLog) -> None:
        """ConsumerError names the consumer and position; the next run starts at that event."""
        log.append(practice(4))

        def handler(recorded: Recorded) -> None:
            if recorded.position == 3:
                raise ValueError("mail server down")

        consumer = log.consumer("mailer")
        with pytest.raises(
            ConsumerError, match=r"'mailer'.*position 3.*mail server down"
        ) as caught:
            consumer.run(handler, idle_timeout=0)
        assert (caught.value.consumer, caught.value.position, caught.value.checkpoint) == (
            "mailer",
            3,
            2,
        )
        assert isinstance(caught.value.__cause__, ValueError)
        assert consumer.position == 2
        seen: list[Recorded] = []
        consumer.run(seen.append, idle_timeout=0)
        assert positions(seen) == [3, 4]

    def test_keyboard_interrupt_goes_through_unhandled(self, log: EventLog) -> None:
        """Ctrl-C in the handler stops the consumer as it is; that event is handed over again."""
        log.append(practice(3))

        def handler(recorded: Recorded) -> None:
            if recorded.position == 2:
                raise KeyboardInterrupt

        consumer = log.consumer("mailer")
        with pytest.raises(KeyboardInterrupt):
            consumer.run(handler, idle_timeout=0)
        assert consumer.position == 1


class TestStop:
    """`stop()` ends a run cleanly, from the handler or from another thread."""

    def test_from_the_handler(self, log: EventLog) -> None:
        """Asked while handling, the run returns after that event, its checkpoint saved."""
        log.append(practice(5))
        consumer = log.consumer("mailer")

        def handler(recorded: Recorded) -> None:
            if recorded.position == 2:
                consumer.stop()

        assert consumer.run(handler) == 2
        assert consumer.position == 2

    def test_from_another_thread_while_it_waits(self, log: EventLog) -> None:
        """A run with no idle timeout, waiting for news, returns soon after stop()."""
        log.append(practice(1))
        consumer = log.consumer("mailer")
        threading.Timer(0.3, consumer.stop).start()
        started = time.monotonic()
        assert consumer.run(lambda recorded: None, poll_interval=30) == 1
        assert time.monotonic() - started < 5

    def test_before_it_starts(self, log: EventLog) -> None:
        """Asked before run, that run hands nothing over; the next one runs."""
        log.append(practice(2))
        consumer = log.consumer("mailer")
        consumer.stop()
        assert consumer.run(lambda recorded: None) == 0
        assert consumer.run(lambda recorded: None, idle_timeout=0) == 2

    def test_one_run_at_a_time(self, log: EventLog) -> None:
        """A consumer already running refuses a second run."""
        log.append(practice(1))
        consumer = log.consumer("mailer")
        refused: list[BaseException] = []

        def handler(recorded: Recorded) -> None:
            with pytest.raises(InvalidInputError, match="running already") as caught:
                consumer.run(lambda recorded: None)
            refused.append(caught.value)

        consumer.run(handler, idle_timeout=0)
        assert len(refused) == 1


class TestListing:
    """`consumers()` lists each consumer that has run, with its position and lag."""

    def test_position_and_lag(self, log: EventLog) -> None:
        """Lag is the number of events past the checkpoint."""
        assert log.consumers() == []
        log.append(practice(3))
        log.consumer("mailer").run(lambda recorded: None, idle_timeout=0)
        log.consumer("calendar", types="GapAdded").run(lambda recorded: None, idle_timeout=0)
        log.append(practice(2))
        listed = log.consumers()
        assert [(c.name, c.position, c.lag) for c in listed] == [
            ("calendar", 3, 2),
            ("mailer", 3, 2),
        ]
        assert all(isinstance(c, ConsumerStatus) for c in listed)
        now = datetime.now(UTC)
        assert all(
            now - timedelta(minutes=5) < c.updated_at <= now + timedelta(seconds=5) for c in listed
        )

    def test_a_consumer_made_but_never_run_is_not_listed(self, log: EventLog) -> None:
        """Making the handle writes nothing."""
        log.consumer("mailer")
        assert log.consumers() == []


class TestRefused:
    """Bad names and arguments are refused with an error naming them."""

    @pytest.mark.parametrize("name", ["", "  ", "tab\there", "x" * 257, 42, None])
    def test_bad_names(self, log: EventLog, name: object) -> None:
        """A consumer name is non-blank printable text of at most 256 characters."""
        with pytest.raises(InvalidInputError, match="consumer name"):
            log.consumer(name)  # type: ignore[arg-type]

    def test_bad_stream_and_types(self, log: EventLog) -> None:
        """The stream and types rules are `read`'s."""
        with pytest.raises(InvalidInputError, match="stream"):
            log.consumer("mailer", stream="")
        with pytest.raises(InvalidInputError, match="types"):
            log.consumer("mailer", types=[42])  # type: ignore[list-item]

    @pytest.mark.parametrize(
        ("kwargs", "message"),
        [
            ({"handler": "print"}, "callable"),
            ({"idle_timeout": -1}, "idle_timeout"),
            ({"idle_timeout": True}, "idle_timeout"),
            ({"poll_interval": 0}, "poll_interval"),
        ],
    )
    def test_bad_run_arguments(
        self, log: EventLog, kwargs: dict[str, object], message: str
    ) -> None:
        """run refuses a handler that is not callable and timeouts that are not seconds."""
        arguments: dict[str, object] = {"handler": lambda recorded: None, **kwargs}
        with pytest.raises(InvalidInputError, match=message):
            log.consumer("mailer").run(**arguments)  # type: ignore[arg-type]
        assert log.consumers() == []


class _Plain:
    """A backend with the `Backend` protocol and nothing more (no checkpoints)."""

    def __init__(self) -> None:
        self._inner = MemoryBackend()
        self.url = "plain://"

    def append(
        self, stream: str, rows: Sequence[NewRow], *, expected_version: int | None = None
    ) -> list[StoredRow]:
        return self._inner.append(stream, rows, expected_version=expected_version)

    def append_many(
        self, batches: Sequence[RowBatch], *, expected_head: int | None = None
    ) -> list[list[StoredRow]]:
        return self._inner.append_many(batches, expected_head=expected_head)

    def lookup(self, event_ids: Sequence[str]) -> dict[str, StoredRow]:
        return self._inner.lookup(event_ids)

    def read(
        self, *, after: int = 0, until: int | None = None, stream: str | None = None
    ) -> Iterator[StoredRow]:
        return self._inner.read(after=after, until=until, stream=stream)

    def stream_version(self, stream: str) -> int:
        return self._inner.stream_version(stream)

    def head(self) -> int:
        return self._inner.head()

    def streams(self) -> list[str]:
        return self._inner.streams()

    def save_snapshot(self, snapshot: Snapshot) -> None:
        self._inner.save_snapshot(snapshot)

    def load_snapshot(
        self, view: str, key: str, stream: str, *, at_or_before: int
    ) -> Snapshot | None:
        return self._inner.load_snapshot(view, key, stream, at_or_before=at_or_before)

    def close(self) -> None:
        self._inner.close()


class TestWithoutCheckpoints:
    """A backend that keeps no checkpoints refuses consumers, saying why."""

    def test_refused(self) -> None:
        """consumer() and consumers() raise BackendError naming the missing ability."""
        plain = _Plain()
        assert isinstance(plain, Backend)
        log = EventLog(plain)
        with pytest.raises(BackendError, match="keeps no checkpoints"):
            log.consumer("mailer")
        with pytest.raises(BackendError, match="keeps no checkpoints"):
            log.consumers()


class TestAcrossOpens:
    """A checkpoint belongs to the log: another `open_log` of the same file resumes it."""

    def test_a_reopened_log_resumes(self, url: str) -> None:
        """Run in one open of the file, resumed in the next."""
        with open_log(url) as log:
            log.append(practice(3))
            log.consumer("mailer").run(lambda recorded: None, idle_timeout=0)
            log.append(practice(1))
        with open_log(url) as log:
            seen: list[Recorded] = []
            log.consumer("mailer").run(seen.append, idle_timeout=0)
            assert positions(seen) == [4]
            assert [(c.name, c.position, c.lag) for c in log.consumers()] == [("mailer", 4, 0)]
