"""The hash chain over stored events: each row's hash covers the row and the hash before it."""

from __future__ import annotations

import hashlib
import struct
from collections.abc import Iterable

__all__ = ["GENESIS", "chain_hash", "chain_hashes"]

#: What the first event's hash chains from.
GENESIS = bytes(32)

# Lengths go in before the bytes, so no two different rows hash the same input.
_HEADER = struct.Struct(">QQIIIQ")


def chain_hash(
    previous: bytes,
    position: int,
    stream: str,
    version: int,
    type_name: str,
    schema_version: int,
    data: bytes,
) -> bytes:
    """SHA-256 over the previous hash and one row: position, stream, version, type, schema, payload."""
    (digest,) = chain_hashes(
        previous, position, stream, version, [(type_name, schema_version, data)]
    )
    return digest


def chain_hashes(
    previous: bytes,
    position: int,
    stream: str,
    version: int,
    rows: Iterable[tuple[str, int, bytes]],
) -> list[bytes]:
    """The hashes of consecutive rows of one stream, (type, schema version, payload) each, the
    first at `position` and `version`, chained on from `previous`; each text encoded once."""
    stream_bytes = stream.encode("utf-8", "surrogatepass")
    stream_length = len(stream_bytes)
    type_bytes: dict[str, bytes] = {}
    pack, sha256, join = _HEADER.pack, hashlib.sha256, b"".join
    hashes = []
    for type_name, schema_version, data in rows:
        name = type_bytes.get(type_name)
        if name is None:
            name = type_bytes[type_name] = type_name.encode("utf-8", "surrogatepass")
        header = pack(position, version, schema_version, stream_length, len(name), len(data))
        previous = sha256(join((previous, header, stream_bytes, name, data))).digest()
        hashes.append(previous)
        position += 1
        version += 1
    return hashes
