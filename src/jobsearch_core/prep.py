"""The prep sheet: one page to read before an interview, as Markdown or printable HTML.

It gathers what the views already know about one application: the application and its
next interview, the gap list with the two focus items starred, the punch-ups that
matter for this role, what the company said before, the roles suggested there, and the
method's two questions with the seeker's own list filled in.
"""

from __future__ import annotations

import re
from datetime import datetime

import attrs

from jobsearch_core.events import SCREEN_NAMES, FeedbackReceived, Mark, skill_key
from jobsearch_core.log import EventLog
from jobsearch_core.markup import escape
from jobsearch_core.method import QUESTION_ONE, bring_the_list, question_two
from jobsearch_core.views import (
    GAPS,
    PIPELINE,
    PLAN,
    Application,
    FocusPractice,
    GapItem,
    PunchUpItem,
)
from jobsearch_core.views.roles import SuggestedRole
from jobsearch_core.views.upcoming import Interview, moment_or_now

__all__ = ["PastFeedback", "PrepSheet", "prep_sheet", "to_html", "to_markdown"]


@attrs.frozen(kw_only=True)
class PastFeedback:
    """Feedback heard before from the company: who, when, on which application, what."""

    at: datetime
    source: str | None
    application_id: str
    role: str | None
    #: (skill, mark, comment) of each item.
    items: tuple[tuple[str, Mark, str | None], ...]


@attrs.frozen(kw_only=True)
class PrepSheet:
    """Everything the sheet shows, gathered from the views at one moment."""

    application: Application
    next_interview: Interview | None
    #: The open gap list in rank order; the first two are the focus.
    punch_list: tuple[GapItem, ...]
    #: How the two focus items are being practised.
    practice: tuple[FocusPractice, ...]
    #: Punch-ups named at this company or needed by a role suggested there (else all).
    punch_ups: tuple[PunchUpItem, ...]
    past_feedback: tuple[PastFeedback, ...]
    roles: tuple[SuggestedRole, ...]
    #: The plan's questions about the seeker's order ("Move dbt in front of item 3, ...?").
    plan_questions: tuple[str, ...]
    #: The method's two questions, and what to say with the list in hand after the first.
    questions: tuple[str, str]
    bring_the_list: str
    now: datetime


def prep_sheet(
    log: EventLog, application_id: str, *, stream: str, now: datetime | None = None
) -> PrepSheet:
    """The prep sheet of one application in a stream, as the log stands."""
    pipeline = log.view(PIPELINE, stream=stream)
    app = pipeline.applications[application_id]
    gaps = log.view(GAPS, stream=stream)
    plan = log.view(PLAN, stream=stream)
    company = app.company or application_id
    here = skill_key(company)
    at_company = {
        key
        for key, other in pipeline.applications.items()
        if other.company is not None and skill_key(other.company) == here
    } | {application_id}
    past = [
        PastFeedback(
            at=recorded.event.at,
            source=recorded.event.source,
            application_id=recorded.event.application_id,
            role=pipeline.applications[recorded.event.application_id].role
            if recorded.event.application_id in pipeline.applications
            else None,
            items=tuple((i.skill, i.mark, i.comment) for i in recorded.event.items),
        )
        for recorded in log.read(stream=stream, types=FeedbackReceived, include_retracted=False)
        if isinstance(recorded.event, FeedbackReceived)
        and recorded.event.application_id in at_company
    ]
    roles = tuple(role for role in plan.roles.roles if skill_key(role.company) == here)
    said = [item for feedback in past for item in feedback.items]
    wanted = {gaps.key(skill) for skill, mark, _ in said if mark is Mark.PUNCH_UP}
    wanted |= {gaps.key(skill) for role in roles for skill in role.skills}
    punch_ups = tuple(entry for entry in gaps.punch_up if gaps.key(entry.skill) in wanted)
    if not punch_ups:
        punch_ups = tuple(sorted(gaps.punch_up, key=lambda entry: -entry.mentions))
    items = gaps.items
    return PrepSheet(
        application=app,
        next_interview=app.next_interview(now),
        punch_list=tuple(items),
        practice=tuple(gaps.practice(now)),
        punch_ups=punch_ups,
        past_feedback=tuple(past),
        roles=roles,
        plan_questions=tuple(plan.questions),
        questions=(QUESTION_ONE, question_two(company)),
        bring_the_list=bring_the_list(
            [item.skill for item in items[:2]], items[2].skill if len(items) > 2 else None
        ),
        now=moment_or_now(now),
    )


