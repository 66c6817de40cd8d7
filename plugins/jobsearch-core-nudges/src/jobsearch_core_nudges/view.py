"""The `nudges` view: the facts the nudges are read from, folded from a stream's events.

It uses the core's views (the pipeline, the gap list and the suggested roles) instead of
folding copies of them, and folds what they do not keep: which resume versions were
sent, and when.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime  # cattrs resolves attrs annotations at runtime
from typing import Any

import attrs
from jobsearch_core import Recorded, ResumeSubmitted, View
from jobsearch_core.views import GapsState, PipelineState, RolesState

from jobsearch_core_nudges.rules import Nudge, due
from jobsearch_core_nudges.thresholds import Thresholds

__all__ = ["VIEW", "NudgesState", "ResumeVersion", "apply", "finish"]


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

    #: The core's views as of the same event (applications and their last news, the gap
    #: list with the resume to-do list, the suggested roles): filled in by `finish`, so
    #: empty while folding and in snapshots.
    pipeline: PipelineState = attrs.Factory(PipelineState)
    gaps: GapsState = attrs.Factory(GapsState)
    roles: RolesState = attrs.Factory(RolesState)
    #: Every resume version named by a `ResumeSubmitted`, by the version as written.
    resume_versions: dict[str, ResumeVersion] = attrs.Factory(dict)
    #: The version named by the newest submission that named one (by `at`).
    latest_resume: str | None = None
    latest_resume_at: datetime | None = None
    #: The newest `at` folded: "now", for a view taken as of a log position.
    latest_at: datetime | None = None

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


def apply(state: NudgesState, recorded: Recorded, inputs: Mapping[str, Any]) -> NudgesState:
    """Fold one event into the resume versions and the latest moment seen."""
    event = recorded.event
    if isinstance(event, ResumeSubmitted) and event.resume_version is not None:
        state.sent(event.resume_version.strip(), event.at)
    if state.latest_at is None or event.at > state.latest_at:
        state.latest_at = event.at
    return state


def finish(state: NudgesState, inputs: Mapping[str, Any]) -> NudgesState:
    """The state with the pipeline, the gap list and the roles as they stand."""
    return attrs.evolve(
        state, pipeline=inputs["pipeline"], gaps=inputs["gaps"], roles=inputs["roles"]
    )


VIEW: View[NudgesState] = View(
    name="nudges",
    version=2,
    initial=NudgesState,
    apply=apply,
    state_type=NudgesState,
    description="What to do next: follow-ups due, focus items to practise, "
    "role skills to list, resume punch-ups.",
    uses=("pipeline", "gaps", "roles"),
    finish=finish,
)
