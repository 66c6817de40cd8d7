"""Tests for the `gaps` view: the fold rules of the gap list and the punch-up to-do list."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import attrs
import cattrs
from hypothesis import given

from jobsearch_core.events import (
    CareerGoalSet,
    Event,
    EventRetracted,
    FeedbackItem,
    FeedbackReceived,
    GapAdded,
    GapClosed,
    GapPracticed,
    GapPromoted,
    Mark,
    RoleSuggested,
    skill_key,
)
from jobsearch_core.testing import event_sequences
from jobsearch_core.views import fold
from jobsearch_core.views.gaps import VIEW, GapsState, GapStatus

T0 = datetime(2024, 3, 1, tzinfo=UTC)


def day(n: int) -> datetime:
    """The moment `n` days after T0."""
    return T0 + timedelta(days=n)


def open_skills(state: GapsState) -> list[tuple[str, int | None]]:
    """The open list as (skill, rank) pairs, top first."""
    return [(item.skill, item.rank) for item in state.items]


def next_focus(*skills: str, source: str | None = "Ann", app: str = "a1") -> FeedbackReceived:
    """Feedback naming `skills` as real gaps."""
    return FeedbackReceived(
        application_id=app,
        items=[FeedbackItem(skill=skill, mark=Mark.NEXT_FOCUS) for skill in skills],
        source=source,
        at=T0,
    )


def json_converter() -> cattrs.Converter:
    """A plain converter that writes datetimes as ISO 8601 text."""
    converter = cattrs.Converter()
    converter.register_unstructure_hook(datetime, datetime.isoformat)
    converter.register_structure_hook(datetime, lambda value, _: datetime.fromisoformat(value))
    return converter


class TestGapAdded:
    """`GapAdded` writes a skill onto the list."""

    def test_bottom_by_default(self):
        """Without a rank the skill goes to the bottom."""
        state = fold(VIEW, [GapAdded(skill="SQL", at=T0), GapAdded(skill="Rust", at=T0)])
        assert open_skills(state) == [("SQL", 1), ("Rust", 2)]
        assert state.items[0].sources == ["self"]
        assert state.items[0].status is GapStatus.OPEN
        assert state.items[0].added_at == T0

    def test_at_rank(self):
        """A rank puts it there and shifts the others down."""
        state = fold(
            VIEW,
            [GapAdded(skill="SQL"), GapAdded(skill="Rust"), GapAdded(skill="Go", rank=1)],
        )
        assert open_skills(state) == [("Go", 1), ("SQL", 2), ("Rust", 3)]

    def test_rank_past_the_end_is_the_bottom(self):
        """A rank beyond the list means the bottom, with no hole."""
        state = fold(VIEW, [GapAdded(skill="SQL"), GapAdded(skill="Rust", rank=9)])
        assert open_skills(state) == [("SQL", 1), ("Rust", 2)]

    def test_open_skill_stays(self):
        """Adding an open skill again (any spelling) leaves it where it is."""
        state = fold(
            VIEW, [GapAdded(skill="SQL"), GapAdded(skill="Rust"), GapAdded(skill=" sql  ")]
        )
        assert open_skills(state) == [("SQL", 1), ("Rust", 2)]
        assert state.items[0].sources == ["self"]

    def test_open_skill_moves_when_rank_given(self):
        """Adding an open skill with a rank moves it there."""
        state = fold(
            VIEW, [GapAdded(skill="SQL"), GapAdded(skill="Rust"), GapAdded(skill="rust", rank=1)]
        )
        assert open_skills(state) == [("Rust", 1), ("SQL", 2)]

    def test_closed_skill_is_reopened(self):
        """Adding a closed skill reopens it at the bottom."""
        state = fold(
            VIEW,
            [
                GapAdded(skill="SQL", at=day(0)),
                GapAdded(skill="Rust", at=day(0)),
                GapClosed(skill="SQL", at=day(1)),
                GapAdded(skill="SQL", at=day(2)),
            ],
        )
        assert open_skills(state) == [("Rust", 1), ("SQL", 2)]
        assert state.items[1].closed_at is None
        assert state.items[1].added_at == day(2)
        assert state.closed == []

    def test_display_is_first_form_stripped(self):
        """The skill shows as first spelled, stripped of outer spaces."""
        state = fold(
            VIEW, [GapAdded(skill="  Machine learning "), GapAdded(skill="MACHINE LEARNING")]
        )
        assert open_skills(state) == [("Machine learning", 1)]


class TestFeedback:
    """`FeedbackReceived` feeds `next_focus` into the list and `punch_up` into the to-do list."""

    def test_next_focus_enters_at_the_bottom(self):
        """A new next-focus skill enters at the bottom with its source and one mention."""
        state = fold(VIEW, [GapAdded(skill="SQL"), next_focus("Statistics")])
        assert open_skills(state) == [("SQL", 1), ("Statistics", 2)]
        item = state.items[1]
        assert item.sources == ["feedback: Ann (a1)"]
        assert item.mentions == 1

    def test_next_focus_on_the_list_gains_a_mention(self):
        """A skill already open gains a mention and the source, and keeps its rank."""
        state = fold(
            VIEW,
            [
                GapAdded(skill="SQL"),
                GapAdded(skill="Rust"),
                next_focus("rust", source="Bob", app="a2"),
                next_focus("Rust", source="Bob", app="a2"),
            ],
        )
        assert open_skills(state) == [("SQL", 1), ("Rust", 2)]
        assert state.items[1].mentions == 2
        assert state.items[1].sources == ["self", "feedback: Bob (a2)"]

    def test_source_defaults_to_interviewer(self):
        """Feedback without a source is credited to "interviewer"."""
        state = fold(VIEW, [next_focus("SQL", source=None, app="a9")])
        assert state.items[0].sources == ["feedback: interviewer (a9)"]

    def test_next_focus_reopens_a_closed_skill(self):
        """A closed skill named again comes back at the bottom."""
        state = fold(
            VIEW,
            [
                GapAdded(skill="SQL"),
                GapAdded(skill="Go"),
                GapClosed(skill="SQL"),
                next_focus("SQL"),
            ],
        )
        assert open_skills(state) == [("Go", 1), ("SQL", 2)]
        assert state.items[1].status is GapStatus.OPEN
        assert state.items[1].mentions == 1

    def test_mentions_add_up_across_a_reopening(self):
        """Mentions count every feedback item that named the skill, before and after a close."""
        state = fold(VIEW, [next_focus("SQL"), GapClosed(skill="SQL"), next_focus("sql")])
        assert state.items[0].mentions == 2

    def test_punch_up_goes_to_the_resume_list(self):
        """`punch_up` items are kept apart, one per skill, never on the gap list."""
        feedback = [
            FeedbackReceived(
                application_id="a1",
                items=[
                    {"skill": "SQL", "mark": "punch_up", "comment": "lead with it"},
                    {"skill": "Rust", "mark": "next_focus"},
                ],
                source="Ann",
                at=day(1),
            ),
            FeedbackReceived(
                application_id="a2",
                items=[{"skill": " sql", "mark": "punch_up"}],
                at=day(3),
            ),
        ]
        state = fold(VIEW, feedback)
        assert open_skills(state) == [("Rust", 1)]
        assert len(state.punch_up) == 1
        entry = state.punch_up[0]
        assert entry.skill == "SQL"
        assert entry.mentions == 2
        assert entry.sources == ["feedback: Ann (a1)", "feedback: interviewer (a2)"]
        assert entry.comments == ["lead with it"]
        assert entry.last_at == day(3)

    def test_what_was_said_of_it_all_goes_with_each_skill(self):
        """A feedback's note (what was said of it all) follows each skill it named, after
        that skill's own comment; a feedback without one adds only the comments."""
        feedback = [
            FeedbackReceived(
                application_id="a1",
                items=[
                    {"skill": "SQL", "mark": "punch_up", "comment": "lead with it"},
                    {"skill": "Rust", "mark": "next_focus"},
                ],
                note="wants production depth",
                at=day(1),
            ),
            FeedbackReceived(
                application_id="a2",
                items=[{"skill": "rust", "mark": "next_focus", "comment": "ownership"}],
                at=day(2),
            ),
        ]
        state = fold(VIEW, feedback)
        assert state.punch_up[0].comments == ["lead with it", "wants production depth"]
        assert state.items[0].comments == ["wants production depth", "ownership"]


