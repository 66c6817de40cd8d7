"""The vocabulary of a job search: the stages, marks and outcomes, and the built-in events."""

from __future__ import annotations

import enum
from datetime import datetime

import attrs

from jobsearch_core.events.base import Event, skill_key
from jobsearch_core.events.fields import (
    Choice,
    Names,
    Records,
    Shares,
    moment,
    name,
    optional_name,
    optional_whole,
    refuse,
    text,
    whole,
)

__all__ = [
    "BUILTIN_EVENTS",
    "SCREENS",
    "SCREEN_NAMES",
    "ApplicationClosed",
    "BaseRatesSet",
    "CareerGoalSet",
    "EventRetracted",
    "FeedbackItem",
    "FeedbackReceived",
    "GapAdded",
    "GapClosed",
    "GapPracticed",
    "GapPromoted",
    "InterviewScheduled",
    "Mark",
    "Outcome",
    "ResumeSubmitted",
    "ResumeUpdated",
    "RoleSuggested",
    "ScreenPassed",
    "SkillsMerged",
    "Stage",
]


class Stage(enum.StrEnum):
    """How far an application got; `APPLIED` is where every application starts."""

    APPLIED = "applied"
    RESUME = "resume"
    PHONE = "phone"
    SECOND_INTERVIEW = "second_interview"
    FINAL = "final"

    @property
    def order(self) -> int:
        """0 for `applied`, 4 for `final`: compare stages by how far they are."""
        return _STAGE_ORDER[self]


_STAGE_ORDER = {stage: i for i, stage in enumerate(Stage)}
#: The stages a screen can be passed at, in order (everything but `applied`).
SCREENS = (Stage.RESUME, Stage.PHONE, Stage.SECOND_INTERVIEW, Stage.FINAL)
#: How each screen is named in a sentence ("Phone screen: ...").
SCREEN_NAMES = {
    Stage.RESUME: "Resume screen",
    Stage.PHONE: "Phone screen",
    Stage.SECOND_INTERVIEW: "Second interview",
    Stage.FINAL: "Final interview",
}


class Mark(enum.StrEnum):
    """What a feedback item asks for."""

    #: Already on the resume: make it stand out.
    PUNCH_UP = "punch_up"
    #: A real gap: learn it next.
    NEXT_FOCUS = "next_focus"


class Outcome(enum.StrEnum):
    """How an application ended."""

    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"
    NO_RESPONSE = "no_response"
    OFFER = "offer"
    ACCEPTED = "accepted"
    DECLINED = "declined"


# The fields that read looser input than they keep (text for a member, any iterable for a
# tuple) are written as attrs.field(converter=...), so that type checkers see what the
# classes accept; each kind holds the rule, once.
_MARK = Choice(Mark)
_SCREEN = Choice(Stage, SCREENS)
_OUTCOME = Choice(Outcome)
_NAMES = Names()
_RATES = Shares(Choice(Stage, SCREENS), what="screens' pass rates")


@attrs.frozen(kw_only=True)
class FeedbackItem:
    """One answer to "what would make me a better fit?": a skill and what to do about it."""

    skill: str = name()
    mark: Mark = attrs.field(converter=_MARK.converter, metadata=_MARK.metadata)  # type: ignore[misc]
    comment: str | None = text()


_FEEDBACK = Records(FeedbackItem, what="feedback items")


@attrs.frozen(kw_only=True)
class ResumeSubmitted(Event):
    """Applied for a role."""

    application_id: str = name()
    company: str = name()
    role: str = name()
    via: str | None = optional_name()
    resume_version: str | None = optional_name()
    note: str | None = text()


@attrs.frozen(kw_only=True)
class ScreenPassed(Event):
    """An application moved past a stage: `resume`, `phone`, `second_interview` or `final`."""

    application_id: str = name()
    stage: Stage = attrs.field(converter=_SCREEN.converter, metadata=_SCREEN.metadata)  # type: ignore[misc]
    note: str | None = text()


@attrs.frozen(kw_only=True)
class FeedbackReceived(Event):
    """What an interviewer said would make the seeker a better fit next time."""

    application_id: str = name()
    items: tuple[FeedbackItem, ...] = attrs.field(
        converter=_FEEDBACK.converter,  # type: ignore[misc]
        metadata=_FEEDBACK.metadata,
    )
    source: str | None = optional_name()
    note: str | None = text()


