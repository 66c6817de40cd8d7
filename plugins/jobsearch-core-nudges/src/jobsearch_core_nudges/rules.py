"""The four rules that turn the folded facts into nudges: what the seeker should do next.

1. An open application with no news for `follow_up_days` and no interview still to
   come (the core's `PipelineState.follow_ups`; a held interview counts as news): a
   follow-up is due; after `close_after_days`, mark it `no_response`.
2. A focus item (the top two of the gap list) not practised for `practice_days`; the
   clock starts when it joined the list if it was never practised. At the weekend
   (Saturday and Sunday, UTC), also one with a streak of weeks in a row of practice
   (`GapItem.weeks_in_a_row`) and nothing yet this week: the method asks for both focus
   items every week.
3. A skill a suggested role needs that is not on the gap list (open or closed) nor on
   the resume to-do list.
4. A skill feedback marked `punch_up` that the latest resume version has not addressed:
   the latest version (the one the newest application was sent with) addresses it only
   if that version was first sent after the latest feedback that named the skill.
"""

from __future__ import annotations

import enum
import shlex
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

import attrs
from jobsearch_core import InvalidInputError
from jobsearch_core.events import skill_key
from jobsearch_core.words import counted

from jobsearch_core_nudges.thresholds import Thresholds

if TYPE_CHECKING:
    from jobsearch_core_nudges.view import NudgesState

__all__ = ["Nudge", "NudgeKind", "due"]


class NudgeKind(enum.StrEnum):
    """What a nudge asks the seeker to do."""

    #: Write to the company: the application has had no news for a while.
    FOLLOW_UP = "follow_up"
    #: Let it go: record the application as closed with `no_response`.
    NO_RESPONSE = "no_response"
    #: Practise a focus item.
    PRACTISE = "practise"
    #: Put a skill a suggested role needs on the gap list (or decide against the role).
    ADD_GAP = "add_gap"
    #: Make a skill stand out on the resume, and send the new version.
    PUNCH_UP = "punch_up"


@attrs.frozen(kw_only=True)
class Nudge:
    """One thing to do next, and why."""

    kind: NudgeKind
    #: What it is about: an application id, or a skill.
    subject: str
    #: One line for the seeker: what is due, and why.
    message: str
    #: A `jobsearch` command that acts on it, when one does.
    command: str | None = None
    #: When the clock started: the last news, practice, suggestion or feedback.
    since: datetime | None = None
    #: Whole days from `since` to the moment the nudges were read for.
    days: int | None = None


def due(
    state: NudgesState, *, now: datetime | None = None, thresholds: Thresholds | None = None
) -> list[Nudge]:
    """Every nudge due at `now`: applications first (oldest news first), then practice,
    role skills and punch-ups."""
    if now is None:
        now = datetime.now(UTC)
    elif now.tzinfo is None or now.utcoffset() is None:
        raise InvalidInputError(f"now must be timezone-aware, got {now!r}")
    if thresholds is None:
        thresholds = Thresholds.from_env()
    return [
        *_applications(state, now, thresholds),
        *_practice(state, now, thresholds),
        *_role_skills(state, now),
        *_punch_ups(state, now),
    ]


def _date(moment: datetime) -> str:
    return f"{moment.astimezone(UTC):%Y-%m-%d}"


def _applications(state: NudgesState, now: datetime, thresholds: Thresholds) -> Iterator[Nudge]:
    # Which applications are due a follow-up is the core's rule (open, submitted, nothing
    # on the calendar still to come, no news for so many days); past `close_after_days`
    # the nudge is to let it go instead.
    close_after = timedelta(days=thresholds.close_after_days)
    for due in state.pipeline.follow_ups(now, days=thresholds.follow_up_days):
        silence = now - due.since
        what = f"{due.role} at {due.company} ({due.application_id})"
        if silence >= close_after:
            yield Nudge(
                kind=NudgeKind.NO_RESPONSE,
                subject=due.application_id,
                message=f"{what}: no news for {counted(silence.days, 'day')}; mark it no_response "
                "(or follow up one last time)",
                command=f"jobsearch close {shlex.quote(due.application_id)} no_response",
                since=due.since,
                days=silence.days,
            )
        else:
            yield Nudge(
                kind=NudgeKind.FOLLOW_UP,
                subject=due.application_id,
                message=f"{what}: no news for {counted(silence.days, 'day')}; a follow-up is due "
                "(or mark it no_response)",
                since=due.since,
                days=silence.days,
            )


