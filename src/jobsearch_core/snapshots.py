"""Snapshots of view states: what keys them, which one a replay starts from, and when to save."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from jobsearch_core.catalog import Catalog
from jobsearch_core.errors import BackendError
from jobsearch_core.storage.backend import Backend
from jobsearch_core.storage.rows import Snapshot
from jobsearch_core.views.replay import Checkpoint, Progress
from jobsearch_core.views.view import View

__all__ = ["SNAPSHOT_BYTES_PER_EVENT", "SNAPSHOT_EVERY", "Snapshots"]

logger = logging.getLogger("jobsearch_core")

#: A view replay saves a snapshot after this many events folded since the last one (per
#: view and stream), or more for a large state: see `SNAPSHOT_BYTES_PER_EVENT`.
SNAPSHOT_EVERY = 500
#: The next snapshot of a view waits at least (size of its last one) / this many events,
#: so snapshots cost a bounded share of a replay whatever the size of the state.
SNAPSHOT_BYTES_PER_EVENT = 256


class Snapshots:
    """A log's snapshots: keyed by the view (and all it uses) and the event types folded.

    A view's key is its version, its fingerprint (the versions of every view it uses,
    transitively) and the codec's (the event types and schema versions installed), so a
    snapshot made by any other fold, anywhere below the view, is never applied.
    """

    def __init__(self, backend: Backend, catalog: Catalog) -> None:
        self.backend = backend
        self.catalog = catalog

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
        """The view's nearest readable snapshot at or before `until`, as a replay's start."""
        if view.state_type is None:
            return None
        snapshot = self.backend.load_snapshot(view.name, self.key(view), stream, at_or_before=until)
        if snapshot is None:
            return None
        try:
            state, retractions = self.catalog.codec.load_snapshot(snapshot.state, view.state_type)
        except Exception:
            logger.warning("ignoring an unreadable %s snapshot at %d", view.name, snapshot.position)
            return None
        return Progress(state, snapshot.position, retractions)

    def saver(self, views: Sequence[View[Any]], stream: str) -> Checkpoint:
        """A replay checkpoint that saves each view's state (a read-only log goes without)."""

        def save(index: int, progress: Progress) -> int | None:
            view = views[index]
            if view.state_type is None:
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
            try:
                self.backend.save_snapshot(snapshot)
            except BackendError as error:  # a read-only log still answers, just without snapshots
                logger.debug("snapshot not saved: %s", error)
            # A large state waits longer for its next snapshot, so the bytes written stay a
            # fixed share of the events folded, however long the stream grows.
            return len(snapshot.state) // SNAPSHOT_BYTES_PER_EVENT

        return save
