"""Tests for what is coming up: interviews within a window and the follow-ups due."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jobsearch_core.errors import InvalidInputError
from jobsearch_core.events import (
    ApplicationClosed,
    FeedbackReceived,
    InterviewScheduled,
    ResumeSubmitted,
    Stage,
)
from jobsearch_core.testing import aware_datetimes, interview_scheduled
from jobsearch_core.testing import events as any_events
from jobsearch_core.views import fold
from jobsearch_core.views.pipeline import VIEW
from jobsearch_core.views.upcoming import FOLLOW_UP_DAYS, FollowUp, moment_or_now

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


def day(n: float) -> datetime:
    """The moment `n` days after T0."""
    return T0 + timedelta(days=n)


def applied(app: str, at: datetime = T0, company: str = "Acme") -> ResumeSubmitted:
    """A resume sent for `app`."""
    return ResumeSubmitted(application_id=app, company=company, role="Data Engineer", at=at)


def interview(app: str, stage: str, on: datetime, at: datetime = T0) -> InterviewScheduled:
    """An interview for `app` at `stage`, on `on`, arranged at `at`."""
    return InterviewScheduled(application_id=app, stage=stage, on=on, at=at)


class TestUpcoming:
    """`PipelineState.upcoming`: the interviews still to come, soonest first."""

    def test_soonest_first_across_applications(self):
        """Interviews of every open application, in the order they happen."""
        state = fold(
            VIEW,
            [
                applied("a1"),
                applied("a2", company="Globex"),
                interview("a1", "final", day(9)),
                interview("a2", "phone", day(3)),
                interview("a1", "phone", day(5)),
            ],
        )
        found = state.upcoming(day(1))
        assert [(u.application_id, u.interview.stage) for u in found] == [
            ("a2", Stage.PHONE),
            ("a1", Stage.PHONE),
            ("a1", Stage.FINAL),
        ]
        assert (found[0].company, found[0].role) == ("Globex", "Data Engineer")

    def test_window(self):
        """Only interviews from `now` to `until`, both ends included; past ones are left out."""
        state = fold(
            VIEW,
            [
                applied("a1"),
                interview("a1", "resume", day(1)),
                interview("a1", "phone", day(3)),
                interview("a1", "final", day(10)),
            ],
        )
        found = state.upcoming(day(3), until=day(9))
        assert [u.interview.stage for u in found] == [Stage.PHONE]
        assert [u.interview.stage for u in state.upcoming(day(2))] == [Stage.PHONE, Stage.FINAL]

    def test_closed_applications_are_left_out(self):
        """A rejected or withdrawn application's interviews will not happen."""
        state = fold(
            VIEW,
            [
                applied("a1"),
                interview("a1", "phone", day(5)),
                ApplicationClosed(application_id="a1", outcome="withdrawn", at=day(2)),
            ],
        )
        assert state.upcoming(day(1)) == []

    def test_naive_now_refused(self):
        """A naive moment is refused with an error naming it."""
        with pytest.raises(InvalidInputError, match="timezone-aware"):
            fold(VIEW, []).upcoming(datetime(2026, 11, 2))


class TestFollowUps:
    """`PipelineState.follow_ups`: open applications gone quiet, with nothing on the calendar."""

    def test_quiet_for_the_days_is_due(self):
        """No news for seven days (the default): due, from the last news."""
        state = fold(VIEW, [applied("a1", at=day(0))])
        assert state.follow_ups(day(6.9)) == []
        assert state.follow_ups(day(7)) == [
            FollowUp(
                application_id="a1",
                company="Acme",
                role="Data Engineer",
                since=day(0),
                due=day(FOLLOW_UP_DAYS),
            )
        ]

    def test_days_is_the_threshold(self):
        """`days` says how long a silence is too long."""
        state = fold(VIEW, [applied("a1", at=day(0))])
        assert state.follow_ups(day(3), days=3)[0].due == day(3)
        assert state.follow_ups(day(3), days=4) == []
        assert state.follow_ups(day(0), days=0)[0].due == day(0)

    def test_any_news_restarts_the_clock(self):
        """Feedback (any event about the application) is news."""
        state = fold(
            VIEW,
            [
                applied("a1", at=day(0)),
                FeedbackReceived(
                    application_id="a1", items=[{"skill": "SQL", "mark": "punch_up"}], at=day(5)
                ),
            ],
        )
        assert state.follow_ups(day(10)) == []
        assert state.follow_ups(day(12))[0].since == day(5)

    def test_an_interview_to_come_means_no_follow_up(self):
        """While an interview is on the calendar there is nothing to chase."""
        state = fold(VIEW, [applied("a1", at=day(0)), interview("a1", "phone", day(20))])
        assert state.follow_ups(day(15)) == []

    def test_the_clock_starts_after_the_interview(self):
        """Once the interview is held, the follow-up falls due the quiet days after it."""
        state = fold(VIEW, [applied("a1", at=day(0)), interview("a1", "phone", day(20))])
        assert state.follow_ups(day(26)) == []
        (due,) = state.follow_ups(day(27))
        assert (due.since, due.due) == (day(20), day(27))

    def test_longest_overdue_first(self):
        """The one that fell due first is listed first."""
        state = fold(VIEW, [applied("a1", at=day(3)), applied("a2", at=day(1), company="Globex")])
        assert [f.application_id for f in state.follow_ups(day(30))] == ["a2", "a1"]

    def test_closed_or_never_submitted_are_not_chased(self):
        """Only open applications the log saw submitted are followed up."""
        state = fold(
            VIEW,
            [
                applied("a1"),
                ApplicationClosed(application_id="a1", outcome="rejected", at=day(1)),
                interview("a2", "phone", day(2)),  # a2 was never submitted
            ],
        )
        assert state.follow_ups(day(60)) == []

    @pytest.mark.parametrize("days", [-1, True, 1.5, "7"])
    def test_bad_days_refused(self, days):
        """The quiet days are a whole number from 0; anything else is named in the error."""
        with pytest.raises(InvalidInputError, match="days"):
            fold(VIEW, [applied("a1")]).follow_ups(day(30), days=days)

    @given(
        st.lists(
            st.one_of(any_events(), interview_scheduled(), interview_scheduled()), max_size=30
        ),
        aware_datetimes(),
        st.integers(0, 60),
    )
    def test_rule_holds_for_any_events(self, events, now, days):
        """Every follow-up is an open, submitted application with nothing to come, quiet for
        at least `days`; every such application is one."""
        state = fold(VIEW, events)
        due = {f.application_id: f for f in state.follow_ups(now, days=days)}
        for app in state.applications.values():
            held = [i.on for i in app.interviews if i.on <= now]
            news = max([*held, *([app.last_activity] if app.last_activity else [])], default=None)
            expected = (
                app.is_open
                and app.company is not None
                and app.next_interview(now) is None
                and news is not None
                and now - news >= timedelta(days=days)
            )
            assert (app.id in due) == expected
            if expected:
                assert due[app.id].since == news
                assert due[app.id].due == news + timedelta(days=days) <= now


class TestMomentOrNow:
    """The one rule for the moment the questions are asked at."""

    def test_default_is_now_in_utc(self):
        """None means this moment, aware."""
        before = datetime.now(UTC)
        assert before <= moment_or_now(None) <= datetime.now(UTC)

    @pytest.mark.parametrize("given_now", [datetime(2026, 1, 1), "2026-01-01"])
    def test_naive_or_not_a_moment_refused(self, given_now):
        """A naive datetime, or text, is refused with an error that shows it."""
        with pytest.raises(InvalidInputError, match="2026"):
            moment_or_now(given_now)
