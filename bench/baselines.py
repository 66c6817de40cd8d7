"""What the log is measured against: raw sqlite3 (+ orjson), raw psycopg and the
eventsourcing library.

Both baselines store the very events the log stores. Raw sqlite3 gets the rows our codec
encoded (encoding is not timed for it) in a table shaped like ours, with the same journal
and synchronous settings. The eventsourcing library gets the same events as its own
frozen-dataclass domain events (one class per event type, made here) and stores them
with its SQLite application recorder, its mapper and its JSON transcoder, untouched; and,
as a second reference, through its Application API (aggregates saved and rebuilt). On
PostgreSQL, raw psycopg stores the rows the plugin stores (ids, metadata and a hash
each) in a table shaped like the plugin's, BEGIN / INSERT / COMMIT per append.
"""

from __future__ import annotations

import hashlib
import sqlite3
import uuid
from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson
from eventsourcing.application import Application
from eventsourcing.domain import Aggregate, DomainEvent
from eventsourcing.persistence import DatetimeAsISO, JSONTranscoder, Mapper, UUIDAsHex
from eventsourcing.sqlite import SQLiteApplicationRecorder, SQLiteDatastore

from jobsearch_core.codec import make_converter
from jobsearch_core.events import BUILTIN_EVENTS, Event
from jobsearch_core.plugins import load_catalog

__all__ = [
    "EventsourcingApplication",
    "EventsourcingStore",
    "PostgresRow",
    "RawPostgres",
    "RawSQLite",
    "Row",
    "postgres_rows",
]

#: (position, stream, version, type, schema_version, data) as our codec encodes an event.
Row = tuple[int, str, int, str, int, bytes]

#: The shape of our events table (storage/sqlite.py), so the indexes cost the same.
_TABLE = """CREATE TABLE events (
    position INTEGER PRIMARY KEY,
    stream TEXT NOT NULL,
    version INTEGER NOT NULL,
    type TEXT NOT NULL,
    schema_version INTEGER NOT NULL,
    data BLOB NOT NULL,
    recorded_at TEXT NOT NULL,
    UNIQUE (stream, version)
)"""
_INSERT = "INSERT INTO events VALUES (?, ?, ?, ?, ?, ?, ?)"


def encoded_rows(batches: Iterable[tuple[str, Sequence[Event]]]) -> Iterator[list[Row]]:
    """Each batch as the rows our codec writes, with the positions and versions a fresh log gives."""
    codec = load_catalog().codec
    versions: dict[str, int] = {}
    position = 0
    for stream, events in batches:
        rows: list[Row] = []
        for event in events:
            position += 1
            version = versions[stream] = versions.get(stream, 0) + 1
            new = codec.encode(event)
            rows.append((position, stream, version, new.type, new.schema_version, new.data))
        yield rows


class RawSQLite:
    """The same rows through plain sqlite3: WAL, the log's synchronous setting, our table."""

    def __init__(self, path: Path, *, synchronous: str = "FULL", create: bool = True) -> None:
        self.conn = sqlite3.connect(path, isolation_level=None)
        self.conn.execute("PRAGMA journal_mode=WAL")
        self.conn.execute(f"PRAGMA synchronous={synchronous}")
        if create:
            self.conn.execute(_TABLE)

    @classmethod
    def reopen(cls, path: Path) -> RawSQLite:
        """The store written earlier, for reading."""
        return cls(path, create=False)

    def append_batch(self, rows: Sequence[Row]) -> None:
        """One transaction: executemany of the rows."""
        stamp = datetime.now(UTC).isoformat()
        conn = self.conn
        conn.execute("BEGIN IMMEDIATE")
        conn.executemany(_INSERT, [(*row, stamp) for row in rows])
        conn.execute("COMMIT")

    def append_one(self, row: Row) -> None:
        """One transaction for one row."""
        conn = self.conn
        conn.execute("BEGIN IMMEDIATE")
        conn.execute(_INSERT, (*row, datetime.now(UTC).isoformat()))
        conn.execute("COMMIT")

    def read_all(self, batch: int = 1000) -> int:
        """SELECT every row in position order, one batch at a time, and orjson.loads each payload."""
        conn, loads, after, seen = self.conn, orjson.loads, 0, 0
        sql = (
            "SELECT position, stream, version, type, schema_version, data, recorded_at"
            f" FROM events WHERE position > ? ORDER BY position LIMIT {batch}"
        )
        while True:
            rows = conn.execute(sql, (after,)).fetchall()
            for row in rows:
                loads(row[5])
            seen += len(rows)
            if len(rows) < batch:
                return seen
            after = rows[-1][0]

    def close(self) -> None:
        self.conn.close()


