"""`EventLog.append_many`: batches for several streams in one transaction."""

from __future__ import annotations

from typing import Any

import pytest

from jobsearch_core import (
    Batch,
    ConcurrencyError,
    DuplicateEventError,
    EventLog,
    EventRetracted,
    GapAdded,
    GapPracticed,
    InvalidInputError,
)


class TestAppendMany:
    def test_streams_in_one_call(self, log: EventLog) -> None:
        log.append([GapAdded(skill="SQL")], stream="ann")
        done = log.append_many(
            [
                ("ann", [GapAdded(skill="Go")]),
                Batch("bob", [GapAdded(skill="Rust"), GapAdded(skill="dbt")], expected_version=0),
                ("ann", GapAdded(skill="Java")),
            ]
        )
        assert [[(r.position, r.stream, r.version) for r in rows] for rows in done] == [
            [(2, "ann", 2)],
            [(3, "bob", 1), (4, "bob", 2)],
            [(5, "ann", 3)],
        ]
        assert [i.skill for i in log.view("gaps", stream="ann").items] == ["SQL", "Go", "Java"]
        assert [r.position for r in log.read()] == [1, 2, 3, 4, 5]
        assert log.verify() == []

    @pytest.mark.parametrize("failing", ["version", "duplicate", "invalid", "retraction"])
    def test_all_or_nothing(self, log: EventLog, failing: str) -> None:
        """A later batch that cannot be appended leaves the earlier ones out too."""
        log.append([GapAdded(skill="SQL")], stream="ann", ids=["taken"])
        bad: Any = {
            "version": Batch("ann", [GapAdded(skill="Go")], expected_version=0),
            "duplicate": Batch("ann", [GapAdded(skill="Other")], ids=["taken"]),
            "invalid": Batch("ann", [GapAdded(skill="Go")], metadata={"n": float("inf")}),
            "retraction": Batch("bob", [EventRetracted(position=1)]),
        }[failing]
        with pytest.raises((ConcurrencyError, DuplicateEventError, InvalidInputError)):
            log.append_many([("bob", [GapAdded(skill="Rust")]), bad])
        assert log.head == 1
        assert log.streams() == ["ann"]

    def test_a_retraction_of_an_event_of_the_same_call(self, log: EventLog) -> None:
        """Pointed at by the position it will take: the head plus its place in the call."""
        log.append([GapAdded(skill="SQL")], stream="ann")
        done = log.append_many(
            [
                ("bob", [GapPracticed(skill="Go", minutes=10_000)]),
                ("ann", [GapAdded(skill="Typo")]),
                ("bob", [EventRetracted(position=2, reason="typo")]),
            ]
        )
        assert done[2][0].event == EventRetracted(position=2, reason="typo", at=done[2][0].event.at)
        assert list(log.read(stream="bob", include_retracted=False)) == []
        assert log.retractions(stream="bob") == {4: 2}

    def test_a_retraction_into_the_call_needs_an_earlier_event(self, log: EventLog) -> None:
        with pytest.raises(InvalidInputError, match="nor an earlier event of this call"):
            log.append_many([("bob", [EventRetracted(position=2), GapAdded(skill="Go")])])
        with pytest.raises(InvalidInputError, match="belongs to stream 'ann'"):
            log.append_many(
                [("ann", [GapAdded(skill="Go")]), ("bob", [EventRetracted(position=1)])]
            )
        assert log.head == 0

    def test_the_head_expected(self, log: EventLog) -> None:
        log.append([GapAdded(skill="SQL")])
        with pytest.raises(
            ConcurrencyError, match="last position is 1, not the expected 0"
        ) as caught:
            log.append_many([("me", [GapAdded(skill="Go")])], expected_head=0)
        assert caught.value.stream is None
        (done,) = log.append_many([("me", [GapAdded(skill="Go")])], expected_head=1)
        assert done[0].position == 2

    def test_retries_in_a_call(self, log: EventLog) -> None:
        sql, go = GapAdded(skill="SQL"), GapAdded(skill="Go")
        first = log.append_many([Batch("ann", [sql], ids=["s"]), Batch("bob", [go], ids=["g"])])
        again = log.append_many([Batch("ann", [sql], ids=["s"]), Batch("bob", [go], ids=["g"])])
        assert again == first
        assert log.head == 2
        with pytest.raises(DuplicateEventError, match="given twice"):
            log.append_many([Batch("ann", [sql], ids=["x"]), Batch("bob", [go], ids=["x"])])

    @pytest.mark.parametrize("bad", ["me", [("me",)], [("me", [GapAdded(skill="Go")], 3)], [7]])
    def test_bad_batches_are_refused(self, log: EventLog, bad: Any) -> None:
        with pytest.raises(InvalidInputError):
            log.append_many(bad)
        assert log.head == 0