class TestGapPromoted:
    """`GapPromoted` moves a skill and shifts the others."""

    def test_moves_and_shifts(self):
        """The promoted skill takes the rank; the ones between move down one."""
        events = [GapAdded(skill=s) for s in ("A", "B", "C", "D")]
        state = fold(VIEW, [*events, GapPromoted(skill="c", to_rank=1)])
        assert open_skills(state) == [("C", 1), ("A", 2), ("B", 3), ("D", 4)]

    def test_demotion(self):
        """Moving a skill down shifts the ones it passes up."""
        events = [GapAdded(skill=s) for s in ("A", "B", "C")]
        state = fold(VIEW, [*events, GapPromoted(skill="A", to_rank=3)])
        assert open_skills(state) == [("B", 1), ("C", 2), ("A", 3)]

    def test_unlisted_skill_is_added_there(self):
        """Promoting a skill not on the list puts it on, at that rank, from "self"."""
        state = fold(
            VIEW, [GapAdded(skill="A"), GapAdded(skill="B"), GapPromoted(skill="Z", to_rank=2)]
        )
        assert open_skills(state) == [("A", 1), ("Z", 2), ("B", 3)]
        assert state.items[1].sources == ["self"]

    def test_rank_past_the_end_is_the_bottom(self):
        """A rank beyond the list means the bottom."""
        state = fold(
            VIEW, [GapAdded(skill="A"), GapAdded(skill="B"), GapPromoted(skill="A", to_rank=7)]
        )
        assert open_skills(state) == [("B", 1), ("A", 2)]

    def test_closed_skill_is_reopened_there(self):
        """Promoting a closed skill reopens it at that rank."""
        state = fold(
            VIEW,
            [
                GapAdded(skill="A"),
                GapAdded(skill="B"),
                GapClosed(skill="B"),
                GapPromoted(skill="B", to_rank=1),
            ],
        )
        assert open_skills(state) == [("B", 1), ("A", 2)]


