"""Tests for the four nudge rules, on the demo job search and on small changes to it."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from jobsearch_core import (
    ApplicationClosed,
    EventLog,
    EventRetracted,
    FeedbackReceived,
    GapAdded,
    GapPromoted,
    InvalidInputError,
    ResumeSubmitted,
    RoleSuggested,
    ScreenPassed,
)

from jobsearch_core_nudges import Nudge, NudgeKind, NudgesState, Thresholds
from tests.conftest import NOW, day


def nudges(log: EventLog, now: datetime = NOW, **thresholds: int) -> list[Nudge]:
    """The nudges due at `now` with the given thresholds (the defaults otherwise)."""
    state: NudgesState = log.view("nudges")
    return state.due(now=now, thresholds=Thresholds(**thresholds))


def of_kind(found: list[Nudge], kind: NudgeKind) -> list[Nudge]:
    """The nudges of one kind, in the order given."""
    return [nudge for nudge in found if nudge.kind is kind]


def apply_for(log: EventLog, app_id: str, at: datetime, version: str | None = None) -> None:
    """Record an application sent at `at`."""
    log.append(
        [
            ResumeSubmitted(
                application_id=app_id,
                company="Initrode",
                role="Analyst",
                resume_version=version,
                at=at,
            )
        ]
    )


class TestTheDemo:
    """What the demo search is told to do at its end."""

    def test_three_nudges(self, demo_log: EventLog) -> None:
        """A follow-up for Oscorp, Data modeling for the Hooli role, and SQL to punch up."""
        found = nudges(demo_log)
        assert [(n.kind, n.subject) for n in found] == [
            (NudgeKind.FOLLOW_UP, "oscorp-analytics"),
            (NudgeKind.ADD_GAP, "Data modeling"),
            (NudgeKind.PUNCH_UP, "SQL"),
        ]

    def test_messages_say_why(self, demo_log: EventLog) -> None:
        """Each message names the thing, the days and the reason."""
        follow_up, role_skill, punch_up = nudges(demo_log)
        assert follow_up.message == (
            "Analytics Lead at Oscorp (oscorp-analytics): no news for 18 days; a follow-up is due "
            "(or mark it no_response)"
        )
        assert follow_up.days == 18
        assert follow_up.since == day(72)
        assert "Analytics Engineer at Hooli needs it" in role_skill.message
        assert role_skill.command == "jobsearch gap add 'Data modeling'"
        assert "named 3 times in feedback" in punch_up.message  # the debrief said so too
        assert "your latest resume, v2, was first sent" in punch_up.message

    def test_earlier_in_the_search(self, demo_log: EventLog) -> None:
        """On day 40 others were due: Wayne's silence, a focus item, two role skills, SQL."""
        state: NudgesState = demo_log.view("nudges", as_of=day(40))
        found = state.due(now=day(40), thresholds=Thresholds())
        assert [(n.kind, n.subject) for n in found] == [
            (NudgeKind.FOLLOW_UP, "wayne-insights"),
            (NudgeKind.PRACTISE, "A/B testing"),
            (NudgeKind.ADD_GAP, "Product sense"),
            (NudgeKind.ADD_GAP, "Data modeling"),
            (NudgeKind.PUNCH_UP, "SQL"),
        ]


