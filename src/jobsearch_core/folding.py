"""How a log answers `view()`: each view's state kept at the head and folded forward from
there, time travel from the nearest start (a snapshot, or where an earlier travel
arrived), and the snapshots saved on the way."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any, Protocol

from jobsearch_core.catalog import Catalog
from jobsearch_core.events.base import Recorded
from jobsearch_core.heads import MAX_CACHED_STATES, Head, Heads, hand_out
from jobsearch_core.snapshots import SNAPSHOT_EVERY, Snapshots, waits_after
from jobsearch_core.storage.backend import Backend
from jobsearch_core.storage.capabilities import ReadsHead
from jobsearch_core.views.frozen import freeze
from jobsearch_core.views.replay import Progress, Replay, Restart, answers
from jobsearch_core.views.view import View

__all__ = ["TRAVEL_SAVES_AFTER", "Decoded", "Folding"]

#: Time travel saves a snapshot at its target only after folding this many times as far
#: as a replay waits between two snapshots of the view.
TRAVEL_SAVES_AFTER = 4


class Decoded(Protocol):
    """The log's reader of decoded records, a batch at a time."""

    def __call__(
        self, *, after: int, until: int | None, stream: str | None
    ) -> Iterator[list[Recorded]]: ...


class Folding:
    """A log's folding of its views: the states kept at the head (at most
    `max_cached_states`), the snapshots, and how often a replay saves one."""

    def __init__(
        self,
        backend: Backend,
        catalog: Catalog,
        decoded: Decoded,
        *,
        snapshot_every: int = SNAPSHOT_EVERY,
        max_cached_states: int = MAX_CACHED_STATES,
    ) -> None:
        self.backend = backend
        self.catalog = catalog
        self.decoded = decoded
        self.snapshot_every = snapshot_every
        self.snapshots = Snapshots(backend, catalog)
        #: Each (view, stream)'s latest folded state (0: none kept, every view() replays
        #: from the nearest snapshot), and the lock a catch-up holds.
        self.heads = Heads(max_cached_states)
        self.lock = threading.RLock()
        self._head_hash = backend.head_and_hash if isinstance(backend, ReadsHead) else None

    def answer(
        self,
        names: list[str],
        stream: str,
        *,
        head: int,
        chain: bytes | None,
        until: int,
        moment: datetime | None,
        progress: Callable[[int], None] | None,
    ) -> dict[str, Any]:
        """The views' answers for `stream`, by name: at the head (`until` is `head`, no
        `moment`) from the states kept there, else by time travel."""
        ordered = self.catalog.in_order(names)
        if moment is None and until == head:
            # One catch-up at a time: a view that is not copy-on-write folds its kept
            # state in place.
            with self.lock:
                found = self._at_head(ordered, stream, head, chain, progress)
        else:
            folded = self._replay(ordered, stream, until, moment, progress)
            found = answers(ordered, [done.state for done in folded])
            found = [
                freeze(answer) if view.copy_on_write else answer
                for view, answer in zip(ordered, found, strict=True)
            ]
        by_name = {view.name: answer for view, answer in zip(ordered, found, strict=True)}
        return {name: by_name[name] for name in names}

    def head_and_hash(self) -> tuple[int, bytes | None]:
        """The log's last position and the chain hash there, in one read where the backend can."""
        if self._head_hash is not None:
            return self._head_hash()
        head = self.backend.head()
        return head, self.snapshots.chain_at(head)

    def _at_head(
        self,
        views: list[View[Any]],
        stream: str,
        head: int,
        chain: bytes | None,
        progress: Callable[[int], None] | None,
    ) -> list[Any]:
        """The answers at the head: each view's kept state, with only the events after it
        folded in (a state kept from a history the log no longer holds is dropped)."""
        heads = self.heads
        kept: list[Head | None] = []
        chains: dict[int, bytes | None] = {head: chain}
        for view in views:
            found = heads.get(view.name, stream)
            if found is not None:
                at = found.progress.position
                if at not in chains:
                    chains[at] = self.snapshots.chain_at(at) if at <= head else b"gone"
                if chains[at] != found.chain or at > head:
                    heads.drop(view.name, stream)
                    found = None
            kept.append(found)
        # Each view starts from its kept state, else its nearest snapshot; a used view never
        # later than the views using it start (as `Snapshots.starts` chooses).
        limits = [head] * len(views)
        starts: list[Progress | None] = [None] * len(views)
        index = {view.name: i for i, view in enumerate(views)}
        for i in reversed(range(len(views))):
            view, found = views[i], kept[i]
            if found is not None and found.progress.position <= limits[i]:
                starts[i] = found.progress
            else:
                kept[i] = None
                if view.events == ():  # folds nothing: it stands anywhere, at no cost
                    starts[i] = Progress(view.initial(), limits[i])
                elif self.snapshot_every > 0 and view.state_type is not None:
                    starts[i] = self.snapshots.load(view, stream, limits[i])
            reached = starts[i].position if starts[i] is not None else 0  # type: ignore[union-attr]
            for name in view.uses:
                j = index[name]
                limits[j] = min(limits[j], reached)
        if all(start is not None and start.position == head for start in starts):
            if all(found is not None for found in kept):
                return hand_out(views, kept)  # type: ignore[arg-type]
            folded, read, saved = [s for s in starts if s is not None], 0, set[int]()
        else:
            try:
                folded, read, saved = self._catch_up(views, stream, head, starts, progress)
            except BaseException:
                for view in views:  # a state half folded is not kept
                    heads.drop(view.name, stream)
                raise
        made: list[Head] = []
        for i, view in enumerate(views):
            found = kept[i]
            if found is None:
                size = self.snapshots.sizes.get((view.name, stream), 0)
                found = Head(folded[i], chain, snapshot_size=size)
            else:
                found.progress, found.chain = folded[i], chain
            if i in saved:  # a checkpoint of the catch-up, near its end
                found.snapshot_size = self.snapshots.sizes.get((view.name, stream), 0)
                found.unsaved = 0
            else:
                found.unsaved += read
            made.append(found)
            heads.put(view.name, stream, found)
        self._save_heads(views, stream, made, chain)
        return hand_out(views, made)

    def _catch_up(
        self,
        views: list[View[Any]],
        stream: str,
        head: int,
        starts: list[Progress | None],
        progress: Callable[[int], None] | None,
    ) -> tuple[list[Progress], int, set[int]]:
        """Fold each view from its start up to the head; the progress of each, how many
        events were read, and which views were snapshotted on the way."""
        read = _Reader(self.decoded, stream, progress)
        replay = Replay(views, read, restart=self._restart(stream))
        saved: set[int] = set()
        if self.snapshot_every <= 0:
            return replay.run(starts, head), read.count, saved
        save = self.snapshots.saver(views, stream)

        def checkpoint(index: int, progress: Progress) -> int | None:
            saved.add(index)
            return save(index, progress)

        # A view that starts from a snapshot waits as long for the next one as a replay
        # that had just saved it would.
        sizes = self.snapshots.sizes
        waits = [
            waits_after(sizes.get((view.name, stream), 0)) if start is not None else 0
            for view, start in zip(views, starts, strict=True)
        ]
        folded = replay.run(
            starts, head, checkpoint=checkpoint, checkpoint_every=self.snapshot_every, waits=waits
        )
        return folded, read.count, saved

    def _restart(self, stream: str) -> Restart | None:
        """Where a refold of some views of `stream` may start: their snapshots."""
        if self.snapshot_every <= 0:
            return None
        snapshots = self.snapshots

        def restart(views: list[View[Any]], limit: int) -> list[Progress | None]:
            return snapshots.starts(views, stream, limit)

        return restart

    def _save_heads(
        self, views: list[View[Any]], stream: str, kept: list[Head], chain: bytes | None
    ) -> None:
        """Snapshot the kept states that have folded enough events since their last one."""
        if self.snapshot_every <= 0 or chain is None:
            return
        for view, found in zip(views, kept, strict=True):
            if view.state_type is None:
                continue
            if found.unsaved >= self._wait(found.snapshot_size):
                self._save_head(view, stream, found, chain)

    def _save_head(self, view: View[Any], stream: str, found: Head, chain: bytes) -> None:
        """Snapshot a kept state (bound to `chain`, the hash at its position), noting it."""
        size = self.snapshots.save(view, stream, found.progress, chain)
        if size is not None:
            found.snapshot_size, found.unsaved = size, 0

    def save_kept(self) -> None:
        """Snapshot each kept state that folded `snapshot_every` events since its last one
        (what `EventLog.close()` leaves for the next process)."""
        if self.snapshot_every <= 0:
            return
        views = self.catalog.views
        for (name, stream), found in self.heads.items():
            view = views.get(name)
            if view is None or view.state_type is None or found.unsaved < self.snapshot_every:
                continue
            chain = found.chain
            if chain is None or self.snapshots.chain_at(found.progress.position) != chain:
                continue  # kept from a history the log no longer holds (or with no hash)
            self._save_head(view, stream, found, chain)

    def _replay(
        self,
        views: list[View[Any]],
        stream: str,
        until: int,
        moment: datetime | None,
        progress: Callable[[int], None] | None = None,
    ) -> list[Progress]:
        """Fold the views up to `until` (time travel), from their nearest snapshots."""
        read = _Reader(self.decoded, stream, progress)
        replay = Replay(views, read, moment=moment, restart=self._restart(stream))
        if (
            moment is not None
            or self.snapshot_every <= 0
            or all(view.state_type is None for view in views)
        ):
            return replay.run([None] * len(views), until)
        snapshots = self.snapshots
        folded = replay.run(snapshots.starts(views, stream, until), until)
        arrived = snapshots.chain_at(until)
        for view, done in zip(views, folded, strict=True):
            if view.copy_on_write:  # frozen, the state may start the travels after this one
                done.state = freeze(done.state)
                snapshots.remember(view, stream, done, arrived)
        # Time travel leaves no trail of snapshots behind it: only one at its target, and
        # only when it had a long way to fold, TRAVEL_SAVES_AFTER times as far as a replay
        # waits between two (pruning then keeps it if it fits).
        sizes = snapshots.sizes
        for view, done in zip(views, folded, strict=True):
            wait = self._wait(sizes.get((view.name, stream), 0))
            if view.state_type is not None and read.count >= TRAVEL_SAVES_AFTER * wait:
                snapshots.save(view, stream, done, arrived)
        return folded

    def _wait(self, size: int) -> int:
        """How many events a view folds between two snapshots, the last one `size` bytes."""
        return max(self.snapshot_every, waits_after(size))


class _Reader:
    """A replay's reader of one stream's decoded records: it counts what it read, and tells
    `progress` of each position reached for the first time (a refold rereads from the
    start, and progress only hears new ground)."""

    def __init__(
        self, decoded: Decoded, stream: str, progress: Callable[[int], None] | None
    ) -> None:
        self.decoded, self.stream, self.progress = decoded, stream, progress
        self.count = self.reached = 0

    def __call__(self, after: int, until: int) -> Iterator[list[Recorded]]:
        for records in self.decoded(after=after, until=until, stream=self.stream):
            self.count += len(records)
            if self.progress is not None and records and records[-1].position > self.reached:
                self.reached = records[-1].position
                self.progress(self.reached)
            yield records
