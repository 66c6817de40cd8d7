"""Faults: an unreachable server, a refused login, a connection cut mid-append, a closed log."""

from __future__ import annotations

import contextlib
import socket
import struct
import threading
import time
from collections.abc import Iterator

import psycopg
import pytest
from jobsearch_core import GapAdded, JobsearchError, open_log
from jobsearch_core.errors import BackendError
from jobsearch_core.storage import NewRow
from psycopg import sql

from jobsearch_core_postgres.backend import PostgresBackend

Admin = psycopg.Connection[tuple[object, ...]]


def rows(count: int) -> list[NewRow]:
    """`count` small encoded rows."""
    return [NewRow(type="Noted", schema_version=1, data=b'{"n": %d}' % i) for i in range(count)]


def free_port() -> int:
    """A local TCP port nobody listens on."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _read(conn: socket.socket, size: int) -> bytes:
    data = b""
    while len(data) < size:
        chunk = conn.recv(size - len(data))
        if not chunk:
            raise ConnectionError("client went away")
        data += chunk
    return data


def _refuse_password(conn: socket.socket) -> None:
    """Speak just enough of the PostgreSQL protocol to ask for a password and reject it."""
    while True:  # SSL and GSS requests come before the startup message: decline them
        (length,) = struct.unpack("!i", _read(conn, 4))
        body = _read(conn, length - 4)
        if struct.unpack("!i", body[:4])[0] not in (80877103, 80877104):
            break
        conn.sendall(b"N")
    conn.sendall(b"R" + struct.pack("!ii", 8, 3))  # AuthenticationCleartextPassword
    _read(conn, 1)
    (length,) = struct.unpack("!i", _read(conn, 4))
    _read(conn, length - 4)  # the password, unread
    fields = b"".join(
        code + text.encode() + b"\0"
        for code, text in [
            (b"S", "FATAL"),
            (b"V", "FATAL"),
            (b"C", "28P01"),
            (b"M", 'password authentication failed for user "seeker"'),
        ]
    )
    conn.sendall(b"E" + struct.pack("!i", len(fields) + 5) + fields + b"\0")


@pytest.fixture
def password_refusing_server() -> Iterator[int]:
    """A stand-in server on a local port that refuses every password (the real one trusts all)."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    server.settimeout(0.2)
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                conn, _ = server.accept()
            except TimeoutError:
                continue
            with conn, contextlib.suppress(ConnectionError, OSError):
                _refuse_password(conn)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield int(server.getsockname()[1])
    stop.set()
    thread.join()
    server.close()


class TestCannotConnect:
    """Connection failures are a `BackendError` naming host and database, never the password."""

    def test_unreachable_server(self) -> None:
        """Nobody on the port: the error names host, port and database, and says why."""
        port = free_port()
        url = f"postgresql://seeker:s3cret@127.0.0.1:{port}/jobs?schema=mine"
        began = time.monotonic()
        with pytest.raises(BackendError) as caught:
            open_log(url)
        message = str(caught.value)
        assert f"database 'jobs' on 127.0.0.1:{port}" in message
        assert "refused" in message.lower()
        assert "s3cret" not in message
        assert caught.value.__cause__ is None  # no psycopg error chained behind it
        assert caught.value.__suppress_context__
        assert time.monotonic() - began < 5  # a refused connection is not waited for

    def test_wrong_password(self, password_refusing_server: int) -> None:
        """A refused password: a JobsearchError naming host, database and user, not the password."""
        port = password_refusing_server
        with pytest.raises(JobsearchError) as caught:
            open_log(f"postgresql://seeker:wrong-horse@127.0.0.1:{port}/jobs")
        message = str(caught.value)
        assert isinstance(caught.value, BackendError)
        assert f"database 'jobs' on 127.0.0.1:{port}" in message
        assert 'password authentication failed for user "seeker"' in message
        assert "wrong-horse" not in message

    def test_missing_database(self, dsn: str) -> None:
        """A database that does not exist is named."""
        url = dsn.rsplit("/", 1)[0] + "/no_such_database_here"
        with pytest.raises(BackendError, match=r"no_such_database_here.*does not exist"):
            open_log(url)

    def test_unknown_role(self, dsn: str) -> None:
        """A role that does not exist is named."""
        url = dsn.replace("://postgres@", "://nobody_by_that_name@")
        if url == dsn:
            pytest.skip("the test DSN does not log in as postgres")
        with pytest.raises(BackendError, match="nobody_by_that_name"):
            open_log(url)


