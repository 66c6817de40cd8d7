"""Which snapshots are kept: a spread-out few within a budget, time travel still exact."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jobsearch_core import (
    EventLog,
    EventRetracted,
    GapAdded,
    GapPracticed,
    InvalidInputError,
    ResumeSubmitted,
)
from jobsearch_core.events import Event
from jobsearch_core.snapshots import KEEP_NEWEST_TIMES, MAX_KEPT, Snapshots, kept
from jobsearch_core.storage.memory import MemoryBackend
from jobsearch_core.testing import event_sequences, replayable
from jobsearch_core.views import GAPS
from jobsearch_core.views.replay import Progress

T0 = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
NAMES = ("pipeline", "gaps", "roles", "history")


def sizes_of(log: EventLog, name: str, stream: str = "me") -> list[tuple[int, int]]:
    """(position, size) of each snapshot of a view kept for a stream."""
    key = Snapshots(log.backend, log.catalog).key(log.catalog.view(name))
    return log.backend.snapshot_sizes(name, key, stream)  # type: ignore[attr-defined,no-any-return]


class TestKept:
    """`kept` chooses the snapshots to keep."""

    @given(
        found=st.lists(
            st.tuples(st.integers(1, 10_000), st.integers(1, 1000)),
            unique_by=lambda pair: pair[0],
            max_size=60,
        ).map(sorted),
        budget=st.integers(0, 20_000),
        most=st.integers(1, 40),
    )
    def test_within_the_budget_and_the_newest_kept(
        self, found: list[tuple[int, int]], budget: int, most: int
    ) -> None:
        """The newest is kept; the rest fit in the budget and the count, in position order."""
        chosen = kept(found, budget, most)
        if not found:
            assert chosen == []
            return
        assert chosen[-1] == found[-1][0]
        assert chosen == sorted(chosen)
        assert len(chosen) <= max(1, most)
        size = dict(found)
        assert len(chosen) == 1 or sum(size[p] for p in chosen) <= budget

    def test_spread_out(self) -> None:
        """From a snapshot every 10 positions, five kept are spread over the whole range."""
        chosen = kept([(p, 1) for p in range(10, 1001, 10)], budget=5)
        assert len(chosen) == 5
        assert chosen[-1] == 1000
        gaps = [b - a for a, b in zip([0, *chosen], chosen, strict=False)]
        assert max(gaps) <= 2 * min(gaps) + 20


class TestPruning:
    """A log thins its snapshots out as it saves them."""

    def test_a_long_stream_keeps_a_few(self) -> None:
        """Snapshots every event of a long stream leave a bounded, spread-out set."""
        log = EventLog(MemoryBackend(), snapshot_every=1)
        log.append(
            [
                ResumeSubmitted(application_id=f"a{i}", company="Acme", role="Analyst", at=T0)
                for i in range(400)
            ]
        )
        log.append([GapPracticed(skill="SQL", minutes=5, at=T0) for _ in range(400)])
        log.views(NAMES)
        for name in NAMES:
            found = sizes_of(log, name)
            assert 1 <= len(found) <= MAX_KEPT, name
            assert found[-1][0] > 700, name  # the newest (a large state waits longer)
        pipeline = sizes_of(log, "pipeline")
        assert sum(size for _, size in pipeline) <= KEEP_NEWEST_TIMES * pipeline[-1][1]

    @settings(max_examples=30)
    @given(data=st.data(), every=st.integers(1, 4))
    def test_time_travel_after_pruning_is_exact(self, data: st.DataObject, every: int) -> None:
        """Whatever was pruned, every view as of every position is the fold without snapshots."""
        events = replayable(data.draw(event_sequences(max_size=40), label="events"))
        log = EventLog(MemoryBackend(), snapshot_every=every)
        for event in events:
            log.append([event])
        log.views(NAMES)
        plain = EventLog(log.backend, catalog=log.catalog, snapshot_every=0, max_cached_states=0)
        for n in data.draw(st.permutations(range(len(events) + 1)), label="order asked"):
            for name in NAMES:
                assert log.view(name, as_of=n) == plain.view(name, as_of=n), (name, n)

    def test_time_travel_leaves_at_most_one(self) -> None:
        """A time travel writes no snapshots on its way, and one at its target only when it
        folded far."""
        log = EventLog(MemoryBackend(), snapshot_every=10)
        events: list[Event] = [GapAdded(skill=f"s{i % 9}", at=T0) for i in range(30)]
        log.append(events)
        log.view("gaps")  # a snapshot at 30
        log.snapshot_every = 0
        log.append([GapAdded(skill=f"s{i % 9}", at=T0) for i in range(300)])
        log.snapshot_every = 10
        before = sizes_of(log, "gaps")
        log.view("gaps", as_of=5)  # near the start: nothing worth saving
        assert sizes_of(log, "gaps") == before
        log.view("gaps", as_of=250)  # from the snapshot at 30: far enough
        after = sizes_of(log, "gaps")
        assert [p for p, _ in after if p not in dict(before)] == [250]


class _Counting(MemoryBackend):
    """The memory backend, counting the snapshots it hands out."""

    def __init__(self) -> None:
        super().__init__()
        self.loads = 0
        self.rows = 0

    def load_snapshot(self, view: str, key: str, stream: str, *, at_or_before: int) -> Any:
        self.loads += 1
        return super().load_snapshot(view, key, stream, at_or_before=at_or_before)

    def read_batches(self, **kwargs: Any) -> Any:
        for batch in super().read_batches(**kwargs):
            self.rows += len(batch)
            yield batch


class TestOpenedSnapshots:
    """Time travel keeps the snapshots it opened in memory, within a bound."""

    def _log(self) -> EventLog:
        log = EventLog(_Counting(), snapshot_every=10, max_cached_states=0)
        log.append([GapAdded(skill=f"s{i % 9}", at=T0) for i in range(80)])
        log.view("gaps")  # snapshots along the way
        return log

    def test_one_opened_is_not_read_again(self) -> None:
        log = self._log()
        backend: _Counting = log.backend  # type: ignore[assignment]
        at = sizes_of(log, "gaps")[0][0]
        first = log.view("gaps", as_of=at + 1)
        loads = backend.loads
        assert loads >= 1
        assert log.view("gaps", as_of=at + 1) == first
        assert log.view("gaps", as_of=at + 3) == EventLog(backend, snapshot_every=0).view(
            "gaps", as_of=at + 3
        )
        assert backend.loads == loads

    def test_within_the_bound(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """Past `KEEP_OPENED_BYTES`, the least recently opened is read again."""
        log = self._log()
        backend: _Counting = log.backend  # type: ignore[assignment]
        (first, size), (second, _), (third, _) = sizes_of(log, "gaps")[:3]
        assert {s for _, s in sizes_of(log, "gaps")} == {size}
        monkeypatch.setattr(log._folding.snapshots._opened, "limit", 2 * size)  # two of that size
        monkeypatch.setattr(log._folding.snapshots._arrivals, "limit", 0)  # snapshots alone
        log.view("gaps", as_of=first)
        log.view("gaps", as_of=second)
        loads = backend.loads
        log.view("gaps", as_of=first)
        assert backend.loads == loads
        log.view("gaps", as_of=third)  # the one at `second` goes
        loads = backend.loads
        log.view("gaps", as_of=first)
        assert backend.loads == loads
        log.view("gaps", as_of=second)
        assert backend.loads == loads + 1


class TestArrivals:
    """Time travel starts from where an earlier one arrived, when that is nearest."""

    def test_stepping_forward_folds_the_steps(self) -> None:
        backend = _Counting()
        log = EventLog(backend, snapshot_every=10, max_cached_states=0)
        log.append([GapAdded(skill=f"s{i % 9}", at=T0) for i in range(10)])
        log.append([GapPracticed(skill=f"s{i % 9}", minutes=5, at=T0) for i in range(50)])
        log.view("gaps")  # snapshots every so often
        plain = EventLog(backend, snapshot_every=0, max_cached_states=0)
        earlier = log.view("gaps", as_of=41)
        for position in range(42, 50):
            rows = backend.rows
            found = log.view("gaps", as_of=position)
            assert backend.rows - rows == 1
            assert found == plain.view("gaps", as_of=position)
        assert earlier == plain.view("gaps", as_of=41)

    def test_one_step_reads_one_event(self) -> None:
        backend = _Counting()
        log = EventLog(backend, snapshot_every=10, max_cached_states=0)
        log.append([GapAdded(skill=f"s{i % 9}", at=T0) for i in range(60)])
        log.view("gaps")
        log.view("gaps", as_of=45)
        rows = backend.rows
        log.view("gaps", as_of=46)
        assert backend.rows - rows == 1

    def test_within_the_bound(self, monkeypatch: pytest.MonkeyPatch) -> None:
        backend = _Counting()
        log = EventLog(backend, snapshot_every=100, max_cached_states=0)
        log.append([GapAdded(skill=f"s{i % 9}", at=T0) for i in range(60)])
        monkeypatch.setattr(log._folding.snapshots._arrivals, "limit", 2)
        for position in (20, 30, 40):
            log.view("gaps", as_of=position)
        rows = backend.rows
        log.view("gaps", as_of=31)
        assert backend.rows - rows == 1
        log.view("gaps", as_of=21)  # the one at 20 went first
        assert backend.rows - rows == 1 + 21

    def test_a_mutable_view_is_not_remembered(self) -> None:
        """A view that changes its state in place never starts from one handed out."""
        backend = _Counting()
        log = EventLog(backend, snapshot_every=10, max_cached_states=0)
        log.append([GapAdded(skill=f"s{i % 9}", at=T0) for i in range(30)])
        gaps = log.catalog.view("gaps")
        mutable = attrs.evolve(gaps, copy_on_write=False)
        log._folding.snapshots.remember(mutable, "me", Progress(object(), 25), b"x" * 32)
        assert (
            log._folding.snapshots._arrivals.nearest(
                "gaps", log._folding.snapshots.key(gaps), "me", 30
            )
            is None
        )


class TestRefoldFromSnapshots:
    """A correction reaching behind a state refolds from an earlier snapshot, not the start."""

    @settings(max_examples=30)
    @given(
        data=st.data(),
        every=st.integers(1, 3),
        kept=st.sampled_from([0, 8]),
    )
    def test_late_corrections_agree_with_the_plain_fold(
        self, data: st.DataObject, every: int, kept: int
    ) -> None:
        """Events, views kept, then corrections of early events (and of corrections): every
        view at the head and as of each position is the fold without snapshots."""
        events = replayable(data.draw(event_sequences(max_size=30), label="events"))
        log = EventLog(MemoryBackend(), snapshot_every=every, max_cached_states=kept)
        for event in events:
            log.append([event])
        log.views(NAMES)
        late = data.draw(st.lists(st.integers(1, max(1, len(events))), max_size=4), label="late")
        for target in late:
            if not events:
                break
            retraction = EventRetracted(position=target, at=T0)
            try:
                log.append([retraction])
            except InvalidInputError:
                continue  # retracted already
            events.append(retraction)
            log.views(NAMES)
        plain = EventLog(log.backend, catalog=log.catalog, snapshot_every=0, max_cached_states=0)
        for name in NAMES:
            assert log.view(name) == plain.view(name), name
            for n in range(0, log.head + 1, 3):
                assert log.view(name, as_of=n) == plain.view(name, as_of=n), (name, n)

    def test_a_correction_behind_the_snapshot(self) -> None:
        """Retracting an event just before the newest snapshot gives the fold without it."""
        log = EventLog(MemoryBackend(), snapshot_every=5, max_cached_states=0)
        log.append([GapAdded(skill=f"s{i}", at=T0) for i in range(40)])
        log.view("gaps")
        log.append([EventRetracted(position=38, at=T0)])
        assert [item.skill for item in log.view(GAPS).items] == [
            f"s{i}" for i in range(40) if i != 37
        ]

    def test_a_snapshot_an_older_correction_reaches_behind_is_passed_over(self) -> None:
        """A refold does not start from a snapshot that a correction made after it reaches
        behind (it still holds the event retracted): it takes an earlier one."""
        log = EventLog(MemoryBackend(), snapshot_every=20, max_cached_states=0)
        log.append([GapAdded(skill=f"s{i}", at=T0) for i in range(300)])
        log.view("gaps")
        older = [p for p, _ in sizes_of(log, "gaps")][:-1]
        assert older, "a snapshot before the newest"
        q = older[len(older) // 2]
        log.append([EventRetracted(position=q - 1, at=T0)])  # behind the snapshot at q
        log.append([GapAdded(skill=f"t{i}", at=T0) for i in range(30)])
        log.view("gaps")  # a snapshot after the correction
        log.append([EventRetracted(position=q + 1, at=T0)])  # refolds from before q + 1
        assert [item.skill for item in log.view(GAPS).items] == [
            *(f"s{i}" for i in range(300) if i not in (q - 2, q)),
            *(f"t{i}" for i in range(30)),
        ]
