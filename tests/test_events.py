"""Tests for the vocabulary: construction, defaults and validation."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import attrs
import pytest

from jobsearch_core.errors import InvalidEventError
from jobsearch_core.events import (
    BUILTIN_EVENTS,
    ApplicationClosed,
    CareerGoalSet,
    Event,
    EventRetracted,
    FeedbackItem,
    FeedbackReceived,
    GapAdded,
    GapClosed,
    GapPracticed,
    GapPromoted,
    InterviewScheduled,
    Mark,
    Outcome,
    ResumeSubmitted,
    RoleSuggested,
    ScreenPassed,
    Stage,
    event_type_of,
    schema_version_of,
    skill_key,
)

AT = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)


class TestShape:
    """Every event is a frozen, slotted, keyword-only attrs class."""

    @pytest.mark.parametrize("cls", BUILTIN_EVENTS)
    def test_frozen_slotted_keyword_only(self, cls: type[Event]) -> None:
        """Each built-in is an attrs class with slots and keyword-only fields."""
        assert attrs.has(cls)
        assert "__dict__" not in dir(cls)
        assert all(field.kw_only for field in attrs.fields(cls))
        assert issubclass(cls, Event)

    def test_the_events_of_the_design(self) -> None:
        """The vocabulary holds the events of the design, each under its own name."""
        names = [event_type_of(cls) for cls in BUILTIN_EVENTS]
        assert names == [cls.__name__ for cls in BUILTIN_EVENTS]
        assert set(names) >= {
            "ResumeSubmitted",
            "ScreenPassed",
            "FeedbackReceived",
            "GapPromoted",
            "RoleSuggested",
            "GapAdded",
            "GapPracticed",
            "GapClosed",
            "ApplicationClosed",
            "CareerGoalSet",
            "EventRetracted",
            "BaseRatesSet",
            "ResumeUpdated",
            "SkillsMerged",
            "InterviewScheduled",
        }

    def test_positional_arguments_refused(self) -> None:
        """Fields cannot be given by position."""
        with pytest.raises(TypeError):
            GapClosed("SQL")  # type: ignore[misc]

    def test_frozen(self) -> None:
        """An event cannot be changed after construction."""
        event = GapClosed(skill="SQL")
        with pytest.raises(attrs.exceptions.FrozenInstanceError):
            event.skill = "Go"  # type: ignore[misc]

    def test_at_defaults_to_now_in_utc(self) -> None:
        """`at` defaults to the current moment, aware and in UTC."""
        before = datetime.now(UTC)
        event = GapClosed(skill="SQL")
        assert before <= event.at <= datetime.now(UTC)
        assert event.at.tzinfo is UTC

    def test_aware_at_is_kept_as_utc(self) -> None:
        """An aware `at` in another zone is stored as the same moment in UTC."""
        local = datetime(2026, 3, 1, 11, 30, tzinfo=timezone(timedelta(hours=2)))
        event = GapClosed(skill="SQL", at=local)
        assert event.at == AT
        assert event.at.tzinfo is UTC

    def test_optional_fields_default_to_none(self) -> None:
        """Fields after the semicolon in the design default to None."""
        event = ResumeSubmitted(application_id="a1", company="Acme", role="Analyst", at=AT)
        assert (event.via, event.resume_version, event.note) == (None, None, None)
        assert CareerGoalSet(goal="Lead a data team").horizon_years == 5

    def test_enums_read_naturally(self) -> None:
        """Stage, Mark and Outcome are StrEnums that compare equal to their text."""
        assert ScreenPassed(application_id="a", stage="phone").stage == "phone"
        assert ScreenPassed(application_id="a", stage=Stage.FINAL).stage is Stage.FINAL
        assert ApplicationClosed(application_id="a", outcome="offer").outcome is Outcome.OFFER
        assert FeedbackItem(skill="SQL", mark="punch_up").mark is Mark.PUNCH_UP

    def test_enum_spelling_is_forgiving(self) -> None:
        """Case, spaces and dashes in an enum value are normalised."""
        assert (
            ScreenPassed(application_id="a", stage="Second Interview").stage
            is Stage.SECOND_INTERVIEW
        )
        assert FeedbackItem(skill="SQL", mark="next-focus").mark is Mark.NEXT_FOCUS

    def test_sequences_become_tuples(self) -> None:
        """Sequence fields accept any iterable and store a tuple."""
        role = RoleSuggested(company="Acme", role="Analyst", skills=iter(["SQL", "Python"]))
        assert role.skills == ("SQL", "Python")
        feedback = FeedbackReceived(
            application_id="a", items=[{"skill": "SQL", "mark": "punch_up", "comment": "show it"}]
        )
        assert feedback.items == (FeedbackItem(skill="SQL", mark=Mark.PUNCH_UP, comment="show it"),)

    def test_type_name_and_schema_version(self) -> None:
        """The stored type name is the class name unless the class sets its own."""

        @attrs.frozen(kw_only=True)
        class Renamed(GapClosed):
            __event_type__ = "acme.GapClosed"
            __schema_version__ = 3

        @attrs.frozen(kw_only=True)
        class Plain(GapClosed):
            pass

        assert event_type_of(GapClosed) == "GapClosed"
        assert event_type_of(Renamed(skill="x")) == "acme.GapClosed"
        assert schema_version_of(Renamed) == 3
        assert event_type_of(Plain) == "Plain"  # not inherited from a parent that set one
        assert schema_version_of(Plain) == 1


class TestValidation:
    """Bad values are refused with an error naming the field and the value."""

    @pytest.mark.parametrize(
        ("build", "field", "shown"),
        [
            (
                lambda: ResumeSubmitted(application_id="", company="A", role="B"),
                "application_id",
                "''",
            ),
            (
                lambda: ResumeSubmitted(application_id="a", company="   ", role="B"),
                "company",
                "'   '",
            ),
            (
                lambda: ResumeSubmitted(application_id="a", company="A", role="B", via=" "),
                "via",
                "' '",
            ),
            (lambda: ScreenPassed(application_id="a", stage="onsite"), "stage", "'onsite'"),
            (lambda: ScreenPassed(application_id="a", stage="applied"), "stage", "'applied'"),
            (
                lambda: ApplicationClosed(application_id="a", outcome="ghosted"),
                "outcome",
                "'ghosted'",
            ),
            (lambda: FeedbackItem(skill="SQL", mark="fix"), "mark", "'fix'"),
            (lambda: FeedbackReceived(application_id="a", items=[]), "items", "[]"),
            (lambda: GapPromoted(skill="SQL", to_rank=0), "to_rank", "0"),
            (lambda: GapAdded(skill="SQL", rank=-1), "rank", "-1"),
            (lambda: GapPracticed(skill="SQL", minutes=-5), "minutes", "-5"),
            (lambda: GapPracticed(skill="SQL", minutes=True), "minutes", "True"),
            (lambda: GapClosed(skill=""), "skill", "''"),
            (lambda: CareerGoalSet(goal="x", horizon_years=0), "horizon_years", "0"),
            (lambda: EventRetracted(position=0), "position", "0"),
            (
                lambda: GapClosed(skill="SQL", at=datetime(2026, 1, 1)),
                "at",
                "datetime.datetime(2026, 1, 1, 0, 0)",
            ),
            (lambda: GapClosed(skill="SQL", at="2026-01-01"), "at", "'2026-01-01'"),
            (lambda: RoleSuggested(company="A", role="B", skills="SQL"), "skills", "'SQL'"),
            (lambda: RoleSuggested(company="A", role="B", skills=["SQL", " "]), "skills", "' '"),
            (lambda: GapClosed(skill=42), "skill", "42"),
            (
                lambda: InterviewScheduled(
                    application_id="a", stage="phone", on=datetime(2026, 12, 3)
                ),
                "on",
                "datetime.datetime(2026, 12, 3, 0, 0)",
            ),
            (
                lambda: InterviewScheduled(application_id="a", stage="phone", on="2026-12-03"),
                "on",
                "'2026-12-03'",
            ),
            (
                lambda: InterviewScheduled(application_id="a", stage="onsite", on=AT),
                "stage",
                "'onsite'",
            ),
            (
                lambda: InterviewScheduled(application_id=" ", stage="phone", on=AT),
                "application_id",
                "' '",
            ),
            (
                lambda: InterviewScheduled(application_id="a", stage="phone", on=AT, with_whom=""),
                "with_whom",
                "''",
            ),
        ],
    )
    def test_refused_with_field_and_value(self, build: object, field: str, shown: str) -> None:
        """The error is an InvalidEventError whose message names the field and the value."""
        with pytest.raises(InvalidEventError) as caught:
            build()  # type: ignore[operator]
        assert caught.value.field == field
        assert field in str(caught.value)
        assert shown in str(caught.value)

    def test_is_a_value_error(self) -> None:
        """InvalidEventError is also a ValueError, for callers that catch those."""
        with pytest.raises(ValueError, match="to_rank"):
            GapPromoted(skill="SQL", to_rank=0)

    def test_malformed_feedback_mapping(self) -> None:
        """A feedback item mapping with an unknown key is refused, naming the items field."""
        with pytest.raises(InvalidEventError, match="items"):
            FeedbackReceived(
                application_id="a", items=[{"skill": "SQL", "mark": "punch_up", "x": 1}]
            )

    def test_zero_minutes_allowed(self) -> None:
        """Zero minutes of practice is recorded (only negative minutes are refused)."""
        assert GapPracticed(skill="SQL", minutes=0).minutes == 0

    def test_any_unicode_in_payload(self) -> None:
        """Notes and names may hold quotes, NUL, emoji and right-to-left text."""
        text = '"quoted" \x00 🎯 שלום'
        event = ResumeSubmitted(application_id=text, company=text, role=text, note=text)
        assert event.company == text


class TestInterviewScheduled:
    """An interview on the calendar."""

    def test_fields_and_defaults(self) -> None:
        """`with_whom` and `note` default to None; `at` to now; the stage reads loosely."""
        event = InterviewScheduled(application_id="a1", stage="Second interview", on=AT)
        assert (event.stage, event.on, event.with_whom, event.note) == (
            Stage.SECOND_INTERVIEW,
            AT,
            None,
            None,
        )
        assert event.at.tzinfo is UTC

    def test_on_is_kept_in_utc(self) -> None:
        """An `on` in another zone is kept as the same moment in UTC, as `at` is."""
        local = datetime(2026, 12, 3, 14, 0, tzinfo=timezone(timedelta(hours=1)))
        event = InterviewScheduled(application_id="a1", stage="phone", on=local)
        assert event.on == local
        assert event.on.tzinfo is UTC
        assert event.on.hour == 13

    def test_on_may_be_in_the_future(self) -> None:
        """An interview is usually arranged before it happens: a future `on` is kept."""
        later = datetime.now(UTC) + timedelta(days=30)
        assert InterviewScheduled(application_id="a1", stage="final", on=later).on == later

    def test_applied_is_not_a_screen(self) -> None:
        """The stage is a screen an interview decides, so `applied` is refused, with the choices."""
        with pytest.raises(InvalidEventError, match="must be one of resume, phone"):
            InterviewScheduled(application_id="a1", stage="applied", on=AT)


class TestSkillKey:
    """Skills compare case- and space-insensitively."""

    @pytest.mark.parametrize(
        ("a", "b"),
        [("Statistics", " statistics "), ("Machine  Learning", "machine learning"), ("SQL", "sql")],
    )
    def test_same_skill(self, a: str, b: str) -> None:
        """Different spellings of one skill share a key."""
        assert skill_key(a) == skill_key(b)

    def test_different_skills(self) -> None:
        """Different skills keep different keys."""
        assert skill_key("Go") != skill_key("Golang")
