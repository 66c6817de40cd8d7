"""What every command shares: the open log, the date and position options, one-line errors."""

from __future__ import annotations

import functools
import json
import re
import sys
import unicodedata
from collections.abc import Callable
from datetime import UTC, datetime, time, timedelta
from typing import Any, TypeVar

import click
from rich.console import Console

from jobsearch_core.errors import InvalidInputError
from jobsearch_core.events import Event, Recorded
from jobsearch_core.log import DEFAULT_STREAM, EventLog
from jobsearch_core.opening import open_log
from jobsearch_core.views import GAPS, GapsState
from jobsearch_core.words import counted

F = TypeVar("F", bound=Callable[..., Any])


class Context:
    """The log the command works on, opened on first use and closed at exit."""

    def __init__(self, url: str | None, debug: bool) -> None:
        self.url = url
        self.debug = debug
        self._log: EventLog | None = None

    @property
    def log(self) -> EventLog:
        """The event log chosen by --log, $JOBSEARCH_LOG or the default."""
        if self._log is None:
            self._log = open_log(self.url, source="cli")
        return self._log

    def close(self) -> None:
        """Close the log if it was opened."""
        if self._log is not None:
            self._log.close()
            self._log = None


def context() -> Context:
    """The current command's `Context`."""
    return click.get_current_context().find_object(Context) or Context(None, False)


# --- dates and positions ------------------------------------------------------------------------

_RELATIVE = re.compile(r"(\d+)\s*(d|day|days|w|week|weeks)\s*(ago)?$")


def parse_moment(text: str, *, end_of_day: bool = False, option: str = "--at") -> datetime:
    """A moment from text: ISO date or date-time (naive means local time), today, yesterday, now, 3d ago.

    A bare date means the start of that day, or its end with `end_of_day` (for --as-of,
    so that "as of March 3" includes what happened on March 3). A moment past the ends
    of the calendar (in UTC or in local time) is refused in one line.
    """
    try:
        return _moment(text, end_of_day=end_of_day, option=option)
    except InvalidInputError:
        raise
    except (OverflowError, OSError, ValueError):
        raise InvalidInputError(
            f"{option}: {text!r} is past the dates that can be kept (years 1 to 9999, in UTC)"
        ) from None


def _moment(text: str, *, end_of_day: bool, option: str) -> datetime:
    cleaned = text.strip().lower()
    now = datetime.now().astimezone()
    day: datetime | None = None
    if cleaned == "now":
        return now.astimezone(UTC)
    if cleaned in ("today", "yesterday"):
        day = now - timedelta(days=1 if cleaned == "yesterday" else 0)
    elif match := _RELATIVE.match(cleaned):
        count = int(match.group(1)) * (7 if match.group(2).startswith("w") else 1)
        day = now - timedelta(days=count)
    if day is not None:
        moment = datetime.combine(day.date(), time.max if end_of_day else time.min)
        return moment.astimezone(UTC)
    try:
        parsed = datetime.fromisoformat(text.strip())
    except ValueError:
        raise InvalidInputError(
            f"{option}: cannot read {text!r} as a date "
            "(use YYYY-MM-DD, YYYY-MM-DDTHH:MM, today, yesterday or 3d ago)"
        ) from None
    date_only = len(text.strip()) <= 10
    if date_only and end_of_day:
        parsed = datetime.combine(parsed.date(), time.max)
    if parsed.tzinfo is None:
        parsed = parsed.astimezone()  # a naive moment is the user's local time
    return parsed.astimezone(UTC)


def parse_as_of(text: str | None) -> int | datetime | None:
    """--as-of: a position (a whole number) or a moment."""
    if text is None:
        return None
    if text.strip().isdigit():
        return int(text.strip())
    return parse_moment(text, end_of_day=True, option="--as-of")


# --- shared options --------------------------------------------------------------------------


def moment_of(as_of: int | datetime | None) -> datetime:
    """The 'now' a view shown --as-of a moment is measured from ("practised in the last 7
    days"): that moment, else now."""
    return as_of if isinstance(as_of, datetime) else datetime.now(UTC)


def view_title(view: str, stream: str, as_of: int | datetime | None) -> str:
    """A view's table title: "<view> (<stream>, as of ...)"."""
    when = ""
    if isinstance(as_of, int):
        when = f", as of position {as_of}"
    elif isinstance(as_of, datetime):
        when = f", as of {as_of.astimezone():%Y-%m-%d %H:%M}"
    return f"{view} ({stream}{when})"


def stream_option(function: F) -> F:
    """--stream: which seeker's stream (default: me)."""
    return click.option(
        "--stream",
        default=DEFAULT_STREAM,
        show_default=True,
        help="The job seeker's stream.",
    )(function)


def at_option(function: F) -> F:
    """--at: when it happened (default: now)."""

    @click.option("--at", "at_text", metavar="DATE", help="When it happened (default: now).")
    @functools.wraps(function)
    def wrapper(*args: Any, at_text: str | None, **kwargs: Any) -> Any:
        kwargs["at"] = parse_moment(at_text) if at_text is not None else None
        return function(*args, **kwargs)

    return wrapper  # type: ignore[return-value]