class TestApplications:
    """Open applications with no news: follow up, then mark them no_response."""

    @pytest.mark.parametrize(
        ("silent_days", "kind"),
        [
            (13, None),
            (14, NudgeKind.FOLLOW_UP),
            (27, NudgeKind.FOLLOW_UP),
            (28, NudgeKind.NO_RESPONSE),
            (60, NudgeKind.NO_RESPONSE),
        ],
    )
    def test_thresholds(self, demo_log: EventLog, silent_days: int, kind: NudgeKind | None) -> None:
        """14 days without news: a follow-up; 28 days (twice that): mark it no_response."""
        apply_for(demo_log, "initrode-1", NOW - timedelta(days=silent_days))
        found = [n for n in nudges(demo_log) if n.subject == "initrode-1"]
        assert [n.kind for n in found] == ([] if kind is None else [kind])

    def test_no_response_names_the_command(self, demo_log: EventLog) -> None:
        """A long silence suggests the command that closes the application."""
        apply_for(demo_log, "initrode-1", NOW - timedelta(days=40))
        (found,) = [n for n in nudges(demo_log) if n.subject == "initrode-1"]
        assert found.command == "jobsearch close initrode-1 no_response"
        assert found.message.startswith(
            "Analyst at Initrode (initrode-1): no news for 40 days; mark"
        )

    def test_any_news_restarts_the_clock(self, demo_log: EventLog) -> None:
        """A screen, feedback or a role suggested on the application counts as news."""
        apply_for(demo_log, "initrode-1", NOW - timedelta(days=30))
        demo_log.append(
            [ScreenPassed(application_id="initrode-1", stage="resume", at=NOW - timedelta(days=3))]
        )
        assert not [n for n in nudges(demo_log) if n.subject == "initrode-1"]

    def test_closed_applications_are_left_alone(self, demo_log: EventLog) -> None:
        """Closing Oscorp (with any outcome) ends its nudge."""
        demo_log.append(
            [ApplicationClosed(application_id="oscorp-analytics", outcome="no_response", at=NOW)]
        )
        assert not of_kind(nudges(demo_log), NudgeKind.FOLLOW_UP)

    def test_an_unknown_application_is_not_chased(self, demo_log: EventLog) -> None:
        """A screen for an application the log never saw sent is no application to chase."""
        demo_log.append(
            [ScreenPassed(application_id="ghost", stage="phone", at=NOW - timedelta(days=40))]
        )
        assert not [n for n in nudges(demo_log) if n.subject == "ghost"]

    def test_oldest_news_first(self, demo_log: EventLog) -> None:
        """Silent applications come first, the one with the oldest news at the top."""
        apply_for(demo_log, "initrode-1", NOW - timedelta(days=20))
        apply_for(demo_log, "initrode-2", NOW - timedelta(days=50))
        assert [(n.kind, n.subject) for n in nudges(demo_log)][:3] == [
            (NudgeKind.NO_RESPONSE, "initrode-2"),
            (NudgeKind.FOLLOW_UP, "initrode-1"),
            (NudgeKind.FOLLOW_UP, "oscorp-analytics"),
        ]

    def test_thresholds_are_configurable(self, demo_log: EventLog) -> None:
        """With 10 days Oscorp is still the only one due (Soylent, quiet since its phone
        screen on day 80, has its second interview on the calendar); with 30, nothing is."""
        found = of_kind(nudges(demo_log, follow_up_days=10), NudgeKind.FOLLOW_UP)
        assert [n.subject for n in found] == ["oscorp-analytics"]
        assert not of_kind(nudges(demo_log, follow_up_days=30), NudgeKind.FOLLOW_UP)
        (oscorp,) = of_kind(
            nudges(demo_log, follow_up_days=10, no_response_days=15), NudgeKind.NO_RESPONSE
        )
        assert oscorp.subject == "oscorp-analytics"


