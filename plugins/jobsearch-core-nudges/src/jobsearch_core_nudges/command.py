"""`jobsearch nudges`: what to do next, as numbered lines for a person or as JSON for a tool."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, time
from typing import Any, TypeVar

import attrs
import click
from jobsearch_core import EventLog, open_log
from jobsearch_core.cli import say
from jobsearch_core.log import DEFAULT_STREAM
from jobsearch_core.words import counted

from jobsearch_core_nudges.rules import Nudge
from jobsearch_core_nudges.thresholds import ENV_VARS, MAX_DAYS, Thresholds
from jobsearch_core_nudges.view import NudgesState

__all__ = ["nudges_command", "parse_as_of"]

F = TypeVar("F", bound=Callable[..., Any])

#: The version of the ``--json`` form: keys are only ever added; a rename bumps it.
JSON_FORMAT = 1


def parse_as_of(text: str | None) -> int | datetime | None:
    """--as-of: a log position (a whole number), or a date or date-time (naive: local time).

    A bare date means the end of that day, so "as of March 3" includes March 3.
    """
    if text is None:
        return None
    cleaned = text.strip()
    if cleaned.isdigit():
        return int(cleaned)
    try:
        parsed = datetime.fromisoformat(cleaned)
    except ValueError:
        raise click.BadParameter(
            f"cannot read {text!r} as a log position, a date (YYYY-MM-DD) "
            "or a date and time (YYYY-MM-DDTHH:MM)",
            param_hint="--as-of",
        ) from None
    if len(cleaned) <= 10:
        parsed = datetime.combine(parsed.date(), time.max, tzinfo=parsed.tzinfo)
    if parsed.tzinfo is None:
        parsed = parsed.astimezone()
    return parsed.astimezone(UTC)


@contextlib.contextmanager
def _host_log(host: object) -> Iterator[EventLog]:
    # Under `jobsearch`, the host's context object holds the log chosen by --log or
    # $JOBSEARCH_LOG (it closes it). Run on its own, the command opens the default log.
    log = getattr(host, "log", None)
    if isinstance(log, EventLog):
        yield log
        return
    with open_log() as opened:
        yield opened


def _days_option(name: str, text: str, default: str) -> Callable[[F], F]:
    variable = ENV_VARS[name.removeprefix("--").replace("-", "_")]
    return click.option(
        name,
        type=click.IntRange(min=1, max=MAX_DAYS),
        metavar="DAYS",
        help=f"{text} [default: ${variable}, else {default}]",
    )


@click.command("nudges")
@click.option(
    "--stream", default=DEFAULT_STREAM, show_default=True, help="The job seeker's stream."
)
@click.option(
    "--as-of",
    "as_of_text",
    metavar="DATE|POSITION",
    help="Read the nudges as they stood at a date or a log position.",
)
@_days_option("--follow-up-days", "Days without news before a follow-up is due.", "14")
@_days_option(
    "--no-response-days",
    "Days without news before marking it no_response.",
    "twice --follow-up-days",
)
@_days_option("--practice-days", "Days a focus item may go unpractised.", "7")
@click.option("--json", "as_json", is_flag=True, help="Print stable, machine-readable JSON.")
@click.pass_obj
def nudges_command(
    host: object,
    stream: str,
    as_of_text: str | None,
    follow_up_days: int | None,
    no_response_days: int | None,
    practice_days: int | None,
    as_json: bool,
) -> None:
    """What to do next: follow-ups due, focus items to practise, skills suggested roles
    need that are not on the gap list, and resume punch-ups not yet addressed."""
    as_of = parse_as_of(as_of_text)
    given = {
        "follow_up_days": follow_up_days,
        "no_response_days": no_response_days,
        "practice_days": practice_days,
    }
    thresholds = attrs.evolve(
        Thresholds.from_env(), **{name: days for name, days in given.items() if days is not None}
    )
    with _host_log(host) as log:
        state: NudgesState = log.view("nudges", stream=stream, as_of=as_of)
    if isinstance(as_of, datetime):
        now = as_of
    elif isinstance(as_of, int) and state.latest_at is not None:
        now = state.latest_at  # as of a position: as of the newest event up to there
    else:
        now = datetime.now(UTC)
    nudges = state.due(now=now, thresholds=thresholds)
    if as_json:
        click.echo(json.dumps(_json(nudges, stream, as_of, now, thresholds), **_JSON_STYLE))
    else:
        _print(nudges, stream, now, thresholds)


_JSON_STYLE: dict[str, Any] = {"indent": 2, "ensure_ascii": False, "sort_keys": True}


def _json(
    nudges: list[Nudge],
    stream: str,
    as_of: int | datetime | None,
    now: datetime,
    thresholds: Thresholds,
) -> dict[str, Any]:
    return {
        "format": JSON_FORMAT,
        "view": "nudges",
        "stream": stream,
        "as_of": as_of.isoformat() if isinstance(as_of, datetime) else as_of,
        "now": now.isoformat(),
        "thresholds": thresholds.to_json(),
        "nudges": [
            {
                "kind": str(nudge.kind),
                "subject": nudge.subject,
                "message": nudge.message,
                "command": nudge.command,
                "since": None if nudge.since is None else nudge.since.isoformat(),
                "days": nudge.days,
            }
            for nudge in nudges
        ],
    }


def _print(nudges: list[Nudge], stream: str, now: datetime, thresholds: Thresholds) -> None:
    when = f"{now.astimezone():%Y-%m-%d %H:%M}"
    if not nudges:
        say(
            f"Nothing is due for {stream} as of {when}: no open application has been silent "
            f"for {thresholds.follow_up_days} days, the focus items were practised in the last "
            f"{thresholds.practice_days} days, every skill a suggested role needs is on the "
            "gap list, and the latest resume addresses every punch-up."
        )
        return
    say(f"{counted(len(nudges), 'nudge')} for {stream} as of {when}:\n")
    for number, nudge in enumerate(nudges, start=1):
        label = str(nudge.kind).replace("_", " ")
        # Names in a nudge come from the log: shown as text, never as terminal codes.
        say(f"{number:>2}. [{label}] {nudge.message}")
        if nudge.command is not None:
            say(f"    $ {nudge.command}")