def view_options(function: F) -> F:
    """--as-of and --json, shared by the read commands."""

    @click.option(
        "--as-of",
        "as_of_text",
        metavar="DATE|POSITION",
        help="Show the view as it stood at a date or a log position.",
    )
    @click.option("--json", "as_json", is_flag=True, help="Print stable, machine-readable JSON.")
    @functools.wraps(function)
    def wrapper(*args: Any, as_of_text: str | None, **kwargs: Any) -> Any:
        kwargs["as_of"] = parse_as_of(as_of_text)
        return function(*args, **kwargs)

    return wrapper  # type: ignore[return-value]


_JSON = "jobsearch_core.json"
_APPENDED = "jobsearch_core.appended"


def json_option(function: F) -> F:
    """--json on a command that records: print the stored records instead of a sentence."""

    def remember(ctx: click.Context, param: click.Parameter, value: bool) -> bool:
        ctx.meta[_JSON] = value
        return value

    return click.option(
        "--json",
        is_flag=True,
        expose_value=False,
        callback=remember,
        help="Print the stored records as JSON.",
    )(function)


def append(log: EventLog, events: list[Event], stream: str) -> list[Recorded]:
    """Append in one call (all or nothing), keeping the records for `say_recorded`."""
    records = log.append(events, stream=stream)
    click.get_current_context().meta.setdefault(_APPENDED, []).extend(records)
    return records


def append_one(event: Event, stream: str) -> int:
    """Append one event to the command's log (see `append`); its position."""
    (recorded,) = append(context().log, [event], stream)
    return recorded.position


def say_position(position: int, what: str) -> None:
    """What a record command says: "recorded #N: <what>" (or the records, with --json)."""
    say_recorded(f"recorded #{position}: {what}")


def gap_list(stream: str) -> GapsState:
    """The stream's gap list, as the `gaps` view has it now."""
    return context().log.view(GAPS, stream=stream)


def refuse_unless_forced(problem: str, *, force: bool) -> None:
    """Refuse what is most likely a mistake, unless the user says it is not (--force)."""
    if not force:
        raise InvalidInputError(f"{problem}; add --force to record it anyway")


def force_option(function: F) -> F:
    """--force: record it although it looks like a mistake."""
    return click.option(
        "--force", is_flag=True, help="Record it even though it looks like a mistake."
    )(function)


def json_requested() -> bool:
    """Whether the running command was given --json (its other words go to stderr then)."""
    return bool(click.get_current_context().meta.get(_JSON))


def say_recorded(line: str) -> None:
    """What a record command says when it is done: `line`, or with --json the records it stored."""
    ctx = click.get_current_context()
    if ctx.meta.get(_JSON):
        from jobsearch_core.cli._json import record_json

        print_json([record_json(recorded) for recorded in ctx.meta.get(_APPENDED, [])])
    else:
        say(line)


def with_at(at: datetime | None) -> dict[str, datetime]:
    """Keyword arguments that set an event's `at` only when --at was given."""
    return {} if at is None else {"at": at}


def print_json(data: Any) -> None:
    """JSON on stdout: sorted keys, two-space indent, text kept as written."""
    click.echo(json.dumps(data, indent=2, ensure_ascii=False, sort_keys=True, default=_jsonable))


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def printable(text: str) -> str:
    """`text` with its control characters shown escaped (a newline and a tab kept), so that
    a value in the log can never drive the terminal (an escape sequence, a bell)."""
    if text.isprintable():
        return text
    return "".join(
        c if c in "\n\t" or unicodedata.category(c) != "Cc" else repr(c)[1:-1] for c in text
    )


class _Console(Console):
    """A console that shows every string it is given as text: no markup, no control codes."""

    def render_str(self, text: str, **kwargs: Any) -> Any:
        return super().render_str(printable(text), **kwargs)


def console() -> Console:
    """Where tables go: user text is shown as written (no rich markup, control characters
    escaped), and a pipe gets full rows."""
    wide = None if sys.stdout.isatty() else 200
    return _Console(highlight=False, markup=False, emoji=False, width=wide)


#: The most problems one error lists; the rest are counted.
MAX_PROBLEMS = 20


def problems_error(problems: list[str], where: str) -> InvalidInputError:
    """One error for every problem found in a file (`where`: "in jobs.csv"), each already
    naming its line; past `MAX_PROBLEMS` the rest are counted. Nothing was imported."""
    shown = problems[:MAX_PROBLEMS]
    if len(problems) > MAX_PROBLEMS:
        shown.append(f"and {len(problems) - MAX_PROBLEMS} more")
    return InvalidInputError(
        f"{counted(len(problems), 'problem')} {where}, nothing was imported: {'; '.join(shown)}"
    )


def say(line: str, *, err: bool = False) -> None:
    """One line for a person, its control characters escaped (see `printable`)."""
    click.echo(printable(line), err=err)


def stderr_is_terminal() -> bool:
    """Progress bars are for people watching a terminal, not for logs and pipes."""
    return sys.stderr.isatty()
