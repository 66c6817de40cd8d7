"""The `nudges` view: the facts the nudges are read from, folded from a stream's events.

It builds on the core's own folds through their public `View` objects (the pipeline,
and the roles view with the gap list it holds), and adds what they do not keep: which
resume versions were sent, and when.
"""

from __future__ import annotations

from datetime import datetime  # cattrs resolves attrs annotations at runtime

import attrs
from jobsearch_core import Recorded, ResumeSubmitted, View
from jobsearch_core.views import pipeline, roles
from jobsearch_core.views.gaps import GapsState
from jobsearch_core.views.pipeline import PipelineState
from jobsearch_core.views.roles import RolesState

from jobsearch_core_nudges.rules import Nudge, due
from jobsearch_core_nudges.thresholds import Thresholds

__all__ = ["VIEW", "NudgesState", "ResumeVersion", "apply"]


@attrs.define(kw_only=True)
class ResumeVersion:
    """A resume version as the applications tell it: when it was first and last sent."""

    version: str
    first_sent_at: datetime
    last_sent_at: datetime
    #: How many applications went out with it.
    applications: int = 0


@attrs.define(kw_only=True)
class NudgesState:
    """What the nudges are read from; `due()` reads them as of a moment."""

    #: The core's pipeline, folded alongside (applications, their last news, outcomes).
    pipeline: PipelineState = attrs.Factory(pipeline.VIEW.initial)
    #: The core's roles view, which holds the gap list and the resume to-do list too.
    roles: RolesState = attrs.Factory(roles.VIEW.initial)
    #: Every resume version named by a `ResumeSubmitted`, by the version as written.
    resume_versions: dict[str, ResumeVersion] = attrs.Factory(dict)
    #: The version named by the newest submission that named one (by `at`).
    latest_resume: str | None = None
    latest_resume_at: datetime | None = None
    #: The newest `at` folded: "now", for a view taken as of a log position.
    latest_at: datetime | None = None

    @property
    def gaps(self) -> GapsState:
        """The gap list (and the resume to-do list) as the roles view holds it."""
        return self.roles.gaps

    def due(self, now: datetime | None = None, thresholds: Thresholds | None = None) -> list[Nudge]:
        """The nudges due at `now` (default: this moment), most pressing kind first.

        `thresholds` default to `Thresholds.from_env()`: 14 days for a follow-up, twice
        that to mark an application `no_response`, 7 days for a focus item.
        """
        return due(self, now=now, thresholds=thresholds)

    def sent(self, version: str, at: datetime) -> None:
        """Note an application sent with resume `version` at `at`."""
        seen = self.resume_versions.get(version)
        if seen is None:
            seen = self.resume_versions[version] = ResumeVersion(
                version=version, first_sent_at=at, last_sent_at=at
            )
        seen.applications += 1
        seen.first_sent_at = min(seen.first_sent_at, at)
        seen.last_sent_at = max(seen.last_sent_at, at)
        # Events may be recorded out of time order: the newest by `at` is the latest
        # version (a tie goes to the one recorded later).
        if self.latest_resume_at is None or at >= self.latest_resume_at:
            self.latest_resume = version
            self.latest_resume_at = at


def apply(state: NudgesState, recorded: Recorded) -> NudgesState:
    """Fold one event into the pipeline, the roles (and gap list), and the resume versions."""
    event = recorded.event
    # A view's `apply` may return a new state rather than change the one it was given.
    state.pipeline = pipeline.VIEW.apply(state.pipeline, recorded)
    state.roles = roles.VIEW.apply(state.roles, recorded)
    if isinstance(event, ResumeSubmitted) and event.resume_version is not None:
        state.sent(event.resume_version.strip(), event.at)
    if state.latest_at is None or event.at > state.latest_at:
        state.latest_at = event.at
    return state


VIEW: View[NudgesState] = View(
    name="nudges",
    version=1,
    initial=NudgesState,
    apply=apply,
    state_type=NudgesState,
    description="What to do next: follow-ups due, focus items to practise, "
    "role skills to list, resume punch-ups.",
)
