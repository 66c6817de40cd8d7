"""Snapshots of view states: what keys them, which one a replay starts from, when to save,
and which to keep."""

from __future__ import annotations

import hashlib
import hmac
import logging
import struct
from collections import OrderedDict
from collections.abc import Iterator, Sequence
from typing import Any

import attrs

from jobsearch_core.audit import chain_mode
from jobsearch_core.catalog import Catalog
from jobsearch_core.errors import BackendError
from jobsearch_core.storage.backend import Backend, row_at
from jobsearch_core.storage.capabilities import ListsSnapshots, PrunesSnapshots
from jobsearch_core.storage.rows import Snapshot
from jobsearch_core.views.replay import Checkpoint, Progress, collector_paused
from jobsearch_core.views.view import View

__all__ = [
    "KEEP_ARRIVALS",
    "KEEP_BYTES_PER_EVENT",
    "KEEP_NEWEST_TIMES",
    "KEEP_OPENED_BYTES",
    "MAX_KEPT",
    "SNAPSHOT_BYTES_PER_EVENT",
    "SNAPSHOT_EVERY",
    "Snapshots",
    "kept",
    "seal",
    "unseal",
    "waits_after",
]

logger = logging.getLogger("jobsearch_core")

#: A view replay saves a snapshot after this many events folded since the last one (per
#: view and stream), or more for a large state: see `SNAPSHOT_BYTES_PER_EVENT`.
SNAPSHOT_EVERY = 500
#: The next snapshot of a view waits at least (size of its last one) / this many events,
#: so snapshots cost a bounded share of a replay whatever the size of the state.
SNAPSHOT_BYTES_PER_EVENT = 512
#: A view's snapshots of a stream are thinned out (the newest always kept) to at most
#: `MAX_KEPT`, taking together at most `KEEP_BYTES_PER_EVENT` bytes per event of the
#: stream, or `KEEP_NEWEST_TIMES` the newest one's size when that is more.
MAX_KEPT = 64
KEEP_BYTES_PER_EVENT = 48
KEEP_NEWEST_TIMES = 3
#: The snapshots of read-only states (`View.copy_on_write`) opened lately stay in memory,
#: up to this many stored bytes in all (the least recently used go first): time travel
#: that starts from one again reads and decodes nothing but the events after it.
KEEP_OPENED_BYTES = 16 * 2**20
#: The read-only states time travel arrives at are remembered too, this many in all (the
#: least recently used go first), and started from as snapshots are: stepping through a
#: stream, or travelling near where it went before, folds only the events since.
KEEP_ARRIVALS = 32
#: How many damaged snapshots a replay passes over, each time trying the one before.
MAX_SKIPPED_SNAPSHOTS = 8

#: A sealed snapshot's bytes: this, the chain hash at its position, the digest, the state.
_MAGIC = b"JSS1"
_SEAL = len(_MAGIC) + 32 + 32


def _digest(
    snapshot: Snapshot, chain: bytes, payload: bytes | memoryview, key: bytes | None
) -> bytes:
    """SHA-256 (HMAC-SHA-256 with the log's key) over where a snapshot stands and what it
    holds (lengths first)."""
    fields = [
        part.encode("utf-8", "surrogatepass")
        for part in (snapshot.view, snapshot.key, snapshot.stream)
    ]
    header = struct.pack(">IIIQ", *(len(f) for f in fields), snapshot.position)
    # Hashed piece by piece: a large state is not copied into one message first.
    found = hmac.new(key, digestmod=hashlib.sha256) if key is not None else hashlib.sha256()
    for part in (_MAGIC, header, *fields, chain, payload):
        found.update(part)
    return found.digest()


def waits_after(size: int) -> int:
    """How many events a view folds after a snapshot of `size` bytes before it takes the
    next (beyond the log's `snapshot_every`, whichever is more): a large state waits
    longer, so the time spent writing snapshots stays a bounded share of the events
    folded, however long the stream grows."""
    return size // SNAPSHOT_BYTES_PER_EVENT


def kept(sizes: Sequence[tuple[int, int]], budget: int, most: int = MAX_KEPT) -> list[int]:
    """Which snapshots to keep, given each one's (position, size) by position: the newest,
    and as many others as fit in `budget` bytes and `most` in all, spread as evenly over
    the positions as they can be (the one nearest its neighbours goes first), so that
    time travel anywhere finds one not far before it."""
    positions = [position for position, _ in sizes]
    size_at = dict(sizes)
    total = sum(size_at.values())
    while len(positions) > 1 and (total > budget or len(positions) > most):
        # Leaving out the i-th joins the gaps on either side of it: the smallest join goes.
        before = [0, *positions[:-2]]
        joins = [after - earlier for earlier, after in zip(before, positions[1:], strict=True)]
        gone = joins.index(min(joins))
        total -= size_at[positions.pop(gone)]
    return positions


