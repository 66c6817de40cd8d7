"""The replay engine: folds a stream's records into views, each once per pass, honouring corrections."""

from __future__ import annotations

import gc
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import datetime
from typing import Any, TypeVar

import attrs

from jobsearch_core.errors import ViewError
from jobsearch_core.events.base import Event, Recorded, UnknownEvent
from jobsearch_core.events.vocabulary import EventRetracted
from jobsearch_core.views._dispatch import Dispatch
from jobsearch_core.views.frozen import is_frozen, thaw
from jobsearch_core.views.graph import connected, in_order
from jobsearch_core.views.view import View

__all__ = [
    "Progress",
    "Replay",
    "answers",
    "collector_paused",
    "fold",
    "retracted_by",
    "skipped_positions",
]

S = TypeVar("S")

#: Reads a stream's records with ``after < position <= until``, in position order, in batches.
Reader = Callable[[int, int], Iterable[Sequence[Recorded]]]
#: Told of a view's progress (by its index in the replay) every so many records, to snapshot
#: it; may answer how many records to wait before the next one (None: `checkpoint_every`).
Checkpoint = Callable[[int, "Progress"], "int | None"]
#: For one event class: the views that fold it, in dependency order, each as (index, the
#: function to call, how): `IN_PLACE` for a `Dispatch` handler, ``handler(state, event,
#: recorded)``; None for ``apply(state, recorded)``; the inputs dict for
#: ``apply(state, recorded, inputs)``.
_Route = list[tuple[int, Callable[..., Any], Any]]
#: Marks a route entry that is a handler changing the state in place.
IN_PLACE: Any = object()
#: Where some views (in dependency order) can start at or before a position: snapshots.
Restart = Callable[[list[View[Any]], int], list["Progress | None"]]
#: How many snapshots a refold tries before it folds from the start.
MAX_RESTARTS = 8


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


def retracted_by(retractions: Mapping[int, int]) -> dict[int, int]:
    """Each position that views skip -> the retraction in force against it (the latest,
    should two stand); `retractions` maps each retraction's position to its target."""
    skipped = skipped_positions(retractions)
    return {
        target: at
        for at, target in sorted(retractions.items())
        if at not in skipped and target in skipped
    }


