"""A sample job search (three months of it) to try the library on: ``python -m jobsearch_core.demo``.

The story: a goal and a first gap list; a resume in two versions; a dozen applications,
most of them rejected (as most are); feedback that tops the list with A/B testing, one
interviewer spelling it "AB testing" until the seeker merges the two; suggested roles;
practice; a slip corrected; interviews on the calendar, one still to come; a debrief
after the Soylent phone screen (feedback, a role and a move, in one append); and, at
the end, a plan that disagrees with the seeker's order once.
"""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

from jobsearch_core.events import (
    ApplicationClosed,
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
    ResumeSubmitted,
    ResumeUpdated,
    RoleSuggested,
    ScreenPassed,
    SkillsMerged,
)
from jobsearch_core.log import EventLog

__all__ = ["APPLICATIONS", "load_demo", "story"]

#: The applications: id, company, role, channel, days after the start.
APPLICATIONS = [
    ("northwind-analyst", "Northwind", "Data Analyst", "referral", 3),
    ("globex-ds", "Globex", "Data Scientist", "job board", 4),
    ("initech-bi", "Initech", "BI Developer", "job board", 6),
    ("umbrella-ml", "Umbrella Health", "ML Engineer", "company site", 9),
    ("hooli-analytics", "Hooli", "Analytics Engineer", "recruiter", 12),
    ("stark-ds", "Stark Energy", "Data Scientist", "company site", 15),
    ("wayne-insights", "Wayne Foundation", "Insights Analyst", "referral", 20),
    ("acme-product", "Acme", "Product Analyst", "job board", 26),
    ("cyberdyne-ds", "Cyberdyne", "Data Scientist", "recruiter", 33),
    ("tyrell-research", "Tyrell", "Research Analyst", "meetup", 41),
    ("soylent-ds", "Soylent", "Senior Data Scientist", "job board", 55),
    ("oscorp-analytics", "Oscorp", "Analytics Lead", "referral", 62),
]


