"""Moving a log of schema 2 (a chain over less, no event ids) to the envelope of schema 3.

Backends read their rows in position order, a batch at a time, and store what
`EnvelopeMigration.batch` gives back. Each row's old hash is checked first: a row that
was changed behind the library's back before the migration keeps no hash, so `verify`
still shows where, instead of the new chain vouching for it.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from jobsearch_core.storage._chain import GENESIS, chain_hash, legacy_chain_hash
from jobsearch_core.storage.rows import NO_METADATA, make_stored_row, migrated_event_id

__all__ = ["EnvelopeMigration", "OldRow"]

#: A row as schema 2 stored it: position, stream, version, type, schema version, payload,
#: recorded_at, and its hash (None when it has none).
OldRow = tuple[int, str, int, str, int, bytes, datetime, "bytes | None"]


class EnvelopeMigration:
    """The new columns of every row of one log, worked out in position order."""

    def __init__(self, *, chained: bool, key: bytes | None = None) -> None:
        #: Whether the log kept a chain (schema 2); a log of schema 1 had none to check.
        self.chained = chained
        #: The new chain's key, when it is to be keyed (the old one never was).
        self.key = key
        self._legacy = GENESIS
        self._chain = GENESIS

    def batch(self, rows: Iterable[OldRow]) -> list[tuple[str, bytes, bytes | None, int]]:
        """(event id, metadata, new hash or None, position) for each row, in order."""
        updates = []
        for position, stream, version, type_name, schema_version, data, at, stored in rows:
            due = legacy_chain_hash(
                self._legacy, position, stream, version, type_name, schema_version, data
            )
            whole = not self.chained or stored == due
            old = stored if self.chained and stored else due
            self._legacy = old  # the next row is judged by the hash it chained from
            event_id = migrated_event_id(old)
            row = make_stored_row(
                position,
                stream,
                version,
                type_name,
                schema_version,
                data,
                at,
                b"",
                event_id,
                NO_METADATA,
            )
            self._chain = chain_hash(self._chain, row, self.key)
            updates.append((event_id, NO_METADATA, self._chain if whole else None, position))
        return updates