# --- Markdown ----------------------------------------------------------------------------------

_MARKDOWN = re.compile(r"([\\`*_\[\]<>|~])")


def _md(text: str) -> str:
    """Text as Markdown shows it literally: its special characters escaped, one line."""
    return _MARKDOWN.sub(r"\\\1", " ".join(text.split()))


def _when(moment: datetime) -> str:
    return f"{moment.astimezone():%Y-%m-%d %H:%M}"


def _day(moment: datetime | None) -> str:
    return "-" if moment is None else f"{moment.astimezone():%Y-%m-%d}"


def _interview(interview: Interview) -> str:
    who = f" with {interview.with_whom}" if interview.with_whom else ""
    return f"{SCREEN_NAMES[interview.stage]} on {_when(interview.on)}{who}"


def _mark(mark: Mark) -> str:
    return "punch up" if mark is Mark.PUNCH_UP else "next focus"


def _headline(app: Application) -> tuple[str, list[str]]:
    title = f"{app.role or '?'} at {app.company or '?'}"
    facts = [app.id, f"applied {_day(app.applied_at)}"]
    if app.via:
        facts.append(f"via {app.via}")
    if app.resume_version:
        facts.append(f"resume {app.resume_version}")
    facts.append(f"furthest stage: {app.stage}")
    if app.outcome is not None:
        facts.append(f"closed: {app.outcome}")
    return title, facts


def to_markdown(sheet: PrepSheet) -> str:
    """The sheet as Markdown: one page, every value escaped."""
    title, facts = _headline(sheet.application)
    lines = [f"# Interview prep: {_md(title)}", "", " · ".join(_md(f) for f in facts), ""]
    if sheet.next_interview is not None:
        lines += [f"**Next:** {_md(_interview(sheet.next_interview))}", ""]
    lines += ["## Your punch list", ""]
    practice = {entry.item.key: entry.summary for entry in sheet.practice}
    for item in sheet.punch_list:
        star = "★ " if item.key in practice else ""
        detail = f" — {_md(practice[item.key])}" if star else ""
        lines.append(f"{item.rank}. {star}{_md(item.skill)}{detail}")
    if not sheet.punch_list:
        lines.append("Nothing on the gap list yet.")
    if sheet.plan_questions:
        lines += ["", "The evidence asks:"]
        lines += [f"- {_md(question)}" for question in sheet.plan_questions]
    lines += ["", "## Punch up for this role", ""]
    for entry in sheet.punch_ups:
        said = f": {_md('; '.join(entry.comments))}" if entry.comments else ""
        lines.append(f"- {_md(entry.skill)} (named {entry.mentions}x){said}")
    if not sheet.punch_ups:
        lines.append("Nothing to punch up yet.")
    company = _md(sheet.application.company or sheet.application.id)
    lines += ["", f"## What {company} said before", ""]
    for feedback in sheet.past_feedback:
        said = "; ".join(
            f"{_mark(mark)} {_md(skill)}" + (f" ({_md(comment)})" if comment else "")
            for skill, mark, comment in feedback.items
        )
        who = _md(feedback.source or "an interviewer")
        lines.append(f"- {_day(feedback.at)}, {who} ({_md(feedback.application_id)}): {said}")
    if not sheet.past_feedback:
        lines.append("No feedback from them yet.")
    lines += ["", f"## Other roles at {company}", ""]
    for role in sheet.roles:
        lines.append(f"- {_md(role.role)}: {_md(_coverage(role))}")
    if not sheet.roles:
        lines.append("None suggested yet: ask question 2.")
    lines += [
        "",
        "## The two questions",
        "",
        f"1. “{_md(sheet.questions[0])}”",
        f"   Mark each answer punch up or next focus, then: “{_md(sheet.bring_the_list)}”",
        f"2. “{_md(sheet.questions[1])}”",
        "",
    ]
    return "\n".join(lines)


