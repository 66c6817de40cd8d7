"""jobsearch-core: a job search as an append-only event log, folded into views.

>>> from jobsearch_core import open_log
>>> from jobsearch_core.events import GapAdded
>>> log = open_log("memory://")
>>> [recorded.position for recorded in log.append([GapAdded(skill="SQL")])]
[1]
>>> [item.skill for item in log.view("gaps").items]
['SQL']
"""

from __future__ import annotations

from importlib.metadata import version as _installed_version

from jobsearch_core.audit import Problem
from jobsearch_core.consumers import Consumer, ConsumerStatus
from jobsearch_core.errors import (
    BackendError,
    ConcurrencyError,
    ConsumerError,
    CorruptEventError,
    DuplicateEventError,
    InvalidEventError,
    InvalidInputError,
    JobsearchError,
    PluginError,
    ReadOnlyStateError,
    UnknownViewError,
    ViewError,
)
from jobsearch_core.events import (
    ApplicationClosed,
    BaseRatesSet,
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
    Recorded,
    ResumeSubmitted,
    ResumeUpdated,
    RoleSuggested,
    ScreenPassed,
    SkillsMerged,
    Stage,
    UnknownEvent,
)
from jobsearch_core.hookspecs import hookimpl
from jobsearch_core.log import Batch, EventLog
from jobsearch_core.opening import open_log
from jobsearch_core.views import View

__all__ = [
    "ApplicationClosed",
    "BackendError",
    "BaseRatesSet",
    "Batch",
    "CareerGoalSet",
    "ConcurrencyError",
    "Consumer",
    "ConsumerError",
    "ConsumerStatus",
    "CorruptEventError",
    "DuplicateEventError",
    "Event",
    "EventLog",
    "EventRetracted",
    "FeedbackItem",
    "FeedbackReceived",
    "GapAdded",
    "GapClosed",
    "GapPracticed",
    "GapPromoted",
    "InterviewScheduled",
    "InvalidEventError",
    "InvalidInputError",
    "JobsearchError",
    "Mark",
    "Outcome",
    "PluginError",
    "Problem",
    "ReadOnlyStateError",
    "Recorded",
    "ResumeSubmitted",
    "ResumeUpdated",
    "RoleSuggested",
    "ScreenPassed",
    "SkillsMerged",
    "Stage",
    "UnknownEvent",
    "UnknownViewError",
    "View",
    "ViewError",
    "hookimpl",
    "open_log",
]

#: The installed version, from the package metadata (pyproject.toml holds the one number).
__version__ = _installed_version("jobsearch-core")
