"""Tests for the `history` view: every rank change, what caused it, and moments compared."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import cattrs
from hypothesis import given

from jobsearch_core.events import (
    CareerGoalSet,
    EventRetracted,
    FeedbackReceived,
    GapAdded,
    GapClosed,
    GapPracticed,
    GapPromoted,
    RoleSuggested,
)
from jobsearch_core.testing import event_sequences
from jobsearch_core.views import fold
from jobsearch_core.views.history import VIEW, Correction, GoalChange, HistoryState, RankMove

T0 = datetime(2024, 3, 1, tzinfo=UTC)


def day(n: int) -> datetime:
    """The moment `n` days after T0."""
    return T0 + timedelta(days=n)


def moves(state: HistoryState, skill: str) -> list[tuple[int, int | None, int | None, str]]:
    """A skill's changes as (position, previous, rank, cause)."""
    return [(c.position, c.previous, c.rank, c.cause) for c in state.ranks[skill]]


def json_converter() -> cattrs.Converter:
    """A plain converter that writes datetimes as ISO 8601 text."""
    converter = cattrs.Converter()
    converter.register_unstructure_hook(datetime, datetime.isoformat)
    converter.register_structure_hook(datetime, lambda value, _: datetime.fromisoformat(value))
    return converter


#: A, B, C added on days 1-3, then C promoted to the top on day 4 and A closed on day 5.
STORY = [
    GapAdded(skill="A", at=day(1)),
    GapAdded(skill="B", at=day(2)),
    GapAdded(skill="C", at=day(3)),
    GapPromoted(skill="c", to_rank=1, reason="asked in every interview", at=day(4)),
    GapClosed(skill="A", note="certified", at=day(5)),
]


class TestRankChanges:
    """Each event that moves ranks records a change for every skill it moved."""

    def test_added(self):
        """Adding records the new rank, no previous rank, cause `GapAdded`."""
        state = fold(VIEW, [GapAdded(skill=" SQL", note="for the goal", at=day(1))])
        [change] = state.ranks["SQL"]
        assert (change.position, change.at, change.previous, change.rank) == (1, day(1), None, 1)
        assert (change.cause, change.detail) == ("GapAdded", "for the goal")

    def test_promotion_records_every_skill_it_shifted(self):
        """The promoted skill and each skill it pushed down get a `GapPromoted` change."""
        state = fold(VIEW, STORY[:4])
        assert moves(state, "C")[-1] == (4, 3, 1, "GapPromoted")
        assert moves(state, "A")[-1] == (4, 1, 2, "GapPromoted")
        assert moves(state, "B")[-1] == (4, 2, 3, "GapPromoted")
        assert state.ranks["C"][-1].detail == "asked in every interview"
        assert state.ranks["A"][-1].detail == "shifted: C moved to rank 1"

    def test_closing_records_leaving_and_moving_up(self):
        """A closed skill's rank becomes None; the skills below move up, same cause."""
        state = fold(VIEW, STORY)
        assert moves(state, "A")[-1] == (5, 2, None, "GapClosed")
        assert state.ranks["A"][-1].detail == "certified"
        assert moves(state, "B")[-1] == (5, 3, 2, "GapClosed")
        assert state.ranks["B"][-1].detail == "shifted: A closed"
        assert len(state.ranks["C"]) == 2  # the close did not move C

    def test_feedback(self):
        """Feedback that adds a skill records it with the feedback as detail."""
        state = fold(
            VIEW,
            [
                GapAdded(skill="A"),
                FeedbackReceived(
                    application_id="a1",
                    items=[{"skill": "Go", "mark": "next_focus"}],
                    source="Ann",
                ),
            ],
        )
        [change] = state.ranks["Go"]
        assert (change.previous, change.rank, change.cause) == (None, 2, "FeedbackReceived")
        assert change.detail == "feedback: Ann (a1)"
        assert len(state.ranks["A"]) == 1

    def test_added_at_a_rank_shifts_others(self):
        """Adding at the top moves the rest down under the same cause."""
        state = fold(VIEW, [GapAdded(skill="A"), GapAdded(skill="B", rank=1)])
        assert moves(state, "A") == [(1, None, 1, "GapAdded"), (2, 1, 2, "GapAdded")]
        assert state.ranks["A"][-1].detail == "shifted: B added"

    def test_events_that_move_nothing_record_nothing(self):
        """Practice, suggestions and a promotion to the same rank leave no change."""
        state = fold(
            VIEW,
            [
                GapAdded(skill="A"),
                GapPracticed(skill="A", minutes=30),
                RoleSuggested(company="Acme", role="Analyst", skills=["A"]),
                GapPromoted(skill="A", to_rank=1),
            ],
        )
        assert len(state.ranks["A"]) == 1


