"""Commands that show the views and the log, as tables or as JSON, now or in the past."""

from __future__ import annotations

import shlex
from datetime import UTC, datetime
from typing import Any

import attrs
import click
from rich.table import Table

from jobsearch_core.cli import _json, _progress
from jobsearch_core.cli._common import (
    console,
    context,
    parse_moment,
    print_json,
    stream_option,
    view_options,
)
from jobsearch_core.cli._common import moment_of as _moment_of
from jobsearch_core.cli._common import view_title as _title
from jobsearch_core.cli._match import match
from jobsearch_core.errors import InvalidInputError
from jobsearch_core.events import (
    Event,
    EventRetracted,
    FeedbackReceived,
    Recorded,
    UnknownEvent,
    event_type_of,
    skill_key,
)
from jobsearch_core.spellings import merges_to_ask
from jobsearch_core.views.gaps import GapsState
from jobsearch_core.views.history import HistoryState, RankChange
from jobsearch_core.views.pipeline import FunnelRow, PipelineState
from jobsearch_core.views.replay import retracted_by
from jobsearch_core.views.roles import RolesState

__all__ = ["COMMANDS", "describe"]


def _view(name: str, stream: str, as_of: int | datetime | None) -> Any:
    return _progress.view(context().log, name, stream=stream, as_of=as_of)


def _percent(value: float | None) -> str:
    return "-" if value is None else f"{100 * value:.0f}%"


def _date(value: datetime | None) -> str:
    return "-" if value is None else value.astimezone().strftime("%Y-%m-%d")


def _ago(value: datetime | None, now: datetime) -> str:
    if value is None:
        return "never"
    days = (now - value).days
    return "today" if days <= 0 else f"{days}d ago"


def funnel_table(rows: list[FunnelRow], total: int, title: str) -> Table:
    """The funnel: passed, cut and still waiting at each screen, the rate with its 90%
    range, and the typical rate beside it."""
    table = Table(title=title, title_justify="left")
    for column in (
        "stage",
        "passed",
        "cut",
        "waiting",
        "withdrawn",
        "your rate",
        "90% range",
        "typical",
        "typical per 100",
        "verdict",
    ):
        table.add_column(column, justify="left" if column in ("stage", "verdict") else "right")
    for row in rows:
        shown_range = (
            "-"
            if row.interval is None
            else f"{100 * row.interval[0]:.0f}-{100 * row.interval[1]:.0f}%"
        )
        table.add_row(
            str(row.stage),
            str(row.count),
            str(row.cut),
            str(row.pending),
            str(row.withdrawn),
            _percent(row.rate),
            shown_range,
            _percent(row.base_rate),
            str(row.base_low)
            if row.base_low == row.base_high
            else f"{row.base_low}-{row.base_high}",
            row.verdict,
        )
    return table


#: How `pipeline --sort` orders the applications.
SORTS: dict[str, Any] = {
    "applied": lambda app: (
        app.applied_at is None,
        app.applied_at or datetime.min.replace(tzinfo=UTC),
    ),
    "activity": lambda app: (
        app.last_activity is None,
        -(app.last_activity or datetime.min.replace(tzinfo=UTC)).timestamp(),
    ),
    "stage": lambda app: -app.stage.order,
    "company": lambda app: skill_key(app.company or ""),
    "id": lambda app: app.id,
}


