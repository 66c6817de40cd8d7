"""Commands that record what happened: each appends exactly one event."""

from __future__ import annotations

import re
import unicodedata
from datetime import UTC, datetime, timedelta

import click

from jobsearch_core.cli._common import (
    append_one,
    at_option,
    context,
    force_option,
    json_option,
    parse_moment,
    refuse_unless_forced,
    say_position,
    say_recorded,
    stream_option,
    with_at,
)
from jobsearch_core.cli._match import match
from jobsearch_core.errors import InvalidInputError
from jobsearch_core.events import (
    SCREEN_NAMES,
    SCREENS,
    ApplicationClosed,
    CareerGoalSet,
    FeedbackItem,
    FeedbackReceived,
    InterviewScheduled,
    Mark,
    Outcome,
    ResumeSubmitted,
    ResumeUpdated,
    RoleSuggested,
    ScreenPassed,
    Stage,
    skill_key,
)
from jobsearch_core.views.pipeline import Application, PipelineState
from jobsearch_core.views.roles import RolesState
from jobsearch_core.words import counted

__all__ = ["COMMANDS", "application_of", "feedback_item", "slug"]

#: How far past the clock an event may be and still not count as "in the future".
_SLACK = timedelta(minutes=5)


def _applications(stream: str) -> PipelineState:
    state: PipelineState = context().log.view("pipeline", stream=stream)
    return state


def application_of(application_id: str, stream: str) -> Application:
    """The application an id means: in any case, or by a unique prefix of it."""
    applications = _applications(stream).applications
    found = match(application_id, applications, what="application", where=f"in stream {stream!r}")
    return applications[found]


#: Latin letters that Unicode does not decompose into a base letter and a mark.
_LETTERS = str.maketrans(
    {"æ": "ae", "ø": "o", "œ": "oe", "ß": "ss", "đ": "d", "ð": "d", "ł": "l", "þ": "th", "ı": "i"}
)


def slug(company: str, role: str) -> str:
    """A readable ASCII id from company and role: "Zürich Re", "Data Analyst" ->
    "zurich-re-data-analyst" (accents dropped; other scripts leave "application")."""
    spelled = f"{company} {role}".casefold().translate(_LETTERS)
    ascii_text = unicodedata.normalize("NFKD", spelled).encode("ascii", "ignore").decode()
    text = re.sub(r"[^a-z0-9]+", "-", ascii_text).strip("-")
    return text or "application"


@click.command("apply")
@click.argument("company")
@click.argument("role")
@click.option(
    "--id", "application_id", help="The application's id (default: made from company and role)."
)
@click.option("--via", help="The channel: referral, job board, recruiter ...")
@click.option("--resume-version", help="Which resume was sent.")
@click.option("--note")
@click.option("--again", is_flag=True, help="Apply again to a role already applied to.")
@stream_option
@at_option
@json_option
def apply_command(
    company: str,
    role: str,
    application_id: str | None,
    via: str | None,
    resume_version: str | None,
    note: str | None,
    again: bool,
    stream: str,
    at: datetime | None,
) -> None:
    """Record an application to ROLE at COMPANY; prints its id."""
    # An id whose resume was retracted is free again (only other events still name it).
    existing = {
        app_id: app
        for app_id, app in _applications(stream).applications.items()
        if app.company is not None
    }
    twin = next(
        (
            app
            for app in existing.values()
            if app.is_open
            and skill_key(app.company or "") == skill_key(company)
            and skill_key(app.role or "") == skill_key(role)
        ),
        None,
    )
    if twin is not None and not again:
        raise InvalidInputError(
            f"{twin.id!r} is an open application to {role} at {company} already; "
            "add --again to apply once more"
        )
    if application_id is None:
        base = slug(company, role)
        application_id, n = base, 1
        while application_id in _applications(stream).applications:
            n += 1
            application_id = f"{base}-{n}"
    elif application_id in existing:
        raise InvalidInputError(
            f"application {application_id!r} already exists in stream {stream!r}"
        )
    append_one(
        ResumeSubmitted(
            application_id=application_id,
            company=company,
            role=role,
            via=via,
            resume_version=resume_version,
            note=note,
            **with_at(at),
        ),
        stream,
    )
    say_recorded(application_id)


