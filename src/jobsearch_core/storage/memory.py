"""`memory://`: a backend that keeps everything in this process, for tests and scratch work."""

from __future__ import annotations

import bisect
import threading
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from urllib.parse import parse_qsl, urlsplit

from jobsearch_core.errors import InvalidInputError
from jobsearch_core.storage._chain import GENESIS
from jobsearch_core.storage.keys import ChainMode, read_key
from jobsearch_core.storage.rows import (
    Checkpoint,
    NewRow,
    RowBatch,
    Snapshot,
    StoredRow,
    chain_batches,
    plan_append,
)

__all__ = ["MemoryBackend"]

#: Rows handed out at a time by `read_batches`.
BATCH_SIZE = 1000


class MemoryBackend:
    """Rows in a list, one lock for appends; gone when the process ends."""

    def __init__(self, url: str = "memory://", *, key: bytes | None = None) -> None:
        self.url = url
        #: How the chain is hashed: keyed when a key is given.
        self.chain = ChainMode(keyed=key is not None, key=key)
        self._rows: list[StoredRow] = []
        self._by_stream: dict[str, list[StoredRow]] = {}
        self._by_id: dict[str, StoredRow] = {}
        self._snapshots: dict[tuple[str, str, str], dict[int, Snapshot]] = {}
        self._checkpoints: dict[str, Checkpoint] = {}
        self._lock = threading.Lock()
        self._appended = threading.Condition(self._lock)

    @classmethod
    def from_url(cls, url: str) -> MemoryBackend:
        """Open `memory://` (always a fresh, empty log), keyed by ``?key_file=PATH`` or
        ``$JOBSEARCH_LOG_KEY``."""
        options = dict(parse_qsl(urlsplit(url).query, keep_blank_values=True))
        key = read_key(options.pop("key_file", None))
        if options:
            raise InvalidInputError(
                f"unknown option {next(iter(options))!r} in {url!r} (known: key_file)"
            )
        return cls(url, key=key)

    def append(
        self, stream: str, rows: Sequence[NewRow], *, expected_version: int | None = None
    ) -> list[StoredRow]:
        """Append under the lock; see `Backend.append`."""
        (stored,) = self.append_many([(stream, rows, expected_version)])
        return stored

    def append_many(
        self, batches: Sequence[RowBatch], *, expected_head: int | None = None
    ) -> list[list[StoredRow]]:
        """Append several streams' rows under the lock, all or nothing; see
        `Backend.append_many`."""
        with self._lock:
            versions = {stream: len(self._by_stream.get(stream, ())) for stream, _, _ in batches}
            head = len(self._rows)
            fresh = plan_append(
                batches,
                head=head,
                versions=versions,
                expected_head=expected_head,
                lookup=lambda ids: self._by_id,
                look_first=True,  # no unique index here but this check
            )
            stored = chain_batches(
                batches,
                fresh,
                head=head,
                versions=versions,
                previous=self._rows[-1].hash if self._rows else GENESIS,
                recorded_at=datetime.now(UTC),
                key=self.chain.key,
            )
            # One extend of the log's list: a reader sees all of the call's rows or none.
            self._rows.extend([row for rows in stored for row in rows])
            for rows in stored:
                if rows:
                    self._by_stream.setdefault(rows[0].stream, []).extend(rows)
                    self._by_id.update((row.event_id, row) for row in rows)
            if any(stored):
                self._appended.notify_all()
            return stored

    def lookup(self, event_ids: Sequence[str]) -> dict[str, StoredRow]:
        """The stored rows with these ids; see `Backend.lookup`."""
        by_id = self._by_id
        return {i: by_id[i] for i in event_ids if i in by_id}

    def read(
        self, *, after: int = 0, until: int | None = None, stream: str | None = None
    ) -> Iterator[StoredRow]:
        """Rows in position order; see `Backend.read`."""
        rows = self._rows if stream is None else self._by_stream.get(stream, [])
        # Lists only grow, so an index found now stays valid while appends go on.
        start = bisect.bisect_right(rows, after, key=lambda row: row.position)
        for i in range(start, len(rows)):
            row = rows[i]
            if until is not None and row.position > until:
                return
            yield row

    def read_batches(
        self, *, after: int = 0, until: int | None = None, stream: str | None = None
    ) -> Iterator[list[StoredRow]]:
        """The rows `read` gives, a list of up to `BATCH_SIZE` at a time (for replays)."""
        rows = self._rows if stream is None else self._by_stream.get(stream, [])
        start = bisect.bisect_right(rows, after, key=lambda row: row.position)
        end = len(rows)
        if until is not None:
            end = bisect.bisect_right(rows, until, lo=start, hi=end, key=lambda row: row.position)
        for first in range(start, end, BATCH_SIZE):
            yield rows[first : min(first + BATCH_SIZE, end)]

    def wait_for_append(self, after: int, timeout: float) -> None:
        """Return once the head is past `after`, or after `timeout` seconds."""
        with self._appended:
            self._appended.wait_for(lambda: len(self._rows) > after, timeout=timeout)

    def stream_version(self, stream: str) -> int:
        """The stream's last version, 0 when it has no events."""
        return len(self._by_stream.get(stream, ()))

    def head_and_hash(self) -> tuple[int, bytes | None]:
        """The last position and the chain hash there ((0, None) when empty)."""
        with self._lock:
            if not self._rows:
                return 0, None
            last = self._rows[-1]
            return last.position, last.hash or None

    def head(self) -> int:
        """The last position, 0 for an empty log."""
        return len(self._rows)

    def streams(self) -> list[str]:
        """Streams with at least one event, sorted."""
        return sorted(self._by_stream)

    def save_snapshot(self, snapshot: Snapshot) -> None:
        """Keep a snapshot, replacing one at the same place."""
        with self._lock:
            key = (snapshot.view, snapshot.key, snapshot.stream)
            self._snapshots.setdefault(key, {})[snapshot.position] = snapshot

    def load_snapshot(
        self, view: str, key: str, stream: str, *, at_or_before: int
    ) -> Snapshot | None:
        """The nearest snapshot at or before a position, or None."""
        taken = self._snapshots.get((view, key, stream), {})
        positions = [p for p in taken if p <= at_or_before]
        return taken[max(positions)] if positions else None

    def snapshot_sizes(self, view: str, key: str, stream: str) -> list[tuple[int, int]]:
        """(position, size) of each of a view's snapshots of a stream, by position."""
        with self._lock:
            taken = self._snapshots.get((view, key, stream), {})
            return sorted((position, len(found.state)) for position, found in taken.items())

    def delete_snapshots(self, view: str, key: str, stream: str, positions: list[int]) -> None:
        """Delete some of a view's snapshots of a stream."""
        with self._lock:
            taken = self._snapshots.get((view, key, stream), {})
            for position in positions:
                taken.pop(position, None)

    def read_snapshots(self) -> Iterator[Snapshot]:
        """Every snapshot, by view, key, stream and position."""
        with self._lock:
            taken = sorted(self._snapshots.items())
        for _, by_position in taken:
            for position in sorted(by_position):
                yield by_position[position]

    def load_checkpoint(self, name: str) -> Checkpoint | None:
        """The consumer's checkpoint, or None."""
        return self._checkpoints.get(name)

    def save_checkpoint(self, name: str, position: int) -> None:
        """Set the consumer's checkpoint."""
        with self._lock:
            self._checkpoints[name] = Checkpoint(name, position, datetime.now(UTC))

    def read_checkpoints(self) -> list[Checkpoint]:
        """Every checkpoint, by name."""
        with self._lock:
            return sorted(self._checkpoints.values(), key=lambda checkpoint: checkpoint.name)

    def close(self) -> None:
        """Nothing to release."""
