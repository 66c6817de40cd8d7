"""`jobsearch upcoming` and `jobsearch calendar`: the interviews and follow-ups coming up, as
a table or as an iCalendar file that any calendar reads."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta, tzinfo
from pathlib import Path

import click
import icalendar
from rich.table import Table

from jobsearch_core.cli import _json, _progress
from jobsearch_core.cli._common import (
    F,
    console,
    context,
    print_json,
    printable,
    stream_option,
    view_options,
)
from jobsearch_core.errors import InvalidInputError
from jobsearch_core.events import SCREEN_NAMES
from jobsearch_core.views.pipeline import PipelineState
from jobsearch_core.views.upcoming import FOLLOW_UP_DAYS, FollowUp, UpcomingInterview
from jobsearch_core.words import counted

__all__ = ["COMMANDS", "DEFAULT_DAYS", "INTERVIEW_LENGTH", "calendar_ics", "event_uid"]

#: How far ahead `upcoming` and `calendar` look, in days, unless told.
DEFAULT_DAYS = 14
#: How long an interview is put in the calendar for (the log does not say).
INTERVIEW_LENGTH = timedelta(hours=1)
#: Names the calendar entries' UIDs (with the stream, the application and what it is).
_UIDS = uuid.uuid5(uuid.NAMESPACE_URL, "https://jobsearch-core/calendar")
_PRODID = "-//jobsearch-core//Interviews and follow-ups//EN"


def event_uid(stream: str, application_id: str, what: str) -> str:
    """A calendar entry's UID, the same on every export: from the stream, the application and
    what the entry is (a stage, for an interview, so a reschedule moves the same entry)."""
    name = "\x00".join((stream, application_id, what))
    return f"{uuid.uuid5(_UIDS, name)}@jobsearch-core"


def _what(company: str | None, role: str | None, application_id: str) -> str:
    if company is None or role is None:
        return f"application {application_id}"
    return f"{role} at {company}"


def _interview_entry(item: UpcomingInterview, stream: str) -> icalendar.Event:
    interview = item.interview
    entry = icalendar.Event()
    entry.add("uid", event_uid(stream, item.application_id, f"interview:{interview.stage}"))
    # The moment it was arranged: the same on every export of the same log.
    entry.add("dtstamp", interview.arranged_at.astimezone(UTC))
    entry.add("dtstart", interview.on.astimezone(UTC))
    entry.add("dtend", interview.on.astimezone(UTC) + INTERVIEW_LENGTH)
    what = _what(item.company, item.role, item.application_id)
    entry.add("summary", printable(f"{SCREEN_NAMES[interview.stage]}: {what}"))
    lines = []
    if interview.with_whom is not None:
        lines.append(f"With: {interview.with_whom}")
    if interview.note:
        lines.append(f"Note: {interview.note}")
    lines.append(f"Application: {item.application_id}")
    entry.add("description", printable("\n".join(lines)))
    return entry


def _follow_up_entry(
    item: FollowUp, stream: str, today: date, zone: tzinfo | None
) -> icalendar.Event:
    entry = icalendar.Event()
    entry.add("uid", event_uid(stream, item.application_id, "follow-up"))
    entry.add("dtstamp", item.since.astimezone(UTC))
    # All day, on the day it falls due, or today when that is past: an overdue follow-up
    # is still to do.
    day = max(item.due.astimezone(zone).date(), today)
    entry.add("dtstart", day)
    entry.add("dtend", day + timedelta(days=1))
    entry.add("transp", "TRANSPARENT")
    entry.add(
        "summary", printable(f"Follow up: {_what(item.company, item.role, item.application_id)}")
    )
    since = item.since.astimezone(zone)
    entry.add(
        "description",
        printable(
            f"No news since {since:%Y-%m-%d}; a follow-up is due from "
            f"{item.due.astimezone(zone):%Y-%m-%d}.\nApplication: {item.application_id}"
        ),
    )
    return entry


def calendar_ics(
    interviews: list[UpcomingInterview],
    follow_ups: list[FollowUp],
    *,
    stream: str,
    now: datetime,
    zone: tzinfo | None = None,
) -> bytes:
    """An iCalendar file (RFC 5545, CRLF line ends): a VEVENT per interview, from its moment
    in UTC for `INTERVIEW_LENGTH`, and an all-day VEVENT per follow-up (marked free time), on
    the day it falls due in `zone` (default: local time), or on `now`'s day when overdue.

    Each entry's UID comes from `event_uid`, so exporting again gives the same UIDs, and a
    rescheduled interview updates its entry instead of adding one.
    """
    calendar = icalendar.Calendar()
    calendar.add("prodid", _PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", printable(f"Job search ({stream}): interviews and follow-ups"))
    for item in interviews:
        calendar.add_component(_interview_entry(item, stream))
    today = now.astimezone(zone).date()
    for follow_up in follow_ups:
        calendar.add_component(_follow_up_entry(follow_up, stream, today, zone))
    data: bytes = calendar.to_ical()
    return data


def _window(now: datetime, days: int) -> datetime:
    try:
        return now + timedelta(days=days)
    except OverflowError:
        raise InvalidInputError(f"--days {days} reaches past the calendar") from None


def _coming(
    state: PipelineState, now: datetime, days: int, follow_up_days: int
) -> tuple[datetime, list[UpcomingInterview], list[FollowUp]]:
    """The window's end, the interviews within it, and the follow-ups due by its end."""
    until = _window(now, days)
    return until, state.upcoming(now, until=until), state.follow_ups(until, days=follow_up_days)