@click.command("pass")
@click.argument("application_id", metavar="APP_ID")
@click.argument("stage", type=click.Choice([str(s) for s in SCREENS], case_sensitive=False))
@click.option("--note")
@force_option
@stream_option
@at_option
@json_option
def pass_command(
    application_id: str,
    stage: str,
    note: str | None,
    force: bool,
    stream: str,
    at: datetime | None,
) -> None:
    """Record that application APP_ID moved past STAGE."""
    app = application_of(application_id, stream)
    application_id, screen = app.id, Stage(stage.lower())
    when = at if at is not None else datetime.now(UTC)
    if app.outcome is not None:
        refuse_unless_forced(
            f"{application_id} is closed ({app.outcome}); only feedback follows a close",
            force=force,
        )
    passed = next((reached for reached in app.stages if reached.stage is screen), None)
    if passed is not None:
        refuse_unless_forced(
            f"{application_id} passed the {screen} stage already, on {passed.at:%Y-%m-%d}",
            force=force,
        )
    if app.applied_at is not None and when < app.applied_at:
        refuse_unless_forced(
            f"the {screen} stage would be passed before the application was sent "
            f"({app.applied_at:%Y-%m-%d})",
            force=force,
        )
    if when > datetime.now(UTC) + _SLACK:
        refuse_unless_forced(f"{when:%Y-%m-%d %H:%M} is in the future", force=force)
    position = append_one(
        ScreenPassed(application_id=application_id, stage=stage, note=note, **with_at(at)), stream
    )
    say_position(position, f"{application_id} passed the {stage} stage")


@click.command("interview")
@click.argument("application_id", metavar="APP_ID")
@click.option(
    "--on",
    "on_text",
    required=True,
    metavar="DATE",
    help='When the interview is: "2026-12-03 14:00" (your local time unless an offset is given).',
)
@click.option(
    "--stage",
    type=click.Choice([str(s) for s in SCREENS], case_sensitive=False),
    required=True,
    help="The screen it decides.",
)
@click.option("--with", "with_whom", metavar="WHO", help="Who it is with: a name, a title.")
@click.option("--note", help="Anything else: the address, the call link.")
@force_option
@stream_option
@at_option
@json_option
def interview_command(
    application_id: str,
    on_text: str,
    stage: str,
    with_whom: str | None,
    note: str | None,
    force: bool,
    stream: str,
    at: datetime | None,
) -> None:
    """Put an interview for APP_ID on the calendar; another for the same stage moves it."""
    app = application_of(application_id, stream)
    application_id, screen = app.id, Stage(stage.lower())
    on = parse_moment(on_text, option="--on")
    if app.outcome is not None:
        refuse_unless_forced(f"{application_id} is closed ({app.outcome})", force=force)
    event = InterviewScheduled(
        application_id=application_id,
        stage=screen,
        on=on,
        with_whom=with_whom,
        note=note,
        **with_at(at),
    )
    kept = next((kept for kept in app.interviews if kept.stage is screen), None)
    position = append_one(event, stream)
    was = ""
    if kept is not None:
        # The pipeline keeps the one arranged last: a backfilled older one moves nothing.
        shown = f"{kept.on.astimezone():%Y-%m-%d %H:%M}"
        was = (
            f" (moved from {shown})"
            if event.at >= kept.arranged_at
            else f" (arranged before the one on {shown}, which stands)"
        )
    say_position(
        position,
        f"{application_id}: {SCREEN_NAMES[screen]} on {on.astimezone():%Y-%m-%d %H:%M}{was}",
    )


@click.command("feedback")
@click.argument("application_id", metavar="APP_ID")
@click.option(
    "--punch-up",
    "punch_up",
    multiple=True,
    metavar="SKILL",
    help="Already on the resume: make it stand out (repeatable); SKILL=WHAT adds what was said.",
)
@click.option(
    "--next-focus",
    "next_focus",
    multiple=True,
    metavar="SKILL",
    help="A real gap to learn next (repeatable); SKILL=WHAT adds what was said of it.",
)
@click.option("--source", metavar="WHO", help="Who said it.")
@click.option(
    "--comment",
    metavar="TEXT",
    help="What was said of it all, in a line (gaps shows it beside each skill named).",
)
@stream_option
@at_option
@json_option
def feedback_command(
    application_id: str,
    punch_up: tuple[str, ...],
    next_focus: tuple[str, ...],
    source: str | None,
    comment: str | None,
    stream: str,
    at: datetime | None,
) -> None:
    """Record feedback on APP_ID: skills to punch up and skills to focus on next."""
    if not punch_up and not next_focus:
        raise InvalidInputError(
            "feedback needs at least one --punch-up SKILL or --next-focus SKILL"
        )
    application_id = application_of(application_id, stream).id
    items = [feedback_item(given, Mark.PUNCH_UP) for given in punch_up]
    items += [feedback_item(given, Mark.NEXT_FOCUS) for given in next_focus]
    position = append_one(
        FeedbackReceived(
            application_id=application_id, items=items, source=source, note=comment, **with_at(at)
        ),
        stream,
    )
    say_position(position, f"{counted(len(items), 'feedback item')} on {application_id}")