def seal(snapshot: Snapshot, chain: bytes, key: bytes | None = None) -> Snapshot:
    """The snapshot with the chain hash at its position and a digest of it all in front of
    its state: it is bound to the log that made it, and an edit of it shows."""
    payload = snapshot.state
    return Snapshot(
        view=snapshot.view,
        key=snapshot.key,
        stream=snapshot.stream,
        position=snapshot.position,
        state=_MAGIC + chain + _digest(snapshot, chain, payload, key) + payload,
    )


def _made_at(data: bytes) -> bytes:
    """The chain hash a sealed snapshot's bytes were made at."""
    return data[len(_MAGIC) : len(_MAGIC) + 32]


def unseal(snapshot: Snapshot, chain: bytes | None, key: bytes | None = None) -> memoryview:
    """A sealed snapshot's state (a view of its bytes, not a copy), or ValueError saying
    why it cannot be trusted: not sealed, edited since, or made from another history
    (`chain`, the log's hash at its position now, differs from the one it was made at)."""
    data = snapshot.state
    if len(data) < _SEAL or not data.startswith(_MAGIC):
        raise ValueError("it is not sealed (made by an older jobsearch-core?)")
    made_at = _made_at(data)
    digest = data[len(_MAGIC) + 32 : _SEAL]
    payload = memoryview(data)[_SEAL:]
    if not hmac.compare_digest(_digest(snapshot, made_at, payload, key), digest):
        raise ValueError("its bytes were changed since it was saved")
    if chain != made_at:
        raise ValueError(
            "it was made from another history: the log's chain hash at its position differs"
        )
    return payload


