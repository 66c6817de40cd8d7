"""The `pipeline` view: every application, how far it got, its interviews, and the funnel
beside the base rates."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime  # cattrs resolves attrs annotations at runtime

import attrs

from jobsearch_core.events import (
    ApplicationClosed,
    BaseRatesSet,
    Event,
    FeedbackReceived,
    InterviewScheduled,
    Outcome,
    Recorded,
    ResumeSubmitted,
    RoleSuggested,
    ScreenPassed,
    Stage,
)
from jobsearch_core.views._dispatch import Handler, dispatcher
from jobsearch_core.views._skills import key_of
from jobsearch_core.views.frozen import is_frozen, thaw
from jobsearch_core.views.funnel import (
    BASE_RATES,
    BaseRate,
    Forecast,
    FunnelRow,
    base_rates_from,
    forecast,
    funnel,
)
from jobsearch_core.views.upcoming import (
    FOLLOW_UP_DAYS,
    FollowUp,
    Interview,
    UpcomingInterview,
    follow_ups,
    moment_or_now,
    next_after,
    reschedule,
    upcoming,
)
from jobsearch_core.views.view import View

__all__ = [
    "BASE_RATES",
    "UNSPECIFIED_CHANNEL",
    "VIEW",
    "Application",
    "BaseRate",
    "FollowUp",
    "FunnelRow",
    "Interview",
    "PipelineState",
    "StageReached",
    "UpcomingInterview",
    "apply",
    "funnel",
]

#: The channel key for applications whose `via` was not given.
UNSPECIFIED_CHANNEL = "unspecified"


@attrs.define(kw_only=True)
class StageReached:
    """One screen passed: which, when, and the log position that said so."""

    stage: Stage
    at: datetime
    position: int


@attrs.define(kw_only=True)
class Application:
    """One application as the log tells it so far."""

    id: str
    #: None until a `ResumeSubmitted` for this id is seen (it may arrive after a screen).
    company: str | None = None
    role: str | None = None
    via: str | None = None
    resume_version: str | None = None
    #: When the (first) resume for this id was sent; None until one is seen.
    applied_at: datetime | None = None
    #: The furthest stage passed; passing a later screen implies the earlier ones.
    stage: Stage = Stage.APPLIED
    #: Screens passed, in the order the log reported them (each stage once).
    stages: list[StageReached] = attrs.Factory(list)
    #: None while the application is open.
    outcome: Outcome | None = None
    closed_at: datetime | None = None
    feedback_count: int = 0
    #: The latest `at` of any event touching this application.
    last_activity: datetime | None = None
    #: Its interviews on the calendar, soonest first: one per stage (a reschedule replaces
    #: the earlier one), past ones included.
    interviews: list[Interview] = attrs.Factory(list)

    @property
    def channel(self) -> str:
        """The `via` this application is counted under in the per-channel funnel."""
        return self.via if self.via is not None else UNSPECIFIED_CHANNEL

    @property
    def is_open(self) -> bool:
        """True until an `ApplicationClosed` is seen."""
        return self.outcome is None

    def touch(self, at: datetime) -> None:
        """Note activity at `at` (events may arrive out of time order, so keep the latest)."""
        if self.last_activity is None or at > self.last_activity:
            self.last_activity = at

    def passed_at(self, stage: Stage) -> datetime | None:
        """When the application passed `stage` (None if that screen was not recorded)."""
        return next((reached.at for reached in self.stages if reached.stage is stage), None)

    def next_interview(self, now: datetime | None = None) -> Interview | None:
        """Its earliest interview at or after `now` (default: this moment), or None."""
        return next_after(self.interviews, moment_or_now(now))


@attrs.define(kw_only=True)
class PipelineState:
    """Every application by id; funnel figures are computed on demand from them."""

    applications: dict[str, Application] = attrs.Factory(dict)
    #: The typical pass rates a `BaseRatesSet` put in force (the defaults for the rest).
    base_rates: dict[Stage, float] = attrs.Factory(dict)
    #: Where those rates come from; None while the defaults are in force.
    base_rates_source: str | None = None

    @property
    def total(self) -> int:
        """How many applications the log knows of."""
        return len(self.applications)

    @property
    def open(self) -> int:
        """How many applications have no outcome yet."""
        return sum(1 for app in self.applications.values() if app.outcome is None)

    @property
    def by_outcome(self) -> dict[Outcome, int]:
        """How many applications ended each way (every outcome listed, 0 included)."""
        counts = dict.fromkeys(Outcome, 0)
        for app in self.applications.values():
            if app.outcome is not None:
                counts[app.outcome] += 1
        return counts

    @property
    def funnel(self) -> list[FunnelRow]:
        """One row per screen over all applications (waiting measured to the latest event)."""
        return self.funnel_at(self.latest_at)

    def funnel_at(self, now: datetime | None) -> list[FunnelRow]:
        """The funnel, with the waiting of pending applications measured to `now`."""
        return funnel(self.applications.values(), now=now, base_rates=self.typical)

    def forecast_at(self, now: datetime | None) -> Forecast:
        """Applications per offer, and offers to expect from those open, at your rates and
        at the typical ones (see `Forecast.caveat` for what it stands on)."""
        open_at = [app.stage for app in self.applications.values() if app.is_open]
        return forecast(self.funnel_at(now), open_at)

    @property
    def typical(self) -> dict[Stage, BaseRate]:
        """The base rate of each screen in force: the defaults, or a `BaseRatesSet`'s."""
        if not self.base_rates:
            return BASE_RATES
        return base_rates_from(self.base_rates, self.base_rates_source or "")

    @property
    def latest_at(self) -> datetime | None:
        """The latest `at` of any event about an application: "now", as the log tells it."""
        moments = [app.last_activity for app in self.applications.values() if app.last_activity]
        return max(moments, default=None)

    @property
    def channels(self) -> dict[str, list[FunnelRow]]:
        """The funnel per channel (`via`, or "unspecified"), channels in the order first seen.

        Channels compare as skills do ("Job Board" is "job board"), under the spelling
        first seen.
        """
        grouped: dict[str, list[Application]] = {}
        spelled: dict[str, str] = {}
        for app in self.applications.values():
            name = spelled.setdefault(key_of(app.channel), app.channel.strip())
            grouped.setdefault(name, []).append(app)
        now, typical = self.latest_at, self.typical
        return {
            channel: funnel(apps, now=now, base_rates=typical) for channel, apps in grouped.items()
        }

    @property
    def resume_versions(self) -> dict[str, list[FunnelRow]]:
        """The funnel per resume version sent (or "unspecified"), in the order first seen."""
        grouped: dict[str, list[Application]] = {}
        for app in self.applications.values():
            grouped.setdefault(app.resume_version or UNSPECIFIED_CHANNEL, []).append(app)
        now, typical = self.latest_at, self.typical
        return {
            version: funnel(apps, now=now, base_rates=typical) for version, apps in grouped.items()
        }

    def upcoming(
        self, now: datetime | None = None, *, until: datetime | None = None
    ) -> list[UpcomingInterview]:
        """The interviews of open applications from `now` (default: this moment) to `until`
        (None: no end), soonest first."""
        return upcoming(self.applications.values(), now=moment_or_now(now), until=until)

    def follow_ups(
        self, now: datetime | None = None, *, days: int = FOLLOW_UP_DAYS
    ) -> list[FollowUp]:
        """The follow-ups due at `now` (default: this moment), the longest overdue first:
        open applications with no interview to come and no news for `days` days."""
        return follow_ups(self.applications.values(), now=moment_or_now(now), days=days)

    def application(self, application_id: str, at: datetime) -> Application:
        """The application with this id to change (a copy of a frozen one, put in its
        place), started empty if the log has not mentioned it before."""
        apps = self.applications
        app = apps.get(application_id)
        if app is None:
            app = apps[application_id] = Application(id=application_id)
        elif is_frozen(app):
            app = apps[application_id] = thaw(app)
        app.touch(at)
        return app