class Replay:
    """Folds records from `read` into several views in one pass over the log.

    `views` come in dependency order: each after the views it `uses`, all of which are in
    the list (`graph.in_order` makes such a list). Every view is folded once per record,
    the used ones first, so a view with `uses` is handed their states after the same
    record. Each view may start from its own snapshot; the read starts at the earliest,
    and a view folds only the records past its start (a used view never starts later
    than a view that uses it: it is started afresh if it would). A view that names the
    event classes it folds (`View.events`) is not called for the others. `moment` keeps
    only events whose `at` is not later than it.

    Corrections: a batch is folded only once the next one has been read, so a correction
    of a recent event (the usual kind: a slip put right soon after) is known before the
    event is folded, and costs nothing. One that reaches further back refolds the views it
    concerns and every view linked to them by `uses`, from `restart`'s snapshots before
    it when given (ones no later correction reaches behind), else from the start: that
    is rare, and keeps each view a plain forward fold. While a correction read ahead has left out
    an event that the state at some earlier position still held, no checkpoint is taken
    there.
    """

    def __init__(
        self,
        views: Sequence[View[Any]],
        read: Reader,
        *,
        moment: datetime | None = None,
        restart: Restart | None = None,
    ) -> None:
        self.views = list(views)
        #: Where a refold may start instead of the beginning (snapshots), when given.
        self.restart = restart
        index = {view.name: i for i, view in enumerate(self.views)}
        #: For each view: (index, name) of each view it uses.
        self.uses = [[(index[name], name) for name in view.uses] for view in self.views]
        #: For each view: (index, name) of each view that uses it, under the name it uses.
        self.feeds: list[list[tuple[int, str]]] = [[] for _ in self.views]
        for i, used in enumerate(self.uses):
            for j, name in used:
                if j >= i:
                    raise ValueError(f"view {name!r} must come before {self.views[i].name!r}")
                self.feeds[j].append((i, name))
        self.read = read
        self.moment = moment
        #: For each view with `uses`, the states of the views it uses, as the main run
        #: stands (kept up to date in place); None for the others.
        self.given: list[dict[str, Any] | None] = [{} if used else None for used in self.uses]
        self._routes: dict[type[Event], _Route | None] = {}
        #: Whether events of a class are corrections (`EventRetracted` or a subclass).
        self._retractions: dict[type[Event], bool] = {}

    def _route(self, event_type: type[Event]) -> _Route | None:
        """The views that fold events of this class; None for events no view may see."""
        route: _Route | None = None
        if not issubclass(event_type, UnknownEvent):
            route = []
            for i, view in enumerate(self.views):
                if view.events is not None and not issubclass(event_type, view.events):
                    continue
                apply = view.apply
                if isinstance(apply, Dispatch) and not view.uses:
                    handler = apply.handler_for(event_type)
                    if handler is not None:
                        route.append((i, handler, IN_PLACE))
                else:
                    route.append((i, apply, self.given[i]))
        self._routes[event_type] = route
        return route

    def inputs(self, states: Sequence[Any]) -> list[dict[str, Any] | None]:
        """For each view with `uses`, the states of the views it uses (None for the others)."""
        return [{name: states[j] for j, name in used} if used else None for used in self.uses]

    def _give(self, states: Sequence[Any]) -> list[dict[str, Any] | None]:
        """Set `given` to the states of the main run, and return it."""
        for given, used in zip(self.given, self.uses, strict=True):
            if given is not None:
                given.clear()
                given.update({name: states[j] for j, name in used})
        return self.given

    def run(
        self,
        starts: Sequence[Progress | None],
        until: int,
        *,
        checkpoint: Checkpoint | None = None,
        checkpoint_every: int = 0,
        waits: Sequence[int] | None = None,
    ) -> list[Progress]:
        """Fold everything after each view's start up to `until`; the progress of each there.

        `waits`, when given, is how many records each view folds before its first
        checkpoint (else `checkpoint_every`; never fewer)."""
        views = self.views
        begun = [
            start if start is not None else Progress(_initial(view))
            for view, start in zip(views, starts, strict=True)
        ]
        # A used view must stand where the views using it start, or before: one whose
        # snapshot is later than theirs starts afresh.
        for i in reversed(range(len(views))):
            for j, _ in self.uses[i]:
                if begun[j].position > begun[i].position:
                    begun[j] = Progress(_initial(views[j]))
        fold = _Fold(
            self,
            states=[progress.state for progress in begun],
            afters=[progress.position for progress in begun],
            checkpoint=checkpoint,
            every=checkpoint_every if checkpoint is not None else 0,
            waits=waits,
        )
        # The earliest start's corrections, plus those read from there on, are every
        # view's: a later snapshot holds the same corrections up to its own position.
        earliest = min(range(len(views)), key=fold.afters.__getitem__)
        fold.retractions = dict(begun[earliest].retractions)
        fold.skipped = skipped_positions(fold.retractions)
        fold.head = fold.afters[earliest]
        held: Sequence[Recorded] = ()
        with collector_paused():
            for batch in self.read(fold.head, until):
                fold.corrections(batch)
                fold.apply(held)
                held = batch
            fold.apply(held)
        return [
            Progress(fold.states[i], max(until, fold.afters[i]), dict(fold.retractions))
            for i in range(len(views))
        ]

    def refold(
        self,
        indexes: set[int],
        until: int,
        skipped: set[int],
        retractions: Mapping[int, int] | None = None,
        lowest: int | None = None,
    ) -> dict[int, Any]:
        """The states of some views (with every view they use) folded again up to `until`,
        skipping `skipped`: from the start, or from snapshots (`restart`) before `lowest`,
        the first position the change reaches, that no later correction reaches behind."""
        order = sorted(indexes)
        states: list[Any] = [None] * len(self.views)
        afters = [0] * len(self.views)
        starts = self._restarts(order, retractions or {}, lowest)
        for i, start in zip(order, starts, strict=True):
            if start is None:
                states[i] = _initial(self.views[i])
            else:
                states[i], afters[i] = thaw(start.state), start.position
        inputs = self.inputs(states)
        moment = self.moment
        chosen = set(order)
        for batch in self.read(min(afters[i] for i in order), until):
            for record in batch:
                event = record.event
                route = self._routes.get(type(event), _UNKNOWN)
                if route is _UNKNOWN:
                    route = self._route(type(event))
                if route is None or (moment is not None and event.at > moment):
                    continue
                if record.position in skipped:
                    continue
                try:
                    for i, call, how in route:
                        if i in chosen and afters[i] < record.position:
                            _fold_one(self.feeds, states, inputs, i, call, how, record)
                except Exception as error:
                    raise failed(self.views[i], record, error) from error
        return {i: states[i] for i in order}

    def _restarts(
        self, order: list[int], retractions: Mapping[int, int], lowest: int | None
    ) -> list[Progress | None]:
        """Where a refold of these views can start: snapshots before `lowest` that no
        correction made after them reaches behind (else the start)."""
        none: list[Progress | None] = [None] * len(order)
        if self.restart is None or lowest is None or self.moment is not None:
            return none
        limit = lowest - 1
        for _ in range(MAX_RESTARTS):
            if limit <= 0:
                return none
            found = self.restart([self.views[i] for i in order], limit)
            behind = [
                target
                for start in found
                if start is not None
                for at, target in retractions.items()
                if at > start.position >= target
            ]
            if not behind:
                return found
            limit = min(behind) - 1
        return none


