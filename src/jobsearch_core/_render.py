"""Plain-text pictures of the four views, for the demo and for quick looks in a terminal."""

from __future__ import annotations

from datetime import UTC, datetime

from jobsearch_core.log import DEFAULT_STREAM, EventLog
from jobsearch_core.views.gaps import GapsState
from jobsearch_core.views.history import HistoryState
from jobsearch_core.views.pipeline import FunnelRow, PipelineState
from jobsearch_core.views.roles import RolesState

__all__ = ["render_all", "render_gaps", "render_history", "render_pipeline", "render_roles"]


def _heading(title: str) -> str:
    return f"{title}\n{'=' * len(title)}"


def _percent(value: float | None) -> str:
    return "  -" if value is None else f"{100 * value:3.0f}%"


def _date(moment: datetime | None) -> str:
    return "-" if moment is None else moment.strftime("%Y-%m-%d")


def _ago(moment: datetime | None, now: datetime) -> str:
    if moment is None:
        return "never"
    days = (now - moment).days
    return "today" if days <= 0 else f"{days} day{'s' if days != 1 else ''} ago"


def _table(rows: list[list[str]]) -> list[str]:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return [
        "  " + "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip()
        for row in rows
    ]


def _funnel_rows(funnel: list[FunnelRow], total: int) -> list[list[str]]:
    rows = [["stage", "passed", "of previous", "typical", "per 100", "typical per 100"]]
    for row in funnel:
        typical_per_100 = (
            f"{row.base_low}"
            if row.base_low == row.base_high
            else f"{row.base_low}-{row.base_high}"
        )
        per_100 = "-" if row.per_100 is None else f"{row.per_100:.0f}"
        rows.append(
            [
                str(row.stage),
                f"{row.count}/{total}",
                _percent(row.rate),
                _percent(row.base_rate),
                per_100,
                typical_per_100,
            ]
        )
    return rows


def render_pipeline(state: PipelineState) -> str:
    """Every application, then the funnel beside the base rates, overall and per channel."""
    lines = [_heading(f"Pipeline: {state.total} applications, {state.open} open")]
    if not state.applications:
        return "\n".join([*lines, "  (no applications yet)"])
    rows = [["application", "company", "role", "via", "applied", "furthest stage", "outcome"]]
    for app in sorted(
        state.applications.values(), key=lambda a: a.applied_at or datetime.min.replace(tzinfo=UTC)
    ):
        rows.append(
            [
                app.id,
                app.company or "?",
                app.role or "?",
                app.channel,
                _date(app.applied_at),
                str(app.stage),
                str(app.outcome) if app.outcome else "open",
            ]
        )
    lines += _table(rows)
    lines += ["", "Funnel (counted from the furthest stage each application reached):"]
    lines += _table(_funnel_rows(state.funnel, state.total))
    lines += ["", "Per channel (passed the resume screen / applied):"]
    channel_rows = [["channel", "applied", "resume", "phone", "second", "final"]]
    for channel, funnel in sorted(state.channels.items()):
        applied = sum(1 for a in state.applications.values() if a.channel == channel)
        channel_rows.append([channel, str(applied), *(str(row.count) for row in funnel)])
    lines += _table(channel_rows)
    return "\n".join(lines)


def render_gaps(state: GapsState, now: datetime | None = None) -> str:
    """The gap list in rank order with the focus items marked, then the resume to-do list."""
    now = now or datetime.now(UTC)
    title = "Gap list"
    if state.goal:
        title += f" (for: {state.goal}, {state.horizon_years} years)"
    lines = [_heading(title)]
    if not state.items:
        lines.append("  (the gap list is empty)")
    else:
        practised = {item.key: recent for item, recent in state.focus_practised(now)}
        rows = [["rank", "skill", "", "mentions", "practised", "last practised", "from"]]
        for item in state.items:
            mark = ""
            if item.key in practised:
                mark = "FOCUS" if practised[item.key] else "FOCUS (not this week)"
            rows.append(
                [
                    str(item.rank),
                    item.skill,
                    mark,
                    str(item.mentions),
                    f"{item.minutes_practised} min",
                    _ago(item.last_practised, now),
                    "; ".join(item.sources),
                ]
            )
        lines += _table(rows)
    if state.closed:
        done = ", ".join(f"{item.skill} ({_date(item.closed_at)})" for item in state.closed)
        lines += ["", f"Closed: {done}"]
    lines += ["", "Resume to-do (punch up what is already there):"]
    if not state.punch_up:
        lines.append("  (nothing yet)")
    for punch in state.punch_up:
        said = f": {'; '.join(punch.comments)}" if punch.comments else ""
        lines.append(f"  - {punch.skill} (named {punch.mentions}x){said}")
    return "\n".join(lines)


def render_roles(state: RolesState) -> str:
    """Each suggested role with its own gap analysis against the list."""
    lines = [_heading("Suggested roles")]
    if not state.roles:
        return "\n".join([*lines, "  (no roles suggested yet)"])
    for role in state.roles:
        by = f", suggested by {', '.join(role.suggested_by)}" if role.suggested_by else ""
        lines.append(f"  {role.role} at {role.company}{by}: {100 * role.coverage:.0f}% covered")
        lines.append(f"      covered: {', '.join(role.covered) or '-'}")
        lines.append(f"      missing: {', '.join(role.missing) or '-'}")
    return "\n".join(lines)


def render_history(history: HistoryState, gaps: GapsState, *, top: int = 5) -> str:
    """How the current top priorities got where they are, one line of moves per skill."""
    lines = [_heading(f"How the top {top} priorities moved")]
    for item in gaps.items[:top]:
        changes = history.ranks.get(item.skill) or next(
            (c for skill, c in history.ranks.items() if skill.casefold() == item.skill.casefold()),
            [],
        )
        path = " -> ".join("off" if c.rank is None else str(c.rank) for c in changes)
        lines.append(f"  {item.skill}: {path}")
        for change in changes:
            if change.cause in ("GapPromoted", "GapAdded") or change.previous is None:
                detail = f": {change.detail}" if change.detail else ""
                lines.append(
                    f"      {_date(change.at)} #{change.position} {change.cause}{detail} -> rank {change.rank}"
                )
    if history.corrections:
        lines += ["", "Corrections:"]
        for fix in history.corrections:
            reason = f" ({fix.reason})" if fix.reason else ""
            lines.append(f"  {_date(fix.at)} #{fix.position} retracted #{fix.retracted}{reason}")
    return "\n".join(lines)


def render_all(log: EventLog, *, stream: str = DEFAULT_STREAM, now: datetime | None = None) -> str:
    """The four views of one stream, one after the other."""
    gaps = log.view("gaps", stream=stream)
    parts = [
        render_pipeline(log.view("pipeline", stream=stream)),
        render_gaps(gaps, now),
        render_roles(log.view("roles", stream=stream)),
        render_history(log.view("history", stream=stream), gaps),
    ]
    return "\n\n".join(parts)
