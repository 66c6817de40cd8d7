"""`sqlite:///path`: the embedded default backend, one file that several processes can share."""

from __future__ import annotations

import json
import os
import sqlite3
import threading
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import parse_qsl, quote, unquote, urlsplit

from jobsearch_core.errors import (
    BackendError,
    CorruptEventError,
    InvalidInputError,
)
from jobsearch_core.storage._chain import GENESIS
from jobsearch_core.storage.keys import ChainMode, needs_key, read_key, settled, to_store
from jobsearch_core.storage.migration import EnvelopeMigration
from jobsearch_core.storage.rows import (
    INSERT_COLUMNS,
    Checkpoint,
    NewRow,
    RawRow,
    RowBatch,
    Snapshot,
    StoredRow,
    chain_batches,
    insert_values,
    make_stored_row,
    plan_append,
    stored_row,
)

__all__ = ["SQLiteBackend", "file_url", "path_from_url"]

T = TypeVar("T")

#: Rows fetched per query while reading: memory stays flat however long the log is.
BATCH_SIZE = 1000
#: The columns of a `RawRow`.
_COLUMNS = "position, stream, version, type, schema_version, data, recorded_at, event_id, metadata"
SCHEMA_VERSION = 5
#: Marks a SQLite file as a jobsearch log (`PRAGMA application_id`): ASCII "jslg".
APPLICATION_ID = 0x6A736C67
#: The events columns every schema version has.
_COLUMNS_NEEDED = frozenset(
    {"position", "stream", "version", "type", "schema_version", "data", "recorded_at"}
)
SYNCHRONOUS = ("off", "normal", "full", "extra")
_SYNCHRONOUS = {level: f"PRAGMA synchronous={level.upper()}" for level in SYNCHRONOUS}

#: The log's own settings: how its chain is hashed (`jobsearch_core.storage.keys`).
_SETTINGS = "CREATE TABLE settings (name TEXT PRIMARY KEY, value BLOB NOT NULL) WITHOUT ROWID"

#: Named consumers' checkpoints (schema 4): the last position each has handled.
_CHECKPOINTS = """CREATE TABLE checkpoints (
    name TEXT PRIMARY KEY,
    position INTEGER NOT NULL,
    updated_at TEXT NOT NULL
) WITHOUT ROWID"""

#: Snapshots (schema 5: a rowid table). A state can be megabytes: in a WITHOUT ROWID table
#: the whole row is the b-tree's key, so each comparison of a seek past such a row reads
#: all of its overflow pages; here a seek walks the small index and reads one row once.
_SNAPSHOTS = """CREATE TABLE snapshots (
    view TEXT NOT NULL,
    key TEXT NOT NULL,
    stream TEXT NOT NULL,
    position INTEGER NOT NULL,
    state BLOB NOT NULL,
    UNIQUE (view, key, stream, position)
)"""

_SCHEMA = [
    # position is the rowid: appends give it explicitly as head + 1, under the write lock,
    # so positions are 1..n in commit order and a rolled-back append leaves no hole.
    """CREATE TABLE events (
        position INTEGER PRIMARY KEY,
        stream TEXT NOT NULL,
        version INTEGER NOT NULL,
        type TEXT NOT NULL,
        schema_version INTEGER NOT NULL,
        data BLOB NOT NULL,
        recorded_at TEXT NOT NULL,
        hash BLOB,
        event_id TEXT NOT NULL,
        metadata BLOB NOT NULL,
        UNIQUE (stream, version)
    )""",
    # The database itself keeps ids unique: two processes retrying one append store it once.
    "CREATE UNIQUE INDEX events_event_id ON events (event_id)",
    _SETTINGS,
    _SNAPSHOTS,
    _CHECKPOINTS,
]


