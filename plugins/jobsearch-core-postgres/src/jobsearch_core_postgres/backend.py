"""`postgresql://`: a log in a PostgreSQL database, shared by any number of processes."""

from __future__ import annotations

import hashlib
import os
import re
import select
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC
from typing import Any

import psycopg
from jobsearch_core.errors import BackendError
from jobsearch_core.storage import Checkpoint, NewRow, RowBatch, Snapshot, StoredRow
from jobsearch_core.storage.keys import ChainMode, needs_key, read_key
from psycopg import sql
from psycopg.rows import TupleRow
from psycopg_pool import ConnectionPool, PoolClosed, PoolTimeout

from jobsearch_core_postgres._appends import Appends, UnsettledError, register_arrays
from jobsearch_core_postgres._schema import APPEND_LOCK, chain_mode, lock_key, migrate
from jobsearch_core_postgres._url import Target, parse_url

__all__ = ["BATCH_SIZE", "PostgresBackend"]

#: Rows fetched per query while reading: memory stays flat however long the log is.
BATCH_SIZE = 1000
#: Seconds an operation waits for a free pooled connection before it gives up.
POOL_TIMEOUT = 10.0
#: `until=None` reads to the end: the largest bigint, so one prepared query serves both.
_LAST_POSITION = 2**63 - 1
_STORED_COLUMNS = sql.SQL(
    "position, stream, version, type, schema_version, data, recorded_at, hash, event_id, metadata"
)
#: A `RawRow`: recorded_at as the ISO text `datetime.fromisoformat` reads, in UTC.
_RAW_COLUMNS = sql.SQL(
    "position, stream, version, type, schema_version, data,"
    " to_char(recorded_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US') || '+00:00',"
    " event_id, metadata"
)


#: What an append whose answer never came says: it may or may not be stored.
_LOST = (
    "the connection was lost before the answer came, so the append may or may not be "
    "stored: append the same events with the same ids again, which stores them once"
)


class _IdTakenError(Exception):
    """An append met the unique index on event ids: it is tried again, checking each id."""


Connection = psycopg.Connection[TupleRow]