def _initial(view: View[Any]) -> Any:
    """The view's empty state; an `initial` that raises is the view's failure, named."""
    try:
        return view.initial()
    except Exception as error:
        raise ViewError(view.name, None, None, error) from error


def failed(view: View[Any], record: Recorded, error: Exception) -> ViewError:
    """The error for a fold that raised on `record`: it names the view, stream and position."""
    return ViewError(view.name, record.stream, record.position, error)


def _fold_one(
    feeds: list[list[tuple[int, str]]],
    states: list[Any],
    inputs: list[dict[str, Any] | None],
    i: int,
    call: Callable[..., Any],
    how: Any,
    record: Recorded,
) -> None:
    """Fold one record into view `i` (a route entry's way); a new state object is handed on
    to the inputs of the views that use it."""
    if how is IN_PLACE:
        call(states[i], record.event, record)
        return
    state = states[i]
    given = inputs[i]
    new = call(state, record) if given is None else call(state, record, given)
    if new is not state:
        states[i] = new
        for j, name in feeds[i]:
            inputs[j][name] = new  # type: ignore[index]


class _Fold:
    """One run's moving parts: the states, the corrections, and when to checkpoint."""

    def __init__(
        self,
        replay: Replay,
        *,
        states: list[Any],
        afters: list[int],
        checkpoint: Checkpoint | None,
        every: int,
        waits: Sequence[int] | None = None,
    ) -> None:
        self.replay = replay
        self.states = states
        self.inputs = replay._give(states)
        #: Where each view's state stands before this run (its snapshot's position).
        self.afters = afters
        #: The last position folded (or passed over) by the views under way.
        self.head = 0
        self.retractions: dict[int, int] = {}
        self.skipped: set[int] = set()
        #: Corrections read but not yet folded past: (position, the position it retracts).
        self.recent: list[tuple[int, int]] = []
        self.checkpoint = checkpoint
        self.every = every
        #: Records between checkpoints, per view (a checkpoint may ask for a longer wait).
        self.intervals = (
            [max(every, wait) for wait in waits] if waits is not None else [every] * len(states)
        )
        # Records folded since each view's last checkpoint, while some view is not under
        # way; once all are, `seen` counts for all of them (see `_checkpoints`).
        self.pending = [0] * len(states)
        self.seen = 0
        self.due = min(self.intervals, default=every)
        #: The views whose state is frozen (shared with answers handed out, or loaded so):
        #: each is thawed when an event first comes its way.
        self.frozen = {i for i, state in enumerate(states) if is_frozen(state)}

    def _thaw(self, route: _Route) -> None:
        """Thaw the frozen states of the views on a route: their folds change the copies."""
        feeds, inputs = self.replay.feeds, self.inputs
        for i, _, _ in route:
            if i in self.frozen:
                self.frozen.discard(i)
                new = self.states[i] = thaw(self.states[i])
                for j, name in feeds[i]:
                    inputs[j][name] = new  # type: ignore[index]

    def corrections(self, batch: Sequence[Recorded]) -> None:
        """Take in the corrections of a batch about to be held (before anything is folded)."""
        replay, moment = self.replay, self.replay.moment
        refold: set[int] = set()
        #: The first position the corrections of this batch reach.
        reach: int | None = None
        kinds = replay._retractions
        for record in batch:
            found = record.event
            kind = kinds.get(type(found))
            if kind is None:
                kind = kinds[type(found)] = isinstance(found, EventRetracted)
            if not kind:
                continue
            event: EventRetracted = found  # type: ignore[assignment]
            if event.position >= record.position:
                continue  # a correction only reaches back
            if moment is not None and event.at > moment:
                continue
            position = record.position
            self.retractions[position] = event.position
            self.recent.append((position, event.position))
            now_skipped = skipped_positions(self.retractions)
            if now_skipped == self.skipped:
                continue
            lowest = min(now_skipped ^ self.skipped)
            reach = lowest if reach is None else min(reach, lowest)
            self.skipped = now_skipped
            # A view must be refolded when the change reaches into what it already holds:
            # what it has folded this run, or its snapshot (unless that is newer than the
            # correction, and so already holds it).
            for i, after in enumerate(self.afters):
                if after < position and lowest <= max(after, self.head):
                    refold.add(i)
        if refold:
            # Those views, and every view linked to them by `uses`, start again (from
            # snapshots before the first position reached, or the start), up to the
            # records folded so far; they go on from there.
            chosen = connected(replay.views, refold)
            refolded = replay.refold(chosen, self.head, self.skipped, self.retractions, reach)
            for i, state in refolded.items():
                self.states[i] = state
                self.afters[i] = self.head
                self.frozen.discard(i)
            self.inputs = replay._give(self.states)

    def apply(self, batch: Sequence[Recorded]) -> None:
        """Fold a held batch into the views under way."""
        if not batch:
            return
        replay = self.replay
        routes, moment, skipped, states, afters, inputs, feeds = (
            replay._routes,
            replay.moment,
            self.skipped,
            self.states,
            self.afters,
            self.inputs,
            replay.feeds,
        )
        latest = max(afters)
        every = self.every
        for record in batch:
            event = record.event
            route = routes.get(type(event), _UNKNOWN)
            if route is _UNKNOWN:
                route = replay._route(type(event))
            if route is None:
                continue
            if moment is not None and event.at > moment:
                continue
            position = record.position
            if position in skipped:
                continue
            if self.frozen:
                self._thaw(route)
            if position > latest:  # every view is under way: the common case
                try:
                    for i, call, how in route:
                        if how is IN_PLACE:
                            call(states[i], event, record)
                            continue
                        state = states[i]
                        new = call(state, record) if how is None else call(state, record, how)
                        if new is not state:
                            states[i] = new
                            for j, name in feeds[i]:
                                inputs[j][name] = new
                except Exception as error:
                    raise failed(replay.views[i], record, error) from error
                if every:
                    self.seen += 1
                    if self.seen >= self.due:
                        self._checkpoints(position)
                continue
            try:
                for i, call, how in route:
                    if afters[i] < position:
                        _fold_one(feeds, states, inputs, i, call, how, record)
            except Exception as error:
                raise failed(replay.views[i], record, error) from error
            if every:
                self._count_before_all_under_way(position)
        self.head = batch[-1].position
        self.recent = [(q, t) for q, t in self.recent if q > self.head]

    def _retractions_at(self, position: int) -> dict[int, int]:
        """The corrections made at or before `position` (a snapshot there holds no later ones)."""
        if not any(at > position for at, _ in self.recent):
            return dict(self.retractions)
        return {at: target for at, target in self.retractions.items() if at <= position}

    def _safe(self, position: int) -> bool:
        """Whether the states now are the states as of `position` (no correction read ahead
        has left out an event at or before it)."""
        return all(target > position for at, target in self.recent if at > position)

    def _count_before_all_under_way(self, position: int) -> None:
        pending, afters = self.pending, self.afters
        for i, after in enumerate(afters):
            if after < position:
                pending[i] += 1
                if pending[i] >= self.intervals[i] and self._safe(position):
                    self._take(i, position)
                    pending[i] = 0
        self.due = min(
            interval - before for interval, before in zip(self.intervals, pending, strict=True)
        )

    def _checkpoints(self, position: int) -> None:
        """Checkpoint the views that are due; set `due` to the `seen` of the next one."""
        if not self._safe(position):
            return  # try again at the next record
        pending, seen, intervals = self.pending, self.seen, self.intervals
        for i, before in enumerate(pending):
            if before + seen >= intervals[i]:
                self._take(i, position)
                pending[i] = -seen  # so that pending[i] + seen counts from here
        self.due = min(
            interval - before for interval, before in zip(intervals, pending, strict=True)
        )

    def _take(self, index: int, position: int) -> None:
        assert self.checkpoint is not None
        progress = Progress(self.states[index], position, self._retractions_at(position))
        wait = self.checkpoint(index, progress)
        self.intervals[index] = max(self.every, wait or 0)


