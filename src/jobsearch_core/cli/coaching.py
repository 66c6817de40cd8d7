"""Before and after an interview: `prep` writes the one-page sheet, `debrief` asks the
method's two questions and records the answers in one append."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path

import attrs
import click

from jobsearch_core.cli._common import (
    append,
    context,
    json_option,
    json_requested,
    say,
    say_recorded,
    stream_option,
)
from jobsearch_core.cli.record import application_of, feedback_item
from jobsearch_core.errors import InvalidInputError
from jobsearch_core.events import (
    Event,
    FeedbackItem,
    FeedbackReceived,
    GapPromoted,
    Mark,
    Recorded,
    RoleSuggested,
)
from jobsearch_core.log import EventLog
from jobsearch_core.method import QUESTION_ONE, question_two
from jobsearch_core.prep import prep_sheet, to_html, to_markdown
from jobsearch_core.views import GAPS, PLAN, Disagreement, GapsState, PlanState, fold
from jobsearch_core.views.pipeline import Application
from jobsearch_core.words import counted

__all__ = ["COMMANDS", "mark_for", "preview_plan"]


@click.command("prep")
@click.argument("application_id", metavar="APP_ID")
@click.option(
    "--html",
    "html_file",
    type=click.Path(dir_okay=False, path_type=Path),
    metavar="FILE",
    help="Also write the sheet as a printable HTML page.",
)
@stream_option
def prep_command(application_id: str, html_file: Path | None, stream: str) -> None:
    """A one-page sheet to read before an interview for APP_ID (Markdown on standard
    output): the application, your punch list with the two focus items starred, the
    punch-ups that matter for this role, what the company said before, the roles
    suggested there, and the method's two questions."""
    app = application_of(application_id, stream)
    sheet = prep_sheet(context().log, app.id, stream=stream)
    click.echo(to_markdown(sheet), nl=False)
    if html_file is not None:
        html_file.write_text(to_html(sheet), encoding="utf-8")
        say(f"wrote {html_file}", err=True)


# --- debrief -------------------------------------------------------------------------------------


def mark_for(gaps: GapsState, skill: str) -> tuple[Mark, str]:
    """How an answer is marked on the resume, and why: `punch_up` when the resume or the
    punch-up list already has the skill, else `next_focus`."""
    if any(gaps.key(listed) == gaps.key(skill) for listed in gaps.resume_skills):
        return Mark.PUNCH_UP, "on your resume"
    if gaps.on_resume(skill):
        return Mark.PUNCH_UP, "on your punch-up list"
    return Mark.NEXT_FOCUS, "not on your resume"


def preview_plan(log: EventLog, stream: str, events: Sequence[Event]) -> PlanState:
    """The plan as it would stand with `events` appended to the stream (nothing is written)."""
    records = list(log.read(stream=stream))
    position, version = log.head, len(records)
    now = datetime.now(UTC)
    for event in events:
        position, version = position + 1, version + 1
        records.append(
            Recorded(
                position=position, stream=stream, version=version, recorded_at=now, event=event
            )
        )
    return fold(PLAN, records, stream=stream)


def _skills_of(text: str) -> tuple[str, ...]:
    """The skills of a comma-separated list, blanks left out."""
    return tuple(skill.strip() for skill in text.split(",") if skill.strip())


def _lines(label: str) -> Iterator[str]:
    """What the seeker types at the `label` prompt, a line at a time, until an empty line."""
    while given := click.prompt(f"  {label}", default="", show_default=False).strip():
        yield given


def _role(given: str) -> tuple[str, tuple[str, ...]]:
    role, equals, skills = given.partition("=")
    named = _skills_of(skills)
    if not role.strip() or not equals or not named:
        raise InvalidInputError(f"--role {given!r}: write ROLE=SKILL,SKILL (the skills it needs)")
    return role.strip(), named


@attrs.define
class _Debrief:
    """What the debrief has gathered so far."""

    app: Application
    source: str | None = None
    items: list[FeedbackItem] = attrs.Factory(list)
    roles: list[tuple[str, tuple[str, ...]]] = attrs.Factory(list)
    moves: list[GapPromoted] = attrs.Factory(list)

    def events(self) -> list[Event]:
        found: list[Event] = []
        if self.items:
            found.append(
                FeedbackReceived(
                    application_id=self.app.id,
                    items=self.items,
                    source=self.source,
                    note="debrief",
                )
            )
        found += [
            RoleSuggested(
                company=self.app.company or self.app.id,
                role=role,
                skills=skills,
                application_id=self.app.id,
                suggested_by=self.source,
            )
            for role, skills in self.roles
        ]
        return found + list(self.moves)

    def summary(self) -> str:
        parts = []
        if self.items:
            who = f" from {self.source}" if self.source else ""
            parts.append(f"feedback with {counted(len(self.items), 'item')}{who}")
        if self.roles:
            parts.append(counted(len(self.roles), "suggested role"))
        if self.moves:
            parts.append(f"{counted(len(self.moves), 'move')} on your gap list")
        return "; ".join(parts)


def _next_question(
    log: EventLog, stream: str, debrief: _Debrief, asked: set[str]
) -> Disagreement | None:
    plan = preview_plan(log, stream, debrief.events())
    return next((d for d in plan.disagreements if plan.gaps.key(d.skill) not in asked), None)


def _move(question: Disagreement) -> GapPromoted:
    return GapPromoted(
        skill=question.skill, to_rank=question.rank, reason=f"debrief: {question.question}"
    )


