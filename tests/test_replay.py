"""The replay engine: several views in one pass, corrections read ahead, snapshots and checkpoints."""

from __future__ import annotations

import copy
import gc
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from jobsearch_core.events import Event, EventRetracted, GapAdded, Recorded, UnknownEvent
from jobsearch_core.testing import aware_datetimes, event_sequences
from jobsearch_core.views import View, gaps, history, pipeline, roles
from jobsearch_core.views.replay import (
    Progress,
    Replay,
    collector_paused,
    retracted_by,
    skipped_positions,
)

T0 = datetime(2026, 1, 5, tzinfo=UTC)


def count_everything(total: int, recorded: Recorded) -> int:
    return total + 1


#: A view that names no event classes: it is called for every event.
COUNTER: View[int] = View(name="count", version=1, initial=int, apply=count_everything)
VIEWS: list[View[Any]] = [pipeline.VIEW, gaps.VIEW, roles.VIEW, history.VIEW, COUNTER]


def records_of(sequence: Sequence[Event]) -> list[Recorded]:
    """The events at positions 1, 2, 3 ... with some unknown ones mixed in."""
    return [
        Recorded(position=i, stream="me", version=i, recorded_at=T0, event=event)
        for i, event in enumerate(sequence, start=1)
    ]


def backward(records: Sequence[Recorded], until: int, moment: datetime | None) -> dict[int, int]:
    """The corrections a replay up to `until` (and `moment`) honours."""
    return {
        r.position: r.event.position
        for r in records
        if r.position <= until
        and isinstance(r.event, EventRetracted)
        and r.event.position < r.position
        and (moment is None or r.event.at <= moment)
    }


def reference(
    view: View[Any], records: Sequence[Recorded], until: int, moment: datetime | None = None
) -> Any:
    """The state as of `until`, by the definition: fold what is left once every correction
    made by then is applied (no snapshots, no read-ahead, nothing clever), every view in
    `VIEWS` in turn, each handed the states of the views it uses."""
    skipped = skipped_positions(backward(records, until, moment))
    states = {each.name: each.initial() for each in VIEWS}
    for record in records:
        if record.position > until:
            break
        event = record.event
        if isinstance(event, UnknownEvent) or (moment is not None and event.at > moment):
            continue
        if record.position in skipped:
            continue
        for each in VIEWS:
            if each.events is not None and not isinstance(event, each.events):
                continue
            if each.uses:
                inputs = {name: states[name] for name in each.uses}
                states[each.name] = each.apply(states[each.name], record, inputs)
            else:
                states[each.name] = each.apply(states[each.name], record)
    return states[view.name]


def reader(records: Sequence[Recorded], size: int) -> Any:
    def read(after: int, until: int) -> Iterable[Sequence[Recorded]]:
        chosen = [r for r in records if after < r.position <= until]
        return [chosen[i : i + size] for i in range(0, len(chosen), size)]

    return read


@st.composite
def logs(draw: st.DrawFn) -> list[Recorded]:
    """A short log whose corrections point at earlier events, recent and long ago."""
    sequence = draw(event_sequences(max_size=30))
    fixed: list[Event] = []
    for i, event in enumerate(sequence, start=1):
        if isinstance(event, EventRetracted):
            if i == 1:
                continue
            event = EventRetracted(position=draw(st.integers(1, i - 1)), at=event.at)
        fixed.append(event)
    if draw(st.booleans()):  # a few corrections of corrections
        for _ in range(draw(st.integers(1, 3))):
            fixed.append(EventRetracted(position=draw(st.integers(1, len(fixed) + 1)), at=T0))
    fixed.insert(
        draw(st.integers(0, len(fixed))),
        UnknownEvent(type_name="acme.Mood", schema_version=1, data=b"{}", at=T0),
    )
    return records_of(fixed)


