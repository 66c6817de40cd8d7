"""Tests for the `pipeline` view: applications, their furthest stage, and the funnel."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import attrs
import cattrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from jobsearch_core.errors import InvalidInputError
from jobsearch_core.events import (
    SCREENS,
    ApplicationClosed,
    EventRetracted,
    FeedbackReceived,
    InterviewScheduled,
    Outcome,
    ResumeSubmitted,
    RoleSuggested,
    ScreenPassed,
    Stage,
)
from jobsearch_core.testing import aware_datetimes, event_sequences, interview_scheduled
from jobsearch_core.testing import events as any_events
from jobsearch_core.views import fold
from jobsearch_core.views.pipeline import (
    BASE_RATES,
    VIEW,
    Interview,
    PipelineState,
    StageReached,
)

T0 = datetime(2024, 3, 1, tzinfo=UTC)


def day(n: int) -> datetime:
    """The moment `n` days after T0."""
    return T0 + timedelta(days=n)


def applied(app: str, via: str | None = None, at: datetime = T0) -> ResumeSubmitted:
    """A resume sent for application `app`."""
    return ResumeSubmitted(application_id=app, company="Acme", role="Analyst", via=via, at=at)


def passed(app: str, *stages: str, at: datetime = T0) -> list[ScreenPassed]:
    """Screens passed by `app`, in the order given."""
    return [ScreenPassed(application_id=app, stage=stage, at=at) for stage in stages]


def interview(
    app: str, stage: str, on: datetime, *, at: datetime = T0, with_whom: str | None = None
) -> InterviewScheduled:
    """An interview for `app` at `stage`, on `on`, arranged at `at`."""
    return InterviewScheduled(application_id=app, stage=stage, on=on, with_whom=with_whom, at=at)


def json_converter() -> cattrs.Converter:
    """A plain converter that writes datetimes as ISO 8601 text."""
    converter = cattrs.Converter()
    converter.register_unstructure_hook(datetime, datetime.isoformat)
    converter.register_structure_hook(datetime, lambda value, _: datetime.fromisoformat(value))
    return converter


class TestApplications:
    """How each application is folded."""

    def test_resume_submitted(self):
        """A submission starts an open application at `applied`."""
        state = fold(
            VIEW,
            [
                ResumeSubmitted(
                    application_id="a1",
                    company="Acme",
                    role="Analyst",
                    via="referral",
                    resume_version="v2",
                    at=day(1),
                )
            ],
        )
        app = state.applications["a1"]
        assert (app.id, app.company, app.role, app.via, app.resume_version) == (
            "a1",
            "Acme",
            "Analyst",
            "referral",
            "v2",
        )
        assert (app.applied_at, app.last_activity) == (day(1), day(1))
        assert app.stage is Stage.APPLIED
        assert app.stage == "applied"
        assert (app.outcome, app.closed_at, app.feedback_count, app.stages) == (None, None, 0, [])

    def test_screen_for_an_unknown_application(self):
        """A screen before the resume starts the application with no company or role."""
        state = fold(VIEW, passed("a1", "phone"))
        app = state.applications["a1"]
        assert (app.company, app.role, app.applied_at) == (None, None, None)
        assert app.stage is Stage.PHONE

    def test_later_resume_fills_in(self):
        """A later `ResumeSubmitted` fills in company and role and keeps the stage."""
        state = fold(VIEW, [*passed("a1", "resume", at=day(2)), applied("a1", at=day(1))])
        app = state.applications["a1"]
        assert (app.company, app.role, app.applied_at) == ("Acme", "Analyst", day(1))
        assert app.stage is Stage.RESUME

    def test_furthest_stage_and_stage_history(self):
        """`stage` is the furthest passed; `stages` lists them in the order passed."""
        events = [
            applied("a1"),
            ScreenPassed(application_id="a1", stage="resume", at=day(1)),
            ScreenPassed(application_id="a1", stage="second_interview", at=day(5)),
            ScreenPassed(application_id="a1", stage="phone", at=day(3)),
        ]
        app = fold(VIEW, events).applications["a1"]
        assert app.stage is Stage.SECOND_INTERVIEW
        assert app.stages == [
            StageReached(stage=Stage.RESUME, at=day(1), position=2),
            StageReached(stage=Stage.SECOND_INTERVIEW, at=day(5), position=3),
            StageReached(stage=Stage.PHONE, at=day(3), position=4),
        ]

    def test_a_stage_passed_twice_is_listed_once(self):
        """Repeating a screen does not add a second entry."""
        app = fold(VIEW, [applied("a1"), *passed("a1", "phone", "phone")]).applications["a1"]
        assert [reached.stage for reached in app.stages] == [Stage.PHONE]

    def test_rejection_keeps_the_interview(self):
        """A later rejection closes the application but keeps its furthest stage."""
        events = [
            applied("a1"),
            *passed("a1", "resume", "phone"),
            ApplicationClosed(application_id="a1", outcome="rejected", at=day(9)),
        ]
        state = fold(VIEW, events)
        app = state.applications["a1"]
        assert (app.stage, app.outcome, app.closed_at) == (Stage.PHONE, Outcome.REJECTED, day(9))
        assert [row.count for row in state.funnel] == [1, 1, 0, 0]

    def test_feedback_and_activity(self):
        """Feedback is counted; `last_activity` is the latest moment, whatever the order."""
        events = [
            applied("a1", at=day(1)),
            FeedbackReceived(
                application_id="a1", items=[{"skill": "SQL", "mark": "punch_up"}], at=day(6)
            ),
            FeedbackReceived(
                application_id="a1", items=[{"skill": "Go", "mark": "next_focus"}], at=day(4)
            ),
        ]
        app = fold(VIEW, events).applications["a1"]
        assert app.feedback_count == 2
        assert app.last_activity == day(6)

    def test_role_suggested_touches_but_never_starts_an_application(self):
        """A suggestion during an application is activity on it; an unknown id starts nothing."""
        events = [
            applied("a1", at=day(1)),
            RoleSuggested(company="X", role="Y", skills=[], application_id="a1", at=day(3)),
            RoleSuggested(company="X", role="Y", skills=[], application_id="a2", at=day(3)),
        ]
        state = fold(VIEW, events)
        assert list(state.applications) == ["a1"]
        assert state.applications["a1"].last_activity == day(3)

    def test_close_and_feedback_for_unknown_applications(self):
        """Closing or feedback for an id never submitted starts it rather than failing."""
        state = fold(
            VIEW,
            [
                ApplicationClosed(application_id="a1", outcome="no_response"),
                FeedbackReceived(application_id="a2", items=[{"skill": "Go", "mark": "punch_up"}]),
            ],
        )
        assert state.applications["a1"].outcome is Outcome.NO_RESPONSE
        assert state.applications["a2"].feedback_count == 1

    def test_retracted_screen_is_skipped(self):
        """Retracting a screen takes the stage back."""
        events = [
            applied("a1"),
            *passed("a1", "resume", "phone"),
            EventRetracted(position=3, reason="was a recruiter call"),
        ]
        app = fold(VIEW, events).applications["a1"]
        assert app.stage is Stage.RESUME
        assert [reached.stage for reached in app.stages] == [Stage.RESUME]


class TestInterviews:
    """Each application's interviews on the calendar, and the next one."""

    def test_scheduled_interview_is_listed(self):
        """An `InterviewScheduled` puts the interview on its application, with its position."""
        state = fold(
            VIEW, [applied("a1"), interview("a1", "phone", day(10), at=day(2), with_whom="Ann")]
        )
        app = state.applications["a1"]
        assert app.interviews == [
            Interview(
                stage=Stage.PHONE, on=day(10), with_whom="Ann", position=2, arranged_at=day(2)
            )
        ]
        assert app.last_activity == day(2)  # arranging it is news; the interview is to come

    def test_interviews_are_soonest_first(self):
        """The list is in the order the interviews happen, not the order they were arranged."""
        events = [
            applied("a1"),
            interview("a1", "final", day(30)),
            interview("a1", "phone", day(10)),
            interview("a1", "second_interview", day(20)),
        ]
        app = fold(VIEW, events).applications["a1"]
        assert [i.stage for i in app.interviews] == [
            Stage.PHONE,
            Stage.SECOND_INTERVIEW,
            Stage.FINAL,
        ]

    def test_next_interview(self):
        """The next interview is the earliest at or after the moment asked about."""
        events = [
            applied("a1"),
            interview("a1", "phone", day(10)),
            interview("a1", "second_interview", day(20)),
        ]
        app = fold(VIEW, events).applications["a1"]
        assert app.next_interview(day(1)).stage is Stage.PHONE
        assert app.next_interview(day(10)).stage is Stage.PHONE  # at the very moment: still next
        assert app.next_interview(day(11)).stage is Stage.SECOND_INTERVIEW
        assert app.next_interview(day(21)) is None

    def test_next_interview_defaults_to_now(self):
        """Without a moment, the next interview is the next one from this moment on."""
        now = datetime.now(UTC)
        events = [
            applied("a1"),
            interview("a1", "phone", now - timedelta(days=1)),
            interview("a1", "final", now + timedelta(days=3)),
        ]
        app = fold(VIEW, events).applications["a1"]
        assert app.next_interview().stage is Stage.FINAL

    def test_next_interview_refuses_a_naive_moment(self):
        """A naive `now` is refused with an error that names it, not compared by guesswork."""
        app = fold(VIEW, [interview("a1", "phone", day(3))]).applications["a1"]
        with pytest.raises(InvalidInputError, match="timezone-aware"):
            app.next_interview(datetime(2024, 3, 1))

    def test_reschedule_replaces_the_interview_of_that_stage(self):
        """A second `InterviewScheduled` for the same application and stage moves it."""
        events = [
            applied("a1"),
            interview("a1", "phone", day(10), at=day(1), with_whom="Ann"),
            interview("a1", "phone", day(12), at=day(3)),
        ]
        app = fold(VIEW, events).applications["a1"]
        assert [(i.stage, i.on, i.with_whom, i.position) for i in app.interviews] == [
            (Stage.PHONE, day(12), None, 3)
        ]
        assert app.next_interview(day(11)).on == day(12)

    def test_the_one_arranged_last_counts(self):
        """An older arrangement recorded after the reschedule does not undo it."""
        events = [
            applied("a1"),
            interview("a1", "phone", day(12), at=day(3)),
            interview("a1", "phone", day(10), at=day(1)),  # backfilled: arranged earlier
        ]
        app = fold(VIEW, events).applications["a1"]
        assert [(i.on, i.position) for i in app.interviews] == [(day(12), 2)]

    def test_other_applications_and_stages_are_kept_apart(self):
        """Only the same application and stage is a reschedule."""
        events = [
            applied("a1"),
            applied("a2"),
            interview("a1", "phone", day(10)),
            interview("a2", "phone", day(11)),
            interview("a1", "final", day(12)),
        ]
        apps = fold(VIEW, events).applications
        assert [i.stage for i in apps["a1"].interviews] == [Stage.PHONE, Stage.FINAL]
        assert [i.on for i in apps["a2"].interviews] == [day(11)]

    def test_interview_before_the_application(self):
        """An interview for an id not yet submitted starts it; the resume fills it in later."""
        state = fold(VIEW, [interview("a1", "phone", day(10), at=day(2)), applied("a1", at=day(1))])
        app = state.applications["a1"]
        assert (app.company, app.applied_at, app.stage) == ("Acme", day(1), Stage.APPLIED)
        assert [i.stage for i in app.interviews] == [Stage.PHONE]

    def test_interview_for_an_application_never_submitted(self):
        """Folds are total: an interview alone folds, into an application with no company."""
        app = fold(VIEW, [interview("a1", "final", day(10))]).applications["a1"]
        assert (app.company, app.role, app.applied_at) == (None, None, None)
        assert app.next_interview(day(0)).stage is Stage.FINAL

    def test_retracted_interview_is_removed(self):
        """Retracting an `InterviewScheduled` takes it off the calendar."""
        events = [
            applied("a1"),
            interview("a1", "phone", day(10)),
            EventRetracted(position=2, reason="never confirmed"),
        ]
        app = fold(VIEW, events).applications["a1"]
        assert app.interviews == []
        assert app.next_interview(day(0)) is None

    def test_retracting_a_reschedule_brings_the_first_back(self):
        """Retract the reschedule and the interview is back on its first date."""
        events = [
            applied("a1"),
            interview("a1", "phone", day(10), at=day(1)),
            interview("a1", "phone", day(12), at=day(3)),
            EventRetracted(position=3, reason="the move fell through"),
        ]
        app = fold(VIEW, events).applications["a1"]
        assert [(i.on, i.position) for i in app.interviews] == [(day(10), 2)]

    def test_closing_keeps_the_interviews(self):
        """A closed application keeps its interviews (past ones are its history)."""
        events = [
            applied("a1"),
            interview("a1", "phone", day(10)),
            ApplicationClosed(application_id="a1", outcome="rejected", at=day(12)),
        ]
        app = fold(VIEW, events).applications["a1"]
        assert [i.on for i in app.interviews] == [day(10)]