def story(start: datetime) -> list[tuple[int, Event]]:
    """The demo job search as (day, event) pairs; a `day` counts from `start` (hours vary)."""

    def at(day: float) -> datetime:
        return start + timedelta(days=day)

    def feedback(app: str, day: float, source: str, *items: tuple[str, str, str | None]) -> Event:
        return FeedbackReceived(
            application_id=app,
            items=[FeedbackItem(skill=s, mark=m, comment=c) for s, m, c in items],
            source=source,
            at=at(day),
        )

    events: list[tuple[float, Event]] = [
        (0, CareerGoalSet(goal="Lead a data science team at a health company", at=at(0))),
        (0.1, GapAdded(skill="Statistics", note="rusty since university", at=at(0.1))),
        (0.2, GapAdded(skill="Machine learning", at=at(0.2))),
        (0.3, GapAdded(skill="Cloud (AWS)", at=at(0.3))),
        (0.4, GapAdded(skill="Public speaking", at=at(0.4))),
        (
            0.5,
            ResumeUpdated(
                version="v1",
                skills=["SQL", "Python", "Excel", "Tableau"],
                note="the first one",
                at=at(0.5),
            ),
        ),
        (
            29.5,
            ResumeUpdated(
                version="v2",
                skills=["SQL", "Python", "Excel", "Tableau", "Data storytelling"],
                note="SQL and the pipeline work up front, as Globex and Northwind said",
                at=at(29.5),
            ),
        ),
    ]
    for app_id, company, role, via, day in APPLICATIONS:
        version = "v1" if day < 30 else "v2"
        events.append(
            (
                day,
                ResumeSubmitted(
                    application_id=app_id,
                    company=company,
                    role=role,
                    via=via,
                    resume_version=version,
                    at=at(day + 0.4),
                ),
            )
        )
    events += [
        # Week 2-4: the first screens, the first feedback.
        (10, ScreenPassed(application_id="northwind-analyst", stage="resume", at=at(10))),
        (13, ScreenPassed(application_id="northwind-analyst", stage="phone", at=at(13))),
        (14, ApplicationClosed(application_id="initech-bi", outcome="rejected", at=at(14))),
        (16, ScreenPassed(application_id="globex-ds", stage="resume", at=at(16))),
        (
            19,
            feedback(
                "globex-ds",
                19,
                "Globex recruiter",
                ("SQL", "punch_up", "you use it daily: lead with it"),
                ("A/B testing", "next_focus", "every case study was an experiment"),
            ),
        ),
        (19.5, ApplicationClosed(application_id="globex-ds", outcome="rejected", at=at(19.5))),
        (20, GapPracticed(skill="Statistics", minutes=60, at=at(20))),
        (
            21,
            RoleSuggested(
                company="Globex",
                role="Product Analyst",
                skills=["SQL", "A/B testing", "Product sense"],
                application_id="globex-ds",
                suggested_by="Globex recruiter",
                at=at(21),
            ),
        ),
        (22, ScreenPassed(application_id="northwind-analyst", stage="second_interview", at=at(22))),
        (
            24,
            feedback(
                "northwind-analyst",
                24,
                "Northwind hiring manager",
                ("A/B testing", "next_focus", "design the experiment before the dashboard"),
                ("Stakeholder communication", "next_focus", None),
                ("Python", "punch_up", "show the pipeline you built"),
            ),
        ),
        (25, ApplicationClosed(application_id="northwind-analyst", outcome="rejected", at=at(25))),
        (
            25.5,
            GapPromoted(
                skill="A/B testing", to_rank=1, reason="two interviewers named it", at=at(25.5)
            ),
        ),
        (27, GapPracticed(skill="A/B testing", minutes=90, at=at(27))),
        (28, ScreenPassed(application_id="hooli-analytics", stage="resume", at=at(28))),
        # A slip: the phone screen was Hooli's, not Stark's. Corrected below.
        (29, ScreenPassed(application_id="stark-ds", stage="phone", at=at(29))),
        (29.1, ScreenPassed(application_id="hooli-analytics", stage="phone", at=at(29.1))),
        (30, ApplicationClosed(application_id="umbrella-ml", outcome="no_response", at=at(30))),
        (31, GapPracticed(skill="A/B testing", minutes=45, at=at(31))),
        (
            34,
            feedback(
                "hooli-analytics",
                34,
                "Hooli analytics lead",
                ("dbt", "next_focus", "our whole stack is dbt"),
                ("SQL", "punch_up", "window functions impressed us: say so"),
            ),
        ),
        (
            34.5,
            RoleSuggested(
                company="Hooli",
                role="Analytics Engineer",
                skills=["SQL", "dbt", "Data modeling"],
                application_id="hooli-analytics",
                suggested_by="Hooli analytics lead",
                at=at(34.5),
            ),
        ),
        (35, ApplicationClosed(application_id="hooli-analytics", outcome="rejected", at=at(35))),
        (36, ApplicationClosed(application_id="stark-ds", outcome="rejected", at=at(36))),
        (38, GapPracticed(skill="Statistics", minutes=60, at=at(38))),
        (40, GapClosed(skill="Cloud (AWS)", note="AWS Cloud Practitioner passed", at=at(40))),
        (42, ScreenPassed(application_id="wayne-insights", stage="resume", at=at(42))),
        (45, ScreenPassed(application_id="acme-product", stage="resume", at=at(45))),
        (47, ScreenPassed(application_id="wayne-insights", stage="phone", at=at(47))),
        (
            49,
            feedback(
                "acme-product",
                49,
                "Acme product manager",
                ("Experiment design", "next_focus", None),
                ("Product sense", "next_focus", "ask why before how"),
                ("AB testing", "next_focus", "run the test before the launch"),
            ),
        ),
        (
            49.5,
            SkillsMerged(skills=["AB testing"], into="A/B testing", at=at(49.5)),
        ),
        (50, ApplicationClosed(application_id="acme-product", outcome="rejected", at=at(50))),
        (
            51,
            GapPromoted(
                skill="Experiment design", to_rank=2, reason="pairs with A/B testing", at=at(51)
            ),
        ),
        (52, GapPracticed(skill="Experiment design", minutes=60, at=at(52))),
        (54, ApplicationClosed(application_id="cyberdyne-ds", outcome="no_response", at=at(54))),
        (56, ScreenPassed(application_id="wayne-insights", stage="second_interview", at=at(56))),
        (
            56,
            InterviewScheduled(
                application_id="wayne-insights",
                stage="final",
                on=at(63).replace(hour=14),
                with_whom="Wayne panel",
                at=at(56),
            ),
        ),
        (
            58,
            feedback(
                "wayne-insights",
                58,
                "Wayne panel",
                ("Stakeholder communication", "next_focus", "tell the story behind the numbers"),
                ("A/B testing", "next_focus", "much better than most candidates"),
            ),
        ),
        (60, GapPracticed(skill="A/B testing", minutes=120, at=at(60))),
        (63, ScreenPassed(application_id="wayne-insights", stage="final", at=at(63))),
        (64, ApplicationClosed(application_id="tyrell-research", outcome="withdrawn", at=at(64))),
        (
            66,
            GapPromoted(
                skill="Stakeholder communication",
                to_rank=2,
                reason="the Wayne panel asked for it too",
                at=at(66),
            ),
        ),
        (68, ScreenPassed(application_id="soylent-ds", stage="resume", at=at(68))),
        (
            68,
            InterviewScheduled(
                application_id="soylent-ds",
                stage="phone",
                on=at(79.9).replace(minute=0),
                with_whom="Soylent hiring manager",
                at=at(68),
            ),
        ),
        (70, ApplicationClosed(application_id="wayne-insights", outcome="offer", at=at(70))),
        (72, ScreenPassed(application_id="oscorp-analytics", stage="resume", at=at(72))),
        (75, GapPracticed(skill="Stakeholder communication", minutes=45, at=at(75))),
        (80, ScreenPassed(application_id="soylent-ds", stage="phone", at=at(80))),
        (
            80,
            InterviewScheduled(
                application_id="soylent-ds",
                stage="second_interview",
                on=at(92).replace(hour=14),
                with_whom="Soylent hiring manager",
                at=at(80),
            ),
        ),
        # The debrief right after the Soylent phone screen (the news that it was passed
        # comes the next morning): what `jobsearch debrief` records, in one append.
        *(
            (79, event)
            for event in (
                FeedbackReceived(
                    application_id="soylent-ds",
                    items=[
                        FeedbackItem(
                            skill="Statistics",
                            mark="next_focus",
                            comment="the take-home was all hypothesis tests",
                        ),
                        FeedbackItem(skill="SQL", mark="punch_up"),
                    ],
                    source="Soylent hiring manager",
                    note="debrief",
                    at=at(79.9),
                ),
                RoleSuggested(
                    company="Soylent",
                    role="Experimentation Analyst",
                    skills=["A/B testing", "Stakeholder communication", "Statistics"],
                    application_id="soylent-ds",
                    suggested_by="Soylent hiring manager",
                    at=at(79.9),
                ),
                GapPromoted(
                    skill="Statistics",
                    to_rank=3,
                    reason="debrief: Move Statistics in front of item 3, Experiment design?",
                    at=at(79.9),
                ),
            )
        ),
        (
            81,
            GapPromoted(
                skill="dbt", to_rank=4, reason="Hooli's stack, and the plan agrees", at=at(81)
            ),
        ),
        (
            81,
            GapPromoted(skill="Product sense", to_rank=5, reason="Globex and Acme", at=at(81.1)),
        ),
        (84, GapPracticed(skill="A/B testing", minutes=60, at=at(84))),
        (87, GapPracticed(skill="Stakeholder communication", minutes=30, at=at(87))),
    ]
    return [(int(day), event) for day, event in sorted(events, key=lambda pair: pair[1].at)]


def load_demo(log: EventLog, *, stream: str = "me", now: datetime | None = None) -> int:
    """Append the demo job search (ending about `now`) to `stream`; return how many events."""
    start = (now or datetime.now(UTC)).replace(hour=9, minute=0, second=0, microsecond=0)
    start -= timedelta(days=90)
    written = 0
    slip: int | None = None
    # Events of one moment are one append (the debrief's are).
    for _, group in itertools.groupby(story(start), key=lambda pair: pair[1].at):
        events = [event for _, event in group]
        records = log.append(events, stream=stream)
        written += len(records)
        for recorded in records:
            event = recorded.event
            if isinstance(event, ScreenPassed) and event.application_id == "stark-ds":
                slip = recorded.position
    if slip is not None:
        log.append(
            [
                EventRetracted(
                    position=slip,
                    reason="that phone screen was Hooli's, not Stark's",
                    at=start + timedelta(days=29, hours=2),
                )
            ],
            stream=stream,
        )
        written += 1
    return written