@click.command("pipeline")
@click.option("--open", "only_open", is_flag=True, help="Only the applications still open.")
@click.option("--closed", "only_closed", is_flag=True, help="Only the closed applications.")
@click.option("--channel", metavar="CHANNEL", help="Only those sent through this channel.")
@click.option(
    "--sort",
    type=click.Choice(list(SORTS)),
    help="The table's order (default: as first recorded; activity: latest news first).",
)
@stream_option
@view_options
def pipeline_command(
    only_open: bool,
    only_closed: bool,
    channel: str | None,
    sort: str | None,
    stream: str,
    as_of: int | datetime | None,
    as_json: bool,
) -> None:
    """Every application, and the funnel beside the typical base rates."""
    if only_open and only_closed:
        raise InvalidInputError("--open and --closed leave nothing: give one of them")
    state: PipelineState = _view("pipeline", stream, as_of)
    shown = [
        app
        for app in state.applications.values()
        if not (only_open and not app.is_open)
        and not (only_closed and app.is_open)
        and (channel is None or skill_key(app.channel) == skill_key(channel))
    ]
    if sort is not None:
        shown.sort(key=SORTS[sort])
    if as_json:
        print_json(_json.pipeline_json(state, stream, as_of, shown))
        return
    out = console()
    now = _moment_of(as_of)
    table = Table(title=_title("Pipeline", stream, as_of), title_justify="left")
    # An id is what the other commands take: never cut short, whatever the width.
    longest = max((len(app.id) for app in shown), default=2)
    table.add_column("id", no_wrap=True, min_width=longest)
    for column in (
        "company",
        "role",
        "via",
        "applied",
        "stage",
        "outcome",
        "feedback",
        "next interview",
    ):
        table.add_column(column, overflow="fold")
    for app in shown:
        upcoming = app.next_interview(now) if app.is_open else None
        table.add_row(
            app.id,
            app.company or "?",
            app.role or "?",
            app.channel,
            _date(app.applied_at),
            str(app.stage),
            str(app.outcome) if app.outcome else "open",
            str(app.feedback_count),
            "-"
            if upcoming is None
            else f"{upcoming.on.astimezone():%Y-%m-%d %H:%M} {upcoming.stage}",
        )
    out.print(table)
    out.print(funnel_table(state.funnel, state.total, "Funnel (furthest stage reached)"))
    out.print(channels_table(state))


def channels_table(state: PipelineState) -> Table:
    """The funnel per channel in one table: how many passed each stage, and the step rate."""
    table = Table(title="Per channel: passed (rate)", title_justify="left")
    table.add_column("channel")
    table.add_column("applied", justify="right")
    for stage in ("resume", "phone", "second_interview", "final"):
        table.add_column(stage, justify="right")
    for channel, rows in state.channels.items():
        applied = sum(
            1 for app in state.applications.values() if skill_key(app.channel) == skill_key(channel)
        )
        table.add_row(
            channel, str(applied), *(f"{row.count} ({_percent(row.rate)})" for row in rows)
        )
    return table


@click.command("gaps")
@stream_option
@view_options
def gaps_command(stream: str, as_of: int | datetime | None, as_json: bool) -> None:
    """The gap list in rank order (the top two are focus items) and the resume to-do list."""
    state: GapsState = _view("gaps", stream, as_of)
    now = _moment_of(as_of)
    if as_json:
        print_json(
            _json.gaps_json(
                state, stream, as_of, now, merges_to_ask(context().log, stream=stream, as_of=as_of)
            )
        )
        return
    out = console()
    if state.goal:
        out.print(f"Goal: {state.goal} ({state.horizon_years} years)")
    focus = {item.key: recent for item, recent in state.focus_practised(now)}
    table = Table(title=_title("Gap list", stream, as_of), title_justify="left")
    for column in (
        "rank",
        "skill",
        "focus",
        "mentions",
        "practised",
        "last practised",
        "from",
        "what was said",
    ):
        table.add_column(column, justify="right" if column in ("rank", "mentions") else "left")
    practice = {entry.item.key: entry for entry in state.practice(now)}
    for item in state.items:
        mark = ""
        if item.key in focus:
            done = practice[item.key]
            mark = (
                f"FOCUS: {done.summary}"
                if done.minutes_this_week or done.weeks_in_a_row
                else ("FOCUS: practise this week")
            )
        table.add_row(
            str(item.rank),
            item.skill,
            mark,
            str(item.mentions),
            f"{item.minutes_practised} min",
            _ago(item.last_practised, now),
            "; ".join(item.sources),
            "; ".join(item.comments),
        )
    out.print(table)
    if state.closed:
        out.print("Closed: " + ", ".join(f"{i.skill} ({_date(i.closed_at)})" for i in state.closed))
    punch = Table(title="Resume to-do: punch up", title_justify="left")
    for column in ("skill", "named", "what was said"):
        punch.add_column(column)
    for entry in state.punch_up:
        punch.add_row(entry.skill, f"{entry.mentions}x", "; ".join(entry.comments))
    out.print(punch)
    suggestions = merges_to_ask(context().log, stream=stream, as_of=as_of)
    if suggestions:
        out.print("Likely the same skill (merge them if they are):", markup=False)
        for suggestion in suggestions:
            words = " ".join(shlex.quote(skill) for skill in suggestion.skills)
            out.print(
                f"  {', '.join(suggestion.skills)} -> {suggestion.into} ({suggestion.why}): "
                f"jobsearch gap merge {words} --into {shlex.quote(suggestion.into)}",
                markup=False,
                highlight=False,
            )