@attrs.frozen(kw_only=True)
class OnsiteScreenPassed(ScreenPassed):
    """A plugin's own kind of `ScreenPassed`."""


class TestOtherEventTypes:
    """Events from plugins."""

    def test_subclass_folds_like_its_base(self):
        """A subclass of a built-in event is folded by the base's rule."""
        app = fold(VIEW, [OnsiteScreenPassed(application_id="a1", stage="final")]).applications
        assert app["a1"].stage is Stage.FINAL


class TestCounts:
    """Totals, open applications and outcomes."""

    def test_total_open_and_by_outcome(self):
        """The counts follow the applications and their outcomes."""
        events = [
            applied("a1"),
            applied("a2"),
            applied("a3"),
            ApplicationClosed(application_id="a1", outcome="rejected"),
            ApplicationClosed(application_id="a2", outcome="offer"),
        ]
        state = fold(VIEW, events)
        assert (state.total, state.open) == (3, 1)
        assert state.by_outcome[Outcome.REJECTED] == 1
        assert state.by_outcome[Outcome.OFFER] == 1
        assert state.by_outcome[Outcome.WITHDRAWN] == 0
        assert set(state.by_outcome) == set(Outcome)


class TestFunnel:
    """The funnel, counted from each application's furthest stage."""

    def test_empty(self):
        """With no applications every row counts 0 and rates are None."""
        rows = fold(VIEW, []).funnel
        assert [row.stage for row in rows] == list(SCREENS)
        assert all(row.count == 0 for row in rows)
        assert all(row.rate is None and row.per_100 is None for row in rows)
        assert [row.base_rate for row in rows] == [BASE_RATES[stage].rate for stage in SCREENS]

    def test_counts_and_rates(self):
        """Counts include everything that got further; open applications are pending, not
        failures: a rate divides by those decided (passed or cut) only."""
        events = [applied(f"a{i}") for i in range(10)]
        events += passed("a0", "resume", "phone", "second_interview")
        events += passed("a1", "phone")  # phone without resume counts as passing resume too
        events += passed("a2", "resume")
        events += passed("a3", "resume")
        events += [ApplicationClosed(application_id=f"a{i}", outcome="rejected") for i in (2, 4, 5)]
        rows = fold(VIEW, events).funnel
        assert [row.count for row in rows] == [4, 2, 1, 0]
        assert [row.cut for row in rows] == [2, 1, 0, 0]
        assert [row.pending for row in rows] == [4, 1, 1, 1]
        assert [row.rate for row in rows] == [4 / 6, 2 / 3, 1.0, None]
        assert [row.per_100 for row in rows] == [40.0, 20.0, 10.0, 0.0]

    def test_rate_is_none_while_nothing_is_decided(self):
        """One application still waiting: no rate anywhere, and it counts as pending."""
        rows = fold(VIEW, [applied("a1")]).funnel
        assert [row.rate for row in rows] == [None, None, None, None]
        assert rows[0].pending == 1
        assert rows[0].per_100 == 0.0

    def test_base_rates(self):
        """Each row carries the typical step rate and the typical range per 100."""
        rows = fold(VIEW, []).funnel
        assert [row.base_rate for row in rows] == pytest.approx([0.15, 0.40, 2.5 / 6, 0.40])
        assert [(row.base_low, row.base_high) for row in rows] == [
            (12, 18),
            (5, 7),
            (2, 3),
            (1, 1),
        ]

    def test_per_channel(self):
        """Each channel has its own funnel; no `via` counts as "unspecified"."""
        events = [
            applied("a1", via="referral"),
            applied("a2", via="referral"),
            applied("a3", via="job board"),
            applied("a4"),
            *passed("a1", "phone"),
            *passed("a4", "resume"),
        ]
        channels = fold(VIEW, events).channels
        assert list(channels) == ["referral", "job board", "unspecified"]
        assert [row.count for row in channels["referral"]] == [1, 1, 0, 0]
        assert channels["referral"][0].rate == 1.0  # a2 is still waiting
        assert channels["referral"][0].pending == 1
        assert [row.count for row in channels["job board"]] == [0, 0, 0, 0]
        assert [row.count for row in channels["unspecified"]] == [1, 0, 0, 0]


