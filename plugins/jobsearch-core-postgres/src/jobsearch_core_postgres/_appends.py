"""Appends in one round trip: rows worked out from what this process last saw of the log,
checked and stored by the server in one statement (migration 5's `jobsearch_append`).

The rows of an append depend on the log as it stands (positions after the head, versions
after each stream's, hashes chained on from the head's), and the hashes are made here,
where the key is. So a process remembers what each answer said of the log (`Seen`) and
works the next append out from it; the server takes the append lock, checks that the log
is still as seen, and stores the rows, or stores nothing and says how the log stands.
A process that appends alone (or last) pays one round trip; one that finds another
writer got there first appends under the lock held across two statements, as before,
waiting in line with the others.
"""

from __future__ import annotations

import struct
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import attrs
import psycopg
from jobsearch_core.storage import GENESIS, RowBatch, StoredRow, chain_batches, plan_append
from psycopg import sql
from psycopg.adapt import AdaptersMap, Dumper
from psycopg.pq import Format
from psycopg.rows import TupleRow

__all__ = [
    "Appends",
    "Bigints",
    "Blobs",
    "Integers",
    "Seen",
    "Texts",
    "UnsettledError",
    "register_arrays",
]

Connection = psycopg.Connection[TupleRow]
#: The stored rows with these ids, looked up on the append's connection.
Lookup = Callable[[list[str]], Mapping[str, StoredRow]]

#: Streams whose versions a process remembers; past that it forgets them all and learns
#: again (a forgotten version costs one more round trip, never a wrong append).
MAX_STREAMS = 10_000


# --- arrays sent as they are --------------------------------------------------------------
#
# psycopg works out the element type of every list it sends, element by element; for the
# eleven arrays of an append that cost more than the rest of the call's Python put
# together. An append knows its arrays' types, so it sends each as one of these, packed
# straight into PostgreSQL's binary array format (one dimension, no NULLs).


class Bigints(list[int]):
    """Whole numbers sent as one bigint[]."""


class Integers(list[int]):
    """Whole numbers sent as one integer[]."""


class Texts(list[str]):
    """Text sent as one text[] (UTF-8)."""


class Blobs(list[bytes]):
    """Bytes sent as one bytea[]."""


def _header(element_oid: int, count: int) -> bytes:
    """Dimensions, a has-NULL flag (no), the element type, then the one dimension's length
    and lower bound (1); an empty array has no dimension."""
    if not count:
        return struct.pack("!iiI", 0, 0, element_oid)
    return struct.pack("!iiIii", 1, 0, element_oid, count, 1)


class _BigintsDumper(Dumper):
    format = Format.BINARY
    oid = 1016  # int8[]

    def dump(self, obj: Any) -> bytes:
        values: list[int] = obj
        return _header(20, len(values)) + struct.pack(f"!{'iq' * len(values)}", *_with(8, values))


class _IntegersDumper(Dumper):
    format = Format.BINARY
    oid = 1007  # int4[]

    def dump(self, obj: Any) -> bytes:
        values: list[int] = obj
        return _header(23, len(values)) + struct.pack(f"!{'ii' * len(values)}", *_with(4, values))


def _with(size: int, values: list[int]) -> list[int]:
    """Each value after its length, as the binary array format lays them out."""
    laid: list[int] = []
    for value in values:
        laid += (size, value)
    return laid


def _blobs(element_oid: int, values: list[bytes]) -> bytes:
    parts = [_header(element_oid, len(values))]
    pack = struct.Struct("!i").pack
    for value in values:
        parts += (pack(len(value)), value)
    return b"".join(parts)


class _TextsDumper(Dumper):
    format = Format.BINARY
    oid = 1009  # text[]

    def dump(self, obj: Any) -> bytes:
        return _blobs(25, [value.encode() for value in obj])


class _BlobsDumper(Dumper):
    format = Format.BINARY
    oid = 1001  # bytea[]

    def dump(self, obj: Any) -> bytes:
        return _blobs(17, [bytes(value) for value in obj])


def register_arrays(adapters: AdaptersMap) -> None:
    """Let a connection send `Bigints`, `Integers`, `Texts` and `Blobs` as binary arrays."""
    adapters.register_dumper(Bigints, _BigintsDumper)
    adapters.register_dumper(Integers, _IntegersDumper)
    adapters.register_dumper(Texts, _TextsDumper)
    adapters.register_dumper(Blobs, _BlobsDumper)