@attrs.frozen(kw_only=True)
class GapPromoted(Event):
    """A gap item moved to a new rank (1 is the top); the others shift to make room."""

    skill: str = name()
    to_rank: int = whole(1)
    reason: str | None = text()


@attrs.frozen(kw_only=True)
class RoleSuggested(Event):
    """Another role that might fit, and the skills it needs."""

    company: str = name()
    role: str = name()
    skills: tuple[str, ...] = attrs.field(converter=_NAMES.converter, metadata=_NAMES.metadata)  # type: ignore[misc]
    application_id: str | None = optional_name()
    suggested_by: str | None = optional_name()
    note: str | None = text()


@attrs.frozen(kw_only=True)
class GapAdded(Event):
    """The seeker wrote a skill onto the gap list, at the bottom or at `rank`."""

    skill: str = name()
    rank: int | None = optional_whole(1)
    note: str | None = text()


@attrs.frozen(kw_only=True)
class GapPracticed(Event):
    """Time spent on a gap item."""

    skill: str = name()
    minutes: int = whole(0)
    note: str | None = text()


@attrs.frozen(kw_only=True)
class GapClosed(Event):
    """A gap item is done (learned, certified) and leaves the open list."""

    skill: str = name()
    note: str | None = text()


@attrs.frozen(kw_only=True)
class ApplicationClosed(Event):
    """The end of an application."""

    application_id: str = name()
    outcome: Outcome = attrs.field(converter=_OUTCOME.converter, metadata=_OUTCOME.metadata)  # type: ignore[misc]
    note: str | None = text()


@attrs.frozen(kw_only=True)
class CareerGoalSet(Event):
    """The goal the gap list serves, usually five years out."""

    goal: str = name()
    horizon_years: int = whole(1, default=5)


@attrs.frozen(kw_only=True)
class EventRetracted(Event):
    """A correction: views skip the event at `position` from here on; nothing is deleted."""

    position: int = whole(1)
    reason: str | None = text()


@attrs.frozen(kw_only=True)
class BaseRatesSet(Event):
    """The typical pass rate of each screen given (a share from 0 to 1), replacing the
    defaults for this stream from here on, and where the numbers come from."""

    rates: dict[Stage, float] = attrs.field(
        converter=_RATES.converter,  # type: ignore[misc]
        metadata=_RATES.metadata,
        hash=False,
    )
    source: str = name()


@attrs.frozen(kw_only=True)
class ResumeUpdated(Event):
    """A version of the resume and the skills it lists: the skills the seeker has. The
    latest is the current resume; `ResumeSubmitted.resume_version` names one."""

    version: str = name()
    skills: tuple[str, ...] = attrs.field(converter=_NAMES.converter, metadata=_NAMES.metadata)  # type: ignore[misc]
    note: str | None = text()


@attrs.frozen(kw_only=True)
class SkillsMerged(Event):
    """Spellings that are one skill, kept as `into`: from here on every view counts them as
    one (mentions, sources and minutes add up; the merged item keeps the best rank).
    Retracting it splits them again."""

    skills: tuple[str, ...] = attrs.field(converter=_NAMES.converter, metadata=_NAMES.metadata)  # type: ignore[misc]
    into: str = name()

    def __attrs_post_init__(self) -> None:
        # `into` may be one of `skills` or a new spelling; either way at least two skills
        # (compared as skills are) must become one.
        if len({skill_key(skill) for skill in (*self.skills, self.into)}) < 2:
            field = attrs.fields(SkillsMerged).skills
            raise refuse(self, field, "must name at least one skill other than `into`", self.skills)


@attrs.frozen(kw_only=True)
class InterviewScheduled(Event):
    """An interview on the calendar: the screen it decides and when (`on`, often in the
    future; `at` is when it was arranged). Another for the same application and stage
    moves it: the pipeline keeps the latest."""

    application_id: str = name()
    stage: Stage = attrs.field(converter=_SCREEN.converter, metadata=_SCREEN.metadata)  # type: ignore[misc]
    on: datetime = moment()
    with_whom: str | None = optional_name()
    note: str | None = text()


#: The built-in event classes, in the order the design names them.
BUILTIN_EVENTS: tuple[type[Event], ...] = (
    ResumeSubmitted,
    ScreenPassed,
    FeedbackReceived,
    GapPromoted,
    RoleSuggested,
    GapAdded,
    GapPracticed,
    GapClosed,
    ApplicationClosed,
    CareerGoalSet,
    EventRetracted,
    BaseRatesSet,
    ResumeUpdated,
    SkillsMerged,
    InterviewScheduled,
)
