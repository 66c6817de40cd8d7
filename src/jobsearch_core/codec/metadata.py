"""Event metadata: a JSON object stored beside each event, read back read-only."""

from __future__ import annotations

import math
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

import orjson

from jobsearch_core.errors import InvalidInputError

__all__ = ["MAX_METADATA_BYTES", "decode_metadata", "encode_metadata"]

#: The most bytes one event's metadata may take, encoded.
MAX_METADATA_BYTES = 64 * 1024


def encode_metadata(metadata: Mapping[str, Any]) -> bytes:
    """The stored form of a metadata mapping (keys in the order given), or
    `InvalidInputError` naming what is not JSON in it."""
    if not isinstance(metadata, Mapping):
        raise InvalidInputError(f"metadata must be a mapping, got {metadata!r:.80}")
    _check(metadata, "metadata")
    try:
        data = orjson.dumps(dict(metadata))
    except (TypeError, orjson.JSONEncodeError) as error:
        raise InvalidInputError(f"metadata is not JSON: {error}") from None
    if len(data) > MAX_METADATA_BYTES:
        raise InvalidInputError(
            f"metadata takes {len(data)} bytes, more than {MAX_METADATA_BYTES}; keep it small "
            "(ids and names), and put what the event says into the event"
        )
    return data


def _check(value: Any, where: str) -> None:
    if isinstance(value, Mapping):
        for key, item in value.items():
            if not isinstance(key, str):
                raise InvalidInputError(f"{where} has a key that is not text: {key!r}")
            _check(item, f"{where}[{key!r}]")
    elif isinstance(value, list | tuple):
        for index, item in enumerate(value):
            _check(item, f"{where}[{index}]")
    elif isinstance(value, float) and not math.isfinite(value):
        raise InvalidInputError(f"{where} is {value!r}, which JSON cannot hold")
    elif isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise InvalidInputError(f"{where} is text that is not valid Unicode") from None
    elif value is not None and not isinstance(value, bool | int | float):
        raise InvalidInputError(f"{where} is a {type(value).__name__}, not a JSON value")


def decode_metadata(data: bytes) -> Mapping[str, Any]:
    """Stored metadata as a read-only mapping (lists as tuples), or ValueError when it is
    not a JSON object."""
    value = orjson.loads(data)
    if not isinstance(value, dict):
        raise ValueError(f"the metadata is a JSON {type(value).__name__}, not an object")
    frozen: Mapping[str, Any] = _frozen(value)
    return frozen


def _frozen(value: Any) -> Any:
    if isinstance(value, dict):
        return MappingProxyType({key: _frozen(item) for key, item in value.items()})
    if isinstance(value, list):
        return tuple(_frozen(item) for item in value)
    return value
