"""The strategies in `jobsearch_core.testing` draw valid, varied and hostile events."""

from __future__ import annotations

import unicodedata
from datetime import timedelta
from typing import TYPE_CHECKING, Any

import attrs
import pytest
from hypothesis import Phase, find, given, settings
from hypothesis import strategies as st

from jobsearch_core import testing
from jobsearch_core.events import (
    BUILTIN_EVENTS,
    Event,
    EventRetracted,
    FeedbackReceived,
    GapAdded,
    GapPromoted,
    ResumeSubmitted,
    ScreenPassed,
    skill_key,
)
from jobsearch_core.storage import NewRow

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

# Only looking for one example: no shrinking, no saved examples.
SEARCH = settings(max_examples=2000, database=None, phases=[Phase.generate])

PER_EVENT = [
    (testing.resume_submitted, "ResumeSubmitted"),
    (testing.screen_passed, "ScreenPassed"),
    (testing.feedback_received, "FeedbackReceived"),
    (testing.gap_promoted, "GapPromoted"),
    (testing.role_suggested, "RoleSuggested"),
    (testing.gap_added, "GapAdded"),
    (testing.gap_practiced, "GapPracticed"),
    (testing.gap_closed, "GapClosed"),
    (testing.application_closed, "ApplicationClosed"),
    (testing.career_goal_set, "CareerGoalSet"),
    (testing.event_retracted, "EventRetracted"),
    (testing.base_rates_set, "BaseRatesSet"),
    (testing.resume_updated, "ResumeUpdated"),
    (testing.skills_merged, "SkillsMerged"),
    (testing.interview_scheduled, "InterviewScheduled"),
]


def texts(value: Any) -> Iterator[str]:
    """Every string inside an event: its fields, feedback items and skill lists."""
    if isinstance(value, str):
        yield value
    elif attrs.has(type(value)):
        for field in attrs.fields(type(value)):
            yield from texts(getattr(value, field.name))
    elif isinstance(value, tuple | list):
        for item in value:
            yield from texts(item)


def is_right_to_left(char: str) -> bool:
    """Whether a character is written right to left (Hebrew, Arabic)."""
    return unicodedata.bidirectional(char) in ("R", "AL")


def rebuilt(event: Event) -> Event:
    """The event built again through its constructor, so every validator runs once more."""
    return attrs.evolve(event)


class TestEvents:
    """`events()` and the per-class strategies."""

    def test_one_strategy_per_builtin_event(self) -> None:
        """There is a strategy for each built-in event class."""
        assert sorted(name for _, name in PER_EVENT) == sorted(c.__name__ for c in BUILTIN_EVENTS)

    @pytest.mark.parametrize(("strategy", "name"), PER_EVENT, ids=[name for _, name in PER_EVENT])
    @settings(max_examples=25)
    @given(data=st.data())
    def test_per_class_strategy_draws_valid_events_of_its_class(
        self, strategy: Callable[[], st.SearchStrategy[Event]], name: str, data: st.DataObject
    ) -> None:
        """Each per-class strategy draws valid events of its class only."""
        event = data.draw(strategy())
        assert type(event).__name__ == name
        assert rebuilt(event) == event

    @settings(max_examples=100)
    @given(event=testing.events())
    def test_events_are_valid_and_at_utc(self, event: Event) -> None:
        """Every drawn event survives its own validation and happened at an aware UTC moment."""
        assert type(event) in BUILTIN_EVENTS
        assert rebuilt(event) == event
        assert event.at.utcoffset() == timedelta(0)
        assert 1999 <= event.at.year <= 2101

    @pytest.mark.parametrize("cls", BUILTIN_EVENTS, ids=lambda cls: cls.__name__)
    def test_every_builtin_event_appears(self, cls: type[Event]) -> None:
        """`events()` draws every built-in event class."""
        assert type(find(testing.events(), lambda e: type(e) is cls, settings=SEARCH)) is cls

    @settings(max_examples=50)
    @given(event=testing.event_retracted())
    def test_retractions_point_at_small_positions(self, event: EventRetracted) -> None:
        """Retracted positions are drawn from 1 to 50."""
        assert 1 <= event.position <= 50

    def test_feedback_mixes_marks(self) -> None:
        """One piece of feedback can hold both punch-up and next-focus items."""
        found = find(
            testing.feedback_received(),
            lambda e: len({item.mark for item in e.items}) == 2,
            settings=SEARCH,
        )
        assert isinstance(found, FeedbackReceived)


