"""The core's sections of the HTML report: gap list, resume to-do, plan, roles, funnel and
applications, each made from the views at one moment of the replay."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from jobsearch_core.events import SCREEN_NAMES
from jobsearch_core.report.sections import Block, Column, Lines, ReportSection, Row, Table
from jobsearch_core.views.gaps import GapsState
from jobsearch_core.views.pipeline import Application, PipelineState
from jobsearch_core.views.plan import PlanState
from jobsearch_core.views.roles import RolesState
from jobsearch_core.words import funnel_sentence, practice_line

__all__ = ["SECTIONS"]


def _percent(value: float | None) -> str:
    return "-" if value is None else f"{100 * value:.0f}%"


def _date(moment: datetime | None) -> str:
    return "-" if moment is None else f"{moment.astimezone():%Y-%m-%d}"


def _names(names: Sequence[str]) -> str:
    return ", ".join(names) or "-"


def _gaps(states: Mapping[str, Any], now: datetime) -> list[Block]:
    gaps: GapsState = states["gaps"]
    focus = {item.key: recent for item, recent in gaps.focus_practised(now)}
    rows = []
    for item in gaps.items:
        mark = ""
        if item.key in focus:
            mark = "focus" if focus[item.key] else "focus: not practised this week"
        rows.append(
            Row(
                key=item.skill,
                strong=item.key in focus,
                cells=(
                    item.rank,
                    item.skill,
                    mark,
                    item.mentions,
                    f"{item.minutes_practised} min",
                    "never" if item.last_practised is None else _date(item.last_practised),
                    "; ".join(item.sources) or "-",
                ),
            )
        )
    goal = [] if not gaps.goal else [f"{gaps.goal} (in {gaps.horizon_years} years)"]
    return [
        Lines(title="The goal the gap list serves", lines=goal),
        Table(
            caption="The gap list, top first",
            columns=(
                Column("rank", numeric=True),
                "skill",
                "focus",
                Column("named", numeric=True),
                Column("practised", numeric=True),
                Column("last practised", numeric=True),
                "from",
            ),
            rows=rows,
            data="skill",
            empty="The gap list is empty.",
        ),
    ]


def _punch_up(states: Mapping[str, Any], now: datetime) -> list[Block]:
    gaps: GapsState = states["gaps"]
    rows = [
        Row(key=p.skill, cells=(p.skill, f"{p.mentions}x", "; ".join(p.comments) or "-"))
        for p in gaps.punch_up
    ]
    return [
        Table(
            caption="Skills to make stand out on the resume",
            columns=("skill", Column("named", numeric=True), "what was said"),
            rows=rows,
            data="skill",
            empty="No interviewer has asked for a punch-up yet.",
        )
    ]


def _plan(states: Mapping[str, Any], now: datetime) -> list[Block]:
    plan: PlanState = states["plan"]
    rows = [
        Row(
            key=item.skill,
            strong=item.focus,
            cells=(
                item.suggested_rank,
                "-" if item.rank is None else item.rank,
                item.skill,
                "focus" if item.focus else "",
                "; ".join(item.reasons),
            ),
        )
        for item in plan.items
    ]
    return [
        Table(
            caption="Where the evidence ranks each skill, beside your rank",
            columns=(
                Column("suggested", numeric=True),
                Column("yours", numeric=True),
                "skill",
                "focus",
                "why",
            ),
            rows=rows,
            data="skill",
            empty="Nothing to plan yet.",
        ),
        Lines(
            title="Ask at your next interview",
            lines=plan.questions,
        ),
        Lines(
            title="On your gap list, but you have them: close them?",
            lines=list(plan.had),
        ),
        Lines(
            title="Your focus this week",
            lines=[practice_line(entry) for entry in plan.practice(now)],
        ),
    ]


def _roles(states: Mapping[str, Any], now: datetime) -> list[Block]:
    roles: RolesState = states["roles"]
    rows = [
        Row(
            key=f"{role.role} at {role.company}",
            cells=(
                f"{role.role} at {role.company}",
                _names(role.covered),
                _names([f"{skill} (#{role.planned_ranks[skill]})" for skill in role.planned]),
                _names(role.missing),
                _percent(role.coverage),
                _names(role.suggested_by),
            ),
        )
        for role in roles.roles
    ]
    return [
        Table(
            caption="Roles interviewers suggested, each with its own gap analysis",
            columns=(
                "role",
                "you have",
                "planned",
                "missing",
                Column("coverage", numeric=True),
                "suggested by",
            ),
            rows=rows,
            data="role",
            empty="No interviewer has suggested a role yet.",
        )
    ]


def _funnel(states: Mapping[str, Any], now: datetime) -> list[Block]:
    pipeline: PipelineState = states["pipeline"]
    funnel = pipeline.funnel
    rows = [
        Row(
            key=str(row.stage),
            cells=(
                SCREEN_NAMES[row.stage],
                row.count,
                row.cut,
                row.pending,
                _percent(row.rate),
                "-"
                if row.interval is None
                else f"{100 * row.interval[0]:.0f}-{100 * row.interval[1]:.0f}%",
                _percent(row.base_rate),
                row.verdict,
                "-" if row.median_days is None else f"{row.median_days:.0f}",
            ),
        )
        for row in funnel
    ]
    return [
        Table(
            caption=f"{pipeline.total} applications, {pipeline.open} open",
            columns=(
                "screen",
                Column("passed", numeric=True),
                Column("cut", numeric=True),
                Column("waiting", numeric=True),
                Column("your rate", numeric=True),
                Column("90% range", numeric=True),
                Column("typical", numeric=True),
                "verdict",
                Column("median days", numeric=True),
            ),
            rows=rows if pipeline.total else (),
            data="stage",
            empty="No application yet.",
        ),
        Lines(
            title="In words",
            lines=[funnel_sentence(row) for row in funnel] if pipeline.total else [],
        ),
    ]


def _next_interview(app: Application, now: datetime) -> str:
    interview = app.next_interview(now)
    if interview is None:
        return "-"
    with_whom = f" with {interview.with_whom}" if interview.with_whom else ""
    return f"{interview.on.astimezone():%Y-%m-%d %H:%M} ({interview.stage}{with_whom})"


def _applications(states: Mapping[str, Any], now: datetime) -> list[Block]:
    pipeline: PipelineState = states["pipeline"]
    rows = [
        Row(
            key=app.id,
            cells=(
                f"{app.role or '?'} at {app.company or '?'}",
                app.id,
                app.stage,
                "open" if app.outcome is None else app.outcome,
                app.channel,
                _date(app.applied_at),
                _next_interview(app, now) if app.is_open else "-",
            ),
        )
        for app in pipeline.applications.values()
    ]
    return [
        Table(
            caption="Every application, in the order the log first heard of it",
            columns=(
                "application",
                "id",
                "stage",
                "outcome",
                "channel",
                Column("applied", numeric=True),
                "next interview",
            ),
            rows=rows,
            data="application",
            empty="No application yet.",
        )
    ]


#: In the order they appear, before the sections of other plugins.
SECTIONS = (
    ReportSection(name="gaps", title="Gap list", uses=("gaps",), render=_gaps),
    ReportSection(
        name="plan",
        title="Learning plan",
        uses=("plan",),
        render=_plan,
        intro="The order the evidence suggests (interviewers who named a skill, suggested "
        "roles that need it) beside the one you chose; the top two are the focus.",
    ),
    ReportSection(name="roles", title="Suggested roles", uses=("roles",), render=_roles),
    ReportSection(
        name="funnel",
        title="The funnel against typical base rates",
        uses=("pipeline",),
        render=_funnel,
        intro="Counted from the furthest stage each application reached: an application "
        "still waiting is not a failure, and the 90% range shows how little a few "
        "applications prove. Typically, of about 100 applications 12-18 pass the resume "
        "screen, 5-7 the phone screen, 2-3 the second interview and 1 is hired (unless you "
        "set rates of your own: the typical column shows those in force).",
    ),
    ReportSection(
        name="applications", title="Applications", uses=("pipeline",), render=_applications
    ),
    ReportSection(
        name="punch-up", title="Resume to-do: punch up", uses=("gaps",), render=_punch_up
    ),
)