def _ask_answers(gaps: GapsState, debrief: _Debrief) -> None:
    click.echo(f"Question 1: “{QUESTION_ONE}”")
    click.echo("Their answers, one a line (SKILL, or SKILL=what they said); an empty line ends.")
    for given in _lines("answer"):
        debrief.items.append(feedback_item(given, mark_for(gaps, given.partition("=")[0])[0]))
    while debrief.items:
        click.echo("Marked on your resume:")
        for number, item in enumerate(debrief.items, start=1):
            mark, why = mark_for(gaps, item.skill)
            if item.mark is not mark:
                why = f"your choice; it is {why}"
            shown = "punch up" if item.mark is Mark.PUNCH_UP else "next focus"
            click.echo(f"  {number}. {item.skill}: {shown} ({why})")
        choice = click.prompt(
            "Change a mark? Its number flips it; Enter keeps them", default="", show_default=False
        ).strip()
        if not choice:
            break
        if not choice.isdigit() or not 1 <= int(choice) <= len(debrief.items):
            click.echo(f"  no answer numbered {choice!r}")
            continue
        index = int(choice) - 1
        item = debrief.items[index]
        flipped = Mark.NEXT_FOCUS if item.mark is Mark.PUNCH_UP else Mark.PUNCH_UP
        debrief.items[index] = attrs.evolve(item, mark=flipped)


def _ask_roles(debrief: _Debrief) -> None:
    company = debrief.app.company or debrief.app.id
    click.echo(f"Question 2: “{question_two(company)}”")
    click.echo("The roles they named, one a line; an empty line ends.")
    for role in _lines("role"):
        named = _skills_of(click.prompt("  skills it needs (comma-separated)"))
        if not named:
            click.echo("  a role needs at least one skill; skipped")
            continue
        debrief.roles.append((role, named))


@click.command("debrief")
@click.argument("application_id", metavar="APP_ID")
@click.option("--with", "source", metavar="WHO", help="Who you spoke with.")
@click.option(
    "--answer",
    "answers",
    multiple=True,
    metavar="SKILL",
    help="An answer to question 1 (repeatable; SKILL=WHAT adds what was said), marked "
    "punch up when your resume or punch-up list has it, else next focus.",
)
@click.option(
    "--punch-up", "punch_ups", multiple=True, metavar="SKILL", help="An answer marked punch up."
)
@click.option(
    "--next-focus",
    "next_focus",
    multiple=True,
    metavar="SKILL",
    help="An answer marked next focus.",
)
@click.option(
    "--role",
    "roles",
    multiple=True,
    metavar="ROLE=SKILLS",
    help="An answer to question 2: a role there and the skills it needs, comma-separated.",
)
@click.option(
    "--move", is_flag=True, help="Move up every skill the plan says should (its questions)."
)
@click.option("--yes", is_flag=True, help="Record without asking (no prompts at all).")
@stream_option
@json_option
def debrief_command(
    application_id: str,
    source: str | None,
    answers: tuple[str, ...],
    punch_ups: tuple[str, ...],
    next_focus: tuple[str, ...],
    roles: tuple[str, ...],
    move: bool,
    yes: bool,
    stream: str,
) -> None:
    """After an interview for APP_ID: the method's two questions, each answer marked on
    your resume (shown, and changeable, before saving), the roles they suggested, and the
    plan's question for any skill that should move up; all recorded in one append.

    With any of --answer, --punch-up, --next-focus, --role or --yes it asks nothing; --json
    (the stored records) needs one of them."""
    as_json = json_requested()
    log = context().log
    app = application_of(application_id, stream)
    gaps: GapsState = log.view(GAPS, stream=stream)
    debrief = _Debrief(app=app, source=source)
    scripted = yes or bool(answers or punch_ups or next_focus or roles)
    if as_json and not scripted:
        raise InvalidInputError(
            "debrief --json asks nothing: give the answers with --answer, --punch-up, "
            "--next-focus or --role, or --yes"
        )
    if scripted:
        debrief.items += [feedback_item(a, mark_for(gaps, a.partition("=")[0])[0]) for a in answers]
        debrief.items += [feedback_item(given, Mark.PUNCH_UP) for given in punch_ups]
        debrief.items += [feedback_item(given, Mark.NEXT_FOCUS) for given in next_focus]
        debrief.roles += [_role(given) for given in roles]
    else:
        click.echo(f"Debrief: {app.role or '?'} at {app.company or '?'} ({app.id})")
        if debrief.source is None:
            debrief.source = (
                click.prompt(
                    "Who did you speak with? (Enter to skip)", default="", show_default=False
                ).strip()
                or None
            )
        _ask_answers(gaps, debrief)
        _ask_roles(debrief)
    asked: set[str] = set()
    while (question := _next_question(log, stream, debrief, asked)) is not None:
        asked.add(gaps.key(question.skill))
        if move or (not scripted and click.confirm(question.question, default=False)):
            debrief.moves.append(_move(question))
        elif scripted:
            say(f"The plan asks: {question.question} (--move moves it)", err=as_json)
    if not debrief.events():
        say_recorded("nothing to record")
        return
    summary = debrief.summary()
    if not scripted and not click.confirm(f"Record {summary}?", default=True):
        say("nothing recorded")
        return
    records = append(log, debrief.events(), stream)
    span = f"#{records[0].position}" + (f"-#{records[-1].position}" if len(records) > 1 else "")
    say_recorded(f"recorded {span}: {summary}")


COMMANDS = [prep_command, debrief_command]