def _practice(state: NudgesState, now: datetime, thresholds: Thresholds) -> Iterator[Nudge]:
    window = timedelta(days=thresholds.practice_days)
    for practice in state.gaps.practice(now):
        item = practice.item
        weeks = practice.weeks_in_a_row
        streak = f"; keep the {weeks}-week streak going" if weeks else ""
        # Never practised: the clock starts when it joined the list, so a skill added
        # today is not overdue yet.
        since = item.last_practised or item.added_at
        if since is not None and now - since < window:
            # Not overdue; but at the weekend a streak with nothing this week yet is at risk.
            if weeks and not practice.minutes_this_week and now.astimezone(UTC).weekday() >= 5:
                yield Nudge(
                    kind=NudgeKind.PRACTISE,
                    subject=item.skill,
                    message=f"{item.skill} (rank {item.rank}, a focus item): not practised "
                    f"this week yet; practise it by Sunday to keep the {weeks}-week streak",
                    command=f"jobsearch gap practice {shlex.quote(item.skill)} MINUTES",
                    since=since,
                    days=(now - since).days,
                )
            continue
        days = None if since is None else (now - since).days
        if item.last_practised is None:
            when = "never practised"
            if days is not None:
                when += f" in the {counted(days, 'day')} it has been on the list"
        else:
            when = f"last practised {counted(days or 0, 'day')} ago"
        yield Nudge(
            kind=NudgeKind.PRACTISE,
            subject=item.skill,
            message=f"{item.skill} (rank {item.rank}, a focus item): {when}{streak}",
            command=f"jobsearch gap practice {shlex.quote(item.skill)} MINUTES",
            since=since,
            days=days,
        )


def _role_skills(state: NudgesState, now: datetime) -> Iterator[Nudge]:
    # One nudge per skill, naming every role that needs it, in the order first suggested.
    missing: dict[str, tuple[str, list[str], datetime]] = {}
    for role in state.roles.roles:
        for skill in role.missing:
            key = skill_key(skill)
            if key not in missing:
                missing[key] = (skill, [], role.first_suggested_at)
            missing[key][1].append(f"{role.role} at {role.company}")
    for skill, wanted, since in missing.values():
        yield Nudge(
            kind=NudgeKind.ADD_GAP,
            subject=skill,
            message=f"{skill} is not on your gap list, but {' and '.join(wanted)} needs it: "
            "add it, or decide the role is not for you",
            command=f"jobsearch gap add {shlex.quote(skill)}",
            since=since,
            days=max((now - since).days, 0),
        )


def _punch_ups(state: NudgesState, now: datetime) -> Iterator[Nudge]:
    latest = state.latest_resume
    first_sent = state.resume_versions[latest].first_sent_at if latest is not None else None
    for entry in state.gaps.punch_up:
        named_at = entry.last_at
        if first_sent is not None and named_at is not None and first_sent > named_at:
            continue  # the latest version was written after the feedback: addressed
        if latest is None or first_sent is None:
            why = "no resume version is recorded yet (apply with --resume-version)"
        else:
            why = f"your latest resume, {latest}, was first sent {_date(first_sent)}"
            if named_at is not None:
                why += f", before the feedback of {_date(named_at)}"
        said = "once" if entry.mentions == 1 else f"{entry.mentions} times"
        yield Nudge(
            kind=NudgeKind.PUNCH_UP,
            subject=entry.skill,
            message=f"Punch up {entry.skill} on your resume (named {said} in feedback): {why}",
            since=named_at,
            days=None if named_at is None else max((now - named_at).days, 0),
        )
