"""Synthetic job searches for the benchmarks: many seekers over several years, seeded.

Each stream is one seeker. A seeker applies a few times a week and most applications
end in rejection at the rates DESIGN.md gives (about 100 resumes -> 15 kept -> 6 after
the phone screen -> 2.5 after the second interview -> 1 hire); screens, feedback and
suggested roles follow the funnel; the gap list gets added to, promoted, practised
(the most frequent event) and closed; a goal is set now and then; a few events are
retracted. Seekers differ in how active they are (log-normal), and the stream "me" is
the most active one (a tenth of the log): the log's owner, whose views the time-travel
rows read.

The log is written in batches of up to 100 consecutive events of one stream, and
`Workload.batches` is that order: appending the batches (or their events one by one)
to a fresh log gives every event the position the generator expects, which is what
lets `EventRetracted` point at a real, earlier event of its own stream.
"""

from __future__ import annotations

import heapq
import math
import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from itertools import count

from jobsearch_core import (
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
    ResumeSubmitted,
    RoleSuggested,
    ScreenPassed,
)

__all__ = ["BATCH", "MAIN_STREAM", "Workload", "generate"]

#: Events per append in the bulk order (one stream per batch).
BATCH = 100
#: The most active seeker: time travel and catch-up are measured on this stream.
MAIN_STREAM = "me"
#: Roughly how many events an average seeker writes; the stream count follows from it.
EVENTS_PER_SEEKER = 2500
#: The share of the log that is the main stream's.
MAIN_SHARE = 0.1
START = datetime(2021, 1, 4, 8, 0, tzinfo=UTC)

SKILLS = (
    "SQL", "Statistics", "Python", "Machine Learning", "A/B testing", "Experiment design",
    "dbt", "Data modeling", "Stakeholder communication", "Public speaking", "Product sense",
    "Cloud (AWS)", "Spark", "Airflow", "Causal inference", "Deep learning", "Tableau",
    "Looker", "Forecasting", "Bayesian statistics", "System design", "Kubernetes", "Go",
    "Rust", "TypeScript", "React", "GraphQL", "Leadership", "Mentoring", "Negotiation",
    "Time series", "NLP", "Computer vision", "MLOps", "Data visualisation", "Excel",
    "Probability", "Linear algebra", "Optimisation", "Recommender systems",
)  # fmt: skip
COMPANIES = (
    "Northwind", "Globex", "Initech", "Umbrella Health", "Hooli", "Stark Energy",
    "Wayne Foundation", "Acme", "Cyberdyne", "Tyrell", "Soylent", "Oscorp", "Aperture",
    "Black Mesa", "Vandelay Industries", "Pied Piper", "Massive Dynamic", "Monarch",
    "Gringotts", "Dunder Mifflin", "Wonka", "Prestige Worldwide", "Bluth Company",
    "Sterling Cooper", "Los Pollos Hermanos", "Nakatomi", "Weyland-Yutani", "Blue Sun",
    "Virtucon", "Ollivanders",
)  # fmt: skip
ROLES = (
    "Data Analyst", "Data Scientist", "Senior Data Scientist", "BI Developer",
    "ML Engineer", "Analytics Engineer", "Product Analyst", "Research Analyst",
    "Analytics Lead", "Data Engineer", "Insights Analyst", "Staff Data Scientist",
)  # fmt: skip
CHANNELS = ("referral", "job board", "company site", "recruiter", "meetup", "LinkedIn")
RESUMES = ("v1", "v2", "v3", "v4-short", "v5-lead")
SOURCES = ("recruiter", "hiring manager", "panel", "tech lead", "head of data", "peer")
OUTCOMES_AFTER_REJECTION = (("rejected", 0.72), ("no_response", 0.23), ("withdrawn", 0.05))
GOALS = (
    "Lead a data science team at a health company",
    "Staff engineer on a platform team",
    "Head of analytics at a scale-up",
    "Principal ML engineer",
)
COMMENTS = (
    None, None, "every case study was an experiment", "say so on the resume",
    "design the experiment before the dashboard", "tell the story behind the numbers",
    "ask why before how", "show the pipeline you built",
)  # fmt: skip
#: The step rates of the funnel (DESIGN.md): resume kept, phone passed, second, final.
FUNNEL = (0.15, 0.40, 0.42, 0.40)
STAGES = ("resume", "phone", "second_interview", "final")


@dataclass(frozen=True)
class Workload:
    """A generated job-search log: the append order, and facts the harness needs."""

    seed: int
    #: (stream, events) in append order; positions follow from it (1, 2, 3 ...).
    batches: list[tuple[str, tuple[Event, ...]]]
    #: Events per stream.
    sizes: dict[str, int]

    @property
    def events(self) -> int:
        """How many events in all."""
        return sum(len(events) for _, events in self.batches)

    def flat(self) -> Iterator[tuple[str, Event]]:
        """(stream, event) in append order."""
        for stream, events in self.batches:
            for event in events:
                yield stream, event

    def counts(self) -> dict[str, int]:
        """Events per type, for the README's proportions."""
        tally: dict[str, int] = {}
        for _, event in self.flat():
            name = type(event).__name__
            tally[name] = tally.get(name, 0) + 1
        return dict(sorted(tally.items(), key=lambda pair: -pair[1]))


