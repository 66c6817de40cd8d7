"""Appends in one round trip: worked out from what the backend last saw, checked by the server."""

from __future__ import annotations

import contextlib
import re
import socket
import threading
from collections.abc import Generator, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import attrs
import psycopg
import pytest
from jobsearch_core import GapAdded, open_log
from jobsearch_core.errors import BackendError, ConcurrencyError
from jobsearch_core.storage import NewRow

from jobsearch_core_postgres.backend import PostgresBackend


def warm(backend: PostgresBackend) -> None:
    """Appends enough for psycopg to have prepared the append's statement (its fifth use
    on a connection costs one round trip more, once)."""
    for i in range(6):
        backend.append("warm", rows(1, tag=f"warm{i}"))


def rows(count: int, tag: str = "n") -> list[NewRow]:
    """`count` small encoded rows, each with an id of its own."""
    return [
        NewRow(type="Noted", schema_version=1, data=b'{"%s": %d}' % (tag.encode(), i))
        for i in range(count)
    ]


@contextlib.contextmanager
def round_trips() -> Iterator[list[int]]:
    """Counts the exchanges with the server made inside the block: each time psycopg has
    something to send or wait for (a commit with no transaction open has neither)."""
    counted = [0]
    original = psycopg.Connection.wait

    def counting(gen: Generator[Any, Any, Any]) -> Generator[Any, Any, Any]:
        try:
            ready = None
            wanted = gen.send(None)
            counted[0] += 1  # it has I/O to do: one exchange
            while True:
                ready = yield wanted
                wanted = gen.send(ready)
        except StopIteration as done:
            return done.value

    def wait(self: psycopg.Connection[object], gen: Any, *args: object, **kwargs: object) -> object:
        return original(self, counting(gen), *args, **kwargs)  # type: ignore[arg-type]

    psycopg.Connection.wait = wait  # type: ignore[method-assign,assignment]
    try:
        yield counted
    finally:
        psycopg.Connection.wait = original  # type: ignore[method-assign]


class TestRoundTrips:
    """An append costs one round trip when the log is as the backend last saw it."""

    def test_one_round_trip_when_the_log_is_as_seen(self, backend: PostgresBackend) -> None:
        """Once the statement is prepared, an append of one row or of many is one round trip."""
        warm(backend)
        for count, stream in [(1, "me"), (1, "me"), (100, "me"), (3, "ann")]:
            with round_trips() as counted:
                backend.append(stream, rows(count, tag=f"{stream}{count}"))
            assert counted == [1], (count, stream)
        with round_trips() as counted:
            backend.append_many([("me", rows(2, tag="a"), None), ("bob", rows(2, tag="b"), 0)])
        assert counted == [1]
        assert [r.position for r in backend.read()] == list(range(1, 116))

    def test_another_writer_in_between_sends_it_under_the_lock(self, url: str) -> None:
        """A backend that finds another got there first appends under the lock (in line with
        the others), and learns how the log stands; positions, versions and the chain stay
        whole."""
        first, second = PostgresBackend(url), PostgresBackend(url)
        try:
            warm(first)
            first.append("me", rows(1))
            second.append("me", rows(1, tag="s"))
            with round_trips() as counted:
                (stored,) = first.append("me", rows(1, tag="f"))
            assert counted == [5]  # the answer that it moved on, then BEGIN ... COMMIT
            assert (stored.position, stored.version) == (9, 3)
            with round_trips() as counted:
                first.append("me", rows(1, tag="g"))
            assert counted == [1]
        finally:
            second.close()
            first.close()
        with open_log(url) as log:
            assert log.verify() == []

    def test_a_stream_the_backend_has_not_seen(self, url: str) -> None:
        """A stream another backend wrote to: its version is asked for, not guessed into the log."""
        other, backend = PostgresBackend(url), PostgresBackend(url)
        try:
            other.append("ann", rows(3))
            warm(backend)  # knows the head now, but nothing of "ann"
            with round_trips() as counted:
                (stored,) = backend.append("ann", rows(1, tag="x"))
            assert (stored.position, stored.version) == (10, 4)
            assert counted == [2]  # the first answer told the version
            with pytest.raises(ConcurrencyError):
                backend.append("ann", rows(1, tag="y"), expected_version=3)
        finally:
            other.close()
            backend.close()

    def test_a_version_learnt_before_another_writer_is_checked(self, url: str) -> None:
        """A stream's version remembered from before another writer's append to it, the head
        learnt since from an append elsewhere: the server checks the version too."""
        first, second = PostgresBackend(url), PostgresBackend(url)
        try:
            warm(first)
            first.append("ann", rows(1))  # first remembers ann at 1
            second.append("ann", rows(1, tag="s"))  # ann at 2, behind first's back
            first.append("me", rows(1, tag="m"))  # first learns the new head, not ann's
            (stored,) = first.append("ann", rows(1, tag="f"))
            assert stored.version == 3
        finally:
            second.close()
            first.close()
        with open_log(url) as log:
            assert log.verify() == []

    def test_no_probe_before_an_append(self, backend: PostgresBackend) -> None:
        """The pooled connection is not asked whether it is alive (that was a round trip)."""
        warm(backend)
        with round_trips() as counted:
            backend.head()
        assert counted == [1]

    def test_one_row_goes_as_plain_values(self, backend: PostgresBackend) -> None:
        """An append of one row calls jobsearch_append_one, of more rows jobsearch_append,
        and both store in order (once the backend has seen the log: the first append
        settles under the lock)."""
        warm(backend)
        called: list[str] = []
        original = psycopg.Connection.execute

        def execute(self: psycopg.Connection[Any], query: Any, *args: Any, **kw: Any) -> Any:
            text = query.as_string(self) if hasattr(query, "as_string") else str(query)
            called.extend(re.findall(r"jobsearch_append\w*", text))
            return original(self, query, *args, **kw)

        psycopg.Connection.execute = execute  # type: ignore[method-assign]
        try:
            for count, stream in [(1, "me"), (3, "me"), (1, "ann"), (2, "ann")]:
                backend.append(stream, rows(count, tag=f"{stream}{count}"))
        finally:
            psycopg.Connection.execute = original  # type: ignore[method-assign]
        one, many = "jobsearch_append_one", "jobsearch_append"
        assert called == [one, many, one, many]
        assert [(r.position, r.stream) for r in backend.read(after=6)] == [
            (7, "me"),
            (8, "me"),
            (9, "me"),
            (10, "me"),
            (11, "ann"),
            (12, "ann"),
            (13, "ann"),
        ]