class TestPractice:
    """Focus items (the top two of the gap list) not practised lately."""

    def test_practised_lately_is_quiet(self, demo_log: EventLog) -> None:
        """At the end of the demo both focus items were practised within 7 days."""
        assert not of_kind(nudges(demo_log), NudgeKind.PRACTISE)

    def test_unpractised_focus_item(self, demo_log: EventLog) -> None:
        """On day 92, A/B testing (last practised on day 84) is due; day 87's practice is not."""
        found = of_kind(nudges(demo_log, now=day(92.5)), NudgeKind.PRACTISE)
        assert [(n.subject, n.days) for n in found] == [("A/B testing", 8)]
        assert found[0].message == (
            "A/B testing (rank 1, a focus item): last practised 8 days ago; "
            f"keep the {demo_log.view('gaps').items[0].weeks_in_a_row(day(92.5))}-week streak going"
        )

    def test_a_streak_at_risk_at_the_weekend(self, demo_log: EventLog) -> None:
        """On Saturday of the week after, Stakeholder communication (practised on day 87,
        within a 10-day window) has nothing this week: its streak is at risk."""
        saturday = day(95.5)
        assert saturday.weekday() == 5
        found = of_kind(nudges(demo_log, now=saturday, practice_days=10), NudgeKind.PRACTISE)
        assert [n.subject for n in found] == ["A/B testing", "Stakeholder communication"]
        assert found[1].message.startswith(
            "Stakeholder communication (rank 2, a focus item): not practised this week yet; "
            "practise it by Sunday to keep the "
        )
        friday = of_kind(nudges(demo_log, now=day(94.5), practice_days=10), NudgeKind.PRACTISE)
        assert [n.subject for n in friday] == ["A/B testing"]

    def test_window_is_configurable(self, demo_log: EventLog) -> None:
        """With a 3-day window, both focus items are due at the end of the demo."""
        found = of_kind(nudges(demo_log, practice_days=3), NudgeKind.PRACTISE)
        assert [n.subject for n in found] == ["A/B testing", "Stakeholder communication"]
        assert found[0].command == "jobsearch gap practice 'A/B testing' MINUTES"

    def test_never_practised_counts_from_joining_the_list(self, demo_log: EventLog) -> None:
        """A skill put at the top today is not overdue; a week later it is."""
        demo_log.append([GapAdded(skill="Go", rank=1, at=NOW)])
        assert not [n for n in nudges(demo_log) if n.subject == "Go"]
        (found,) = [n for n in nudges(demo_log, now=NOW + timedelta(days=7)) if n.subject == "Go"]
        assert (
            found.message
            == "Go (rank 1, a focus item): never practised in the 7 days it has been on the list"
        )

    def test_only_the_top_two(self, demo_log: EventLog) -> None:
        """Items below the top two are never nudged, however long unpractised."""
        demo_log.append([GapPromoted(skill="Public speaking", to_rank=3, at=NOW)])
        later = NOW + timedelta(days=60)
        assert "Public speaking" not in {n.subject for n in nudges(demo_log, now=later)}


class TestRoleSkills:
    """Skills a suggested role needs that are not on the gap list."""

    def test_adding_the_skill_ends_the_nudge(self, demo_log: EventLog) -> None:
        """Once Data modeling is on the list (in any spelling) it is no longer missing."""
        demo_log.append([GapAdded(skill="  data   Modeling ", at=NOW)])
        assert not of_kind(nudges(demo_log), NudgeKind.ADD_GAP)

    def test_a_skill_two_roles_need_is_one_nudge(self, demo_log: EventLog) -> None:
        """A missing skill is named once, with every role that needs it."""
        demo_log.append(
            [
                RoleSuggested(
                    company="Initech",
                    role="Data Engineer",
                    skills=["Data modeling", "Spark"],
                    at=NOW,
                )
            ]
        )
        found = of_kind(nudges(demo_log), NudgeKind.ADD_GAP)
        assert [n.subject for n in found] == ["Data modeling", "Spark"]
        assert (
            "Analytics Engineer at Hooli and Data Engineer at Initech needs it" in found[0].message
        )

    def test_a_punch_up_skill_is_not_missing(self, demo_log: EventLog) -> None:
        """A skill already on the resume (a punch-up) is covered, as the roles view says."""
        demo_log.append(
            [RoleSuggested(company="Initech", role="Data Engineer", skills=["Python"], at=NOW)]
        )
        assert "Python" not in {n.subject for n in of_kind(nudges(demo_log), NudgeKind.ADD_GAP)}