@click.command("roles")
@stream_option
@view_options
def roles_command(stream: str, as_of: int | datetime | None, as_json: bool) -> None:
    """Suggested roles, each with its own gap analysis."""
    state: RolesState = _view("roles", stream, as_of)
    if as_json:
        print_json(_json.roles_json(state, stream, as_of))
        return
    table = Table(title=_title("Suggested roles", stream, as_of), title_justify="left")
    for column in ("role", "company", "has", "planned", "missing", "coverage", "suggested by"):
        table.add_column(column)
    for role in state.roles:
        table.add_row(
            role.role,
            role.company,
            ", ".join(role.covered) or "-",
            ", ".join(f"{s} (#{role.planned_ranks[s]})" for s in role.planned) or "-",
            ", ".join(role.missing) or "-",
            _percent(role.coverage),
            ", ".join(role.suggested_by) or "-",
        )
    console().print(table)


def _ranks(
    state: HistoryState, skill: str | None, since: datetime | None
) -> dict[str, list[RankChange]]:
    chosen = {
        name: [c for c in changes if since is None or c.at >= since]
        for name, changes in state.ranks.items()
        if skill is None or skill_key(name) == skill_key(skill)
    }
    return {name: changes for name, changes in chosen.items() if changes}


@click.command("history")
@click.argument("skill", required=False)
@click.option("--since", metavar="DATE", help="Only changes from this date on.")
@click.option(
    "--plot",
    "plot_file",
    metavar="FILE",
    help="Draw a bump chart of the ranks to FILE.svg, or FILE.png (needs matplotlib).",
)
@stream_option
@view_options
def history_command(
    skill: str | None,
    since: str | None,
    plot_file: str | None,
    stream: str,
    as_of: int | datetime | None,
    as_json: bool,
) -> None:
    """How each skill's rank moved over time, and which event moved it."""
    since_moment = parse_moment(since, option="--since") if since else None
    state: HistoryState = _view("history", stream, as_of)
    ranks = _ranks(state, skill, since_moment)
    if (
        skill is not None
        and not ranks
        and not any(skill_key(n) == skill_key(skill) for n in state.ranks)
    ):
        raise click.BadParameter(f"{skill!r} has never been on the gap list", param_hint="SKILL")
    if plot_file is not None:
        from jobsearch_core.cli.pictures import plot_history

        plot_history(ranks, plot_file, title=_title("Gap ranks", stream, as_of), as_of=as_of)
        click.echo(f"wrote {plot_file}", err=as_json)
    if as_json:
        print_json(_json.history_json(state, stream, as_of, ranks))
        return
    if plot_file is not None:
        return
    table = Table(title=_title("History of the gap list", stream, as_of), title_justify="left")
    for column in ("date", "#", "skill", "rank", "cause", "detail"):
        table.add_column(column)
    changes = sorted(
        ((name, c) for name, cs in ranks.items() for c in cs), key=lambda pair: pair[1].position
    )
    for name, change in changes:
        before = "-" if change.previous is None else str(change.previous)
        after = "off" if change.rank is None else str(change.rank)
        table.add_row(
            _date(change.at),
            str(change.position),
            name,
            f"{before} -> {after}",
            change.cause,
            change.detail or "",
        )
    console().print(table)


def describe(event: Event) -> str:
    """One line on what an event says."""
    if isinstance(event, UnknownEvent):
        return f"(unknown type {event.type_name} v{event.schema_version}: {event.reason})"
    if isinstance(event, FeedbackReceived):
        items = ", ".join(
            f"{i.skill} [{i.mark}]" + (f" ({i.comment})" if i.comment else "") for i in event.items
        )
        said = f"{event.application_id}: {items}"
        said += f" from {event.source}" if event.source else ""
        return said + (f": {event.note}" if event.note else "")
    if isinstance(event, EventRetracted):
        return f"retracts #{event.position}" + (f": {event.reason}" if event.reason else "")
    shown = []
    for field in attrs.fields(type(event)):
        value = getattr(event, field.name)
        if field.name == "at" or value is None:
            continue
        if isinstance(value, tuple):
            value = ", ".join(map(str, value))
        shown.append(
            str(value) if field.name in ("skill", "application_id") else f"{field.name}={value}"
        )
    return " ".join(shown)