class _Retract:
    """A placeholder: retract this seeker's event written `back` events ago."""

    def __init__(self, at: datetime, back: int, reason: str) -> None:
        self.at, self.back, self.reason = at, back, reason


class _Seeker:
    """One seeker's search: events in time order, drawn day by day."""

    def __init__(self, rng: random.Random, stream: str, activity: float) -> None:
        self.rng, self.stream, self.activity = rng, stream, activity
        self.start = START + timedelta(days=rng.uniform(0, 365))
        self.gaps: list[str] = []
        self.apps = 0

    def events(self) -> Iterator[Event | _Retract]:
        rng, activity = self.rng, self.activity
        pending: list[tuple[datetime, int, Event]] = []  # what the funnel schedules later
        order = count()
        goal = rng.choice(GOALS)
        yield CareerGoalSet(goal=goal, at=self.start, horizon_years=5)
        for skill in rng.sample(SKILLS, 4):
            self.gaps.append(skill)
            yield GapAdded(skill=skill, at=self.start + timedelta(minutes=5))
        for day in count():  # `days` calibrates activity; the caller stops when it has enough
            today = self.start + timedelta(days=day)
            drawn: list[tuple[datetime, int, Event | _Retract]] = []

            def at(today: datetime = today) -> datetime:
                return today + timedelta(seconds=rng.randrange(8 * 3600, 22 * 3600))

            for _ in range(_poisson(rng, 0.6 * activity)):
                for when, event in self._application(at()):
                    heapq.heappush(pending, (when, next(order), event))
            for _ in range(_poisson(rng, 0.8 * activity)):
                drawn.append((at(), next(order), self._practice(at())))
            if rng.random() < 0.03 * activity:
                drawn.append((at(), next(order), self._add(at())))
            if rng.random() < 0.05 * activity and self.gaps:
                drawn.append((at(), next(order), self._promote(at())))
            if rng.random() < 0.015 * activity and len(self.gaps) > 3:
                skill = self.gaps.pop(rng.randrange(len(self.gaps)))
                drawn.append((at(), next(order), GapClosed(skill=skill, at=at())))
            if rng.random() < 0.001 * activity:
                goal = rng.choice(GOALS)
                drawn.append((at(), next(order), CareerGoalSet(goal=goal, at=at())))
            if rng.random() < 0.002 * activity:
                reason = "recorded by mistake"
                drawn.append((at(), next(order), _Retract(at(), rng.randint(1, 20), reason)))
            end = today + timedelta(days=1)
            while pending and pending[0][0] < end:
                when, n, event = heapq.heappop(pending)
                drawn.append((when, n, event))
            drawn.sort(key=lambda item: (item[0], item[1]))
            for _, _, event in drawn:
                yield event

    def _application(self, sent: datetime) -> Iterator[tuple[datetime, Event]]:
        rng = self.rng
        self.apps += 1
        company, role = rng.choice(COMPANIES), rng.choice(ROLES)
        app_id = f"{self.stream}-{self.apps}-{company.lower().replace(' ', '-')}"
        yield (
            sent,
            ResumeSubmitted(
                application_id=app_id,
                company=company,
                role=role,
                via=rng.choice(CHANNELS),
                resume_version=rng.choice(RESUMES),
                at=sent,
            ),
        )
        when = sent
        reached = 0
        for stage, rate in zip(STAGES, FUNNEL, strict=True):
            if rng.random() >= rate:
                break
            when += timedelta(days=rng.uniform(3, 15))
            reached += 1
            yield when, ScreenPassed(application_id=app_id, stage=stage, at=when)
        if (reached >= 2 and rng.random() < 0.6) or (reached == 1 and rng.random() < 0.3):
            when += timedelta(days=rng.uniform(1, 5))
            items = [
                FeedbackItem(
                    skill=rng.choice(SKILLS),
                    mark="next_focus" if rng.random() < 0.7 else "punch_up",
                    comment=rng.choice(COMMENTS),
                )
                for _ in range(rng.randint(1, 3))
            ]
            source = rng.choice(SOURCES)
            yield (
                when,
                FeedbackReceived(
                    application_id=app_id, items=items, source=f"{company} {source}", at=when
                ),
            )
            if rng.random() < 0.3:
                when += timedelta(hours=rng.uniform(1, 48))
                yield (
                    when,
                    RoleSuggested(
                        company=company,
                        role=rng.choice(ROLES),
                        skills=rng.sample(SKILLS, rng.randint(2, 5)),
                        application_id=app_id,
                        suggested_by=f"{company} {source}",
                        at=when,
                    ),
                )
        if rng.random() < 0.92:  # the rest are still open when the log ends
            when += timedelta(days=rng.uniform(2, 30))
            if reached == len(STAGES):
                outcome = rng.choice(("offer", "accepted", "declined"))
            else:
                outcome = _weighted(rng, OUTCOMES_AFTER_REJECTION)
            yield when, ApplicationClosed(application_id=app_id, outcome=outcome, at=when)

    def _practice(self, at: datetime) -> Event:
        rng = self.rng
        # Mostly the top two items, as the design recommends; sometimes anything.
        if self.gaps and rng.random() < 0.8:
            skill = self.gaps[min(len(self.gaps) - 1, rng.randrange(2))]
        else:
            skill = rng.choice(SKILLS)
        note = "flash cards" if rng.random() < 0.1 else None
        return GapPracticed(skill=skill, minutes=rng.choice((15, 30, 45, 60, 90)), note=note, at=at)

    def _add(self, at: datetime) -> Event:
        rng = self.rng
        skill = rng.choice(SKILLS)
        if skill not in self.gaps:
            self.gaps.append(skill)
        rank = rng.randint(1, 5) if rng.random() < 0.3 else None
        return GapAdded(skill=skill, rank=rank, at=at)

    def _promote(self, at: datetime) -> Event:
        rng = self.rng
        skill = rng.choice(self.gaps)
        rank = rng.randint(1, 3)
        self.gaps.remove(skill)
        self.gaps.insert(rank - 1, skill)
        return GapPromoted(skill=skill, to_rank=rank, reason="named again in feedback", at=at)