class TestPunchUps:
    """Punch-ups the latest resume version has not addressed."""

    def test_a_version_first_sent_after_the_feedback_addresses_it(self, demo_log: EventLog) -> None:
        """Python (named on day 24) is addressed by v2, first sent on day 33; SQL (day 34) is not."""
        assert [n.subject for n in of_kind(nudges(demo_log), NudgeKind.PUNCH_UP)] == ["SQL"]

    def test_a_new_version_addresses_everything_before_it(self, demo_log: EventLog) -> None:
        """Sending v3 after the last feedback leaves no punch-up to do."""
        apply_for(demo_log, "initrode-1", NOW - timedelta(days=1), version="v3")
        assert not of_kind(nudges(demo_log), NudgeKind.PUNCH_UP)

    def test_going_back_to_an_old_version_undoes_it(self, demo_log: EventLog) -> None:
        """If the newest application went out with v1 again, Python is due again too."""
        apply_for(demo_log, "initrode-1", NOW - timedelta(days=1), version="v1")
        assert [n.subject for n in of_kind(nudges(demo_log), NudgeKind.PUNCH_UP)] == [
            "SQL",
            "Python",
        ]

    def test_feedback_after_the_new_version_is_due_again(self, demo_log: EventLog) -> None:
        """Feedback naming a skill after v3 went out makes it due again."""
        apply_for(demo_log, "initrode-1", NOW - timedelta(days=5), version="v3")
        demo_log.append(
            [
                FeedbackReceived(
                    application_id="initrode-1",
                    items=[{"skill": "Python", "mark": "punch_up"}],
                    at=NOW - timedelta(days=1),
                )
            ]
        )
        (found,) = of_kind(nudges(demo_log), NudgeKind.PUNCH_UP)
        assert found.subject == "Python"
        assert "named 2 times" in found.message

    def test_without_versions_every_punch_up_is_due(self, log: EventLog) -> None:
        """With no resume version recorded, the nudge says how to record one."""
        log.append(
            [
                ResumeSubmitted(application_id="a", company="Acme", role="Analyst", at=day(0)),
                FeedbackReceived(
                    application_id="a", items=[{"skill": "SQL", "mark": "punch_up"}], at=day(1)
                ),
            ]
        )
        (found,) = of_kind(nudges(log, now=day(2)), NudgeKind.PUNCH_UP)
        assert found.message.endswith(
            "no resume version is recorded yet (apply with --resume-version)"
        )

    def test_a_retracted_feedback_takes_its_punch_up_away(self, demo_log: EventLog) -> None:
        """Retracting both feedbacks that named SQL leaves nothing to punch up."""
        named_sql = [
            r.position
            for r in demo_log.read()
            if isinstance(r.event, FeedbackReceived)
            and any(i.skill == "SQL" for i in r.event.items)
        ]
        demo_log.append([EventRetracted(position=p, reason="misheard", at=NOW) for p in named_sql])
        assert not of_kind(nudges(demo_log), NudgeKind.PUNCH_UP)


class TestDue:
    """Reading the nudges: the moment and the thresholds."""

    def test_now_must_be_aware(self, demo_log: EventLog) -> None:
        """A naive `now` is refused with an error that names it."""
        with pytest.raises(InvalidInputError, match="now must be timezone-aware"):
            demo_log.view("nudges").due(now=datetime(2026, 6, 1))

    def test_thresholds_default_to_the_environment(
        self, demo_log: EventLog, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """Without thresholds, $JOBSEARCH_NUDGES_FOLLOW_UP_DAYS and friends decide."""
        monkeypatch.setenv("JOBSEARCH_NUDGES_FOLLOW_UP_DAYS", "20")
        state: NudgesState = demo_log.view("nudges")
        assert "oscorp-analytics" not in {n.subject for n in state.due(now=NOW)}


class TestInterviewsOnTheCalendar:
    """An interview still to come means no follow-up; one held counts as news."""

    def test_soylent_is_quiet_only_after_its_interview(self, demo_log: EventLog) -> None:
        """Soylent's second interview is on day 92: no follow-up before it; after it, the
        interview is the news a follow-up counts from."""
        before = of_kind(nudges(demo_log, follow_up_days=5), NudgeKind.FOLLOW_UP)
        assert "soylent-ds" not in [n.subject for n in before]
        after = of_kind(nudges(demo_log, now=day(99), follow_up_days=5), NudgeKind.FOLLOW_UP)
        (soylent,) = [n for n in after if n.subject == "soylent-ds"]
        assert soylent.since == day(92).replace(hour=14)
