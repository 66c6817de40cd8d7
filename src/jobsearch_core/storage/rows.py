"""The rows a backend keeps: encoded events on their way in and as stored, and view snapshots."""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime

import attrs

from jobsearch_core._instances import maker
from jobsearch_core.errors import ConcurrencyError, CorruptEventError, DuplicateEventError
from jobsearch_core.storage._chain import chain_hashes

__all__ = [
    "INSERT_COLUMNS",
    "NO_METADATA",
    "Checkpoint",
    "NewRow",
    "RawRow",
    "RowBatch",
    "Snapshot",
    "StoredRow",
    "chain_batches",
    "chain_rows",
    "insert_values",
    "make_new_row",
    "make_stored_row",
    "migrated_event_id",
    "new_event_id",
    "not_yet_stored",
    "plan_append",
    "stored_row",
]

#: The metadata of an event stored without any: an empty JSON object.
NO_METADATA = b"{}"


def new_event_id() -> str:
    """A fresh event id: a version 7 UUID (RFC 9562) as text, its first 48 bits the time in
    milliseconds, so ids made one after another sort together and fill an index in order."""
    (event_id,) = new_event_ids(1)
    return event_id


#: A random hex digit -> one that sets the RFC 9562 variant bits (10xx).
_VARIANT = {digit: "89ab"[int(digit, 16) & 3] for digit in "0123456789abcdef"}


def new_event_ids(count: int) -> list[str]:
    """`count` fresh event ids (see `new_event_id`), from one read of the random source."""
    moment = f"{time.time_ns() // 1_000_000 & (1 << 48) - 1:012x}"
    head = f"{moment[:8]}-{moment[8:]}-7"
    noise = os.urandom(10 * count).hex()
    variant = _VARIANT
    return [
        f"{head}{noise[i : i + 3]}-{variant[noise[i + 3]]}{noise[i + 4 : i + 7]}-"
        f"{noise[i + 7 : i + 19]}"
        for i in range(0, 20 * count, 20)
    ]


_MIGRATED = uuid.uuid5(uuid.NAMESPACE_URL, "https://jobsearch-core/event-id/migrated")


def migrated_event_id(digest: bytes) -> str:
    """The id given to an event stored before events had ids: a version 5 UUID of its chain
    hash, so two copies of one log migrate to the same ids."""
    return str(uuid.uuid5(_MIGRATED, digest.hex()))


@attrs.frozen
class NewRow:
    """An encoded event on its way in, with the id that makes appending it again a no-op
    and its metadata (a JSON object, encoded)."""

    type: str
    schema_version: int
    data: bytes
    event_id: str = attrs.field(factory=new_event_id)
    metadata: bytes = NO_METADATA


@attrs.frozen
class StoredRow:
    """An encoded event as stored, with its place in the log."""

    position: int
    stream: str
    version: int
    type: str
    schema_version: int
    data: bytes
    recorded_at: datetime
    #: SHA-256 over the previous row's hash and this row (see `chain_hash`); empty when the
    #: backend keeps no chain.
    hash: bytes = b""
    #: Unique in the log (see `NewRow`).
    event_id: str = ""
    #: A JSON object, as stored.
    metadata: bytes = NO_METADATA

    def same_event(self, row: NewRow, stream: str) -> bool:
        """Whether `row`, appended to `stream`, is this stored event again (a retry): the same
        stream, type, schema version and payload. Metadata may differ; the stored one stays."""
        return (
            self.stream == stream
            and self.type == row.type
            and self.schema_version == row.schema_version
            and self.data == row.data
        )


#: ``NewRow(type, schema_version, data, event_id, metadata)`` for values the codec made.
make_new_row = maker(NewRow)
#: ``StoredRow(position, stream, version, type, schema_version, data, recorded_at, hash,
#: event_id, metadata)`` for values a backend has checked: half the cost of `__init__`.
make_stored_row = maker(StoredRow)


#: A stored event as a backend's ``read_raw`` batches hand it over, the columns as read:
#: (position, stream, version, type, schema_version, data, recorded_at, event_id, metadata),
#: recorded_at as ISO 8601 text or an aware datetime. Replays take these to skip making
#: `StoredRow`s.
RawRow = tuple[int, str, int, str, int, bytes, "str | datetime", str, bytes]


