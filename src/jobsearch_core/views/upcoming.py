"""What is coming up: the interviews on the calendar and the follow-ups falling due.

The pipeline keeps each application's interviews (`Interview`, one per stage: a second
`InterviewScheduled` for the same stage is a reschedule). The rules here read them, with
each application's last news, as of a moment: the next interview, the interviews within
a window, and the quiet applications that are due a follow-up.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import Protocol

import attrs

from jobsearch_core.errors import InvalidInputError
from jobsearch_core.events import Stage

__all__ = [
    "FOLLOW_UP_DAYS",
    "FollowUp",
    "Interview",
    "Scheduled",
    "UpcomingInterview",
    "follow_ups",
    "moment_or_now",
    "next_after",
    "quiet_since",
    "reschedule",
    "upcoming",
]

#: The days an open application may go without news before a follow-up is due.
FOLLOW_UP_DAYS = 7


@attrs.define(kw_only=True)
class Interview:
    """One interview on the calendar: the screen it decides, when, with whom, and the
    `InterviewScheduled` in force for it (the reschedule's, once it was moved)."""

    stage: Stage
    #: When the interview is (UTC).
    on: datetime
    with_whom: str | None = None
    note: str | None = None
    #: The log position of the `InterviewScheduled` in force.
    position: int
    #: When it was arranged: that event's `at`.
    arranged_at: datetime


def reschedule(interviews: list[Interview], interview: Interview) -> None:
    """Put `interview` on an application's list (in place, kept in `on` order): it
    replaces the one for the same stage, unless that one was arranged later."""
    for i, kept in enumerate(interviews):
        if kept.stage is interview.stage:
            # Events may be recorded out of time order: the one arranged last counts (of
            # two arranged at the same moment, the one recorded later).
            if interview.arranged_at >= kept.arranged_at:
                interviews[i] = interview
            break
    else:
        interviews.append(interview)
    interviews.sort(key=_soonest)


def _soonest(interview: Interview) -> tuple[datetime, int, int]:
    return interview.on, interview.stage.order, interview.position


def moment_or_now(now: datetime | None) -> datetime:
    """`now`, or this moment when None; a naive datetime is refused (`InvalidInputError`)."""
    if now is None:
        return datetime.now(UTC)
    if not isinstance(now, datetime) or now.tzinfo is None or now.utcoffset() is None:
        raise InvalidInputError(f"now must be a timezone-aware datetime, got {now!r}")
    return now


def next_after(interviews: Iterable[Interview], now: datetime) -> Interview | None:
    """The earliest interview at or after `now`, or None."""
    return min((i for i in interviews if i.on >= now), key=_soonest, default=None)


class Scheduled(Protocol):
    """What the rules read of an application (`pipeline.Application` has it)."""

    @property
    def id(self) -> str: ...

    @property
    def company(self) -> str | None: ...

    @property
    def role(self) -> str | None: ...

    @property
    def is_open(self) -> bool: ...

    @property
    def last_activity(self) -> datetime | None: ...

    @property
    def interviews(self) -> list[Interview]: ...


@attrs.frozen(kw_only=True)
class UpcomingInterview:
    """An interview still to come, with the application it is for."""

    application_id: str
    #: None for an application the log never saw submitted.
    company: str | None
    role: str | None
    interview: Interview


def upcoming(
    applications: Iterable[Scheduled], *, now: datetime, until: datetime | None = None
) -> list[UpcomingInterview]:
    """The interviews of open applications from `now` to `until` (None: no end), soonest
    first. A closed application's interviews will not happen, and are left out."""
    found = [
        UpcomingInterview(
            application_id=app.id, company=app.company, role=app.role, interview=interview
        )
        for app in applications
        if app.is_open
        for interview in app.interviews
        if interview.on >= now and (until is None or interview.on <= until)
    ]
    return sorted(found, key=lambda item: (*_soonest(item.interview), item.application_id))


@attrs.frozen(kw_only=True)
class FollowUp:
    """An open application gone quiet, with nothing on the calendar: time to write to them."""

    application_id: str
    company: str
    role: str
    #: Its last news: its latest event, or an interview held since.
    since: datetime
    #: When the follow-up fell (or falls) due: `since` plus the quiet days.
    due: datetime


def quiet_since(app: Scheduled, now: datetime) -> datetime | None:
    """The application's last news as of `now`: the latest `at` of an event about it, or
    the latest of its interviews held by then, whichever is later."""
    held = [interview.on for interview in app.interviews if interview.on <= now]
    moments = [*held, *([app.last_activity] if app.last_activity is not None else [])]
    return max(moments, default=None)


def follow_ups(
    applications: Iterable[Scheduled], *, now: datetime, days: int = FOLLOW_UP_DAYS
) -> list[FollowUp]:
    """The follow-ups due at `now`, the longest overdue first: every open application the
    log saw submitted, with no interview still to come and no news for `days` days."""
    if isinstance(days, bool) or not isinstance(days, int) or days < 0:
        raise InvalidInputError(f"days must be a whole number from 0, got {days!r}")
    quiet_for = timedelta(days=days)
    found = []
    for app in applications:
        if not app.is_open or app.company is None or app.role is None:
            continue
        if next_after(app.interviews, now) is not None:
            continue
        since = quiet_since(app, now)
        if since is None or now - since < quiet_for:
            continue
        found.append(
            FollowUp(
                application_id=app.id,
                company=app.company,
                role=app.role,
                since=since,
                due=since + quiet_for,
            )
        )
    return sorted(found, key=lambda item: (item.due, item.application_id))