class TestConnectionLost:
    """A connection that dies mid-append leaves the log as it was."""

    def test_connection_killed_mid_append(self, url: str, admin: Admin) -> None:
        """Killed with pg_terminate_backend after its rows are inserted, before COMMIT."""
        backend = PostgresBackend(url + "&application_name=victim")
        try:
            before = backend.append("me", rows(2))
            schema = sql.Identifier(backend.schema)
            # A trigger that stalls the append inside its transaction, rows already written.
            admin.execute(
                sql.SQL(
                    "CREATE FUNCTION {}.stall() RETURNS trigger LANGUAGE plpgsql"
                    " AS $$ BEGIN PERFORM pg_sleep(30); RETURN NULL; END $$"
                ).format(schema)
            )
            admin.execute(
                sql.SQL(
                    "CREATE TRIGGER stall AFTER INSERT ON {}.events"
                    " FOR EACH STATEMENT EXECUTE FUNCTION {}.stall()"
                ).format(schema, schema)
            )
            killed: list[object] = []

            def kill() -> None:
                deadline = time.monotonic() + 20
                while not killed and time.monotonic() < deadline:
                    killed.extend(
                        row[0]
                        for row in admin.execute(
                            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                            " WHERE application_name = 'victim' AND wait_event = 'PgSleep'"
                        )
                    )
                    time.sleep(0.02)

            killer = threading.Thread(target=kill)
            killer.start()
            with pytest.raises(BackendError) as caught:
                backend.append("me", rows(3))
            killer.join()
            assert killed == [True]
            message = str(caught.value)
            assert "append to stream 'me'" in message
            assert "127.0.0.1" in message or "localhost" in message
            assert "the log is as it was" in message

            admin.execute(sql.SQL("DROP TRIGGER stall ON {}.events").format(schema))
            assert list(backend.read()) == before
            assert backend.head() == 2
            assert backend.stream_version("me") == 2
            # The pool replaced the dead connection, and no position was used up.
            (after,) = backend.append("me", rows(1))
            assert (after.position, after.version) == (3, 3)
        finally:
            backend.close()

    def test_idle_connections_killed_are_replaced(self, url: str, admin: Admin) -> None:
        """Pooled connections the server dropped while idle are replaced unnoticed."""
        backend = PostgresBackend(url + "&application_name=idle-victim")
        try:
            backend.append("me", rows(1))
            admin.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                " WHERE application_name = 'idle-victim'"
            )
            deadline = time.monotonic() + 10
            while admin.execute(  # until the server has closed them (it signals, then they go)
                "SELECT 1 FROM pg_stat_activity WHERE application_name = 'idle-victim'"
            ).fetchone():
                assert time.monotonic() < deadline
                time.sleep(0.01)
            assert [r.position for r in backend.append("me", rows(1))] == [2]
            assert backend.head() == 2
        finally:
            backend.close()


class TestClosedAndForked:
    """A closed log, or one opened by another process, refuses to be used."""

    def test_closed_log(self, url: str) -> None:
        """After close(), every call is a BackendError saying so; closing again is harmless."""
        log = open_log(url)
        log.append([GapAdded(skill="SQL")])
        log.close()
        log.close()
        with pytest.raises(BackendError, match="closed"):
            log.append([GapAdded(skill="Go")])
        with pytest.raises(BackendError, match="closed"):
            list(log.read())

    def test_log_opened_in_another_process(self, backend: PostgresBackend) -> None:
        """A backend inherited across fork() refuses to use the parent's connections."""
        own, backend._pid = backend._pid, -1  # what a forked child sees: a pid not its own
        with pytest.raises(BackendError, match="opened in process -1"):
            backend.head()
        with pytest.raises(BackendError, match="opened in process -1"):
            backend.wait_for_append(0, 0.1)
        backend._pid = own