def stored_row(raw: RawRow) -> StoredRow:
    """A raw row as a `StoredRow` (without its hash), or `CorruptEventError` naming what in it
    is damaged (only an edit behind the library's back stores such a row)."""
    position, stream, version, type_name, schema_version, data, recorded_at, event_id, meta = raw
    if type(recorded_at) is not datetime:
        try:
            recorded_at = datetime.fromisoformat(recorded_at)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            raise CorruptEventError(
                f"recorded_at {recorded_at!r} is not a timestamp", position=position, stream=stream
            ) from None
    if type(version) is not int or type(stream) is not str:
        raise CorruptEventError(
            f"stream {stream!r} / version {version!r} are not a name and a number",
            position=position,
            stream=stream if type(stream) is str else None,
        )
    if type(schema_version) is not int or type(type_name) is not str:
        raise CorruptEventError(
            f"type {type_name!r} / schema version {schema_version!r} are not a name and a number",
            position=position,
            stream=stream,
        )
    if type(event_id) is not str:
        raise CorruptEventError(
            f"the event id {event_id!r} is not a name", position=position, stream=stream
        )
    if type(meta) is not bytes:
        meta = NO_METADATA if meta is None else str(meta).encode("utf-8", "surrogateescape")
    if type(data) is not bytes:
        # Hand the codec bytes, so it can say what is wrong with them.
        data = str(data).encode("utf-8", "surrogateescape")
    return make_stored_row(
        position, stream, version, type_name, schema_version, data, recorded_at, b"", event_id, meta
    )


def chain_rows(
    stream: str,
    rows: Sequence[NewRow],
    *,
    head: int,
    version: int,
    previous: bytes,
    recorded_at: datetime,
    key: bytes | None = None,
) -> list[StoredRow]:
    """The rows one append stores: positions after `head`, versions after `version`, hashes
    chained on from `previous` (the hash at `head`, `GENESIS` for an empty log), keyed
    with `key` when the log's chain is."""
    fields = [
        (
            row.type,
            row.schema_version,
            row.data if type(row.data) is bytes else bytes(row.data),
            row.event_id,
            row.metadata,
        )
        for row in rows
    ]
    hashes = chain_hashes(previous, head + 1, stream, version + 1, recorded_at, fields, key)
    make = make_stored_row
    return [
        make(
            head + i,
            stream,
            version + i,
            type_name,
            schema_version,
            data,
            recorded_at,
            digest,
            event_id,
            metadata,
        )
        for i, ((type_name, schema_version, data, event_id, metadata), digest) in enumerate(
            zip(fields, hashes, strict=True), start=1
        )
    ]


def not_yet_stored(
    stream: str,
    rows: Sequence[NewRow],
    found: Mapping[str, StoredRow],
    seen: set[str] | None = None,
) -> list[NewRow]:
    """The rows of an append that are not stored yet, given the stored rows `found` by their
    ids: a row stored as the same event is a retry, left out; one whose id is stored with
    other content, or given to two rows of the call (`seen` holds the ids of the call met
    so far, for a call of several batches), raises `DuplicateEventError`."""
    fresh = []
    seen = set() if seen is None else seen
    for row in rows:
        if row.event_id in seen:
            raise DuplicateEventError(row.event_id)
        seen.add(row.event_id)
        stored = found.get(row.event_id)
        if stored is None:
            fresh.append(row)
        elif not stored.same_event(row, stream):
            raise DuplicateEventError(row.event_id, stored.position, stored.stream)
    return fresh


@attrs.frozen
class Snapshot:
    """A view's encoded state for one stream, as of a global position.

    `key` names the view version (and the event types it was folded with); a snapshot
    whose key differs from the one asked for is never returned.
    """

    view: str
    key: str
    stream: str
    position: int
    state: bytes


@attrs.frozen
class Checkpoint:
    """A named consumer's place in the log: the last position it has handled, and when it
    moved there (UTC)."""

    name: str
    position: int
    updated_at: datetime