class TestMoments:
    """Ranks as of a moment, and the difference between two."""

    def test_ranks_at_a_position(self):
        """`ranks_at(n)` gives the open ranks after the event at position n."""
        state = fold(VIEW, STORY)
        assert state.ranks_at(0) == {}
        assert state.ranks_at(3) == {"A": 1, "B": 2, "C": 3}
        assert state.ranks_at(4) == {"C": 1, "A": 2, "B": 3}
        assert state.ranks_at(5) == {"C": 1, "B": 2}

    def test_ranks_at_a_moment(self):
        """`ranks_at(datetime)` gives the open ranks after events up to that moment."""
        state = fold(VIEW, STORY)
        assert state.ranks_at(day(2)) == {"A": 1, "B": 2}
        assert state.ranks_at(day(4) + timedelta(hours=1)) == {"C": 1, "A": 2, "B": 3}

    def test_ranks_at_the_end_match_the_gap_list(self):
        """The latest recorded ranks are the gap list's ranks."""
        state = fold(VIEW, STORY)
        assert state.ranks_at(len(STORY)) == {item.skill: item.rank for item in state.gaps.items}

    def test_diff(self):
        """`diff` lists only skills whose rank differs, by their later rank."""
        state = fold(VIEW, STORY)
        assert state.diff(3, 5) == [
            RankMove(skill="C", before=3, after=1),
            RankMove(skill="A", before=1, after=None),
        ]
        assert state.diff(day(0), day(2)) == [
            RankMove(skill="A", before=None, after=1),
            RankMove(skill="B", before=None, after=2),
        ]
        assert state.diff(5, 5) == []


class TestCorrectionsAndGoals:
    """Retractions are noted, and their targets leave no trace."""

    def test_retracted_event_leaves_no_change(self):
        """A retracted promotion is not in the history; the correction is."""
        events = [*STORY[:4], EventRetracted(position=4, reason="misclick", at=day(6))]
        state = fold(VIEW, events)
        assert all(
            change.cause != "GapPromoted" for changes in state.ranks.values() for change in changes
        )
        assert state.corrections == [
            Correction(position=5, at=day(6), retracted=4, reason="misclick")
        ]
        assert state.ranks_at(5) == {"A": 1, "B": 2, "C": 3}

    def test_forward_retraction_is_not_a_correction(self):
        """A retraction pointing at itself or later retracts nothing and is not listed."""
        state = fold(VIEW, [GapAdded(skill="A"), EventRetracted(position=2)])
        assert state.corrections == []
        assert state.ranks_at(2) == {"A": 1}

    def test_goal_changes(self):
        """Every goal set is kept in order."""
        state = fold(
            VIEW,
            [
                CareerGoalSet(goal="Analyst", at=day(1)),
                CareerGoalSet(goal="Data lead", horizon_years=3, at=day(9)),
            ],
        )
        assert state.goal_changes == [
            GoalChange(position=1, at=day(1), goal="Analyst", horizon_years=5),
            GoalChange(position=2, at=day(9), goal="Data lead", horizon_years=3),
        ]


class TestProperties:
    """Properties that hold for any sequence of events."""

    @given(event_sequences(max_size=30))
    def test_fold_is_total_and_changes_chain(self, events):
        """Any sequence folds; each change starts where the skill's previous one ended."""
        state = fold(VIEW, events)
        for changes in state.ranks.values():
            previous = None
            for change in changes:
                assert change.previous == previous
                assert change.rank != change.previous
                previous = change.rank
            positions = [change.position for change in changes]
            assert positions == sorted(positions)

    @given(event_sequences(max_size=30))
    def test_latest_ranks_are_the_gap_list(self, events):
        """The ranks read back from the changes at the end are the held gap list's, 1..n."""
        state = fold(VIEW, events)
        expected = {item.skill: item.rank for item in state.gaps.items}
        assert state.ranks_at(len(events)) == expected
        assert sorted(expected.values()) == list(range(1, len(expected) + 1))

    @given(event_sequences(max_size=30))
    def test_json_round_trip(self, events):
        """The state survives cattrs -> JSON -> cattrs unchanged."""
        state = fold(VIEW, events)
        converter = json_converter()
        text = json.dumps(converter.unstructure(state))
        assert converter.structure(json.loads(text), HistoryState) == state
