"""The rows a backend keeps: encoded events on their way in and as stored, and view snapshots."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import attrs

from jobsearch_core._instances import maker
from jobsearch_core.errors import CorruptEventError
from jobsearch_core.storage._chain import chain_hashes

__all__ = [
    "NewRow",
    "RawRow",
    "Snapshot",
    "StoredRow",
    "chain_rows",
    "make_new_row",
    "make_stored_row",
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


#: ``NewRow(type, schema_version, data)`` for values the codec made.
make_new_row = maker(NewRow)
#: ``StoredRow(position, stream, version, type, schema_version, data, recorded_at, hash)``
#: for values a backend has checked: half the cost of the class's own `__init__`.
make_stored_row = maker(StoredRow)


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
    if type(data) is not bytes:
        # Hand the codec bytes, so it can say what is wrong with them.
        data = str(data).encode("utf-8", "surrogateescape")
    return make_stored_row(
        position, stream, version, type_name, schema_version, data, recorded_at, b""
    )


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
