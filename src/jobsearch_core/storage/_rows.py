"""Rows made without attrs' __init__: a backend reads millions, and has checked each value."""

from __future__ import annotations

from datetime import datetime

from jobsearch_core.storage import StoredRow

__all__ = ["make_stored_row"]

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