#: One stream's part of a backend's `append_many`: (stream, rows, expected_version).
RowBatch = tuple[str, Sequence[NewRow], "int | None"]


def plan_append(
    batches: Sequence[RowBatch],
    *,
    head: int,
    versions: Mapping[str, int],
    expected_head: int | None,
    lookup: Callable[[list[str]], Mapping[str, StoredRow]],
    look_first: bool,
) -> list[list[NewRow]]:
    """The rows each batch of an `append_many` stores, checked against the log as it stands
    (`head`, and the `versions` of the streams named), inside the append's transaction.

    `lookup(ids)` gives the stored rows with the call's ids: with them, retries are left
    out, a call of nothing but retries stores nothing whatever the versions, and an id
    stored as another event raises `DuplicateEventError`. A backend whose store refuses a
    taken id by itself (a unique index) asks only when it must (`look_first` False): when
    a version or the head does not match, since a retry then still goes through. An
    `expected_head` or `expected_version` that does not match raises `ConcurrencyError`.
    """
    if look_first:
        return _planned(batches, head, versions, expected_head, lookup(_ids(batches)))
    try:
        return _planned(batches, head, versions, expected_head, None)
    except ConcurrencyError:
        return _planned(batches, head, versions, expected_head, lookup(_ids(batches)))


def _ids(batches: Sequence[RowBatch]) -> list[str]:
    return [row.event_id for _, rows, _ in batches for row in rows]


def _planned(
    batches: Sequence[RowBatch],
    head: int,
    versions: Mapping[str, int],
    expected_head: int | None,
    found: Mapping[str, StoredRow] | None,
) -> list[list[NewRow]]:
    """See `plan_append`; without `found`, every row is taken as new."""
    if found is None:
        fresh = [list(rows) for _, rows, _ in batches]
    else:
        seen: set[str] = set()
        fresh = [not_yet_stored(stream, rows, found, seen) for stream, rows, _ in batches]
        if any(rows for _, rows, _ in batches) and not any(fresh):
            return fresh  # every row is a retry
    if expected_head is not None and expected_head != head:
        raise ConcurrencyError(None, expected_head, head)
    current = dict(versions)
    for (stream, _, expected), rows in zip(batches, fresh, strict=True):
        version = current.get(stream, 0)
        if expected is not None and expected != version:
            raise ConcurrencyError(stream, expected, version)
        current[stream] = version + len(rows)
    return fresh


#: Every stored column of an event, in the order `insert_values` gives them.
INSERT_COLUMNS = (
    "position, stream, version, type, schema_version, data, recorded_at, hash, event_id, metadata"
)


def insert_values(
    stored: Sequence[Sequence[StoredRow]], recorded_at: object
) -> list[tuple[object, ...]]:
    """The rows an append stores, as the values of an INSERT of `INSERT_COLUMNS`: their
    shared `recorded_at` as the backend keeps it (ISO text, a datetime)."""
    return [
        (
            r.position,
            r.stream,
            r.version,
            r.type,
            r.schema_version,
            r.data,
            recorded_at,
            r.hash,
            r.event_id,
            r.metadata,
        )
        for rows in stored
        for r in rows
    ]


def chain_batches(
    batches: Sequence[RowBatch],
    fresh: Sequence[Sequence[NewRow]],
    *,
    head: int,
    versions: Mapping[str, int],
    previous: bytes,
    recorded_at: datetime,
    key: bytes | None = None,
) -> list[list[StoredRow]]:
    """The rows an `append_many` stores, batch by batch (see `chain_rows`): positions after
    `head`, each stream's versions after its own, hashes chained on from `previous`."""
    current = dict(versions)
    stored_batches = []
    for (stream, _, _), rows in zip(batches, fresh, strict=True):
        version = current.get(stream, 0)
        stored = chain_rows(
            stream,
            rows,
            head=head,
            version=version,
            previous=previous,
            recorded_at=recorded_at,
            key=key,
        )
        if stored:
            head, previous = stored[-1].position, stored[-1].hash
            current[stream] = version + len(stored)
        stored_batches.append(stored)
    return stored_batches