class PostgresBackend:
    """A log in PostgreSQL: one transaction per append, positions assigned under a lock.

    Appends take a transaction-level advisory lock first, so positions are handed out and
    committed in the same order: a reader that catches up by position never skips an event
    that commits later (see the README for why a lock and not gap detection). An append is
    one statement, one round trip, when the log is as this backend last saw it
    (`jobsearch_core_postgres._appends`).
    """

    def __init__(self, url: str) -> None:
        self._target: Target = parse_url(url)
        self.url = self._target.url
        self.schema = self._target.schema
        self._key = read_key(self._target.key_file)
        #: How the log's chain is hashed (keyed or not), read when it is opened.
        self.chain = ChainMode()
        self._pid = os.getpid()
        self._lock_key = lock_key(self.schema)
        # Notification channels are per database; one per schema keeps logs apart. Hashed,
        # because a channel name is at most 63 bytes and so is the schema name.
        digest = hashlib.sha256(self.schema.encode()).hexdigest()[:32]
        self.channel = f"jobsearch_{digest}"
        self._listener: Connection | None = None
        self._listener_lock = threading.Lock()
        self._closed = False
        self._prepare()
        self._appends = Appends(
            self.schema,
            lock_class=APPEND_LOCK,
            lock_key=self._lock_key,
            channel=self.channel,
            key=self.chain.key,
        )
        self._pool: ConnectionPool[Connection] = ConnectionPool(
            self._target.conninfo,
            kwargs={"autocommit": True},
            min_size=1,
            max_size=self._target.pool_size,
            open=False,
            timeout=POOL_TIMEOUT,
            name=f"jobsearch-core {self.url}",
            num_workers=1,
            configure=lambda conn: register_arrays(conn.adapters),
        )
        try:
            # The server has just answered, so this is quick; waiting here keeps the first
            # call from finding the pool empty and growing it for no reason.
            self._pool.open(wait=True, timeout=POOL_TIMEOUT)
        except PoolTimeout:
            self._pool.close()
            raise self._unavailable("open the log in") from None
        self._names = {
            name: sql.SQL("{}.{}").format(sql.Identifier(self.schema), sql.Identifier(name))
            for name in ("events", "snapshots", "jobsearch_checkpoints")
        }

    @classmethod
    def from_url(cls, url: str) -> PostgresBackend:
        """Open ``postgresql://user:password@host:port/database?schema=NAME&pool_size=N``."""
        return cls(url)

    def __repr__(self) -> str:
        return f"<PostgresBackend {self.url}>"

    # --- opening ----------------------------------------------------------------------------

    def _connect(self, doing: str) -> Connection:
        """A connection of its own (not pooled): it says exactly why when it cannot connect."""
        try:
            return psycopg.connect(self._target.conninfo, autocommit=True)
        except psycopg.Error as error:
            raise BackendError(
                f"cannot {doing}: no connection to PostgreSQL {self._target.where()}: "
                f"{_reason(error)}"
            ) from None

    def _prepare(self) -> None:
        """Check the server once, then create or migrate the schema."""
        conn = self._connect("open the log")
        try:
            encoding = conn.info.parameter_status("server_encoding")
            if encoding not in (None, "UTF8"):
                raise BackendError(
                    f"PostgreSQL {self._target.where()} stores text as "
                    f"{encoding}; a jobsearch log needs a UTF8 "
                    "database (stream names and type names may be any Unicode)"
                )
            migrate(conn, self.schema, self._target.where(), self._key)
            self.chain = chain_mode(conn, self.schema, self._key, self._target.where())
        except psycopg.Error as error:
            raise self._failure("open the log in", error) from None
        finally:
            conn.close()

    # --- failures ---------------------------------------------------------------------------

    def _failure(
        self, doing: str, error: psycopg.Error, *, outcome: str | None = "the log is as it was"
    ) -> BackendError:
        message = f"cannot {doing} PostgreSQL {self._target.where()}: {_reason(error)}"
        return BackendError(f"{message}; {outcome}" if outcome else message)

    def _unavailable(self, doing: str) -> BackendError:
        """The pool gave no connection in time: ask the server directly to say why."""
        try:
            self._connect(doing).close()
        except BackendError as error:
            return error
        return BackendError(
            f"cannot {doing} PostgreSQL {self._target.where()}: all {self._target.pool_size} "
            f"pooled connections stayed busy for {POOL_TIMEOUT:g}s (raise ?pool_size=)"
        )

    @contextmanager
    def _connection(self, doing: str) -> Iterator[Connection]:
        """A pooled connection; psycopg's and the pool's errors become `BackendError`."""
        if self._pid != os.getpid():
            # A forked child shares the parent's sockets: using them would corrupt both.
            raise BackendError(
                f"this log ({self.url}) was opened in process {self._pid}; "
                "open it again in this process"
            )
        if self._closed:
            raise BackendError(f"cannot {doing} {self.url}: the log is closed")
        try:
            # A connection the server dropped while it sat in the pool (a restart, an idle
            # timeout, pg_terminate_backend) is closed and replaced, and the next one taken:
            # told without a round trip (`_dropped`), so an append stays one.
            for attempt in range(self._target.pool_size + 1):
                with self._pool.connection() as conn:
                    if attempt < self._target.pool_size and _dropped(conn):
                        conn.close()  # the pool replaces a closed connection
                        continue
                    yield conn
                    return
        except PoolTimeout:
            raise self._unavailable(doing) from None
        except PoolClosed:
            raise BackendError(f"cannot {doing} {self.url}: the log is closed") from None
        except psycopg.Error as error:
            raise self._failure(doing, error) from None

    def _query(self, doing: str, query: sql.Composed, params: Sequence[Any]) -> list[TupleRow]:
        with self._connection(doing) as conn, conn.cursor(binary=True) as cursor:
            return cursor.execute(query, params).fetchall()

    # --- the Backend protocol ---------------------------------------------------------------

    def append(
        self, stream: str, rows: Sequence[NewRow], *, expected_version: int | None = None
    ) -> list[StoredRow]:
        """Append in one transaction under the append lock; see `Backend.append`."""
        if not rows and expected_version is None:
            return []  # nothing to store and nothing to check: no need to wait for the lock
        (stored,) = self.append_many([(stream, rows, expected_version)])
        return stored

    def append_many(
        self, batches: Sequence[RowBatch], *, expected_head: int | None = None
    ) -> list[list[StoredRow]]:
        """Append several streams' rows in one transaction under the append lock; see
        `Backend.append_many`.

        Ids are not looked up first: the unique index refuses one that is taken, and only
        then is the append tried again, each id looked up (a retry, or a conflict).
        """
        try:
            return self._append_once(batches, expected_head, check=False)
        except _IdTakenError:
            return self._append_once(batches, expected_head, check=True)

    def _append_once(
        self, batches: Sequence[RowBatch], expected_head: int | None, *, check: bool
    ) -> list[list[StoredRow]]:
        streams = list(dict.fromkeys(stream for stream, _, _ in batches))
        if not streams:
            return []
        if not self.chain.usable:
            raise BackendError(needs_key(f"the log in {self._target.where()}"))
        named = ", ".join(map(repr, streams))
        doing = f"append to stream{'s' if len(streams) > 1 else ''} {named} in"
        with self._connection(doing) as conn:
            if not check:
                stored = self._at_once(conn, batches, streams, expected_head, doing)
                if stored is not None:
                    return stored
            return self._under_lock(conn, batches, streams, expected_head, doing, check=check)

    def _at_once(
        self,
        conn: Connection,
        batches: Sequence[RowBatch],
        streams: list[str],
        expected_head: int | None,
        doing: str,
    ) -> list[list[StoredRow]] | None:
        """The append in one round trip, from what this backend last saw of the log (a
        second when the first answer told a stream's version); None when it is for the
        lock to settle."""
        for _ in range(2):
            try:
                stored = self._appends.at_once(conn, batches, streams, expected_head)
            except UnsettledError:
                return None
            except psycopg.errors.UniqueViolation as error:
                if _id_taken(error):
                    raise _IdTakenError from None
                raise self._failure(doing, error) from None
            except psycopg.Error as error:
                # One statement is the append and its commit: with the server's own error
                # (a refusal, the connection terminated while it ran) nothing was stored;
                # with none (the connection lost), the commit may have happened.
                outcome = _LOST if error.sqlstate is None else "the log is as it was"
                raise self._failure(doing, error, outcome=outcome) from None
            if stored is not None:
                return stored
        return None

    def _under_lock(
        self,
        conn: Connection,
        batches: Sequence[RowBatch],
        streams: list[str],
        expected_head: int | None,
        doing: str,
        *,
        check: bool,
    ) -> list[list[StoredRow]]:
        """The append in a transaction that holds the append lock from its first statement:
        for an id taken already (`check`: each id looked up), a log that moved on under
        another writer, or checks that only the log as it stands can settle."""
        committing = False
        try:
            with conn.transaction():
                stored = self._appends.under_lock(
                    conn,
                    batches,
                    streams,
                    expected_head,
                    lookup=lambda ids: self._lookup(conn, ids),
                    look_first=check,
                )
                committing = True  # what fails from here on is the COMMIT
        except psycopg.errors.UniqueViolation as error:
            if not check and _id_taken(error):
                raise _IdTakenError from None
            raise self._failure(doing, error) from None
        except psycopg.Error as error:
            outcome = _LOST if committing else "the log is as it was"
            raise self._failure(doing, error, outcome=outcome) from None
        return stored

    def lookup(self, event_ids: Sequence[str]) -> dict[str, StoredRow]:
        """The stored rows with these ids; see `Backend.lookup`."""
        with self._connection("read") as conn:
            return self._lookup(conn, event_ids)

    def _lookup(self, conn: Connection, event_ids: Sequence[str]) -> dict[str, StoredRow]:
        query = sql.SQL("SELECT {} FROM {} WHERE event_id = ANY(%s) ORDER BY position").format(
            _STORED_COLUMNS, self._names["events"]
        )
        found = {}
        for row in conn.execute(query, (list(event_ids),)).fetchall():
            stored = _stored(row)
            found[stored.event_id] = stored
        return found

    def read(
        self, *, after: int = 0, until: int | None = None, stream: str | None = None
    ) -> Iterator[StoredRow]:
        """Rows in position order, one batch in memory at a time; see `Backend.read`.

        Each batch is its own query (keyset pagination on position), so a reader left
        half-way holds no connection and no transaction open.
        """
        for batch in self._select(_STORED_COLUMNS, after, until, stream):
            for row in batch:
                yield _stored(row)

    def read_raw(
        self, *, after: int = 0, until: int | None = None, stream: str | None = None
    ) -> Iterator[list[TupleRow]]:
        """The rows `read` gives as `RawRow` tuples, a batch at a time (for replays):
        recorded_at as UTC ISO text, which the codec parses once per append."""
        return self._select(_RAW_COLUMNS, after, until, stream)

    def _select(
        self, columns: sql.SQL, after: int, until: int | None, stream: str | None
    ) -> Iterator[list[TupleRow]]:
        last = _LAST_POSITION if until is None else until
        select = sql.SQL("SELECT {} FROM {}").format(columns, self._names["events"])
        if stream is None:
            template = sql.SQL(
                "{} WHERE position > %s AND position <= %s ORDER BY position LIMIT %s"
            )
        else:
            template = sql.SQL(
                "{} WHERE stream = %s AND position > %s AND position <= %s"
                " ORDER BY position LIMIT %s"
            )
        query = template.format(select)
        cursor = after
        while cursor < last:
            params = (
                (cursor, last, BATCH_SIZE) if stream is None else (stream, cursor, last, BATCH_SIZE)
            )
            batch = self._query("read", query, params)
            if batch:
                yield batch
            if len(batch) < BATCH_SIZE:
                return
            cursor = int(batch[-1][0])

    def stream_version(self, stream: str) -> int:
        """The stream's last version, 0 when it has no events."""
        query = sql.SQL("SELECT coalesce(max(version), 0) FROM {} WHERE stream = %s").format(
            self._names["events"]
        )
        return int(self._query("read", query, (stream,))[0][0])

    def head(self) -> int:
        """The last position, 0 for an empty log."""
        query = sql.SQL("SELECT coalesce(max(position), 0) FROM {}").format(self._names["events"])
        return int(self._query("read", query, ())[0][0])

    def head_and_hash(self) -> tuple[int, bytes | None]:
        """The last position and the chain hash there, in one read ((0, None) when empty)."""
        query = sql.SQL("SELECT position, hash FROM {} ORDER BY position DESC LIMIT 1").format(
            self._names["events"]
        )
        rows = self._query("read", query, ())
        if not rows:
            return 0, None
        position, digest = rows[0]
        return int(position), bytes(digest) if digest else None

    def streams(self) -> list[str]:
        """Streams with at least one event, in code-point order (the column is COLLATE "C")."""
        # A loose index scan: one index probe per stream instead of reading every event.
        query = sql.SQL(
            "WITH RECURSIVE s(stream) AS ("
            " (SELECT stream FROM {events} ORDER BY stream LIMIT 1)"
            " UNION ALL"
            " SELECT (SELECT e.stream FROM {events} e WHERE e.stream > s.stream"
            " ORDER BY e.stream LIMIT 1) FROM s WHERE s.stream IS NOT NULL"
            ") SELECT stream FROM s WHERE stream IS NOT NULL"
        ).format(events=self._names["events"])
        return [str(row[0]) for row in self._query("read", query, ())]

    def save_snapshot(self, snapshot: Snapshot) -> None:
        """Keep a snapshot, replacing one at the same place."""
        query = sql.SQL(
            "INSERT INTO {} (view, key, stream, position, state) VALUES (%s, %s, %s, %s, %b)"
            " ON CONFLICT (view, key, stream, position) DO UPDATE SET state = EXCLUDED.state"
        ).format(self._names["snapshots"])
        params = (snapshot.view, snapshot.key, snapshot.stream, snapshot.position, snapshot.state)
        with self._connection("save a snapshot in") as conn:
            conn.execute(query, params)

    def load_snapshot(
        self, view: str, key: str, stream: str, *, at_or_before: int
    ) -> Snapshot | None:
        """The nearest snapshot at or before a position, or None."""
        query = sql.SQL(
            "SELECT position, state FROM {} WHERE view = %s AND key = %s AND stream = %s"
            " AND position <= %s ORDER BY position DESC LIMIT 1"
        ).format(self._names["snapshots"])
        rows = self._query("read", query, (view, key, stream, at_or_before))
        if not rows:
            return None
        position, state = rows[0]
        return Snapshot(
            view=view, key=key, stream=stream, position=int(position), state=bytes(state)
        )

    def snapshot_sizes(self, view: str, key: str, stream: str) -> list[tuple[int, int]]:
        """(position, size) of each of a view's snapshots of a stream, by position."""
        query = sql.SQL(
            "SELECT position, octet_length(state) FROM {} WHERE view = %s AND key = %s"
            " AND stream = %s ORDER BY position"
        ).format(self._names["snapshots"])
        rows = self._query("read", query, (view, key, stream))
        return [(int(position), int(size)) for position, size in rows]

    def delete_snapshots(self, view: str, key: str, stream: str, positions: list[int]) -> None:
        """Delete some of a view's snapshots of a stream (none there: nothing to do)."""
        if not positions:
            return
        query = sql.SQL(
            "DELETE FROM {} WHERE view = %s AND key = %s AND stream = %s AND position = ANY(%s)"
        ).format(self._names["snapshots"])
        with self._connection("delete snapshots in") as conn:
            conn.execute(query, (view, key, stream, positions))

    def read_snapshots(self) -> Iterator[Snapshot]:
        """Every snapshot, by view, key, stream and position (a batch at a time)."""
        query = sql.SQL(
            "SELECT view, key, stream, position, state FROM {}"
            " WHERE (view, key, stream, position) > (%s, %s, %s, %s)"
            " ORDER BY view, key, stream, position LIMIT %s"
        ).format(self._names["snapshots"])
        last: tuple[str, str, str, int] = ("", "", "", -1)
        while True:
            rows = self._query("read", query, (*last, BATCH_SIZE))
            for view, key, stream, position, state in rows:
                yield Snapshot(
                    view=view, key=key, stream=stream, position=int(position), state=bytes(state)
                )
            if len(rows) < BATCH_SIZE:
                return
            last = (rows[-1][0], rows[-1][1], rows[-1][2], int(rows[-1][3]))

    def load_checkpoint(self, name: str) -> Checkpoint | None:
        """The consumer's checkpoint, or None."""
        query = sql.SQL("SELECT name, position, updated_at FROM {} WHERE name = %s").format(
            self._names["jobsearch_checkpoints"]
        )
        rows = self._query("read", query, (name,))
        return _checkpoint(rows[0]) if rows else None

    def save_checkpoint(self, name: str, position: int) -> None:
        """Set the consumer's checkpoint, in one statement whose commit does not wait for the
        disk (``synchronous_commit`` off for it alone): a checkpoint lost to a server crash
        only means the events after the one before are handed over again."""
        query = sql.SQL(
            "WITH relaxed AS (SELECT set_config('synchronous_commit', 'off', true))"
            " INSERT INTO {} (name, position, updated_at)"
            " SELECT %s, %s, clock_timestamp() FROM relaxed"
            " ON CONFLICT (name) DO UPDATE"
            " SET position = EXCLUDED.position, updated_at = EXCLUDED.updated_at"
        ).format(self._names["jobsearch_checkpoints"])
        with self._connection(f"save consumer {name!r}'s checkpoint in") as conn:
            conn.execute(query, (name, position))

    def read_checkpoints(self) -> list[Checkpoint]:
        """Every checkpoint, by name (the column is COLLATE "C": code-point order)."""
        query = sql.SQL("SELECT name, position, updated_at FROM {} ORDER BY name").format(
            self._names["jobsearch_checkpoints"]
        )
        return [_checkpoint(row) for row in self._query("read", query, ())]

    def wait_for_append(self, after: int, timeout: float) -> None:
        """Return once the head is past `after`, or after `timeout` seconds: woken by NOTIFY.

        Returns early, with no news, when the server drops the listening connection; the
        next call listens on a new one.
        """
        deadline = time.monotonic() + timeout
        with self._listener_lock:
            listener = self._listen()
            # Listening before looking: an append that commits after this check notifies a
            # channel we already hear, so it cannot slip between the check and the wait.
            if self.head() > after:
                return
            try:
                heard = listener.notifies(timeout=max(0.0, deadline - time.monotonic()))
                try:
                    for note in heard:
                        if note.channel == self.channel and _position(note.payload) > after:
                            return
                finally:
                    heard.close()
            except psycopg.Error:
                # The server dropped the listener (a restart, an idle timeout): forget it and
                # return early. The caller looks at the head again, which says whether the
                # server is there; the next wait listens on a new connection.
                self._listener = None
                listener.close()

    def _listen(self) -> Connection:
        if self._pid != os.getpid():
            raise BackendError(
                f"this log ({self.url}) was opened in process {self._pid}; "
                "open it again in this process"
            )
        if self._closed:
            raise BackendError(f"cannot wait for appends to {self.url}: the log is closed")
        if self._listener is None or self._listener.closed:
            # LISTEN belongs to a session, so the listener is a connection of its own.
            conn = self._connect("wait for appends")
            try:
                conn.execute(sql.SQL("LISTEN {}").format(sql.Identifier(self.channel)))
            except psycopg.Error as error:
                conn.close()
                raise self._failure("listen for appends to", error, outcome=None) from None
            self._listener = conn
        return self._listener

    def close(self) -> None:
        """Close the pool and the listening connection; a second close does nothing."""
        if self._closed:
            return
        self._closed = True
        if self._pid != os.getpid():
            return  # the parent's connections: closing them here would cut the parent off
        with self._listener_lock:
            if self._listener is not None:
                self._listener.close()
                self._listener = None
        self._pool.close()


