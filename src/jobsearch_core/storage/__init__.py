"""Storage: the small `Backend` protocol every store implements, and the rows it keeps.

A backend never sees an event class: it stores encoded rows (type name, schema version,
JSON bytes) and view snapshots (bytes), and answers by position and stream.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from datetime import datetime
from typing import Protocol, runtime_checkable

import attrs

from jobsearch_core.errors import CorruptEventError
from jobsearch_core.storage._chain import GENESIS, chain_hash, chain_hashes

__all__ = [
    "GENESIS",
    "Backend",
    "BackendFactory",
    "NewRow",
    "RawRow",
    "Snapshot",
    "StoredRow",
    "chain_hash",
    "chain_rows",
    "stored_row",
]


@attrs.frozen
class NewRow:
    """An encoded event on its way in."""

    type: str
    schema_version: int
    data: bytes


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


# Rows made without attrs' __init__: a backend reads millions, and has checked each value.
_new = object.__new__
_set_position = StoredRow.position.__set__  # type: ignore[attr-defined]
_set_stream = StoredRow.stream.__set__  # type: ignore[attr-defined]
_set_version = StoredRow.version.__set__  # type: ignore[attr-defined]
_set_type = StoredRow.type.__set__  # type: ignore[attr-defined]
_set_schema_version = StoredRow.schema_version.__set__  # type: ignore[attr-defined]
_set_data = StoredRow.data.__set__  # type: ignore[attr-defined]
_set_recorded_at = StoredRow.recorded_at.__set__  # type: ignore[attr-defined]
_set_hash = StoredRow.hash.__set__  # type: ignore[attr-defined]


def make_stored_row(
    position: int,
    stream: str,
    version: int,
    type_name: str,
    schema_version: int,
    data: bytes,
    recorded_at: datetime,
    hash: bytes = b"",
) -> StoredRow:
    """The `StoredRow` that ``StoredRow(...)`` would make, at half the cost."""
    row: StoredRow = _new(StoredRow)
    _set_position(row, position)
    _set_stream(row, stream)
    _set_version(row, version)
    _set_type(row, type_name)
    _set_schema_version(row, schema_version)
    _set_data(row, data)
    _set_recorded_at(row, recorded_at)
    _set_hash(row, hash)
    return row


#: A stored event as a backend's ``read_raw`` batches hand it over, the columns as read:
#: (position, stream, version, type, schema_version, data, recorded_at), recorded_at as
#: ISO 8601 text or an aware datetime. Replays take these to skip making `StoredRow`s.
RawRow = tuple[int, str, int, str, int, bytes, "str | datetime"]


def stored_row(raw: RawRow) -> StoredRow:
    """A raw row as a `StoredRow` (without its hash), or `CorruptEventError` naming what in it
    is damaged (only an edit behind the library's back stores such a row)."""
    position, stream, version, type_name, schema_version, data, recorded_at = raw
    if type(recorded_at) is not datetime:
        try:
            recorded_at = datetime.fromisoformat(recorded_at)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            raise CorruptEventError(
                f"recorded_at {recorded_at!r} is not a timestamp", position=position, stream=stream
            ) from None
    if type(schema_version) is not int or type(type_name) is not str:
        raise CorruptEventError(
            f"type {type_name!r} / schema version {schema_version!r} are not a name and a number",
            position=position,
            stream=stream,
        )
    if type(data) is not bytes:
        # Hand the codec bytes, so it can say what is wrong with them.
        data = str(data).encode("utf-8", "surrogateescape")
    return make_stored_row(position, stream, version, type_name, schema_version, data, recorded_at)


def chain_rows(
    stream: str,
    rows: Sequence[NewRow],
    *,
    head: int,
    version: int,
    previous: bytes,
    recorded_at: datetime,
) -> list[StoredRow]:
    """The rows one append stores: positions after `head`, versions after `version`, hashes
    chained on from `previous` (the hash at `head`, `GENESIS` for an empty log)."""
    fields = [
        (row.type, row.schema_version, row.data if type(row.data) is bytes else bytes(row.data))
        for row in rows
    ]
    hashes = chain_hashes(previous, head + 1, stream, version + 1, fields)
    make = make_stored_row
    return [
        make(head + i, stream, version + i, type_name, schema_version, data, recorded_at, digest)
        for i, ((type_name, schema_version, data), digest) in enumerate(
            zip(fields, hashes, strict=True), start=1
        )
    ]


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


@runtime_checkable
class Backend(Protocol):
    """What the event log needs from a store; `jobsearch_core.testing` holds its contract."""

    #: The URL the backend was opened with (no password shown).
    url: str

    def append(
        self, stream: str, rows: Sequence[NewRow], *, expected_version: int | None = None
    ) -> list[StoredRow]:
        """Store `rows` at the end of `stream` in one transaction, all or nothing.

        Positions continue the global sequence without gaps, in commit order; versions
        continue the stream's. `expected_version` (when not None) must equal the stream's
        version before the append, else `ConcurrencyError` and nothing is stored.
        All rows share one `recorded_at`, the moment of the append (UTC). Each row's
        `hash` is `chain_hash` of the previous row's hash (`GENESIS` for position 1) and
        the row, computed inside the same transaction.
        """
        ...

    def read(
        self, *, after: int = 0, until: int | None = None, stream: str | None = None
    ) -> Iterator[StoredRow]:
        """Rows with ``after < position <= until`` (no upper bound when None), in position order.

        Only `stream`'s rows when it is given. Holds one batch of rows at a time.
        """
        ...

    def stream_version(self, stream: str) -> int:
        """The version of the stream's last event (0 for a stream with none)."""
        ...

    def head(self) -> int:
        """The position of the last committed event (0 for an empty log)."""
        ...

    def streams(self) -> list[str]:
        """The names of the streams that hold at least one event, sorted."""
        ...

    def save_snapshot(self, snapshot: Snapshot) -> None:
        """Keep a view snapshot, replacing one with the same view, key, stream and position."""
        ...

    def load_snapshot(
        self, view: str, key: str, stream: str, *, at_or_before: int
    ) -> Snapshot | None:
        """The snapshot with this view, key and stream nearest at or before a position."""
        ...

    def close(self) -> None:
        """Release connections and files; the backend is not used afterwards."""
        ...


# A backend may also offer:
#
# - ``wait_for_append(after: int, timeout: float) -> None``: return once the head is past
#   `after` or `timeout` seconds have passed. `EventLog.follow` uses it instead of polling.
# - ``read_raw(*, after=0, until=None, stream=None) -> Iterator[list[RawRow]]``: the rows
#   `read` gives, without their hashes, as non-empty lists of `RawRow` tuples. Reading and
#   replaying use it instead of `read`, and so make no `StoredRow` per event.

#: Makes a backend from a URL whose scheme it was registered for.
BackendFactory = Callable[[str], Backend]
