"""The events of a job search: the vocabulary, the envelope, and each field kind's rule.

`jobsearch_core.events.vocabulary` defines the built-in events, `base` what every event
shares (and the `Recorded` envelope), `fields` the kinds of field an event is built from.
"""

from __future__ import annotations

from jobsearch_core.events.base import (
    Event,
    Recorded,
    UnknownEvent,
    event_type_of,
    schema_version_of,
    skill_key,
)
from jobsearch_core.events.vocabulary import (
    BUILTIN_EVENTS,
    SCREEN_NAMES,
    SCREENS,
    ApplicationClosed,
    BaseRatesSet,
    CareerGoalSet,
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
    ResumeUpdated,
    RoleSuggested,
    ScreenPassed,
    SkillsMerged,
    Stage,
)

__all__ = [
    "BUILTIN_EVENTS",
    "SCREENS",
    "SCREEN_NAMES",
    "ApplicationClosed",
    "BaseRatesSet",
    "CareerGoalSet",
    "Event",
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
    "Recorded",
    "ResumeSubmitted",
    "ResumeUpdated",
    "RoleSuggested",
    "ScreenPassed",
    "SkillsMerged",
    "Stage",
    "UnknownEvent",
    "event_type_of",
    "schema_version_of",
    "skill_key",
]
