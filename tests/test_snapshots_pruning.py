"""Which snapshots are kept: a spread-out few within a budget, time travel still exact."""

from __future__ import annotations

from datetime import UTC, datetime

from hypothesis import given, settings
from hypothesis import strategies as st

from jobsearch_core import EventLog, GapAdded, GapPracticed, ResumeSubmitted
from jobsearch_core.events import Event
from jobsearch_core.snapshots import KEEP_NEWEST_TIMES, MAX_KEPT, Snapshots, kept
from jobsearch_core.storage.memory import MemoryBackend
from jobsearch_core.testing import event_sequences, replayable

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
        events: list[Event] = [GapAdded(skill=f"s{i % 9}", at=T0) for i in range(300)]
        log.append(events)
        before = sizes_of(log, "gaps")
        log.view("gaps", as_of=5)  # near the start: nothing worth saving
        assert sizes_of(log, "gaps") == before
        log.view("gaps", as_of=250)
        after = sizes_of(log, "gaps")
        assert [p for p, _ in after if p not in dict(before)] == [250]
