"""Generated job searches for tests that need a big one: 30 skills, 200 applications."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from jobsearch_core.events import (
    ApplicationClosed,
    Event,
    FeedbackItem,
    FeedbackReceived,
    GapAdded,
    GapClosed,
    GapPracticed,
    GapPromoted,
    ResumeSubmitted,
    RoleSuggested,
    ScreenPassed,
)
from jobsearch_core.log import EventLog

__all__ = ["SKILLS", "large_search"]

SKILLS = [f"Skill {chr(65 + i // 10)}{i % 10}" for i in range(30)]
_STAGES = ("resume", "phone", "second_interview", "final")


def large_search(
    *, skills: int = 30, applications: int = 200, seed: int = 17, end: datetime | None = None
) -> list[Event]:
    """A search of `applications` applications over half a year, with `skills` skills on
    the gap list (promoted, practised, some closed), in time order."""
    rng = random.Random(seed)
    end = end or datetime.now(UTC).replace(microsecond=0)
    start = end - timedelta(days=180)
    names = SKILLS[:skills] if skills <= len(SKILLS) else [f"Skill {i}" for i in range(skills)]
    events: list[Event] = [
        GapAdded(skill=name, at=start + timedelta(hours=i)) for i, name in enumerate(names)
    ]
    for number in range(applications):
        sent = start + timedelta(days=rng.uniform(1, 170))
        app = f"app-{number:03d}"
        events.append(
            ResumeSubmitted(
                application_id=app,
                company=f"Company {number % 70}",
                role=rng.choice(["Data Analyst", "Data Scientist", "ML Engineer"]),
                via=rng.choice(["referral", "job board", "recruiter"]),
                at=sent,
            )
        )
        moment = sent
        for stage in _STAGES:
            if rng.random() > (0.3 if stage == "resume" else 0.5):
                break
            moment += timedelta(days=rng.uniform(2, 9))
            events.append(ScreenPassed(application_id=app, stage=stage, at=moment))
            if rng.random() < 0.4:
                events.append(
                    FeedbackReceived(
                        application_id=app,
                        items=[FeedbackItem(skill=rng.choice(names), mark="next_focus")],
                        source=f"interviewer {rng.randrange(40)}",
                        at=moment + timedelta(hours=2),
                    )
                )
        if rng.random() < 0.8:
            events.append(
                ApplicationClosed(
                    application_id=app,
                    outcome=rng.choice(["rejected", "rejected", "no_response", "withdrawn"]),
                    at=moment + timedelta(days=rng.uniform(1, 10)),
                )
            )
    for week in range(25):
        moment = start + timedelta(days=7 * week + 3)
        events.append(
            GapPromoted(
                skill=rng.choice(names),
                to_rank=rng.randint(1, 5),
                reason=f"week {week}: an interviewer asked",
                at=moment,
            )
        )
        events.append(
            GapPracticed(skill=rng.choice(names[:5]), minutes=rng.choice([30, 60]), at=moment)
        )
    for name in rng.sample(names, k=min(4, len(names))):
        events.append(GapClosed(skill=name, at=start + timedelta(days=rng.uniform(60, 170))))
    for number in range(6):
        events.append(
            RoleSuggested(
                company=f"Company {number}",
                role="Analytics Engineer",
                skills=[*rng.sample(names, k=min(4, len(names))), "dbt"],
                at=start + timedelta(days=20 * number + 5),
            )
        )
    return sorted((e for e in events if e.at <= end), key=lambda event: event.at)


def load_large_search(log: EventLog, **options: object) -> int:
    """Append `large_search(**options)` to the stream "me"; return how many events."""
    events = large_search(**options)  # type: ignore[arg-type]
    log.append(events)
    return len(events)