def feedback_item(given: str, mark: Mark) -> FeedbackItem:
    """``SKILL`` or ``SKILL=WHAT WAS SAID`` as a feedback item (the comment shows in gaps)."""
    skill, equals, comment = given.partition("=")
    if equals and not comment.strip():
        raise InvalidInputError(f"{given!r}: nothing after '=' (write SKILL or SKILL=WHAT)")
    return FeedbackItem(skill=skill, mark=mark, comment=comment.strip() or None)


@click.command("close")
@click.argument("application_id", metavar="APP_ID")
@click.argument("outcome", type=click.Choice([str(o) for o in Outcome], case_sensitive=False))
@click.option("--note")
@force_option
@stream_option
@at_option
@json_option
def close_command(
    application_id: str,
    outcome: str,
    note: str | None,
    force: bool,
    stream: str,
    at: datetime | None,
) -> None:
    """Record how application APP_ID ended (after an offer: accepted or declined)."""
    app = application_of(application_id, stream)
    application_id, ending = app.id, Outcome(outcome.lower())
    after_offer = app.outcome is Outcome.OFFER and ending in (Outcome.ACCEPTED, Outcome.DECLINED)
    if app.outcome is not None and not after_offer:
        refuse_unless_forced(f"{application_id} is closed already ({app.outcome})", force=force)
    position = append_one(
        ApplicationClosed(application_id=application_id, outcome=outcome, note=note, **with_at(at)),
        stream,
    )
    say_position(position, f"{application_id} closed: {outcome}")


@click.command("goal")
@click.argument("text")
@click.option(
    "--years", type=click.IntRange(min=1), default=5, show_default=True, help="The horizon."
)
@stream_option
@at_option
@json_option
def goal_command(text: str, years: int, stream: str, at: datetime | None) -> None:
    """Set the career goal the gap list serves."""
    event = CareerGoalSet(goal=text, horizon_years=years, **with_at(at))
    position = append_one(event, stream)
    say_position(position, f"goal: {event.goal} ({counted(years, 'year')})")


@click.command("suggest")
@click.argument("company")
@click.argument("role")
@click.option(
    "--skill", "skills", multiple=True, required=True, help="A skill the role needs (repeatable)."
)
@click.option("--app", "application_id", metavar="APP_ID", help="The application it came up in.")
@click.option("--by", "suggested_by", metavar="WHO", help="Who suggested it.")
@click.option("--note")
@stream_option
@at_option
@json_option
def suggest_command(
    company: str,
    role: str,
    skills: tuple[str, ...],
    application_id: str | None,
    suggested_by: str | None,
    note: str | None,
    stream: str,
    at: datetime | None,
) -> None:
    """Record another ROLE at COMPANY that might fit, and the skills it needs."""
    if application_id is not None:
        application_id = application_of(application_id, stream).id
    position = append_one(
        RoleSuggested(
            company=company,
            role=role,
            skills=skills,
            application_id=application_id,
            suggested_by=suggested_by,
            note=note,
            **with_at(at),
        ),
        stream,
    )
    # The roles view decides what a role is missing; name those of this suggestion's skills.
    roles: RolesState = context().log.view("roles", stream=stream)
    key = roles.gaps.key
    missing_keys = {key(name) for role in roles.roles for name in role.missing}
    missing = [name for name in skills if key(name) in missing_keys]
    tail = f"; not on your list yet: {', '.join(missing)}" if missing else ""
    say_position(position, f"{role} at {company}{tail}")


@click.command("resume")
@click.argument("version")
@click.option(
    "--skill",
    "skills",
    multiple=True,
    metavar="SKILL",
    required=True,
    help="A skill this resume lists (repeatable): the skills you have.",
)
@click.option("--note")
@stream_option
@at_option
@json_option
def resume_command(
    version: str, skills: tuple[str, ...], note: str | None, stream: str, at: datetime | None
) -> None:
    """Record a version of your resume and the skills it lists; the latest is the current one
    (apply --resume-version VERSION names it)."""
    position = append_one(
        ResumeUpdated(version=version, skills=skills, note=note, **with_at(at)), stream
    )
    say_position(position, f"resume {version}: {counted(len(skills), 'skill')}")


COMMANDS = [
    resume_command,
    apply_command,
    pass_command,
    interview_command,
    feedback_command,
    close_command,
    goal_command,
    suggest_command,
]