class UnsettledError(Exception):
    """What this process saw of the log cannot settle the append: ask under the lock."""


@attrs.frozen
class Seen:
    """The log as the server last described it: its head, the head's hash and moment, the
    server's clock then, and when (time.monotonic) the answer came."""

    head: int
    hash: bytes | None
    recorded_at: datetime | None
    server_now: datetime
    heard: float

    def moment(self) -> datetime:
        """The server's clock now, as this process reckons it, and never behind the head's."""
        now = self.server_now + timedelta(seconds=time.monotonic() - self.heard)
        return now if self.recorded_at is None else max(now, self.recorded_at)


def _unsure(ids: list[str]) -> Mapping[str, StoredRow]:
    raise UnsettledError


class Appends:
    """One backend's appends through `jobsearch_append`, and what its answers said."""

    def __init__(
        self, schema: str, *, lock_class: int, lock_key: int, channel: str, key: bytes | None
    ) -> None:
        self._call = sql.SQL(
            "SELECT * FROM {}.jobsearch_append(%b::integer, %b::integer, %b::text,"
            " %b::bigint, %b::bytea, %b::text[], %b::bigint[], %b::timestamptz,"
            " %b::bigint[], %b::text[], %b::bigint[], %b::text[], %b::integer[],"
            " %b::bytea[], %b::bytea[], %b::text[], %b::bytea[])"
        ).format(sql.Identifier(schema))
        #: An append of one row: its values as they are, not as arrays of one (migration 6).
        self._call_one = sql.SQL(
            "SELECT * FROM {}.jobsearch_append_one(%b::integer, %b::integer, %b::text,"
            " %b::bigint, %b::bytea, %b::text, %b::bigint, %b::timestamptz, %b::bigint,"
            " %b::bigint, %b::text, %b::integer, %b::bytea, %b::bytea, %b::text, %b::bytea)"
        ).format(sql.Identifier(schema))
        self._lock = (lock_class, lock_key, channel)
        self._key = key
        self._seen: Seen | None = None
        self._versions: dict[str, int] = {}
        self._learning = threading.Lock()

    def learn(self, row: TupleRow | None, streams: Sequence[str], stored: list[StoredRow]) -> None:
        """Remember what an answer of `jobsearch_append` said (and what the call stored)."""
        if row is None:
            return
        _, head, digest, recorded_at, server_now, found = row
        heard = time.monotonic()
        versions = dict(zip(streams, (int(v) for v in found), strict=True))
        for each in stored:
            versions[each.stream] = each.version
        with self._learning:
            if self._seen is not None and int(head) < self._seen.head:
                return  # an answer overtaken by a later one (another thread's)
            self._seen = Seen(
                head=int(head),
                hash=None if digest is None else bytes(digest),
                recorded_at=None if recorded_at is None else recorded_at.astimezone(UTC),
                server_now=server_now.astimezone(UTC),
                heard=heard,
            )
            if len(self._versions) + len(versions) > MAX_STREAMS:
                self._versions.clear()
            self._versions.update(versions)

    def _planned(
        self,
        batches: Sequence[RowBatch],
        streams: Sequence[str],
        expected_head: int | None,
        *,
        head: int,
        previous: bytes | None,
        versions: Mapping[str, int],
        moment: datetime,
        lookup: Lookup,
        look_first: bool,
    ) -> list[list[StoredRow]]:
        fresh = plan_append(
            batches,
            head=head,
            versions=versions,
            expected_head=expected_head,
            lookup=lookup,
            look_first=look_first,
        )
        return chain_batches(
            batches,
            fresh,
            head=head,
            versions=versions,
            previous=GENESIS if previous is None else previous,
            recorded_at=moment,
            key=self._key,
        )

    def _store(
        self,
        conn: Connection,
        stored: list[list[StoredRow]],
        streams: Sequence[str],
        *,
        head: int,
        previous: bytes | None,
        versions: Mapping[str, int],
        moment: datetime,
    ) -> TupleRow | None:
        """Call `jobsearch_append` (one statement; `jobsearch_append_one` for one row): the
        rows stored if the log is as seen."""
        rows = [row for batch in stored for row in batch]
        lock_class, lock_key, channel = self._lock
        if len(rows) == 1 and len(streams) == 1:
            (row,) = rows
            call = self._call_one
            params: tuple[Any, ...] = (
                lock_class,
                lock_key,
                channel,
                head,
                previous,
                row.stream,
                versions[row.stream],
                moment,
                row.position,
                row.version,
                row.type,
                row.schema_version,
                row.data,
                row.hash,
                row.event_id,
                row.metadata,
            )
        else:
            call = self._call
            params = (
                lock_class,
                lock_key,
                channel,
                head,
                previous,
                Texts(streams),
                Bigints([versions[stream] for stream in streams]),
                moment,
                Bigints([r.position for r in rows]),
                Texts([r.stream for r in rows]),
                Bigints([r.version for r in rows]),
                Texts([r.type for r in rows]),
                Integers([r.schema_version for r in rows]),
                Blobs([r.data for r in rows]),
                Blobs([r.hash for r in rows]),
                Texts([r.event_id for r in rows]),
                Blobs([r.metadata for r in rows]),
            )
        found = conn.execute(call, params).fetchone()
        self.learn(found, streams, rows if found is not None and found[0] else [])
        return found

    def at_once(
        self,
        conn: Connection,
        batches: Sequence[RowBatch],
        streams: Sequence[str],
        expected_head: int | None,
    ) -> list[list[StoredRow]] | None:
        """The append in one statement (autocommit), worked out from what was last seen:
        the rows stored, or None when a stream's version was not as guessed (the answer is
        learnt). `UnsettledError` when the call is for the lock to settle: nothing seen
        yet, another writer appended first, an expected version or head that does not
        match, nothing to store."""
        with self._learning:
            seen = self._seen
            versions = {stream: self._versions.get(stream, 0) for stream in streams}
        if seen is None:
            raise UnsettledError
        moment = seen.moment()
        stored = self._planned(
            batches,
            streams,
            expected_head,
            head=seen.head,
            previous=seen.hash,
            versions=versions,
            moment=moment,
            lookup=_unsure,  # a version or head that does not match: ask under the lock
            look_first=False,
        )
        if not any(stored):
            raise UnsettledError  # nothing to store: only the lock can say if the checks hold
        found = self._store(
            conn,
            stored,
            streams,
            head=seen.head,
            previous=seen.hash,
            versions=versions,
            moment=moment,
        )
        assert found is not None  # the function always answers with one row
        if found[0]:
            return stored
        if int(found[1]) != seen.head:
            # Another writer got there first: wait in line under the lock rather than race
            # it again (a writer that keeps winning would leave the others waiting).
            raise UnsettledError
        return None  # only a stream's version was not as guessed: the answer told it

    def under_lock(
        self,
        conn: Connection,
        batches: Sequence[RowBatch],
        streams: Sequence[str],
        expected_head: int | None,
        *,
        lookup: Lookup,
        look_first: bool,
    ) -> list[list[StoredRow]]:
        """The append inside the caller's transaction: `jobsearch_append` asked how the log
        stands (taking the lock, held to the commit), then called with the rows."""
        lock_class, lock_key, channel = self._lock
        found = conn.execute(
            self._call,
            (lock_class, lock_key, channel, -1, None, Texts(streams), Bigints(), None)
            + (None,) * 9,  # head -1: never as seen, so only the state comes back
        ).fetchone()
        assert found is not None  # the function always answers with one row
        self.learn(found, streams, [])
        _, head, digest, recorded_at, server_now, found_versions = found
        versions = dict(zip(streams, (int(v) for v in found_versions), strict=True))
        previous = None if digest is None else bytes(digest)
        # The server's clock, read under the lock, and never behind the head's moment:
        # recorded_at never goes backwards along the positions, whichever machine appended.
        moment = server_now.astimezone(UTC)
        if recorded_at is not None:
            moment = max(moment, recorded_at.astimezone(UTC))
        stored = self._planned(
            batches,
            streams,
            expected_head,
            head=int(head),
            previous=previous,
            versions=versions,
            moment=moment,
            lookup=lookup,
            look_first=look_first,
        )
        if not any(stored):
            return stored
        done = self._store(
            conn,
            stored,
            streams,
            head=int(head),
            previous=previous,
            versions=versions,
            moment=moment,
        )
        if done is None or not done[0]:
            raise AssertionError("the log changed while this append held the lock")
        return stored