class TestProperties:
    """Properties that hold for any sequence of events."""

    @given(event_sequences(max_size=30))
    def test_fold_is_total(self, events):
        """Any sequence folds, and the funnel never grows down the stages."""
        state = fold(VIEW, events)
        counts = [row.count for row in state.funnel]
        assert counts == sorted(counts, reverse=True)
        assert all(count <= state.total for count in counts)
        assert sum(sum(row.count for row in rows) for rows in state.channels.values()) == sum(
            counts
        )

    @given(event_sequences(max_size=30))
    def test_stage_is_the_furthest_passed(self, events):
        """Each application's stage is the furthest of the stages it lists."""
        for app in fold(VIEW, events).applications.values():
            furthest = max((reached.stage.order for reached in app.stages), default=0)
            assert app.stage.order == furthest
            assert len({reached.stage for reached in app.stages}) == len(app.stages)

    @given(
        st.lists(
            st.one_of(any_events(), interview_scheduled(), interview_scheduled()),
            max_size=30,
        ),
        aware_datetimes(),
    )
    def test_interviews_one_per_stage_soonest_first(self, events, now):
        """Any events fold into at most one interview per stage, soonest first, and the next
        interview is the earliest of them at or after the moment asked about."""
        for app in fold(VIEW, events).applications.values():
            stages = [i.stage for i in app.interviews]
            assert len(set(stages)) == len(stages)
            assert [i.on for i in app.interviews] == sorted(i.on for i in app.interviews)
            later = [i for i in app.interviews if i.on >= now]
            assert app.next_interview(now) == (later[0] if later else None)

    @given(event_sequences(max_size=30))
    def test_json_round_trip(self, events):
        """The state survives cattrs -> JSON -> cattrs unchanged."""
        state = fold(VIEW, events)
        converter = json_converter()
        text = json.dumps(converter.unstructure(state))
        assert converter.structure(json.loads(text), PipelineState) == state


def test_channels_compare_like_skills() -> None:
    """ "Job Board" and " job board" are one channel, shown as first spelled."""
    state = fold(
        VIEW,
        [
            ResumeSubmitted(application_id="a1", company="Acme", role="Analyst", via="Job Board"),
            ResumeSubmitted(
                application_id="a2", company="Globex", role="Analyst", via=" job  board"
            ),
            ResumeSubmitted(application_id="a3", company="Initech", role="Analyst", via="referral"),
        ],
    )
    assert list(state.channels) == ["Job Board", "referral"]
    assert state.channels["Job Board"][0].count == 0