def _snapshots_by_rowid(conn: sqlite3.Connection) -> None:
    """Schema 4 -> 5: the snapshots moved, as they were, into a rowid table (`_SNAPSHOTS`)
    (inside the caller's transaction)."""
    conn.execute("ALTER TABLE snapshots RENAME TO snapshots_schema_4")
    conn.execute(_SNAPSHOTS)
    conn.execute(
        "INSERT INTO snapshots (view, key, stream, position, state)"
        " SELECT view, key, stream, position, state FROM snapshots_schema_4"
        " ORDER BY view, key, stream, position"
    )
    conn.execute("DROP TABLE snapshots_schema_4")


def _add_envelope(conn: sqlite3.Connection, *, chained: bool, key: bytes | None) -> None:
    """Schema 1 or 2 -> 3: event ids (derived from each row's old hash), empty metadata, and
    the chain over all of it, row by row; the unique index on ids (inside the caller's
    transaction). A row whose old hash does not hold keeps none (see `EnvelopeMigration`)."""
    if not chained:
        conn.execute("ALTER TABLE events ADD COLUMN hash BLOB")
    conn.execute("ALTER TABLE events ADD COLUMN event_id TEXT")
    conn.execute("ALTER TABLE events ADD COLUMN metadata BLOB")
    conn.execute(_SETTINGS)
    migration = EnvelopeMigration(chained=chained, key=key)
    last = 0
    while True:
        rows = conn.execute(
            "SELECT position, stream, version, type, schema_version, data, recorded_at, hash"
            " FROM events WHERE position > ? ORDER BY position LIMIT ?",
            (last, BATCH_SIZE),
        ).fetchall()
        if not rows:
            break
        conn.executemany(
            "UPDATE events SET event_id = ?, metadata = ?, hash = ? WHERE position = ?",
            migration.batch(
                (
                    position,
                    str(stream),
                    int(version),
                    str(type_name),
                    int(schema_version),
                    data
                    if isinstance(data, bytes)
                    else str(data).encode("utf-8", "surrogateescape"),
                    _moment(recorded_at),
                    digest if isinstance(digest, bytes) else None,
                )
                for position, stream, version, type_name, schema_version, data, recorded_at, digest in rows
            ),
        )
        last = rows[-1][0]
    conn.execute("CREATE UNIQUE INDEX events_event_id ON events (event_id)")


def _checkpoint(row: Sequence[Any]) -> Checkpoint:
    name, position, updated_at = row
    return Checkpoint(name=str(name), position=int(position), updated_at=_moment(updated_at))


def _moment(text: object) -> datetime:
    """A stored recorded_at, or the start of time when it cannot be read (the migrated
    chain then breaks there, and `verify` says so)."""
    try:
        return datetime.fromisoformat(str(text))
    except ValueError:
        return datetime.min.replace(tzinfo=UTC)


class _IdTakenError(Exception):
    """An append met the unique index on event ids: it is tried again, checking each id."""


def file_url(path: str | os.PathLike[str]) -> str:
    """The ``sqlite://`` URL of a file path, taken literally: `#`, `%`, `?` and spaces are
    percent-encoded (RFC 3986), so `path_from_url` gives the very same path back."""
    return "sqlite://" + quote(Path(path).absolute().as_posix(), safe="/")


def path_from_url(url: str) -> tuple[Path, dict[str, str]]:
    """Split `sqlite:///abs/path.db?opt=value` (or `sqlite:relative.db`) into a path and options."""
    parts = urlsplit(url)
    if parts.scheme != "sqlite":
        raise InvalidInputError(f"not a sqlite URL: {url!r}")
    if parts.netloc not in ("", "localhost"):
        raise InvalidInputError(
            f"a sqlite URL names a file, not a host: {url!r} "
            "(write sqlite:///absolute/path.db or sqlite:relative/path.db)"
        )
    if not parts.path or parts.path == "/":
        raise InvalidInputError(f"the sqlite URL {url!r} names no file")
    options = dict(parse_qsl(parts.query, keep_blank_values=True))
    # f"sqlite:///{absolute_path}" gives "////path": read it as the absolute path it means.
    path = "/" + parts.path.lstrip("/") if parts.path.startswith("//") else parts.path
    return Path(unquote(path)), options


