"""The hash chain over stored events: each row's hash covers the row and the hash before it."""

from __future__ import annotations

import hashlib
import struct

__all__ = ["GENESIS", "chain_hash"]

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
    stream_bytes = stream.encode("utf-8", "surrogatepass")
    type_bytes = type_name.encode("utf-8", "surrogatepass")
    digest = hashlib.sha256(previous)
    digest.update(
        _HEADER.pack(
            position, version, schema_version, len(stream_bytes), len(type_bytes), len(data)
        )
    )
    digest.update(stream_bytes)
    digest.update(type_bytes)
    digest.update(data)
    return digest.digest()
