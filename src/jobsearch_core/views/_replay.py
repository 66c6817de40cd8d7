"""The replay engine: folds a stream's records into a view, honouring corrections."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any, TypeVar

import attrs

from jobsearch_core.events import EventRetracted, Recorded, UnknownEvent
from jobsearch_core.views import View

__all__ = ["Progress", "Replay", "replay_records", "skipped_positions"]

S = TypeVar("S")

#: Reads a stream's records with ``after < position <= until``, in position order.
Reader = Callable[[int, int], Iterable[Recorded]]
#: Told of each applied record with the progress so far (to take snapshots).
Checkpoint = Callable[["Progress"], None]


@attrs.define
class Progress:
    """How far a replay got: the state, the last position considered and the corrections seen."""

    state: Any
    position: int = 0
    #: position of each `EventRetracted` seen -> the position it retracts.
    retractions: dict[int, int] = attrs.Factory(dict)


def skipped_positions(retractions: Mapping[int, int]) -> set[int]:
    """The positions views must skip: targets of retractions that were not themselves retracted.

    A retraction only reaches back, so deciding from the newest down settles each one
    before anything it could retract.
    """
    skipped: set[int] = set()
    for position in sorted(retractions, reverse=True):
        if position not in skipped:
            skipped.add(retractions[position])
    return skipped


class Replay:
    """Folds records from `read` into `view`; a correction that reaches back refolds from the start.

    Corrections are rare, so a refold (rather than an undo for every fold) keeps each view
    a plain forward fold. `moment` keeps only events whose `at` is not later than it.
    """

    def __init__(self, view: View[Any], read: Reader, *, moment: datetime | None = None):
        self.view = view
        self.read = read
        self.moment = moment

    def run(
        self,
        start: Progress | None,
        until: int,
        *,
        checkpoint: Checkpoint | None = None,
        checkpoint_every: int = 0,
    ) -> Progress:
        """Fold everything after `start` up to `until` and return the progress there."""
        view, moment = self.view, self.moment
        progress = start if start is not None else Progress(view.initial())
        retractions = dict(progress.retractions)
        skipped = skipped_positions(retractions)
        state = progress.state
        after = progress.position
        since_checkpoint = 0
        while True:
            refolded_at = None
            for record in self.read(after, until):
                event = record.event
                if (moment is not None and event.at > moment) or isinstance(event, UnknownEvent):
                    continue
                if record.position in skipped:
                    continue
                if isinstance(event, EventRetracted) and event.position < record.position:
                    retractions[record.position] = event.position
                    now_skipped = skipped_positions(retractions)
                    if now_skipped != skipped:
                        skipped = now_skipped
                        state = self._refold(record.position, skipped)
                        refolded_at = record.position
                        break
                state = view.apply(state, record)
                since_checkpoint += 1
                if (
                    checkpoint is not None
                    and checkpoint_every
                    and since_checkpoint >= checkpoint_every
                ):
                    checkpoint(Progress(state, record.position, dict(retractions)))
                    since_checkpoint = 0
            if refolded_at is None:
                return Progress(state, max(until, after), retractions)
            after = refolded_at

    def _refold(self, until: int, skipped: set[int]) -> Any:
        view, moment = self.view, self.moment
        state = view.initial()
        for record in self.read(0, until):
            event = record.event
            if (moment is not None and event.at > moment) or isinstance(event, UnknownEvent):
                continue
            if record.position not in skipped:
                state = view.apply(state, record)
        return state


def replay_records(view: View[S], records: Sequence[Recorded]) -> S:
    """Fold a list of records held in memory (positions ascending)."""

    def read(after: int, until: int) -> Iterable[Recorded]:
        return (r for r in records if after < r.position <= until)

    until = records[-1].position if records else 0
    state: S = Replay(view, read).run(None, until).state
    return state