_DAYS = click.IntRange(min=0, max=36_500)


def _days_option(function: F) -> F:
    return click.option(
        "--days",
        type=_DAYS,
        default=DEFAULT_DAYS,
        show_default=True,
        metavar="N",
        help="How many days ahead to look.",
    )(function)


def _follow_up_option(function: F) -> F:
    return click.option(
        "--follow-up-days",
        type=_DAYS,
        default=FOLLOW_UP_DAYS,
        show_default=True,
        metavar="N",
        help="A follow-up is due after this many days without news.",
    )(function)


def _when(moment: datetime) -> str:
    return f"{moment.astimezone():%a %Y-%m-%d %H:%M}"


@click.command("upcoming")
@_days_option
@_follow_up_option
@stream_option
@view_options
def upcoming_command(
    days: int, follow_up_days: int, stream: str, as_of: int | datetime | None, as_json: bool
) -> None:
    """The interviews of the next N days, soonest first, and the follow-ups due by then
    (open applications with no interview to come and no news for --follow-up-days)."""
    state: PipelineState = _progress.view(context().log, "pipeline", stream=stream, as_of=as_of)
    now = as_of if isinstance(as_of, datetime) else datetime.now(UTC)
    until, interviews, follow_ups = _coming(state, now, days, follow_up_days)
    if as_json:
        print_json(
            _json.upcoming_json(
                interviews, follow_ups, stream, as_of, now=now, until=until, days=follow_up_days
            )
        )
        return
    out = console()
    table = Table(
        title=f"Interviews, the next {counted(days, 'day')} ({stream})", title_justify="left"
    )
    for column in ("when", "company", "role", "stage", "with", "id"):
        table.add_column(column, overflow="fold", no_wrap=column == "id")
    for item in interviews:
        interview = item.interview
        table.add_row(
            _when(interview.on),
            item.company or "?",
            item.role or "?",
            SCREEN_NAMES[interview.stage],
            interview.with_whom or "-",
            item.application_id,
        )
    out.print(
        table if interviews else f"No interviews in the next {counted(days, 'day')} ({stream})."
    )
    if not follow_ups:
        out.print(f"No follow-ups due (after {counted(follow_up_days, 'day')} without news).")
        return
    due = Table(
        title=f"Follow-ups due (after {counted(follow_up_days, 'day')} without news)",
        title_justify="left",
    )
    for column in ("due", "company", "role", "last news", "id"):
        due.add_column(column, overflow="fold", no_wrap=column == "id")
    for follow_up in follow_ups:
        late = (now - follow_up.due).days
        when = f"{follow_up.due.astimezone():%Y-%m-%d}" + (
            f" ({late}d overdue)" if late > 0 else ""
        )
        due.add_row(
            when,
            follow_up.company,
            follow_up.role,
            f"{follow_up.since.astimezone():%Y-%m-%d}",
            follow_up.application_id,
        )
    out.print(due)


@click.command("calendar")
@click.argument("file", type=click.Path(dir_okay=False, writable=True, allow_dash=True))
@_days_option
@_follow_up_option
@stream_option
def calendar_command(file: str, days: int, follow_up_days: int, stream: str) -> None:
    """Write the interviews of the next N days and the follow-ups due by then to FILE.ics
    (- for standard output), for any calendar to import: each interview an hour long, each
    follow-up an all-day entry; exporting again updates the same entries."""
    if file != "-" and Path(file).suffix.lower() != ".ics":
        raise InvalidInputError(f"calendar writes an .ics file, not {file!r}")
    state: PipelineState = _progress.view(context().log, "pipeline", stream=stream, as_of=None)
    now = datetime.now(UTC)
    _, interviews, follow_ups = _coming(state, now, days, follow_up_days)
    data = calendar_ics(interviews, follow_ups, stream=stream, now=now)
    if file == "-":
        click.echo(data, nl=False)  # bytes go to the binary stream: the CRLFs kept as they are
        return
    try:
        Path(file).write_bytes(data)
    except OSError as error:
        raise InvalidInputError(f"cannot write {file}: {error.strerror or error}") from None
    click.echo(
        f"wrote {counted(len(interviews), 'interview')} and "
        f"{counted(len(follow_ups), 'follow-up')} to {file}",
        err=True,
    )


COMMANDS = [upcoming_command, calendar_command]