class Snapshots:
    """A log's snapshots: keyed by the view (and all it uses) and the event types folded.

    A view's key is its version, its fingerprint (the versions of every view it uses,
    transitively) and the codec's (the event types and schema versions installed), so a
    snapshot made by any other fold, anywhere below the view, is never applied.
    """

    def __init__(self, backend: Backend, catalog: Catalog) -> None:
        self.backend = backend
        self.catalog = catalog
        #: A keyed log's snapshots are sealed with its key; opened without it, none are
        #: trusted or made.
        self.mode = chain_mode(backend)
        #: The size of the snapshot last loaded or saved, by (view, stream).
        self.sizes: dict[tuple[str, str], int] = {}
        self._opened = _Opened(KEEP_OPENED_BYTES)
        self._arrivals = _Arrivals(KEEP_ARRIVALS)

    def key(self, view: View[Any]) -> str:
        """What this view's snapshots are stored under."""
        fingerprint = self.catalog.view_fingerprints.get(view.name, "")
        return f"{view.version}:{fingerprint}:{self.catalog.codec.fingerprint}"

    def starts(self, views: Sequence[View[Any]], stream: str, until: int) -> list[Progress | None]:
        """Where each view (in dependency order) can start from: its nearest snapshot at or
        before `until`, and for a view others use, at or before where they start."""
        limits = [until] * len(views)
        starts: list[Progress | None] = [None] * len(views)
        index = {view.name: i for i, view in enumerate(views)}
        for i in reversed(range(len(views))):  # the views that use a view come after it
            view = views[i]
            start = self.load(view, stream, limits[i]) if view.state_type is not None else None
            starts[i] = start
            reached = start.position if start is not None else 0
            for name in view.uses:
                j = index[name]
                limits[j] = min(limits[j], reached)
        return starts

    def load(self, view: View[Any], stream: str, until: int) -> Progress | None:
        """The view's nearest sound snapshot at or before `until`, as a replay's start: one
        that does not hold (edited, from another history, not fitting its state) is passed
        over for the one before it."""
        if view.state_type is None or not self.mode.usable:
            return None
        key = self.key(view)
        recalled = self._recall(view, key, stream, until)
        if recalled is not None:
            return recalled
        for _ in range(MAX_SKIPPED_SNAPSHOTS):
            snapshot = self.backend.load_snapshot(view.name, key, stream, at_or_before=until)
            if snapshot is None or snapshot.position <= 0:
                return None
            try:
                state, retractions = self._open(view, snapshot)
            except Exception as error:
                logger.warning(
                    "ignoring the %s snapshot of %r at %d: %s",
                    view.name,
                    stream,
                    snapshot.position,
                    error,
                )
                until = snapshot.position - 1
                continue
            self.sizes[view.name, stream] = len(snapshot.state)
            if view.copy_on_write:  # read-only: every replay from it may share it
                self._opened.put(snapshot, state, retractions)
            return Progress(state, snapshot.position, dict(retractions))
        return None

    def _recall(self, view: View[Any], key: str, stream: str, until: int) -> Progress | None:
        """The nearest start at or before `until` that is in memory: a state time travel
        arrived at, or a snapshot opened before, while the log's chain there is still the
        one it was made at. None when the nearest start is a snapshot not opened yet (a
        backend that can list its snapshots tells which one is nearest without reading it)."""
        backend = self.backend
        arrival = self._arrivals.nearest(view.name, key, stream, until)
        stored = 0
        if isinstance(backend, PrunesSnapshots) and (
            arrival is not None or self._opened.holds(view.name, key, stream)
        ):
            for position, _ in backend.snapshot_sizes(view.name, key, stream):
                if position > until:
                    break
                stored = position
        if arrival is not None and arrival[0] >= stored:
            position, found = arrival
            if self.chain_at(position) == found.chain:
                return Progress(found.state, position, dict(found.retractions))
            self._arrivals.drop((view.name, key, stream, position))
            return None
        opened = self._opened.get((view.name, key, stream, stored)) if stored else None
        if opened is None or self.chain_at(stored) != opened.chain:
            return None
        self.sizes[view.name, stream] = opened.size
        return Progress(opened.state, stored, dict(opened.retractions))

    def remember(
        self, view: View[Any], stream: str, progress: Progress, chain: bytes | None
    ) -> None:
        """Remember where time travel arrived (a read-only state, frozen already, and the
        chain hash at its position), as a start for the travels after it."""
        if not view.copy_on_write or view.state_type is None or chain is None:
            return
        if not self.mode.usable:
            return
        where = (view.name, self.key(view), stream, progress.position)
        size = self.sizes.get((view.name, stream), 0)
        self._arrivals.put(
            where, _OpenedSnapshot(progress.state, dict(progress.retractions), chain, size)
        )

    def _open(self, view: View[Any], snapshot: Snapshot) -> tuple[Any, dict[int, int]]:
        """A snapshot's state and corrections, or an exception saying why it does not hold."""
        payload = unseal(snapshot, self.chain_at(snapshot.position), self.mode.key)
        state_type = view.state_type
        if state_type is None:
            raise ValueError(f"the {view.name} view keeps no snapshots")
        # Loading makes many objects and no cycles: the collector would only walk them.
        with collector_paused():
            return self.catalog.codec.load_snapshot(payload, state_type, frozen=view.copy_on_write)

    def chain_at(self, position: int) -> bytes | None:
        """The log's chain hash at a position (None where the row has none, or is not there)."""
        row = row_at(self.backend, position)
        return row.hash if row is not None and row.hash else None

    def problems(self) -> Iterator[tuple[Snapshot, str]]:
        """Every stored snapshot that a replay would pass over, and why (when the backend
        can list them): edited, from another history, or not fitting its view's state."""
        if not isinstance(self.backend, ListsSnapshots) or not self.mode.usable:
            return
        views = self.catalog.views
        for snapshot in self.backend.read_snapshots():
            view = views.get(snapshot.view)
            try:
                if view is not None and snapshot.key == self.key(view):
                    self._open(view, snapshot)
                else:  # another version's: never loaded, but its seal can still be checked
                    unseal(snapshot, self.chain_at(snapshot.position), self.mode.key)
            except Exception as error:
                yield snapshot, str(error) or type(error).__name__

    def saver(self, views: Sequence[View[Any]], stream: str) -> Checkpoint:
        """A replay checkpoint that saves each view's state (a read-only log goes without)."""

        def save(index: int, progress: Progress) -> int | None:
            size = self.save(views[index], stream, progress, self.chain_at(progress.position))
            return None if size is None else waits_after(size)

        return save

    def save(
        self, view: View[Any], stream: str, progress: Progress, chain: bytes | None
    ) -> int | None:
        """Save a view's state as a snapshot at its position (bound to `chain`, the chain
        hash there); its size, or None when none is made (a read-only log, a row without
        a hash, a view without snapshots)."""
        if view.state_type is None or not self.mode.usable or chain is None:
            return None
        snapshot = Snapshot(
            view=view.name,
            key=self.key(view),
            stream=stream,
            position=progress.position,
            state=self.catalog.codec.dump_snapshot(
                progress.state, view.state_type, progress.retractions
            ),
        )
        sealed = seal(snapshot, chain, self.mode.key)
        try:
            self.backend.save_snapshot(sealed)
        except BackendError as error:  # a read-only log still answers, just without snapshots
            logger.debug("snapshot not saved: %s", error)
            return len(sealed.state)  # waiting as long for the next try
        self.sizes[view.name, stream] = len(sealed.state)
        self._prune(view, stream, snapshot.key)
        return len(sealed.state)

    def _prune(self, view: View[Any], stream: str, key: str) -> None:
        """Thin out a view's snapshots of a stream to what `kept` keeps (where the backend
        can delete them)."""
        backend = self.backend
        if not isinstance(backend, PrunesSnapshots):
            return
        sizes = backend.snapshot_sizes(view.name, key, stream)
        if len(sizes) <= 1:
            return
        budget = max(
            KEEP_NEWEST_TIMES * sizes[-1][1],
            KEEP_BYTES_PER_EVENT * backend.stream_version(stream),
        )
        keep = set(kept(sizes, budget))
        gone = [position for position, _ in sizes if position not in keep]
        self._opened.forget(view.name, key, stream, gone)
        try:
            backend.delete_snapshots(view.name, key, stream, gone)
        except BackendError as error:  # a read-only log keeps what it has
            logger.debug("snapshots not pruned: %s", error)