# --- the fold --------------------------------------------------------------------------------


def _submitted(state: PipelineState, event: ResumeSubmitted, recorded: Recorded) -> None:
    app = state.application(event.application_id, event.at)
    # A repeat submission (a new resume version, say) updates what was sent; the
    # application still dates from the first one.
    app.company = event.company
    app.role = event.role
    app.via = event.via
    app.resume_version = event.resume_version
    if app.applied_at is None or event.at < app.applied_at:
        app.applied_at = event.at


def _screen(state: PipelineState, event: ScreenPassed, recorded: Recorded) -> None:
    app = state.application(event.application_id, event.at)
    if all(reached.stage is not event.stage for reached in app.stages):
        app.stages.append(StageReached(stage=event.stage, at=event.at, position=recorded.position))
    # Furthest stage only ever grows: a phone screen implies the resume was kept, and
    # nothing later (a rejection included) takes an interview away.
    if event.stage.order > app.stage.order:
        app.stage = event.stage


def _feedback(state: PipelineState, event: FeedbackReceived, recorded: Recorded) -> None:
    state.application(event.application_id, event.at).feedback_count += 1


def _closed(state: PipelineState, event: ApplicationClosed, recorded: Recorded) -> None:
    app = state.application(event.application_id, event.at)
    app.outcome = event.outcome
    app.closed_at = event.at


def _suggested(state: PipelineState, event: RoleSuggested, recorded: Recorded) -> None:
    # A role suggested during an interview is activity on that application, but it is
    # not an application itself: never start one from it.
    if event.application_id is not None and event.application_id in state.applications:
        state.application(event.application_id, event.at)


def _interview(state: PipelineState, event: InterviewScheduled, recorded: Recorded) -> None:
    # Arranging an interview is news on the application (it may come before the resume
    # is recorded, as a screen may).
    app = state.application(event.application_id, event.at)
    interview = Interview(
        stage=event.stage,
        on=event.on,
        with_whom=event.with_whom,
        note=event.note,
        position=recorded.position,
        arranged_at=event.at,
    )
    reschedule(app.interviews, interview)


def _base_rates(state: PipelineState, event: BaseRatesSet, recorded: Recorded) -> None:
    state.base_rates = dict(event.rates)
    state.base_rates_source = event.source


_HANDLERS: dict[type[Event], Handler[PipelineState]] = {
    ResumeSubmitted: _submitted,
    ScreenPassed: _screen,
    FeedbackReceived: _feedback,
    ApplicationClosed: _closed,
    RoleSuggested: _suggested,
    BaseRatesSet: _base_rates,
    InterviewScheduled: _interview,
}

#: Fold one event into the pipeline (in place) and return it.
apply: Callable[[PipelineState, Recorded], PipelineState] = dispatcher(_HANDLERS)


VIEW: View[PipelineState] = View(
    name="pipeline",
    version=3,
    initial=PipelineState,
    apply=apply,
    state_type=PipelineState,
    description="Every application, its furthest stage, interviews and outcome; "
    "the funnel beside base rates.",
    events=tuple(_HANDLERS),
    copy_on_write=True,
)
