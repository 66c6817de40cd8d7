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
    "ReadsBatches",
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
