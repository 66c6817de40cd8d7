"""The stable JSON forms of the views and the log that `--json` prints (see docs/cli.md)."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from jobsearch_core.codec import make_converter
from jobsearch_core.events import Recorded, UnknownEvent, event_type_of, schema_version_of
from jobsearch_core.spellings import MergeSuggestion
from jobsearch_core.views.gaps import FocusPractice, GapItem, GapsState, PunchUpItem
from jobsearch_core.views.history import HistoryState, RankChange
from jobsearch_core.views.pipeline import Application, FunnelRow, PipelineState
from jobsearch_core.views.plan import PlanState
from jobsearch_core.views.roles import RolesState
from jobsearch_core.views.upcoming import FollowUp, Interview, UpcomingInterview

__all__ = [
    "application_json",
    "funnel_json",
    "gaps_json",
    "history_json",
    "interview_json",
    "pipeline_json",
    "record_json",
    "roles_json",
    "upcoming_json",
]

_CONVERTER = make_converter()

#: Bumped when a key is renamed or removed (keys are only ever added otherwise).
FORMAT = 1


def _when(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def _envelope(view: str, stream: str, as_of: int | datetime | None) -> dict[str, Any]:
    shown = as_of.isoformat() if isinstance(as_of, datetime) else as_of
    return {"format": FORMAT, "view": view, "stream": stream, "as_of": shown}


def funnel_json(rows: list[FunnelRow]) -> list[dict[str, Any]]:
    """Funnel rows as `pipeline --json` gives them."""
    return [
        {
            "stage": str(row.stage),
            "count": row.count,
            "cut": row.cut,
            "pending": row.pending,
            "withdrawn": row.withdrawn,
            "rate": row.rate,
            "interval": list(row.interval) if row.interval is not None else None,
            "verdict": row.verdict,
            "median_days": row.median_days,
            "waiting_days": list(row.waiting_days),
            "base_rate": row.base_rate,
            "base_low": row.base_low,
            "base_high": row.base_high,
            "per_100": row.per_100,
        }
        for row in rows
    ]


def interview_json(interview: Interview) -> dict[str, Any]:
    """One interview on the calendar."""
    return {
        "stage": str(interview.stage),
        "on": _when(interview.on),
        "with_whom": interview.with_whom,
        "note": interview.note,
        "position": interview.position,
        "arranged_at": _when(interview.arranged_at),
    }


def application_json(app: Application, now: datetime | None = None) -> dict[str, Any]:
    """One application, as `pipeline --json` lists it (its next interview from `now`,
    default this moment)."""
    upcoming = app.next_interview(now)
    return {
        "id": app.id,
        "company": app.company,
        "role": app.role,
        "via": app.via,
        "resume_version": app.resume_version,
        "applied_at": _when(app.applied_at),
        "stage": str(app.stage),
        "stages": [
            {"stage": str(s.stage), "at": _when(s.at), "position": s.position} for s in app.stages
        ],
        "outcome": None if app.outcome is None else str(app.outcome),
        "closed_at": _when(app.closed_at),
        "feedback_count": app.feedback_count,
        "last_activity": _when(app.last_activity),
        "interviews": [interview_json(interview) for interview in app.interviews],
        "next_interview": None if upcoming is None else interview_json(upcoming),
    }


def pipeline_json(
    state: PipelineState,
    stream: str,
    as_of: int | datetime | None,
    shown: list[Application] | None = None,
) -> dict[str, Any]:
    """Applications (those `shown`, by default all), the funnel beside the base rates, and
    the funnel per channel (over all of them)."""
    chosen = list(state.applications.values()) if shown is None else shown
    now = as_of if isinstance(as_of, datetime) else None
    return {
        **_envelope("pipeline", stream, as_of),
        "total": state.total,
        "open": state.open,
        "by_outcome": {str(k): v for k, v in state.by_outcome.items()},
        "applications": [application_json(a, now) for a in chosen],
        "funnel": funnel_json(state.funnel),
        "channels": {channel: funnel_json(rows) for channel, rows in state.channels.items()},
        "resume_versions": {
            version: funnel_json(rows) for version, rows in state.resume_versions.items()
        },
    }


def _gap(
    item: GapItem, focus: dict[str, bool], practice: Mapping[str, FocusPractice]
) -> dict[str, Any]:
    entry = practice.get(item.key)
    return {
        "rank": item.rank,
        "skill": item.skill,
        "status": str(item.status),
        "sources": list(item.sources),
        "mentions": item.mentions,
        "comments": list(item.comments),
        "minutes_practised": item.minutes_practised,
        "last_practised": _when(item.last_practised),
        "added_at": _when(item.added_at),
        "closed_at": _when(item.closed_at),
        "focus": item.key in focus,
        "practised_recently": focus.get(item.key),
        "interviewers": list(item.interviewers),
        "weekly_minutes": dict(item.weekly_minutes),
        "weeks_in_a_row": None if entry is None else entry.weeks_in_a_row,
        "minutes_this_week": None if entry is None else entry.minutes_this_week,
    }


def _punch_up(item: PunchUpItem) -> dict[str, Any]:
    return {
        "skill": item.skill,
        "mentions": item.mentions,
        "sources": list(item.sources),
        "comments": list(item.comments),
        "last_at": _when(item.last_at),
    }


def gaps_json(
    state: GapsState,
    stream: str,
    as_of: int | datetime | None,
    now: datetime,
    merges: Sequence[MergeSuggestion] = (),
) -> dict[str, Any]:
    """The gap list in rank order, the closed items, the resume to-do list and the merges
    worth asking about."""
    focus = {item.key: recent for item, recent in state.focus_practised(now)}
    practice = {entry.item.key: entry for entry in state.practice(now)}
    goal = (
        None if state.goal is None else {"text": state.goal, "horizon_years": state.horizon_years}
    )
    return {
        **_envelope("gaps", stream, as_of),
        "goal": goal,
        "items": [_gap(item, focus, practice) for item in state.items],
        "closed": [_gap(item, focus, practice) for item in state.closed],
        "punch_up": [_punch_up(item) for item in state.punch_up],
        "practised_off_list": dict(state.practised_off_list),
        "merged": {state.spellings.get(k, k): state.name_of(k) for k in state.merged},
        "merge_suggestions": [
            {"skills": list(m.skills), "into": m.into, "why": m.why} for m in merges
        ],
    }


def plan_json(
    plan: PlanState, stream: str, as_of: int | datetime | None, now: datetime
) -> dict[str, Any]:
    """The plan, its questions and the focus items' practice, for --json."""
    return {
        **_envelope("plan", stream, as_of),
        "items": [
            {
                "skill": item.skill,
                "rank": item.rank,
                "suggested_rank": item.suggested_rank,
                "focus": item.focus,
                "reasons": list(item.reasons),
                "interviewers": list(item.interviewers),
                "roles": list(item.roles),
            }
            for item in plan.items
        ],
        "questions": list(plan.questions),
        "disagreements": [
            {
                "skill": d.skill,
                "in_front_of": d.in_front_of,
                "rank": d.rank,
                "question": d.question,
            }
            for d in plan.disagreements
        ],
        "had": list(plan.had),
        "practice": [
            {
                "skill": p.item.skill,
                "weeks_in_a_row": p.weeks_in_a_row,
                "minutes_this_week": p.minutes_this_week,
            }
            for p in plan.practice(now)
        ],
    }