#: A row as the PostgreSQL plugin stores it, but recorded_at: (position, stream, version,
#: type, schema_version, data, hash, event_id, metadata).
PostgresRow = tuple[int, str, int, str, int, bytes, bytes, str, bytes]

#: The plugin's events table (jobsearch_core_postgres._schema, all migrations applied),
#: with its indexes, so that an insert costs the same work.
_PG_TABLE = (
    """CREATE TABLE {schema}.events (
        position bigint PRIMARY KEY CHECK (position > 0),
        stream text COLLATE "C" NOT NULL,
        version bigint NOT NULL CHECK (version > 0),
        type text NOT NULL,
        schema_version integer NOT NULL,
        data bytea NOT NULL,
        recorded_at timestamptz NOT NULL,
        hash bytea,
        event_id text COLLATE "C" NOT NULL,
        metadata bytea NOT NULL,
        UNIQUE (stream, version)
    )""",
    "CREATE INDEX events_stream_position ON {schema}.events (stream, position)",
    "CREATE UNIQUE INDEX events_event_id ON {schema}.events (event_id)",
)


def postgres_rows(rows: Iterable[list[Row]]) -> Iterator[list[PostgresRow]]:
    """The rows of `encoded_rows` with what the plugin also stores: a 32-byte hash, an id and
    the log's metadata (made here, not timed)."""
    metadata = b'{"source": "bench"}'
    for batch in rows:
        yield [
            (*row, hashlib.sha256(b"%d" % row[0]).digest(), str(uuid.uuid4()), metadata)
            for row in batch
        ]


class RawPostgres:
    """The same rows through plain psycopg: one connection, BEGIN / INSERT / COMMIT per append
    (executemany for a batch), into a table of a scratch schema shaped like the plugin's."""

    def __init__(self, dsn: str, schema: str) -> None:
        import psycopg
        from psycopg import sql

        self.conn = psycopg.connect(dsn, autocommit=True)
        self.schema = schema
        name = sql.Identifier(schema)
        self.conn.execute(sql.SQL("CREATE SCHEMA {}").format(name))
        for statement in _PG_TABLE:
            self.conn.execute(sql.SQL(statement).format(schema=name))
        self._insert = sql.SQL(
            "INSERT INTO {}.events VALUES (%s, %s, %s, %s, %s, %b, now(), %b, %s, %b)"
        ).format(name)

    def append_batch(self, rows: Sequence[PostgresRow]) -> None:
        """One transaction: executemany of the rows."""
        with self.conn.transaction(), self.conn.cursor() as cursor:
            cursor.executemany(self._insert, rows)

    def append_one(self, row: PostgresRow) -> None:
        """One transaction for one row."""
        with self.conn.transaction():
            self.conn.execute(self._insert, row)

    def close(self) -> None:
        """Drop the scratch schema and close the connection."""
        from psycopg import sql

        self.conn.execute(sql.SQL("DROP SCHEMA {} CASCADE").format(sql.Identifier(self.schema)))
        self.conn.close()


def _namespace(cls: type[Event], qualname: str) -> dict[str, Any]:
    """A class body with the fields of `cls` but `at` (the library keeps its own timestamp)."""
    fields = [a.name for a in cls.__attrs_attrs__ if a.name != "at"]  # type: ignore[attr-defined]
    return {
        "__annotations__": dict.fromkeys(fields, "Any"),
        "__module__": __name__,
        "__qualname__": qualname,
    }


def _domain_event_classes() -> dict[type[Event], type[Any]]:
    """One eventsourcing domain-event class per event type, with the same fields."""
    made: dict[type[Event], type[Any]] = {}
    for cls in BUILTIN_EVENTS:
        name = f"Es{cls.__name__}"
        # The metaclass makes each a frozen dataclass, as the library's own events are.
        es_cls = type(DomainEvent)(name, (DomainEvent,), _namespace(cls, name))
        globals()[es_cls.__name__] = es_cls  # so the library's topics resolve
        made[cls] = es_cls
    return made


