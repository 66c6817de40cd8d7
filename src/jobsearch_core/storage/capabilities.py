"""What a backend may offer beside the `Backend` protocol, each a protocol of its own.

The log checks for each with ``isinstance`` once, when it is opened, and uses the
ability where it has it; a backend without one still works, by the plain protocol.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Protocol, runtime_checkable

from jobsearch_core.storage.keys import ChainMode
from jobsearch_core.storage.rows import Checkpoint, RawRow, Snapshot, StoredRow

__all__ = [
    "KeepsCheckpoints",
    "KeyedChain",
    "ListsSnapshots",
    "PrunesSnapshots",
    "ReadsBatches",
    "ReadsHead",
    "ReadsRaw",
    "WakesOnAppend",
]


@runtime_checkable
class ReadsRaw(Protocol):
    """Hands over rows as the database gives them, so replays make no `StoredRow` per event."""

    def read_raw(
        self, *, after: int = 0, until: int | None = None, stream: str | None = None
    ) -> Iterator[list[RawRow]]:
        """The rows `read` gives, without their hashes, as non-empty lists of `RawRow` tuples."""
        ...


@runtime_checkable
class ReadsBatches(Protocol):
    """Hands over `StoredRow`s a list at a time, so replays decode a batch per call."""

    def read_batches(
        self, *, after: int = 0, until: int | None = None, stream: str | None = None
    ) -> Iterator[list[StoredRow]]:
        """The rows `read` gives, as non-empty lists in position order."""
        ...


@runtime_checkable
class ReadsHead(Protocol):
    """Tells the last position and its chain hash in one read: what a view kept at the head
    checks on every call, to see another process's appends (and a history replaced)."""

    def head_and_hash(self) -> tuple[int, bytes | None]:
        """The last committed position (0 for an empty log) and the row's hash there (None
        for an empty log or a row without one)."""
        ...


@runtime_checkable
class WakesOnAppend(Protocol):
    """Can wake a waiting reader when an append commits (PostgreSQL: LISTEN/NOTIFY)."""

    def wait_for_append(self, after: int, timeout: float) -> None:
        """Return once the head is past `after`, or after `timeout` seconds."""
        ...


@runtime_checkable
class ListsSnapshots(Protocol):
    """Can list every snapshot it keeps, so `EventLog.verify` checks them too."""

    def read_snapshots(self) -> Iterator[Snapshot]:
        """Every snapshot, by view, key, stream and position."""
        ...


@runtime_checkable
class PrunesSnapshots(Protocol):
    """Can tell where one view's snapshots of a stream stand and delete some, so that old
    ones are thinned out instead of piling up (`jobsearch_core.snapshots`)."""

    def snapshot_sizes(self, view: str, key: str, stream: str) -> list[tuple[int, int]]:
        """(position, size of the state in bytes) of each snapshot kept, by position."""
        ...

    def delete_snapshots(self, view: str, key: str, stream: str, positions: list[int]) -> None:
        """Delete the snapshots at these positions (none there: nothing to do)."""
        ...


@runtime_checkable
class KeyedChain(Protocol):
    """Can keep its chain keyed (HMAC-SHA-256): `chain` says whether it is, with the key.

    A backend without this keeps a plain chain. One with it hashes with ``chain.key``,
    and refuses to append to a keyed log opened without its key.
    """

    chain: ChainMode


@runtime_checkable
class KeepsCheckpoints(Protocol):
    """Keeps named consumers' checkpoints (`EventLog.consumer`), beside the log's events.

    A checkpoint only ever costs a consumer a second delivery when it is lost, never a
    skipped event, so saving one need not wait for the disk.
    """

    def load_checkpoint(self, name: str) -> Checkpoint | None:
        """The consumer's checkpoint, or None when it has none."""
        ...

    def save_checkpoint(self, name: str, position: int) -> None:
        """Set the consumer's checkpoint to `position`, stamped with the time now (UTC)."""
        ...

    def read_checkpoints(self) -> list[Checkpoint]:
        """Every checkpoint, by name."""
        ...