class SQLiteBackend:
    """A log in one SQLite file: WAL, one transaction per append, a busy timeout for sharing."""

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        synchronous: str = "full",
        busy_timeout: float = 5.0,
        read_only: bool = False,
        key: bytes | None = None,
    ) -> None:
        self.path = Path(path)
        self.read_only = read_only
        self._key = key
        #: How the log's chain is hashed (keyed or not), read when it is opened.
        self.chain = ChainMode()
        if synchronous.lower() not in SYNCHRONOUS:
            raise InvalidInputError(
                f"synchronous must be one of {', '.join(SYNCHRONOUS)}, got {synchronous!r}"
            )
        if busy_timeout < 0:
            raise InvalidInputError(f"busy_timeout must not be negative, got {busy_timeout!r}")
        self.synchronous = synchronous.lower()
        self.busy_timeout = busy_timeout
        self.url = file_url(self.path) + ("?mode=ro" if read_only else "")
        self._lock = threading.RLock()
        self._recorded_at_cache: tuple[str, datetime] = ("", datetime.min)
        self._conn = self._connect()

    @classmethod
    def from_url(cls, url: str) -> SQLiteBackend:
        """Open `sqlite:///path?synchronous=normal&busy_timeout=10` (seconds); the chain's key
        comes from ``key_file=PATH`` or ``$JOBSEARCH_LOG_KEY``."""
        path, options = path_from_url(url)
        kwargs: dict[str, Any] = {"key": read_key(options.pop("key_file", None))}
        for name, value in options.items():
            if name == "synchronous":
                kwargs["synchronous"] = value
            elif name == "mode":
                if value not in ("ro", "rw"):
                    raise InvalidInputError(f"mode in {url!r} must be ro or rw, got {value!r}")
                kwargs["read_only"] = value == "ro"
            elif name == "busy_timeout":
                try:
                    kwargs["busy_timeout"] = float(value)
                except ValueError:
                    raise InvalidInputError(
                        f"busy_timeout in {url!r} must be a number of seconds, got {value!r}"
                    ) from None
            else:
                raise InvalidInputError(
                    f"unknown option {name!r} in {url!r} "
                    "(known: synchronous, busy_timeout, mode, key_file)"
                )
        return cls(path, **kwargs)

    # --- opening --------------------------------------------------------------------------

    def _connect(self) -> sqlite3.Connection:
        if self.read_only:
            return self._connect_read_only()
        if not self.path.parent.is_dir():
            raise BackendError(
                f"cannot open {self.path}: the folder {self.path.parent} does not exist"
            )
        # A symlink is followed to the file it names, which is created owner-only too.
        target = Path(os.path.realpath(self.path))
        if not target.exists():
            # Created by us with owner-only access; SQLite gives its -wal and -shm files
            # the same mode as the database file.
            try:
                os.close(os.open(target, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
            except FileExistsError:
                pass  # another process made it first
            except OSError as error:
                raise BackendError(f"cannot create {self.path}: {error.strerror}") from None
        try:
            conn = sqlite3.connect(
                self.path,
                timeout=self.busy_timeout,
                isolation_level=None,  # we issue BEGIN/COMMIT ourselves
                check_same_thread=False,  # guarded by self._lock instead
            )
        except sqlite3.Error as error:
            raise BackendError(f"cannot open {self.path}: {error}") from None
        try:
            # Nothing changes a file (not even the switch to WAL) before it is known ours.
            self._check_ours(conn)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute(_SYNCHRONOUS[self.synchronous])
            self._migrate(conn)
            self.chain = self._chain_mode(conn)
        except sqlite3.Error as error:
            conn.close()
            raise self._failure("open", error) from None
        except BaseException:
            conn.close()
            raise
        return conn

    def _check_ours(self, conn: sqlite3.Connection) -> None:
        """Refuse a SQLite file another program made, or one of a newer schema, unchanged."""
        (application,) = conn.execute("PRAGMA application_id").fetchone()
        (version,) = conn.execute("PRAGMA user_version").fetchone()
        tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master")}
        if application not in (0, APPLICATION_ID):
            raise BackendError(
                f"{self.path} is a SQLite file of another program (application_id "
                f"{application:#x}), not a jobsearch log; it was left as it was"
            )
        if version > SCHEMA_VERSION:
            raise BackendError(
                f"{self.path} has schema version {version}, newer than this jobsearch-core "
                f"understands ({SCHEMA_VERSION}); upgrade jobsearch-core to read it"
            )
        if version == 0 and tables:
            raise BackendError(
                f"{self.path} is a SQLite file that is not a jobsearch log "
                f"(it holds {', '.join(sorted(tables))}); it was left as it was"
            )
        if version > 0:
            columns = {row[1] for row in conn.execute("PRAGMA table_info(events)")}
            if not {"events", "snapshots"} <= tables or not columns >= _COLUMNS_NEEDED:
                raise BackendError(
                    f"{self.path} says it is at schema version {version} but has not a "
                    "jobsearch log's tables; it is not a jobsearch log, and was left as it was"
                )

    def _connect_read_only(self) -> sqlite3.Connection:
        if not self.path.is_file():
            raise BackendError(f"cannot open {self.path} read-only: there is no log there")
        try:
            conn = sqlite3.connect(
                f"{self.path.absolute().as_uri()}?mode=ro",
                uri=True,
                timeout=self.busy_timeout,
                isolation_level=None,
                check_same_thread=False,
            )
            (version,) = conn.execute("PRAGMA user_version").fetchone()
        except sqlite3.Error as error:
            raise self._failure("open", error) from None
        if version != SCHEMA_VERSION:
            conn.close()
            hint = "; open it once read-write to upgrade it" if 0 < version < SCHEMA_VERSION else ""
            raise BackendError(
                f"cannot open {self.path} read-only: it is not a jobsearch log at schema "
                f"version {SCHEMA_VERSION} (it is at {version}){hint}"
            )
        try:
            self._check_ours(conn)
            self.chain = self._chain_mode(conn)
        except BaseException:
            conn.close()
            raise
        return conn

    def _chain_mode(self, conn: sqlite3.Connection) -> ChainMode:
        settings = dict(conn.execute("SELECT name, value FROM settings").fetchall())
        mode = settings.get("chain")
        return settled(
            None if mode is None else bytes(mode).decode(),
            None if settings.get("key_check") is None else bytes(settings["key_check"]),
            self._key,
            str(self.path),
        )

    def _migrate(self, conn: sqlite3.Connection) -> None:
        (version,) = conn.execute("PRAGMA user_version").fetchone()
        (application,) = conn.execute("PRAGMA application_id").fetchone()
        if version == SCHEMA_VERSION:
            if application != APPLICATION_ID:  # a log made before files were marked
                conn.execute(f"PRAGMA application_id={APPLICATION_ID}")
            return
        if version > SCHEMA_VERSION:
            raise BackendError(
                f"{self.path} has schema version {version}, newer than this jobsearch-core "
                f"understands ({SCHEMA_VERSION}); upgrade jobsearch-core to read it"
            )
        conn.execute("BEGIN IMMEDIATE")
        try:
            (version,) = conn.execute("PRAGMA user_version").fetchone()  # another process?
            if version == 0:
                tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
                if tables:
                    raise BackendError(
                        f"{self.path} is a SQLite file that is not a jobsearch log "
                        f"(it holds {', '.join(sorted(tables))})"
                    )
                for statement in _SCHEMA:
                    conn.execute(statement)
            if 0 < version < 3:
                _add_envelope(conn, chained=version >= 2, key=self._key)
            if version < 3:
                conn.executemany(
                    "INSERT INTO settings (name, value) VALUES (?, ?)", to_store(self._key)
                )
            if 0 < version < 4:
                conn.execute(_CHECKPOINTS)
            if 0 < version < 5:
                _snapshots_by_rowid(conn)
            conn.execute(f"PRAGMA user_version={SCHEMA_VERSION}")
            conn.execute(f"PRAGMA application_id={APPLICATION_ID}")
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise

    def _failure(self, doing: str, error: sqlite3.Error) -> BackendError:
        message = str(error)
        if "locked" in message or "busy" in message:
            hint = (
                f"locked by another process for longer than the busy timeout ({self.busy_timeout}s)"
            )
        elif "readonly" in message or "read-only" in message:
            hint = "the file is read-only"
        elif "full" in message:
            hint = "the disk (or the database's size limit) is full"
        elif "not a database" in message:
            hint = "the file is not a SQLite database"
        else:
            hint = message
        return BackendError(f"cannot {doing} {self.path}: {hint}; the log is as it was")

    def _in_transaction(
        self, work: Callable[[sqlite3.Connection], T], doing: Callable[[], str]
    ) -> T:
        """`work(conn)` between BEGIN IMMEDIATE and COMMIT, rolled back if anything fails;
        SQLite's errors become a `BackendError` saying what was being done (`doing()`)."""
        with self._lock:
            conn = self._conn
            try:
                conn.execute("BEGIN IMMEDIATE")
                try:
                    done = work(conn)
                    conn.execute("COMMIT")
                except BaseException:
                    if conn.in_transaction:
                        conn.execute("ROLLBACK")
                    raise
            except sqlite3.Error as error:
                raise self._failure(doing(), error) from None
            return done

    def _query(self, sql: str, params: Sequence[Any] = ()) -> list[Any]:
        with self._lock:
            try:
                return self._conn.execute(sql, params).fetchall()
            except sqlite3.Error as error:
                raise self._failure("read", error) from None

    # --- the Backend protocol ---------------------------------------------------------------

    def append(
        self, stream: str, rows: Sequence[NewRow], *, expected_version: int | None = None
    ) -> list[StoredRow]:
        """Append in one IMMEDIATE transaction; see `Backend.append`."""
        (stored,) = self.append_many([(stream, rows, expected_version)])
        return stored

    def append_many(
        self, batches: Sequence[RowBatch], *, expected_head: int | None = None
    ) -> list[list[StoredRow]]:
        """Append several streams' rows in one IMMEDIATE transaction; see
        `Backend.append_many`.

        Ids are not looked up first: the unique index refuses one that is taken, and only
        then is the append tried again, each id looked up (a retry, or a conflict).
        """
        streams = list(dict.fromkeys(stream for stream, _, _ in batches))

        def doing() -> str:
            named = ", ".join(map(repr, streams))
            return f"append to stream{'s' if len(streams) > 1 else ''} {named} in"

        try:
            return self._in_transaction(
                lambda conn: self._append_many(conn, batches, streams, expected_head, check=False),
                doing,
            )
        except _IdTakenError:
            return self._in_transaction(
                lambda conn: self._append_many(conn, batches, streams, expected_head, check=True),
                doing,
            )

    def _append_many(
        self,
        conn: sqlite3.Connection,
        batches: Sequence[RowBatch],
        streams: list[str],
        expected_head: int | None,
        *,
        check: bool,
    ) -> list[list[StoredRow]]:
        """The body of an append, inside its transaction (`streams`: the batches' streams,
        each once, in order)."""
        if not streams:
            return []
        if not self.chain.usable:
            raise BackendError(needs_key(str(self.path)))
        # The first stream's version, and the log's last position and hash, in one statement.
        version, head, previous = conn.execute(
            "SELECT (SELECT coalesce(max(version), 0) FROM events WHERE stream = ?),"
            " (SELECT position FROM events ORDER BY position DESC LIMIT 1),"
            " (SELECT hash FROM events ORDER BY position DESC LIMIT 1)",
            (streams[0],),
        ).fetchone()
        head = head or 0
        versions = {streams[0]: version}
        for stream in streams[1:]:
            (versions[stream],) = conn.execute(
                "SELECT coalesce(max(version), 0) FROM events WHERE stream = ?", (stream,)
            ).fetchone()

        fresh = plan_append(
            batches,
            head=head,
            versions=versions,
            expected_head=expected_head,
            lookup=lambda ids: self._lookup(conn, ids),
            look_first=check,
        )
        now = datetime.now(UTC)
        stored = chain_batches(
            batches,
            fresh,
            head=head,
            versions=versions,
            previous=previous or GENESIS,
            recorded_at=now,
            key=self.chain.key,
        )
        values = insert_values(stored, now.isoformat())
        if not values:
            return stored
        try:
            conn.executemany(
                f"INSERT INTO events ({INSERT_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                values,
            )
        except sqlite3.IntegrityError as error:
            if not check and "event_id" in str(error):
                raise _IdTakenError from None
            raise
        return stored

    def lookup(self, event_ids: Sequence[str]) -> dict[str, StoredRow]:
        """The stored rows with these ids; see `Backend.lookup`."""
        with self._lock:
            try:
                return self._lookup(self._conn, event_ids)
            except sqlite3.Error as error:
                raise self._failure("read", error) from None

    def _lookup(self, conn: sqlite3.Connection, event_ids: Sequence[str]) -> dict[str, StoredRow]:
        # One bound value however many ids: a JSON array, read back by json_each.
        rows = conn.execute(
            f"SELECT {_COLUMNS}, hash FROM events WHERE event_id IN"
            " (SELECT value FROM json_each(?)) ORDER BY position",
            (json.dumps(list(event_ids)),),
        ).fetchall()
        stored, problem = self._stored(rows)
        if problem is not None:
            raise problem
        return {row.event_id: row for row in stored}

    def read(
        self, *, after: int = 0, until: int | None = None, stream: str | None = None
    ) -> Iterator[StoredRow]:
        """Rows in position order, one batch in memory at a time; see `Backend.read`."""
        for batch in self.read_batches(after=after, until=until, stream=stream):
            yield from batch

    def read_batches(
        self, *, after: int = 0, until: int | None = None, stream: str | None = None
    ) -> Iterator[list[StoredRow]]:
        """The rows `read` gives, a list of up to `BATCH_SIZE` at a time."""
        for rows in self._select(_COLUMNS + ", hash", after, until, stream):
            stored, problem = self._stored(rows)
            if stored:
                yield stored
            if problem is not None:
                raise problem

    def read_raw(
        self, *, after: int = 0, until: int | None = None, stream: str | None = None
    ) -> Iterator[list[RawRow]]:
        """The same rows as `RawRow` tuples, as SQLite hands them over (for replays)."""
        return self._select(_COLUMNS, after, until, stream)

    def _select(
        self, columns: str, after: int, until: int | None, stream: str | None
    ) -> Iterator[list[Any]]:
        """Rows with ``after < position <= until``, in position order, `BATCH_SIZE` at a time."""
        bounded = until is not None
        if stream is None:
            sql = f"SELECT {columns} FROM events WHERE position > ?"
            sql += " AND position <= ?" if bounded else ""
            sql += f" ORDER BY position LIMIT {BATCH_SIZE}"
            key, cursor = 0, after
        else:
            # A stream is read by version (the UNIQUE index), starting from the first
            # version past `after`: no scan over other streams' rows however they interleave.
            sql = f"SELECT {columns} FROM events WHERE stream = ? AND version > ?"
            sql += " AND position <= ?" if bounded else ""
            sql += f" ORDER BY version LIMIT {BATCH_SIZE}"
            key, cursor = 2, self._version_at(stream, after)
        first = () if stream is None else (stream,)
        last = (until,) if bounded else ()
        while True:
            rows = self._query(sql, (*first, cursor, *last))
            if rows:
                yield rows
            if len(rows) < BATCH_SIZE:
                return
            cursor = rows[-1][key]

    def _version_at(self, stream: str, position: int) -> int:
        """The stream's version at a global position: the last of its versions not past it."""
        if position <= 0:
            return 0
        low, high = 0, self.stream_version(stream)
        while low < high:  # positions grow with versions: bisect on the index
            middle = (low + high + 1) // 2
            found = self._query(
                "SELECT position FROM events WHERE stream = ? AND version = ?", (stream, middle)
            )
            if found and found[0][0] <= position:
                low = middle
            else:
                high = middle - 1
        return low

    def _stored(self, rows: list[Any]) -> tuple[list[StoredRow], CorruptEventError | None]:
        """Rows as `StoredRow`s, up to the first that is damaged (and what is wrong with it)."""
        stored: list[StoredRow] = []
        append = stored.append
        make = make_stored_row
        cached_stamp, recorded_at = self._recorded_at_cache
        try:
            for (
                position,
                stream,
                version,
                type_name,
                schema_version,
                data,
                stamp,
                event_id,
                metadata,
                digest,
            ) in rows:
                if not (
                    stamp == cached_stamp  # one append shares one stamp: parse it once
                    and type(data) is bytes
                    and type(schema_version) is int
                    and type(type_name) is str
                    and type(version) is int
                    and type(stream) is str
                    and type(event_id) is str
                    and type(metadata) is bytes
                ):
                    try:
                        row = stored_row(
                            (
                                position,
                                stream,
                                version,
                                type_name,
                                schema_version,
                                data,
                                stamp,
                                event_id,
                                metadata,
                            )
                        )
                    except CorruptEventError as problem:
                        return stored, problem
                    type_name, schema_version, data = row.type, row.schema_version, row.data
                    metadata = row.metadata
                    cached_stamp, recorded_at = stamp, row.recorded_at
                append(
                    make(
                        position,
                        stream,
                        version,
                        type_name,
                        schema_version,
                        data,
                        recorded_at,
                        digest if type(digest) is bytes else b"",
                        event_id,
                        metadata,
                    )
                )
        finally:
            self._recorded_at_cache = (cached_stamp, recorded_at)
        return stored, None

    def stream_version(self, stream: str) -> int:
        """The stream's last version, 0 when it has no events."""
        rows = self._query(
            "SELECT coalesce(max(version), 0) FROM events WHERE stream = ?", (stream,)
        )
        return int(rows[0][0])

    def head(self) -> int:
        """The last position, 0 for an empty log."""
        return int(self._query("SELECT coalesce(max(position), 0) FROM events")[0][0])

    def head_and_hash(self) -> tuple[int, bytes | None]:
        """The last position and the chain hash there, in one read ((0, None) when empty)."""
        found = self._query("SELECT position, hash FROM events ORDER BY position DESC LIMIT 1")
        if not found:
            return 0, None
        position, digest = found[0]
        return int(position), bytes(digest) if digest else None

    def streams(self) -> list[str]:
        """Streams with at least one event, sorted."""
        return [r[0] for r in self._query("SELECT DISTINCT stream FROM events ORDER BY stream")]

    def save_snapshot(self, snapshot: Snapshot) -> None:
        """Keep a snapshot, replacing one at the same place.

        A snapshot is a cache that a replay can always rebuild, so its commit does not
        wait for the disk (synchronous=NORMAL: still never a corrupt file in WAL mode);
        the next append's commit syncs it with everything else.
        """
        params = (snapshot.view, snapshot.key, snapshot.stream, snapshot.position, snapshot.state)
        self._write_unsynced(
            lambda conn: conn.execute(
                "INSERT OR REPLACE INTO snapshots (view, key, stream, position, state)"
                " VALUES (?, ?, ?, ?, ?)",
                params,
            ),
            "save a snapshot in",
        )

    def _write_unsynced(self, work: Callable[[sqlite3.Connection], object], doing: str) -> None:
        """`work` in a transaction whose commit does not wait for the disk
        (synchronous=NORMAL: in WAL mode still never a corrupt file), for what the log can
        do without after a power loss; the next append's commit syncs it with the rest."""
        relaxed = self.synchronous in ("full", "extra")
        with self._lock:
            if relaxed:
                self._conn.execute("PRAGMA synchronous=NORMAL")
            try:
                self._in_transaction(work, lambda: doing)
            finally:
                if relaxed:
                    self._conn.execute(_SYNCHRONOUS[self.synchronous])

    def load_snapshot(
        self, view: str, key: str, stream: str, *, at_or_before: int
    ) -> Snapshot | None:
        """The nearest snapshot at or before a position, or None."""
        rows = self._query(
            "SELECT position, state FROM snapshots WHERE view = ? AND key = ? AND stream = ?"
            " AND position <= ? ORDER BY position DESC LIMIT 1",
            (view, key, stream, at_or_before),
        )
        if not rows:
            return None
        position, state = rows[0]
        return Snapshot(view=view, key=key, stream=stream, position=position, state=bytes(state))

    def snapshot_sizes(self, view: str, key: str, stream: str) -> list[tuple[int, int]]:
        """(position, size) of each of a view's snapshots of a stream, by position."""
        rows = self._query(
            "SELECT position, length(state) FROM snapshots WHERE view = ? AND key = ?"
            " AND stream = ? ORDER BY position",
            (view, key, stream),
        )
        return [(int(position), int(size)) for position, size in rows]

    def delete_snapshots(self, view: str, key: str, stream: str, positions: list[int]) -> None:
        """Delete some of a view's snapshots of a stream (a cache: the commit does not wait
        for the disk, as `save_snapshot`'s)."""
        if not positions:
            return
        self._write_unsynced(
            lambda conn: conn.executemany(
                "DELETE FROM snapshots WHERE view = ? AND key = ? AND stream = ? AND position = ?",
                [(view, key, stream, position) for position in positions],
            ),
            "delete snapshots from",
        )

    def read_snapshots(self) -> Iterator[Snapshot]:
        """Every snapshot, by view, key, stream and position (a batch at a time)."""
        last: tuple[str, str, str, int] = ("", "", "", -1)
        while True:
            rows = self._query(
                "SELECT view, key, stream, position, state FROM snapshots"
                " WHERE (view, key, stream, position) > (?, ?, ?, ?)"
                f" ORDER BY view, key, stream, position LIMIT {BATCH_SIZE}",
                last,
            )
            for view, key, stream, position, state in rows:
                yield Snapshot(
                    view=view, key=key, stream=stream, position=position, state=bytes(state)
                )
            if len(rows) < BATCH_SIZE:
                return
            last = tuple(rows[-1][:4])

    def load_checkpoint(self, name: str) -> Checkpoint | None:
        """The consumer's checkpoint, or None."""
        rows = self._query(
            "SELECT name, position, updated_at FROM checkpoints WHERE name = ?", (name,)
        )
        return _checkpoint(rows[0]) if rows else None

    def save_checkpoint(self, name: str, position: int) -> None:
        """Set the consumer's checkpoint; the commit does not wait for the disk (a lost
        checkpoint only means the events after the one before are handed over again)."""
        params = (name, position, datetime.now(UTC).isoformat())
        self._write_unsynced(
            lambda conn: conn.execute(
                "INSERT INTO checkpoints (name, position, updated_at) VALUES (?, ?, ?)"
                " ON CONFLICT (name) DO UPDATE SET position = excluded.position,"
                " updated_at = excluded.updated_at",
                params,
            ),
            f"save consumer {name!r}'s checkpoint in",
        )

    def read_checkpoints(self) -> list[Checkpoint]:
        """Every checkpoint, by name."""
        rows = self._query("SELECT name, position, updated_at FROM checkpoints ORDER BY name")
        return [_checkpoint(row) for row in rows]

    def close(self) -> None:
        """Close the connection."""
        with self._lock:
            self._conn.close()