class TestGapPracticed:
    """`GapPracticed` adds time to an item."""

    def test_adds_minutes(self):
        """Minutes add up and the latest practice is kept."""
        state = fold(
            VIEW,
            [
                GapAdded(skill="SQL"),
                GapPracticed(skill="sql", minutes=30, at=day(2)),
                GapPracticed(skill="SQL", minutes=15, at=day(1)),
            ],
        )
        assert state.items[0].minutes_practised == 45
        assert state.items[0].last_practised == day(2)

    def test_closed_item_still_counts(self):
        """Practice of a closed item is added to it."""
        state = fold(
            VIEW,
            [GapAdded(skill="SQL"), GapClosed(skill="SQL"), GapPracticed(skill="SQL", minutes=5)],
        )
        assert state.closed[0].minutes_practised == 5

    def test_unknown_skill_is_kept_off_the_list(self):
        """Practice of a skill never on the list is kept, by first spelling, not lost."""
        state = fold(
            VIEW,
            [GapPracticed(skill=" Go ", minutes=20), GapPracticed(skill="go", minutes=10)],
        )
        assert state.items == []
        assert state.practised_off_list == {"Go": 30}


class TestGapClosed:
    """`GapClosed` takes an item off the open list."""

    def test_closes(self):
        """The item leaves the open list, keeps its record and the rest renumber."""
        state = fold(
            VIEW,
            [GapAdded(skill="A"), GapAdded(skill="B"), GapClosed(skill="a", at=day(4))],
        )
        assert open_skills(state) == [("B", 1)]
        [closed] = state.closed
        assert (closed.skill, closed.rank, closed.status, closed.closed_at) == (
            "A",
            None,
            GapStatus.CLOSED,
            day(4),
        )

    def test_unknown_skill_is_a_no_op(self):
        """Closing a skill never listed changes nothing."""
        state = fold(VIEW, [GapAdded(skill="A"), GapClosed(skill="Z")])
        assert open_skills(state) == [("A", 1)]
        assert state.closed == []

    def test_closing_twice_keeps_the_first_date(self):
        """A second close of a closed item changes nothing."""
        state = fold(
            VIEW,
            [GapAdded(skill="A"), GapClosed(skill="A", at=day(1)), GapClosed(skill="A", at=day(2))],
        )
        assert state.closed[0].closed_at == day(1)