def _id_taken(error: psycopg.errors.UniqueViolation) -> bool:
    """Whether the unique index on event ids refused the row (not another constraint)."""
    return error.diag.constraint_name == "events_event_id"


def _dropped(conn: Connection) -> bool:
    """Whether the server has dropped this idle connection, asked without a round trip: an
    idle connection hears nothing unless the server is closing it (a restart, an idle
    timeout, pg_terminate_backend), so anything waiting to be read, or the end of the
    stream, means it is gone."""
    if conn.closed or conn.broken:
        return True
    try:
        waiting, _, _ = select.select([conn.pgconn.socket], [], [], 0)
    except (OSError, ValueError, psycopg.Error):
        return True
    return bool(waiting)


def _stored(row: TupleRow) -> StoredRow:
    (
        position,
        stream,
        version,
        type_name,
        schema_version,
        data,
        recorded_at,
        digest,
        event_id,
        meta,
    ) = row
    return StoredRow(
        position=int(position),
        stream=stream,
        version=int(version),
        type=type_name,
        schema_version=int(schema_version),
        data=bytes(data),
        # psycopg gives the session's time zone; the log promises UTC.
        recorded_at=recorded_at.astimezone(UTC),
        hash=b"" if digest is None else bytes(digest),
        event_id=event_id,
        metadata=bytes(meta),
    )


def _checkpoint(row: TupleRow) -> Checkpoint:
    name, position, updated_at = row
    return Checkpoint(name=name, position=int(position), updated_at=updated_at.astimezone(UTC))


def _position(payload: str) -> int:
    """The head announced by a notification; an unreadable one counts as news."""
    try:
        return int(payload)
    except ValueError:
        return _LAST_POSITION


_SERVER_PREFIX = re.compile(r"^(?:connection failed: )?(?:connection to server .*? failed: )?")
_SEVERITY = re.compile(r"^(?:FATAL|ERROR|PANIC):\s+")


def _reason(error: psycopg.Error) -> str:
    """libpq's message in one line, without the parts the caller's message already names."""
    lines = [line.strip() for line in str(error).strip().splitlines() if line.strip()]
    if not lines:
        return type(error).__name__
    first = _SEVERITY.sub("", _SERVER_PREFIX.sub("", lines[0]))
    rest = [_SEVERITY.sub("", line) for line in lines[1:]]
    return "; ".join([first, *rest])