class TestText:
    """Names, skills, stream names and datetimes."""

    @pytest.mark.parametrize(
        ("what", "found"),
        [
            ("NUL", lambda s: "\x00" in s),
            ("emoji", lambda s: any(ord(c) > 0xFFFF for c in s)),
            ("right-to-left", lambda s: any(is_right_to_left(c) for c in s)),
            ("double quote", lambda s: '"' in s),
            ("single quote", lambda s: "'" in s),
        ],
    )
    def test_hostile_text_appears_in_events(self, what: str, found: Callable[[str], bool]) -> None:
        """Drawn events sometimes carry hostile text in their fields."""
        event = find(testing.events(), lambda e: any(found(s) for s in texts(e)), settings=SEARCH)
        assert any(found(s) for s in texts(event)), what

    @settings(max_examples=200)
    @given(name=testing.names())
    def test_names_are_not_blank(self, name: str) -> None:
        """Required names are never empty or blank."""
        assert name.strip()

    def test_notes_are_sometimes_none_or_blank(self) -> None:
        """Optional notes are drawn as None and as blank text too."""
        assert find(testing.notes(), lambda n: n is None, settings=SEARCH) is None
        blank = find(testing.notes(), lambda n: n is not None and not n.strip(), settings=SEARCH)
        assert blank is not None

    def test_skills_mix_case_and_spacing(self) -> None:
        """The skill pool holds spellings of one skill that differ but compare equal."""
        pair = find(
            st.tuples(testing.skills(), testing.skills()),
            lambda p: p[0] != p[1] and skill_key(p[0]) == skill_key(p[1]),
            settings=SEARCH,
        )
        assert pair[0] != pair[1]

    def test_skills_are_sometimes_arbitrary(self) -> None:
        """Now and then a skill outside the pool is drawn."""
        pool = {"sql", "statistics", "system design", "python", "machine learning"}
        odd = find(testing.skills(), lambda s: skill_key(s) not in pool, settings=SEARCH)
        assert odd.strip()

    @settings(max_examples=200)
    @given(name=testing.stream_names())
    def test_stream_names_are_printable_and_not_blank(self, name: str) -> None:
        """Stream names are non-empty printable text that is not blank."""
        assert name.strip()
        assert name.isprintable()

    @settings(max_examples=200)
    @given(moment=testing.aware_datetimes())
    def test_datetimes_are_aware_and_in_range(self, moment: Any) -> None:
        """Datetimes are timezone-aware, in the years 2000-2100."""
        assert moment.tzinfo is not None
        assert moment.utcoffset() is not None
        assert 2000 <= moment.year <= 2100

    def test_datetimes_use_various_offsets(self) -> None:
        """Datetimes come at UTC and at other offsets, west and east."""
        offsets = testing.aware_datetimes().map(lambda d: d.utcoffset())
        assert find(offsets, lambda o: o == timedelta(0), settings=SEARCH) == timedelta(0)
        assert find(offsets, lambda o: o is not None and o < timedelta(0), settings=SEARCH)
        assert find(offsets, lambda o: o is not None and o > timedelta(0), settings=SEARCH)

    @settings(max_examples=50)
    @given(row=testing.new_rows())
    def test_new_rows_are_rows(self, row: NewRow) -> None:
        """`new_rows()` draws encoded rows with a type name, a version and bytes."""
        assert isinstance(row, NewRow)
        assert row.type
        assert row.schema_version >= 1
        assert isinstance(row.data, bytes)


def submitted_ids(events: list[Event]) -> set[str]:
    """The application ids that a sequence submitted."""
    return {e.application_id for e in events if isinstance(e, ResumeSubmitted)}


def listed_skills(events: list[Event]) -> set[str]:
    """The skill keys that a sequence added to the gap list."""
    return {skill_key(e.skill) for e in events if isinstance(e, GapAdded)}


class TestEventSequences:
    """`event_sequences()` draws lists whose events refer to each other."""

    @settings(max_examples=30)
    @given(data=st.data(), bounds=st.tuples(st.integers(0, 5), st.integers(0, 10)))
    def test_sizes_are_within_bounds(self, data: st.DataObject, bounds: tuple[int, int]) -> None:
        """Sequences respect min_size and max_size, and hold valid events."""
        low, high = bounds[0], bounds[0] + bounds[1]
        events = data.draw(testing.event_sequences(min_size=low, max_size=high))
        assert low <= len(events) <= high
        assert all(rebuilt(e) == e for e in events)

    @pytest.mark.parametrize(
        ("what", "found"),
        [
            (
                "a screen for a submitted application",
                lambda es: any(
                    isinstance(e, ScreenPassed) and e.application_id in submitted_ids(es[:i])
                    for i, e in enumerate(es)
                ),
            ),
            (
                "a screen for an unknown application",
                lambda es: any(
                    isinstance(e, ScreenPassed) and e.application_id not in submitted_ids(es)
                    for e in es
                ),
            ),
            (
                "feedback for a submitted application",
                lambda es: any(
                    isinstance(e, FeedbackReceived) and e.application_id in submitted_ids(es[:i])
                    for i, e in enumerate(es)
                ),
            ),
            (
                "a promotion of a listed skill",
                lambda es: any(
                    isinstance(e, GapPromoted) and skill_key(e.skill) in listed_skills(es[:i])
                    for i, e in enumerate(es)
                ),
            ),
            (
                "a promotion of an unlisted skill",
                lambda es: any(
                    isinstance(e, GapPromoted) and skill_key(e.skill) not in listed_skills(es)
                    for e in es
                ),
            ),
            (
                "a promotion past the end of the list",
                lambda es: any(
                    isinstance(e, GapPromoted) and e.to_rank > len(listed_skills(es[:i])) + 1
                    for i, e in enumerate(es)
                ),
            ),
            (
                "a retraction of an event in the sequence",
                lambda es: any(
                    isinstance(e, EventRetracted) and e.position < i + 1 for i, e in enumerate(es)
                ),
            ),
            (
                "a retraction past the end",
                lambda es: any(isinstance(e, EventRetracted) and e.position > len(es) for e in es),
            ),
        ],
    )
    def test_sequences_interact(self, what: str, found: Callable[[list[Event]], bool]) -> None:
        """Sequences hold events that refer to earlier ones, and ones that refer to nothing."""
        sequence = find(testing.event_sequences(), found, settings=SEARCH)
        assert found(sequence), what