def _coverage(role: SuggestedRole) -> str:
    parts = [f"has {', '.join(role.covered) or 'none'}"]
    if role.planned:
        parts.append(
            "planned " + ", ".join(f"{s} (#{role.planned_ranks[s]})" for s in role.planned)
        )
    if role.missing:
        parts.append(f"missing {', '.join(role.missing)}")
    return f"{'; '.join(parts)} ({100 * role.coverage:.0f}% covered)"


# --- HTML ----------------------------------------------------------------------------------------

_STYLE = """
:root { color: #1a1a1a; background: #fff; font: 11pt/1.4 system-ui, sans-serif; }
body { max-width: 46rem; margin: 1.5rem auto; padding: 0 1rem; }
h1 { font-size: 1.5rem; margin: 0 0 .25rem; } h2 { font-size: 1.1rem; margin: 1.2rem 0 .4rem;
  border-bottom: 1px solid #bbb; } .facts { color: #444; margin: 0 0 .6rem; }
ol, ul { margin: .2rem 0; padding-left: 1.4rem; } li { margin: .15rem 0; }
.focus { font-weight: 700; } .muted { color: #555; } blockquote { margin: .3rem 0 .3rem 1rem; }
@page { size: A4; margin: 15mm; }
@media print { body { margin: 0; max-width: none; } :root { font-size: 10pt; } }
"""


def _e(text: str) -> str:
    return escape(text)


def _list(tag: str, rows: list[str], empty: str) -> str:
    if not rows:
        return f'<p class="muted">{_e(empty)}</p>'
    return f"<{tag}>" + "".join(f"<li>{row}</li>" for row in rows) + f"</{tag}>"


def to_html(sheet: PrepSheet) -> str:
    """The sheet as one printable HTML page (A4), every value escaped, nothing fetched."""
    title, facts = _headline(sheet.application)
    company = sheet.application.company or sheet.application.id
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>Interview prep: {_e(title)}</title><style>{_STYLE}</style></head><body>",
        f"<h1>Interview prep: {_e(title)}</h1>",
        f'<p class="facts">{" · ".join(_e(f) for f in facts)}</p>',
    ]
    if sheet.next_interview is not None:
        parts.append(f"<p><strong>Next:</strong> {_e(_interview(sheet.next_interview))}</p>")
    practice = {entry.item.key: entry.summary for entry in sheet.practice}
    punch = []
    for item in sheet.punch_list:
        if item.key in practice:
            punch.append(
                f'<span class="focus">★ {_e(item.skill)}</span> '
                f'<span class="muted">{_e(practice[item.key])}</span>'
            )
        else:
            punch.append(_e(item.skill))
    parts += ["<h2>Your punch list</h2>", _list("ol", punch, "Nothing on the gap list yet.")]
    if sheet.plan_questions:
        parts.append("<p>The evidence asks:</p>")
        parts.append(_list("ul", [_e(q) for q in sheet.plan_questions], ""))
    ups = [
        f"{_e(entry.skill)} (named {entry.mentions}x)"
        + (f": {_e('; '.join(entry.comments))}" if entry.comments else "")
        for entry in sheet.punch_ups
    ]
    parts += ["<h2>Punch up for this role</h2>", _list("ul", ups, "Nothing to punch up yet.")]
    said = [
        f"{_e(_day(fb.at))}, {_e(fb.source or 'an interviewer')} ({_e(fb.application_id)}): "
        + "; ".join(
            f"{_e(_mark(mark))} {_e(skill)}" + (f" ({_e(comment)})" if comment else "")
            for skill, mark, comment in fb.items
        )
        for fb in sheet.past_feedback
    ]
    parts += [f"<h2>What {_e(company)} said before</h2>", _list("ul", said, "No feedback yet.")]
    roles = [f"{_e(role.role)}: {_e(_coverage(role))}" for role in sheet.roles]
    parts += [
        f"<h2>Other roles at {_e(company)}</h2>",
        _list("ul", roles, "None suggested yet: ask question 2."),
        "<h2>The two questions</h2><ol>",
        f"<li><blockquote>“{_e(sheet.questions[0])}”</blockquote>"
        f"Mark each answer punch up or next focus, then: “{_e(sheet.bring_the_list)}”</li>",
        f"<li><blockquote>“{_e(sheet.questions[1])}”</blockquote></li></ol>",
        "</body></html>",
    ]
    return "\n".join(parts) + "\n"