@click.command("log")
@click.option("--stream", default=None, help="Only this stream (default: all).")
@click.option(
    "--after", type=click.IntRange(min=0), default=0, help="Only events after this position."
)
@click.option(
    "--no-retracted",
    "hide_retracted",
    is_flag=True,
    help="Leave out retracted events and the retractions themselves.",
)
@view_options
def log_command(
    stream: str | None,
    after: int,
    hide_retracted: bool,
    as_of: int | datetime | None,
    as_json: bool,
) -> None:
    """The events themselves, in log order; a retracted event is marked with what retracted it."""
    records: list[Recorded] = []
    for recorded in context().log.read(stream=stream, after=after):
        if isinstance(as_of, int) and recorded.position > as_of:
            break
        if isinstance(as_of, datetime) and recorded.event.at > as_of:
            continue
        records.append(recorded)
    # Corrections as of the moment shown: position retracted -> the retraction in force.
    by = _retracted_as_of(records)
    if hide_retracted:
        records = [
            r for r in records if r.position not in by and not isinstance(r.event, EventRetracted)
        ]
    if as_json:
        print_json([{**_json.record_json(r), "retracted_by": by.get(r.position)} for r in records])
        return
    table = Table(title=f"Log{'' if stream is None else f' ({stream})'}", title_justify="left")
    for column in ("#", "stream", "v", "date", "event", "what"):
        table.add_column(column)
    for recorded in records:
        what = describe(recorded.event)
        if recorded.position in by:
            what = f"[retracted by #{by[recorded.position]}] {what}"
        table.add_row(
            str(recorded.position),
            recorded.stream,
            str(recorded.version),
            _date(recorded.event.at),
            event_type_of(recorded.event),
            what,
        )
    console().print(table)


def _retracted_as_of(records: list[Recorded]) -> dict[int, int]:
    """Each position retracted by a correction among `records` -> that correction's position
    (a correction that was itself retracted retracts nothing)."""
    return retracted_by(
        {
            r.position: r.event.position
            for r in records
            if isinstance(r.event, EventRetracted) and r.event.position < r.position
        }
    )


@click.command("show")
@click.argument("application_id", metavar="APP_ID")
@click.option(
    "--json", "as_json", is_flag=True, help="Print the application and its events as JSON."
)
@stream_option
def show_command(application_id: str, as_json: bool, stream: str) -> None:
    """One application's timeline: every event about it, what the interviewers said, the
    roles suggested in it; retracted events marked."""
    log = context().log
    pipeline: PipelineState = log.view("pipeline", stream=stream)
    found = match(
        application_id, pipeline.applications, what="application", where=f"in stream {stream!r}"
    )
    app = pipeline.applications[found]
    mine = [r for r in log.read(stream=stream) if getattr(r.event, "application_id", None) == found]
    by = retracted_by(log.retractions(stream=stream))
    if as_json:
        print_json(
            {
                "application": _json.application_json(app),
                "events": [
                    {**_json.record_json(r), "retracted_by": by.get(r.position)} for r in mine
                ],
            }
        )
        return
    out = console()
    outcome = str(app.outcome) if app.outcome else "open"
    out.print(
        f"{app.id}: {app.role or '?'} at {app.company or '?'}, via {app.channel}; "
        f"furthest stage {app.stage}; {outcome}"
    )
    table = Table(title="Timeline", title_justify="left")
    for column in ("date", "#", "event", "what"):
        table.add_column(column, overflow="fold")
    for recorded in sorted(mine, key=lambda r: (r.event.at, r.position)):
        event = recorded.event
        what = describe(event)
        if isinstance(event, FeedbackReceived):
            said = [f"{i.skill}: {i.comment}" for i in event.items if i.comment]
            what += "".join(f"\n  {line}" for line in said)
            if event.note:
                what += f"\n  {event.note}"
        if recorded.position in by:
            what = f"[retracted by #{by[recorded.position]}] {what}"
        table.add_row(_date(event.at), str(recorded.position), event_type_of(event), what)
    out.print(table)


COMMANDS = [
    pipeline_command,
    gaps_command,
    roles_command,
    history_command,
    log_command,
    show_command,
]