_ES_CLASSES = _domain_event_classes()


class EventsourcingStore:
    """The eventsourcing library's SQLite application recorder, mapper and JSON transcoder."""

    def __init__(self, path: Path, *, create: bool = True) -> None:
        self.datastore = SQLiteDatastore(str(path))
        self.recorder = SQLiteApplicationRecorder(self.datastore)
        if create:
            self.recorder.create_table()
        transcoder = JSONTranscoder()
        transcoder.register(UUIDAsHex())
        transcoder.register(DatetimeAsISO())
        self.mapper: Mapper[uuid.UUID] = Mapper(transcoder=transcoder)
        self._ids: dict[str, uuid.UUID] = {}
        self._versions: dict[str, int] = {}

    def domain_events(self, stream: str, events: Sequence[Event]) -> list[Any]:
        """Our events as the library's domain events (not timed: the caller's own objects)."""
        converter = make_converter()
        originator = self._ids.setdefault(stream, uuid.uuid5(uuid.NAMESPACE_URL, stream))
        made = []
        for event in events:
            version = self._versions[stream] = self._versions.get(stream, 0) + 1
            fields = converter.unstructure(event)
            del fields["at"]
            made.append(
                _ES_CLASSES[type(event)](
                    originator_id=originator,
                    originator_version=version,
                    timestamp=event.at,
                    **fields,
                )
            )
        return made

    def append(self, domain_events: Sequence[Any]) -> None:
        """Map and insert in one transaction (the library's insert_events)."""
        to_stored = self.mapper.to_stored_event
        self.recorder.insert_events([to_stored(event) for event in domain_events])

    def read_all(self, batch: int = 1000) -> int:
        """Every event in notification order, reconstructed as a domain event."""
        to_domain = self.mapper.to_domain_event
        select = self.recorder.select_notifications
        start, seen = 1, 0
        while True:
            notifications = select(start, batch)
            for notification in notifications:
                to_domain(notification)
            seen += len(notifications)
            if len(notifications) < batch:
                return seen
            start = notifications[-1].id + 1

    def close(self) -> None:
        self.datastore.close()


class _Seeker(Aggregate):
    """One stream as an aggregate of the library's own application API."""


def _aggregate_event_classes() -> dict[type[Event], type[Any]]:
    """One `Seeker.Event` subclass per event type, with the same fields."""
    made: dict[type[Event], type[Any]] = {}
    for cls in BUILTIN_EVENTS:
        namespace = _namespace(cls, f"_Seeker.{cls.__name__}")
        made[cls] = type(_Seeker.Event)(cls.__name__, (_Seeker.Event,), namespace)
        setattr(_Seeker, cls.__name__, made[cls])
    return made


_AGGREGATE_EVENTS = _aggregate_event_classes()


class EventsourcingApplication:
    """The library used as its documentation shows: an Application saving aggregates.

    Each stream is a `_Seeker` aggregate; appending triggers the events on it and saves it
    (one transaction per batch); reading back rebuilds each aggregate with
    `repository.get`, which reads, decodes and applies every one of its events.
    """

    def __init__(self, path: Path) -> None:
        self.app = Application(
            env={"PERSISTENCE_MODULE": "eventsourcing.sqlite", "SQLITE_DBNAME": str(path)}
        )
        self.seekers: dict[str, Any] = {}

    def fields(self, events: Sequence[Event]) -> list[tuple[type[Any], dict[str, Any]]]:
        """Our events as the library's event classes and keyword arguments (not timed)."""
        converter = make_converter()
        made = []
        for event in events:
            fields = converter.unstructure(event)
            del fields["at"]
            made.append((_AGGREGATE_EVENTS[type(event)], fields))
        return made

    def append(self, stream: str, events: list[tuple[type[Any], dict[str, Any]]]) -> None:
        """Trigger the events on the stream's aggregate and save it."""
        seeker = self.seekers.get(stream)
        if seeker is None:
            seeker = self.seekers[stream] = _Seeker()
        for cls, fields in events:
            seeker.trigger_event(cls, **fields)
        self.app.save(seeker)

    def read_all(self) -> int:
        """Rebuild every aggregate from its events; how many events that read."""
        seen = 0
        for seeker in self.seekers.values():
            seen += self.app.repository.get(seeker.id).version
        return seen

    def close(self) -> None:
        self.app.close()