class TestOnePass:
    """A run gives every view the state its definition gives, however the log is read."""

    @settings(max_examples=150)
    @given(records=logs(), data=st.data())
    def test_final_states_and_checkpoints(
        self, records: list[Recorded], data: st.DataObject
    ) -> None:
        """From any snapshots, in batches of any size: final states and every checkpoint agree."""
        n = len(records)
        drawn = [data.draw(st.integers(0, n), label=f"start of {v.name}") for v in VIEWS]
        until = data.draw(st.integers(max(drawn), n), label="until")
        size = data.draw(st.integers(1, 4), label="batch size")
        every = data.draw(st.integers(1, 4), label="checkpoint every")
        wait = data.draw(st.sampled_from([None, 0, 2, 5]), label="wait asked for")
        starts = [
            Progress(reference(view, records, at), at, backward(records, at, None)) if at else None
            for view, at in zip(VIEWS, drawn, strict=True)
        ]
        seen: list[tuple[int, int, Any, dict[int, int]]] = []

        def checkpoint(index: int, progress: Progress) -> int | None:
            state = copy.deepcopy(progress.state)
            seen.append((index, progress.position, state, dict(progress.retractions)))
            return wait

        done = Replay(VIEWS, reader(records, size)).run(
            starts, until, checkpoint=checkpoint, checkpoint_every=every
        )
        for view, progress in zip(VIEWS, done, strict=True):
            assert progress.state == reference(view, records, until), view.name
            assert progress.retractions == backward(records, until, None)
        last = [0] * len(VIEWS)
        for index, position, state, retractions in seen:
            view = VIEWS[index]
            # Each past the last (a refold may start a view afresh from where the run had
            # got to, which can be before its own start: it never goes back past that).
            assert position > last[index]
            last[index] = position
            assert state == reference(view, records, position), (view.name, position)
            assert retractions == backward(records, position, None)

    @settings(max_examples=75)
    @given(records=logs(), moment=aware_datetimes(), size=st.integers(1, 4))
    def test_as_of_a_moment(self, records: list[Recorded], moment: datetime, size: int) -> None:
        """Events later than the moment are left out, corrections among them too."""
        until = len(records)
        done = Replay(VIEWS, reader(records, size), moment=moment).run([None] * len(VIEWS), until)
        for view, progress in zip(VIEWS, done, strict=True):
            assert progress.state == reference(view, records, until, moment), view.name

    def test_a_recent_correction_refolds_nothing(self) -> None:
        """A correction of an event in the batch held back is honoured without a second read."""
        sequence: list[Event] = [GapAdded(skill=f"s{i}", at=T0 + timedelta(i)) for i in range(6)]
        sequence.append(EventRetracted(position=5, at=T0))
        records = records_of(sequence)
        reads: list[tuple[int, int]] = []
        read = reader(records, 3)

        def counting(after: int, until: int) -> Iterable[Sequence[Recorded]]:
            reads.append((after, until))
            return read(after, until)

        (progress,) = Replay([gaps.VIEW], counting).run([None], len(records))
        assert [item.skill for item in progress.state.items] == ["s0", "s1", "s2", "s3", "s5"]
        assert reads == [(0, 7)]

    def test_a_correction_far_back_refolds(self) -> None:
        """One that reaches past what is held back refolds the view from the start."""
        sequence: list[Event] = [GapAdded(skill=f"s{i}", at=T0 + timedelta(i)) for i in range(9)]
        sequence.append(EventRetracted(position=1, at=T0))
        records = records_of(sequence)
        (progress,) = Replay([gaps.VIEW], reader(records, 2)).run([None], len(records))
        assert [item.skill for item in progress.state.items] == [f"s{i}" for i in range(1, 9)]


class TestRetractedBy:
    """Which correction is in force against each skipped position."""

    def test_a_chain_of_corrections(self) -> None:
        """#2 retracts #1, #3 retracts #2 (so #1 is back), #4 retracts #3 (#1 is out again)."""
        assert retracted_by({2: 1}) == {1: 2}
        assert retracted_by({2: 1, 3: 2}) == {2: 3}
        assert retracted_by({2: 1, 3: 2, 4: 3}) == {1: 2, 3: 4}

    def test_the_latest_of_two_in_force(self) -> None:
        """Two standing corrections of one event (stored before appends refused it)."""
        assert retracted_by({5: 1, 3: 1}) == {1: 5}
        # A later correction of #1 that was itself retracted is not the one in force.
        assert retracted_by({2: 1, 4: 1, 5: 4}) == {1: 2, 4: 5}

    @given(st.dictionaries(st.integers(2, 40), st.integers(1, 39)))
    def test_its_keys_are_the_skipped_positions(self, found: dict[int, int]) -> None:
        """Exactly the skipped positions, each named with a correction that stands."""
        retractions = {at: aim for at, aim in found.items() if aim < at}
        by = retracted_by(retractions)
        skipped = skipped_positions(retractions)
        assert set(by) == skipped
        assert all(retractions[at] == aim and at not in skipped for aim, at in by.items())


class TestCollectorPaused:
    """The cycle collector waits while a replay or a snapshot load runs."""

    def test_paused_inside_and_back_after(self) -> None:
        """Off inside (nested pauses too), on again after the last one ends."""
        assert gc.isenabled()
        with collector_paused():
            with collector_paused():
                assert not gc.isenabled()
            assert not gc.isenabled()
        assert gc.isenabled()

    def test_a_collector_the_program_turned_off_stays_off(self) -> None:
        gc.disable()
        try:
            with collector_paused():
                pass
            assert not gc.isenabled()
        finally:
            gc.enable()
