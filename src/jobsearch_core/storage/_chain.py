"""The hash chain over stored events: each row's hash covers the row and the hash before it.

A row's hash covers everything stored about it: its position, stream and version, when it
was recorded, its type, schema version and payload, its event id and its metadata. A
change to any of them, or to an earlier row, shows at that row when the chain is checked.
"""

from __future__ import annotations

import hashlib
import hmac
import struct
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import Protocol

__all__ = ["GENESIS", "ChainedRow", "chain_hash", "chain_hashes", "legacy_chain_hash"]


class ChainedRow(Protocol):
    """What a row's hash covers (a `StoredRow` has it all)."""

    @property
    def position(self) -> int: ...
    @property
    def stream(self) -> str: ...
    @property
    def version(self) -> int: ...
    @property
    def recorded_at(self) -> datetime: ...
    @property
    def type(self) -> str: ...
    @property
    def schema_version(self) -> int: ...
    @property
    def data(self) -> bytes: ...
    @property
    def event_id(self) -> str: ...
    @property
    def metadata(self) -> bytes: ...


#: What the first event's hash chains from.
GENESIS = bytes(32)

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)

# Lengths go in before the bytes, so no two different rows hash the same input:
# position, version, schema version, recorded_at (microseconds since 1970, UTC), and the
# lengths of stream, type, payload, event id and metadata.
_HEADER = struct.Struct(">QQIqIIQII")
# The chain of schema 2 (before event ids): position, version, schema version, lengths.
_LEGACY_HEADER = struct.Struct(">QQIIIQ")


def chain_hash(previous: bytes, row: ChainedRow, key: bytes | None = None) -> bytes:
    """SHA-256 (HMAC-SHA-256 with `key`) over the previous hash and everything stored
    about one row."""
    (digest,) = chain_hashes(
        previous,
        row.position,
        row.stream,
        row.version,
        row.recorded_at,
        [(row.type, row.schema_version, row.data, row.event_id, row.metadata)],
        key,
    )
    return digest


def chain_hashes(
    previous: bytes,
    position: int,
    stream: str,
    version: int,
    recorded_at: datetime,
    rows: Iterable[tuple[str, int, bytes, str, bytes]],
    key: bytes | None = None,
) -> list[bytes]:
    """The hashes of consecutive rows of one append to one stream, (type, schema version,
    payload, event id, metadata) each, the first at `position` and `version`, chained on
    from `previous`; each text encoded once. With `key`, each is an HMAC-SHA-256."""
    stream_bytes = stream.encode("utf-8", "surrogatepass")
    stream_length = len(stream_bytes)
    moment = (recorded_at - _EPOCH) // _MICROSECOND
    encoded: dict[str, bytes] = {}
    pack, sha256, join = _HEADER.pack, hashlib.sha256, b"".join
    hashes = []
    for type_name, schema_version, data, event_id, metadata in rows:
        name = encoded.get(type_name)
        if name is None:
            name = encoded[type_name] = type_name.encode("utf-8", "surrogatepass")
        ident = event_id.encode("utf-8", "surrogatepass")
        header = pack(
            position,
            version,
            schema_version,
            moment,
            stream_length,
            len(name),
            len(data),
            len(ident),
            len(metadata),
        )
        message = join((previous, header, stream_bytes, name, data, ident, metadata))
        previous = (
            sha256(message).digest() if key is None else hmac.new(key, message, sha256).digest()
        )
        hashes.append(previous)
        position += 1
        version += 1
    return hashes


def legacy_chain_hash(
    previous: bytes,
    position: int,
    stream: str,
    version: int,
    type_name: str,
    schema_version: int,
    data: bytes,
) -> bytes:
    """The hash a row had in a log of schema 2, which covered less (no recorded_at, id or
    metadata): migrations check the old chain with it before rehashing."""
    stream_bytes = stream.encode("utf-8", "surrogatepass")
    name = type_name.encode("utf-8", "surrogatepass")
    header = _LEGACY_HEADER.pack(
        position, version, schema_version, len(stream_bytes), len(name), len(data)
    )
    return hashlib.sha256(b"".join((previous, header, stream_bytes, name, data))).digest()