class TestRoleSuggested:
    """`RoleSuggested` adds nothing to the list."""

    def test_adds_no_items(self):
        """The role's skills do not enter the list."""
        state = fold(VIEW, [RoleSuggested(company="Acme", role="Analyst", skills=["SQL"])])
        assert state.items == []
        assert state.skills == {}

    def test_notes_itself_on_open_skills(self):
        """An open skill the role needs gains a "role: ..." source; closed ones do not."""
        state = fold(
            VIEW,
            [
                GapAdded(skill="SQL"),
                GapAdded(skill="Go"),
                GapClosed(skill="Go"),
                RoleSuggested(company="Acme", role="Analyst", skills=["sql", "go", "Rust"]),
            ],
        )
        assert state.items[0].sources == ["self", "role: Analyst at Acme"]
        assert state.closed[0].sources == ["self"]


class TestGoalAndFocus:
    """The career goal and the top two items."""

    def test_latest_goal_wins(self):
        """The latest `CareerGoalSet` is the goal."""
        state = fold(
            VIEW,
            [CareerGoalSet(goal="Data lead"), CareerGoalSet(goal="ML engineer", horizon_years=3)],
        )
        assert (state.goal, state.horizon_years) == ("ML engineer", 3)

    def test_no_goal(self):
        """Without a goal both are None."""
        state = fold(VIEW, [])
        assert (state.goal, state.horizon_years) == (None, None)

    def test_focus_is_the_top_two(self):
        """`focus` holds the top two open items."""
        state = fold(VIEW, [GapAdded(skill=s) for s in ("A", "B", "C")])
        assert [item.skill for item in state.focus] == ["A", "B"]

    def test_focus_practised(self):
        """Each focus item says whether it was practised within the window before `now`."""
        state = fold(
            VIEW,
            [
                GapAdded(skill="A"),
                GapAdded(skill="B"),
                GapPracticed(skill="A", minutes=10, at=day(10)),
                GapPracticed(skill="B", minutes=10, at=day(1)),
            ],
        )
        answer = [(item.skill, done) for item, done in state.focus_practised(now=day(12))]
        assert answer == [("A", True), ("B", False)]
        wider = state.focus_practised(now=day(12), days=30)
        assert [done for _, done in wider] == [True, True]

    def test_focus_practised_defaults_to_now(self):
        """Without `now`, practice from long ago does not count."""
        state = fold(VIEW, [GapAdded(skill="A"), GapPracticed(skill="A", minutes=5, at=day(0))])
        assert state.focus_practised() == [(state.items[0], False)]


@attrs.frozen(kw_only=True)
class PinnedGapAdded(GapAdded):
    """A plugin's own kind of `GapAdded`."""


@attrs.frozen(kw_only=True)
class Mood(Event):
    """A plugin event the gap list knows nothing about."""

    feeling: str


class TestOtherEventTypes:
    """Events from plugins."""

    def test_subclass_folds_like_its_base(self):
        """A subclass of a built-in event is folded by the base's rule."""
        state = fold(VIEW, [GapAdded(skill="A"), PinnedGapAdded(skill="B", rank=1)])
        assert open_skills(state) == [("B", 1), ("A", 2)]

    def test_unrelated_event_is_ignored(self):
        """An event type the view does not know changes nothing."""
        state = fold(VIEW, [GapAdded(skill="A"), Mood(feeling="hopeful")])
        assert open_skills(state) == [("A", 1)]


class TestRetraction:
    """Retracted events are left out of the gap list."""

    def test_retracted_add_is_skipped(self):
        """Retracting a `GapAdded` leaves the skill off the list."""
        state = fold(
            VIEW,
            [GapAdded(skill="A"), GapAdded(skill="B"), EventRetracted(position=1, reason="typo")],
        )
        assert open_skills(state) == [("B", 1)]
        assert state.get("A") is None

    def test_retracted_close_reopens(self):
        """Retracting a `GapClosed` puts the item back where it was."""
        state = fold(
            VIEW,
            [
                GapAdded(skill="A"),
                GapAdded(skill="B"),
                GapClosed(skill="A"),
                EventRetracted(position=3),
            ],
        )
        assert open_skills(state) == [("A", 1), ("B", 2)]

    def test_retracting_a_retraction_restores(self):
        """A retracted retraction no longer hides its target."""
        state = fold(
            VIEW, [GapAdded(skill="A"), EventRetracted(position=1), EventRetracted(position=2)]
        )
        assert open_skills(state) == [("A", 1)]