@attrs.define(eq=False)
class _OpenedSnapshot:
    """A snapshot as opened: its read-only state, corrections, chain hash and stored size."""

    state: Any
    retractions: dict[int, int]
    chain: bytes
    size: int


class _Opened:
    """Snapshots opened lately, by (view, key, stream, position), least recently used
    first, within a bound on the stored bytes they came from."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._kept: OrderedDict[tuple[str, str, str, int], _OpenedSnapshot] = OrderedDict()
        self._bytes = 0
        #: How many are kept per (view, key, stream): a replay of one never kept asks
        #: the backend nothing more than before.
        self._held: dict[tuple[str, str, str], int] = {}

    def holds(self, view: str, key: str, stream: str) -> bool:
        return self._held.get((view, key, stream), 0) > 0

    def get(self, where: tuple[str, str, str, int]) -> _OpenedSnapshot | None:
        found = self._kept.get(where)
        if found is not None:
            self._kept.move_to_end(where)
        return found

    def put(self, snapshot: Snapshot, state: Any, retractions: dict[int, int]) -> None:
        size = len(snapshot.state)
        if size > self.limit:
            return
        where = (snapshot.view, snapshot.key, snapshot.stream, snapshot.position)
        self._drop(where)
        chain = _made_at(snapshot.state)
        self._kept[where] = _OpenedSnapshot(state, dict(retractions), chain, size)
        self._bytes += size
        self._held[where[:3]] = self._held.get(where[:3], 0) + 1
        while self._bytes > self.limit:
            self._drop(next(iter(self._kept)))

    def forget(self, view: str, key: str, stream: str, positions: list[int]) -> None:
        for position in positions:
            self._drop((view, key, stream, position))

    def _drop(self, where: tuple[str, str, str, int]) -> None:
        found = self._kept.pop(where, None)
        if found is not None:
            self._bytes -= found.size
            self._held[where[:3]] -= 1


class _Arrivals:
    """States time travel arrived at, by (view, key, stream, position), least recently
    used first, at most `limit` of them."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._kept: OrderedDict[tuple[str, str, str, int], _OpenedSnapshot] = OrderedDict()

    def nearest(
        self, view: str, key: str, stream: str, until: int
    ) -> tuple[int, _OpenedSnapshot] | None:
        best: tuple[int, _OpenedSnapshot] | None = None
        for (name, kept_key, kept_stream, position), found in self._kept.items():
            if (
                (name, kept_key, kept_stream) == (view, key, stream)
                and position <= until
                and (best is None or position > best[0])
            ):
                best = (position, found)
        if best is not None:
            self._kept.move_to_end((view, key, stream, best[0]))
        return best

    def put(self, where: tuple[str, str, str, int], found: _OpenedSnapshot) -> None:
        if self.limit <= 0:
            return
        self._kept[where] = found
        self._kept.move_to_end(where)
        while len(self._kept) > self.limit:
            self._kept.popitem(last=False)

    def drop(self, where: tuple[str, str, str, int]) -> None:
        self._kept.pop(where, None)
