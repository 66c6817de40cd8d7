"""Following a log: `wait_for_append` wakes on LISTEN/NOTIFY instead of polling."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import psycopg
import pytest
from jobsearch_core import ConcurrencyError, GapAdded, open_log
from jobsearch_core.storage import NewRow

from jobsearch_core_postgres.backend import PostgresBackend

WORKERS = Path(__file__).with_name("workers.py")


def row() -> list[NewRow]:
    """One row to append, with an id of its own."""
    return [NewRow(type="Noted", schema_version=1, data=b"{}")]


def append_later(backend: PostgresBackend, delay: float) -> threading.Thread:
    """Append one row from another thread after `delay` seconds."""
    thread = threading.Timer(delay, lambda: backend.append("me", row()))
    thread.start()
    return thread


class TestWaitForAppend:
    """wait_for_append(after, timeout) returns when the head passes `after`, or at the timeout."""

    def test_returns_at_once_when_already_past(self, backend: PostgresBackend) -> None:
        """With the head already past `after`, there is nothing to wait for."""
        backend.append("me", row())
        began = time.monotonic()
        backend.wait_for_append(0, timeout=5)
        assert time.monotonic() - began < 1

    def test_times_out_when_nothing_comes(self, backend: PostgresBackend) -> None:
        """With no append, it returns after about `timeout` seconds."""
        began = time.monotonic()
        backend.wait_for_append(0, timeout=0.3)
        assert 0.25 <= time.monotonic() - began < 2

    def test_wakes_on_an_append_from_another_connection(
        self, backend: PostgresBackend, url: str
    ) -> None:
        """An append through another backend wakes the waiter long before its timeout."""
        other = PostgresBackend(url)
        try:
            timer = append_later(other, 0.2)
            began = time.monotonic()
            backend.wait_for_append(0, timeout=10)
            waited = time.monotonic() - began
            timer.join()
        finally:
            other.close()
        assert waited < 2
        assert backend.head() == 1

    def test_a_rolled_back_append_wakes_nobody(self, backend: PostgresBackend) -> None:
        """NOTIFY is sent on commit only: an append refused for its version is not news."""

        def refused() -> None:
            with pytest.raises(ConcurrencyError):
                backend.append("me", row(), expected_version=3)

        timer = threading.Timer(0.1, refused)
        timer.start()
        began = time.monotonic()
        backend.wait_for_append(0, timeout=0.6)
        timer.join()
        assert time.monotonic() - began >= 0.5

    def test_another_schema_does_not_wake_it(
        self, backend: PostgresBackend, make_url: Callable[[], str]
    ) -> None:
        """Logs in other schemas of the same database have channels of their own."""
        elsewhere = PostgresBackend(make_url())
        try:
            assert elsewhere.channel != backend.channel
            timer = append_later(elsewhere, 0.1)
            began = time.monotonic()
            backend.wait_for_append(0, timeout=0.6)
            timer.join()
        finally:
            elsewhere.close()
        assert time.monotonic() - began >= 0.5

    def test_a_dropped_listener_is_replaced(
        self, backend: PostgresBackend, admin: psycopg.Connection[tuple[object, ...]]
    ) -> None:
        """If the server drops the listening connection, the wait ends early and the next listens anew."""
        backend.wait_for_append(0, timeout=0.05)  # starts listening
        assert backend._listener is not None
        pid = backend._listener.info.backend_pid
        admin.execute("SELECT pg_terminate_backend(%s)", (pid,))
        began = time.monotonic()
        backend.wait_for_append(0, timeout=10)  # a wake-up with no news, as follow() allows
        assert time.monotonic() - began < 2
        assert backend._listener is None
        timer = append_later(backend, 0.2)
        began = time.monotonic()
        backend.wait_for_append(0, timeout=10)
        timer.join()
        assert time.monotonic() - began < 2


@pytest.fixture
def listener_process(url: str) -> Iterator[subprocess.Popen[str]]:
    """A second process following the log (with a 60 s poll interval) from its current head."""
    process = subprocess.Popen(
        [sys.executable, str(WORKERS), "hear", url],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    yield process
    if process.poll() is None:
        process.kill()
    process.communicate()


class TestFollowAcrossProcesses:
    """EventLog.follow in another process hears an append as it commits."""

    def test_a_second_process_hears_an_append_within_a_second(
        self,
        url: str,
        listener_process: subprocess.Popen[str],
        admin: psycopg.Connection[tuple[object, ...]],
    ) -> None:
        """The follower polls only once a minute, yet hears the append in well under a second."""
        with open_log(url) as log:
            log.append([GapAdded(skill="before")])
            assert listener_process.stdout is not None
            assert json.loads(listener_process.stdout.readline()) == "ready"
            channel = log.backend.channel  # type: ignore[attr-defined]
            deadline = time.monotonic() + 20
            while not admin.execute(  # wait until the follower is listening, then append
                "SELECT 1 FROM pg_stat_activity WHERE state = 'idle' AND query = %s",
                (f'LISTEN "{channel}"',),
            ).fetchone():
                assert time.monotonic() < deadline, "the follower never started listening"
                time.sleep(0.05)
            time.sleep(0.2)  # inside notifies() by now: the wait is under way
            appended_at = time.time()
            (recorded,) = log.append([GapAdded(skill="after")])
        out, err = listener_process.communicate(timeout=30)
        heard = json.loads(out.splitlines()[0])
        assert heard["position"] == recorded.position == 2, err
        assert heard["at"] - appended_at < 1.0


class TestConsumers:
    """A named consumer on PostgreSQL waits on LISTEN/NOTIFY, as follow() does."""

    def test_a_waiting_consumer_hears_another_connections_append(self, url: str) -> None:
        """With a poll interval of a minute, an append through another backend reaches it at once."""
        with open_log(url) as log, open_log(url) as other:
            consumer = log.consumer("mailer")
            heard: list[float] = []

            def handler(recorded: object) -> None:
                heard.append(time.monotonic())
                consumer.stop()

            runner = threading.Thread(
                target=consumer.run, args=(handler,), kwargs={"poll_interval": 60}
            )
            runner.start()
            time.sleep(0.5)  # waiting by now
            appended_at = time.monotonic()
            other.append([GapAdded(skill="SQL")])
            runner.join(timeout=10)
            assert not runner.is_alive()
            assert consumer.position == 1
        assert heard[0] - appended_at < 1.0