def roles_json(state: RolesState, stream: str, as_of: int | datetime | None) -> dict[str, Any]:
    """Each suggested role with its gap analysis."""
    return {
        **_envelope("roles", stream, as_of),
        "roles": [
            {
                "company": role.company,
                "role": role.role,
                "skills": list(role.skills),
                "covered": list(role.covered),
                "planned": [
                    {"skill": skill, "rank": role.planned_ranks[skill]} for skill in role.planned
                ],
                "missing": list(role.missing),
                "on_resume": list(role.on_resume),
                "coverage": role.coverage,
                "suggested_by": list(role.suggested_by),
                "application_ids": list(role.application_ids),
                "first_suggested_at": _when(role.first_suggested_at),
                "last_suggested_at": _when(role.last_suggested_at),
                "note": role.note,
            }
            for role in state.roles
        ],
    }


def upcoming_json(
    interviews: list[UpcomingInterview],
    follow_ups: list[FollowUp],
    stream: str,
    as_of: int | datetime | None,
    *,
    now: datetime,
    until: datetime,
    days: int,
) -> dict[str, Any]:
    """The interviews from `now` to `until`, soonest first, and the follow-ups due by then
    (after `days` without news), the longest overdue first."""
    return {
        **_envelope("upcoming", stream, as_of),
        "now": _when(now),
        "until": _when(until),
        "follow_up_days": days,
        "interviews": [
            {
                "application_id": item.application_id,
                "company": item.company,
                "role": item.role,
                **interview_json(item.interview),
            }
            for item in interviews
        ],
        "follow_ups": [
            {
                "application_id": item.application_id,
                "company": item.company,
                "role": item.role,
                "since": _when(item.since),
                "due": _when(item.due),
            }
            for item in follow_ups
        ],
    }


def _change(change: RankChange) -> dict[str, Any]:
    return {
        "position": change.position,
        "at": _when(change.at),
        "rank": change.rank,
        "previous": change.previous,
        "cause": change.cause,
        "detail": change.detail,
    }


def history_json(
    state: HistoryState,
    stream: str,
    as_of: int | datetime | None,
    ranks: dict[str, list[RankChange]],
) -> dict[str, Any]:
    """How each skill's rank moved (already filtered by skill and --since) and the corrections."""
    return {
        **_envelope("history", stream, as_of),
        "ranks": {skill: [_change(c) for c in changes] for skill, changes in ranks.items()},
        "corrections": [
            {
                "position": fix.position,
                "at": _when(fix.at),
                "retracted": fix.retracted,
                "reason": fix.reason,
            }
            for fix in state.corrections
        ],
    }


def thawed(value: Any) -> Any:
    """Read-only metadata as plain JSON values."""
    if isinstance(value, Mapping):
        return {key: thawed(item) for key, item in value.items()}
    if isinstance(value, tuple):
        return [thawed(item) for item in value]
    return value


def record_json(recorded: Recorded) -> dict[str, Any]:
    """One event of the log: its place, its type and its fields."""
    event = recorded.event
    if isinstance(event, UnknownEvent):
        data: Any = json.loads(event.data)
    else:
        data = _CONVERTER.unstructure(event)
        data = {k: v for k, v in data.items() if v is not None}
    return {
        "position": recorded.position,
        "stream": recorded.stream,
        "version": recorded.version,
        "recorded_at": _when(recorded.recorded_at),
        "event_id": recorded.event_id,
        "metadata": thawed(recorded.metadata),
        "type": event_type_of(event),
        "schema_version": schema_version_of(event),
        "known": not isinstance(event, UnknownEvent),
        "data": data,
    }