class TestClocks:
    """recorded_at stays the server's clock, never going backwards along the positions."""

    def test_a_clock_far_ahead_is_not_taken(self, backend: PostgresBackend) -> None:
        """A moment reckoned an hour ahead of the server is refused; the server's is used."""
        backend.append("me", rows(1))
        seen = backend._appends._seen
        assert seen is not None
        backend._appends._seen = attrs.evolve(seen, server_now=seen.server_now + timedelta(hours=1))
        (stored,) = backend.append("me", rows(1, tag="late"))
        assert stored.recorded_at < datetime.now(UTC) + timedelta(minutes=1)
        stamps = [r.recorded_at for r in backend.read()]
        assert stamps == sorted(stamps)

    def test_a_clock_behind_the_head_is_not_taken(self, backend: PostgresBackend) -> None:
        """A moment reckoned behind the head's never goes in: the head's moment is the floor."""
        backend.append("me", rows(1))
        seen = backend._appends._seen
        assert seen is not None
        backend._appends._seen = attrs.evolve(seen, server_now=seen.server_now - timedelta(hours=1))
        backend.append("me", rows(1, tag="early"))
        stamps = [r.recorded_at for r in backend.read()]
        assert stamps == sorted(stamps)


class _Cutter:
    """A TCP proxy to the server that, once armed, forwards the client's next message and
    then cuts the connection before the server's answer comes back."""

    def __init__(self, host: str, port: int) -> None:
        self.server = socket.create_server(("127.0.0.1", 0))
        self.server.settimeout(0.2)
        self.port = int(self.server.getsockname()[1])
        self.target = (host, port)
        self.armed = threading.Event()
        self.cut = threading.Event()
        self._stop = threading.Event()
        self._sockets: list[socket.socket] = []
        self._threads = [threading.Thread(target=self._accept)]
        self._threads[0].start()

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                client, _ = self.server.accept()
            except TimeoutError:
                continue
            except OSError:
                return  # closed
            upstream = socket.create_connection(self.target)
            self._sockets += (client, upstream)
            for source, sink, asking in ((client, upstream, True), (upstream, client, False)):
                thread = threading.Thread(target=self._pump, args=(source, sink, asking))
                self._threads.append(thread)
                thread.start()

    def _pump(self, source: socket.socket, sink: socket.socket, asking: bool) -> None:
        with contextlib.suppress(OSError):
            while data := source.recv(65536):
                if not asking and self.cut.is_set():
                    self.cut.clear()
                    sink.shutdown(socket.SHUT_RDWR)  # the answer never reaches the client
                    return
                sink.sendall(data)
                if asking and self.armed.is_set():
                    self.armed.clear()
                    self.cut.set()

    def close(self) -> None:
        self._stop.set()
        for each in [*self._sockets, self.server]:
            with contextlib.suppress(OSError):
                each.shutdown(socket.SHUT_RDWR)
            each.close()
        for thread in self._threads:
            thread.join()


class TestLostAnswers:
    """A connection lost before the answer came: the error says the append may be stored."""

    def test_lost_after_sending_may_or_may_not_be_stored(self, url: str) -> None:
        """The server committed, the answer was lost: the error says so, and sending the same
        events again stores nothing more."""
        parts = urlsplit(url)
        cutter = _Cutter(parts.hostname or "127.0.0.1", parts.port or 5432)
        netloc = parts.netloc.replace(f"{parts.hostname}:{parts.port}", f"127.0.0.1:{cutter.port}")
        proxied = urlunsplit(parts._replace(netloc=netloc)) + "&sslmode=disable&pool_size=1"
        event = GapAdded(skill="Go", at=datetime(2026, 12, 1, 9, tzinfo=UTC))
        try:
            with open_log(proxied) as log:
                log.append([GapAdded(skill="SQL")])
                cutter.armed.set()
                with pytest.raises(BackendError, match="may or may not be stored"):
                    log.append([event], ids=["go-1"])
            with open_log(url) as log:
                assert [r.event_id for r in log.read()][1:] == ["go-1"]  # it was stored
                again = log.append([event], ids=["go-1"])
                assert [r.position for r in again] == [2]
                assert log.head == 2
        finally:
            cutter.close()