class TestProperties:
    """Properties that hold for any sequence of events."""

    @given(event_sequences(max_size=30))
    def test_fold_is_total_and_ranks_are_1_to_n(self, events):
        """Any sequence folds, and the open ranks are exactly 1..n in list order."""
        state = fold(VIEW, events)
        assert [item.rank for item in state.items] == list(range(1, len(state.items) + 1))
        assert all(item.status is GapStatus.OPEN for item in state.items)
        assert len(set(state.order)) == len(state.order)
        for item in state.closed:
            assert (item.rank, item.status) == (None, GapStatus.CLOSED)
            assert item.closed_at is not None
        assert len(state.items) + len(state.closed) == len(state.skills)

    @given(event_sequences(max_size=30))
    def test_no_duplicates(self, events):
        """Sources are never repeated, and the punch-up list has one entry per skill."""
        state = fold(VIEW, events)
        for item in [*state.skills.values(), *state.punch_up]:
            assert len(set(item.sources)) == len(item.sources)
        keys = [skill_key(entry.skill) for entry in state.punch_up]
        assert len(set(keys)) == len(keys)
        off_list = [skill_key(skill) for skill in state.practised_off_list]
        assert len(set(off_list)) == len(off_list)

    @given(event_sequences(max_size=30))
    def test_json_round_trip(self, events):
        """The state survives cattrs -> JSON -> cattrs unchanged."""
        state = fold(VIEW, events)
        converter = json_converter()
        text = json.dumps(converter.unstructure(state))
        assert converter.structure(json.loads(text), GapsState) == state


class TestPracticeWeeks:
    """Weeks in a row with practice, and the minutes of this week (Monday to Sunday, UTC)."""

    MONDAY = datetime(2026, 11, 30, 9, tzinfo=UTC)

    def practised(self, *days_ago: int, minutes: int = 30) -> GapsState:
        """SQL practised `minutes` on each of the days so many days before MONDAY + 2."""
        now = self.MONDAY + timedelta(days=2)
        events: list[Event] = [GapAdded(skill="SQL", at=T0)]
        events += [
            GapPracticed(skill="SQL", minutes=minutes, at=now - timedelta(days=d)) for d in days_ago
        ]
        return fold(VIEW, events)

    def test_a_streak_up_to_this_week(self):
        """Practice this week and the two before: three weeks in a row."""
        item = self.practised(0, 8, 15).items[0]
        now = self.MONDAY + timedelta(days=2)
        assert item.weeks_in_a_row(now) == 3
        assert item.minutes_in_week(now) == 30

    def test_still_alive_before_this_week_s_practice(self):
        """Not yet practised this week: the streak counts up to last week."""
        item = self.practised(8, 15).items[0]
        now = self.MONDAY + timedelta(days=2)
        assert item.weeks_in_a_row(now) == 2
        assert item.minutes_in_week(now) == 0

    def test_a_missed_week_breaks_it(self):
        """A week with no practice ends the streak."""
        item = self.practised(0, 15).items[0]
        assert item.weeks_in_a_row(self.MONDAY + timedelta(days=2)) == 1

    def test_zero_minutes_is_not_practice(self):
        """Logging 0 minutes keeps nothing going."""
        item = self.practised(0, minutes=0).items[0]
        assert item.weeks_in_a_row(self.MONDAY + timedelta(days=2)) == 0

    def test_weeks_start_on_monday_utc(self):
        """Sunday 23:30 UTC is last week; Monday 00:30 UTC this week."""
        events = [
            GapAdded(skill="SQL", at=T0),
            GapPracticed(skill="SQL", minutes=10, at=self.MONDAY.replace(hour=0, minute=30)),
            GapPracticed(skill="SQL", minutes=5, at=self.MONDAY - timedelta(minutes=570)),
        ]
        item = fold(VIEW, events).items[0]
        assert item.weekly_minutes == {"2026-11-23": 5, "2026-11-30": 10}
        practice = fold(VIEW, events).practice(self.MONDAY + timedelta(days=6))
        assert [(p.item.skill, p.weeks_in_a_row, p.minutes_this_week) for p in practice] == [
            ("SQL", 2, 10)
        ]

    def test_summary_in_words(self):
        """The focus item's practice said in words, with and without this week's minutes."""
        now = self.MONDAY + timedelta(days=2)
        (first,) = self.practised(0, 8).practice(now)
        assert first.summary == "30 min this week, 2 weeks in a row"
        (waiting,) = self.practised(8, 15).practice(now)
        assert waiting.summary == "not practised yet this week (2 weeks in a row before)"
        (fresh,) = self.practised().practice(now)
        assert fresh.summary == "not practised yet this week"