def _poisson(rng: random.Random, mean: float) -> int:
    # Knuth's method: means here are small (a few events a day).
    limit, k, p = math.exp(-mean), 0, rng.random()
    while p > limit:
        k += 1
        p *= rng.random()
    return k


def _weighted(rng: random.Random, choices: tuple[tuple[str, float], ...]) -> str:
    pick = rng.random()
    for value, weight in choices:
        pick -= weight
        if pick < 0:
            return value
    return choices[-1][0]


def generate(events: int, *, seed: int = 20260301) -> Workload:
    """A log of exactly `events` events across many seekers, in batches of up to `BATCH`."""
    rng = random.Random(seed)
    seekers = max(2, round(events / EVENTS_PER_SEEKER))
    activities = [rng.lognormvariate(0.0, 0.6) for _ in range(seekers - 1)]
    # The owner of the log writes a tenth of it, whatever its size, and no one writes more.
    weights = {MAIN_STREAM: MAIN_SHARE}
    for i, activity in enumerate(activities):
        share = (1 - MAIN_SHARE) * activity / sum(activities)
        weights[f"seeker-{i + 1:04d}"] = min(share, 0.8 * MAIN_SHARE)
    total = sum(weights.values())  # the caps may leave less than all of it: share it out
    weights = {stream: weight / total for stream, weight in weights.items()}
    # Each seeker writes about 2.2 events a day at activity 1 over 1 to 5 years.
    chunks: list[list[tuple[datetime, str, list[Event | _Retract]]]] = []
    sizes: dict[str, int] = {}
    for stream, weight in weights.items():
        want = max(20, round(weight * events * 1.02))  # a little spare: the total is trimmed
        years = rng.uniform(1.0, 5.0)
        activity = want / (2.35 * 365 * years)
        seeker = _Seeker(random.Random(rng.random()), stream, activity)
        drawn: list[Event | _Retract] = []
        for event in seeker.events():
            drawn.append(event)
            if len(drawn) >= want:
                break
        sizes[stream] = len(drawn)
        chunks.append(
            [(drawn[i].at, stream, drawn[i : i + BATCH]) for i in range(0, len(drawn), BATCH)]
        )
    # Merge the seekers' batches by the time of each batch's first event, up to `events`.
    ordered = heapq.merge(*chunks, key=lambda chunk: (chunk[0], chunk[1]))
    batches: list[tuple[str, tuple[Event, ...]]] = []
    positions: dict[str, list[int]] = {}
    written = 0
    for _, stream, chunk in ordered:
        if written >= events:
            break
        chunk = chunk[: events - written]
        own = positions.setdefault(stream, [])
        # A retraction names an event already in the log: one of an earlier batch.
        earlier = len(own)
        resolved: list[Event] = []
        for item in chunk:
            written += 1
            if isinstance(item, _Retract):
                if earlier < item.back:
                    item = GapPracticed(skill="SQL", minutes=15, at=item.at)
                else:
                    target = own[earlier - item.back]
                    item = EventRetracted(position=target, reason=item.reason, at=item.at)
            own.append(written)
            resolved.append(item)
        batches.append((stream, tuple(resolved)))
    if written < events:
        raise AssertionError(f"generated {written} events, fewer than the {events} asked for")
    sizes = {stream: len(own) for stream, own in positions.items()}
    return Workload(seed=seed, batches=batches, sizes=sizes)
