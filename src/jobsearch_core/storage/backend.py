"""The `Backend` protocol: what the event log needs from a store, and nothing more."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Protocol, runtime_checkable

from jobsearch_core.storage.rows import NewRow, RowBatch, Snapshot, StoredRow

__all__ = ["Backend", "BackendFactory", "row_at"]


@runtime_checkable
class Backend(Protocol):
    """What the event log needs from a store; `jobsearch_core.testing` holds its contract.

    A backend never sees an event class: it stores encoded rows (type name, schema
    version, JSON bytes) and view snapshots (bytes), and answers by position and stream.
    What a backend may do besides is in `jobsearch_core.storage.capabilities`.
    """

    #: The URL the backend was opened with (no password shown).
    url: str

    def append(
        self, stream: str, rows: Sequence[NewRow], *, expected_version: int | None = None
    ) -> list[StoredRow]:
        """Store `rows` at the end of `stream` in one transaction, all or nothing, and
        return the rows this call stored, in order.

        Positions continue the global sequence without gaps, in commit order; versions
        continue the stream's. `expected_version` (when not None) must equal the stream's
        version before the append, else `ConcurrencyError` and nothing is stored.
        All rows share one `recorded_at`, the moment of the append (UTC). Each row's
        `hash` is `chain_hash` of the previous row's hash (`GENESIS` for position 1) and
        the row, computed inside the same transaction.

        Event ids are unique in the log, enforced by the store itself (a unique index), so
        that two processes appending the same id at once store it once. A row whose id is
        stored already as the same event (`StoredRow.same_event`) is a retry: it is neither
        stored again nor returned, and a call whose rows are all retries returns ``[]``
        even when `expected_version` no longer matches. An id stored with other content
        raises `DuplicateEventError`, and nothing is stored (`not_yet_stored` says which
        rows are new, given what `lookup` finds).
        """
        ...

    def append_many(
        self, batches: Sequence[RowBatch], *, expected_head: int | None = None
    ) -> list[list[StoredRow]]:
        """Store several streams' rows, `(stream, rows, expected_version)` a batch, in one
        transaction, all or nothing; return each batch's stored rows, in order.

        Batches are stored one after another, as `append` stores each (a stream may come
        twice); one `recorded_at` serves them all. `expected_head` (when not None) must be
        the log's last position before the call, else `ConcurrencyError` (with stream
        None) and nothing is stored: a caller that worked out positions in advance (to
        point a retraction at an event of the same call) learns they moved. A call of
        nothing but retries stores nothing and raises nothing. `plan_append` and
        `chain_batches` do the checking and the chaining.
        """
        ...

    def lookup(self, event_ids: Sequence[str]) -> dict[str, StoredRow]:
        """The stored rows with these event ids, by id (ids not in the log are left out)."""
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


def row_at(backend: Backend, position: int) -> StoredRow | None:
    """The stored row at a position, or None when the log holds none there."""
    if position <= 0:
        return None
    return next(backend.read(after=position - 1, until=position), None)


#: Makes a backend from a URL whose scheme it was registered for.
BackendFactory = Callable[[str], Backend]
