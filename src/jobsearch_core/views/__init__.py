"""Views: named, versioned folds of a stream's events into states other tools can read.

`View` is the fold's contract; `PIPELINE`, `GAPS`, `ROLES`, `HISTORY` and `PLAN` are the built-in
views as typed handles (``log.view(GAPS)`` is a `GapsState` to a type checker, as
``log.view("gaps")`` is at run time); their states are exported from here too.
"""

from __future__ import annotations

from jobsearch_core.views.gaps import VIEW as GAPS
from jobsearch_core.views.gaps import FocusPractice, GapItem, GapsState, GapStatus, PunchUpItem
from jobsearch_core.views.history import VIEW as HISTORY
from jobsearch_core.views.history import (
    Correction,
    GoalChange,
    HistoryState,
    RankChange,
    RankMove,
)
from jobsearch_core.views.pipeline import VIEW as PIPELINE
from jobsearch_core.views.pipeline import (
    Application,
    BaseRate,
    FollowUp,
    FunnelRow,
    Interview,
    PipelineState,
    StageReached,
    UpcomingInterview,
)
from jobsearch_core.views.plan import VIEW as PLAN
from jobsearch_core.views.plan import Disagreement, PlanItem, PlanState
from jobsearch_core.views.replay import fold
from jobsearch_core.views.roles import VIEW as ROLES
from jobsearch_core.views.roles import RolesState, SuggestedRole, Suggestion
from jobsearch_core.views.view import View

__all__ = [
    "GAPS",
    "HISTORY",
    "PIPELINE",
    "PLAN",
    "ROLES",
    "Application",
    "BaseRate",
    "Correction",
    "Disagreement",
    "FocusPractice",
    "FollowUp",
    "FunnelRow",
    "GapItem",
    "GapStatus",
    "GapsState",
    "GoalChange",
    "HistoryState",
    "Interview",
    "PipelineState",
    "PlanItem",
    "PlanState",
    "PunchUpItem",
    "RankChange",
    "RankMove",
    "RolesState",
    "StageReached",
    "SuggestedRole",
    "Suggestion",
    "UpcomingInterview",
    "View",
    "fold",
]