_UNKNOWN: Any = object()
_pause_lock = threading.Lock()
_pauses = 0
_was_enabled = False


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause Python's cycle collector while a replay runs, or a snapshot loads (nested and
    threaded runs share it).

    A replay makes millions of short-lived objects and keeps the states growing, so the
    collector would keep walking everything the states hold: a quarter of the time.
    Folds make no reference cycles to collect; any made meanwhile wait for the end.
    """
    global _pauses, _was_enabled
    with _pause_lock:
        if _pauses == 0:
            _was_enabled = gc.isenabled()
            gc.disable()
        _pauses += 1
    try:
        yield
    finally:
        with _pause_lock:
            _pauses -= 1
            if _pauses == 0 and _was_enabled:
                gc.enable()


def answers(
    views: Sequence[View[Any]], states: Sequence[Any], *, given: Mapping[str, Any] | None = None
) -> list[Any]:
    """What `view()` hands out for each view (in dependency order): `finish` applied, with
    the answers of the views it uses (from `given` for those made already)."""
    done: dict[str, Any] = dict(given) if given else {}
    found = []
    for view, state in zip(views, states, strict=True):
        answer = state
        if view.finish is not None:
            try:
                answer = view.finish(state, {name: done[name] for name in view.uses})
            except Exception as error:
                raise ViewError(view.name, None, None, error) from error
        done[view.name] = answer
        found.append(answer)
    return found


def fold(
    view: View[S],
    events: Iterable[Event | Recorded],
    *,
    stream: str = "me",
    using: Mapping[str, View[Any]] | None = None,
) -> S:
    """Fold events (or records) into a fresh state, honouring retractions; for tests and tools.

    Plain events are numbered 1, 2, 3 ... as if they were the whole log. The views that
    `view` uses are found in `using` (default: the built-in views).
    """
    records: list[Recorded] = []
    for i, item in enumerate(events, start=1):
        if isinstance(item, Recorded):
            records.append(item)
        else:
            records.append(
                Recorded(position=i, stream=stream, version=i, recorded_at=item.at, event=item)
            )
    if using is None:
        from jobsearch_core.views.builtin import VIEWS

        using = {built.name: built for built in VIEWS}
    ordered = in_order({**using, view.name: view}, [view.name])

    def read(after: int, until: int) -> Iterable[Sequence[Recorded]]:
        return [[r for r in records if after < r.position <= until]]

    until = records[-1].position if records else 0
    progress = Replay(ordered, read).run([None] * len(ordered), until)
    answer: S = answers(ordered, [p.state for p in progress])[-1]
    return answer
