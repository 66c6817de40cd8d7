"""The `plan` command: the learning plan beside the seeker's own order, and accepting it."""

from __future__ import annotations

from datetime import datetime

import click
from rich.table import Table

from jobsearch_core.cli import _json, _progress
from jobsearch_core.cli._common import (
    append,
    console,
    context,
    moment_of,
    print_json,
    say,
    stream_option,
    view_options,
    view_title,
)
from jobsearch_core.errors import InvalidInputError
from jobsearch_core.views import PLAN, PlanState
from jobsearch_core.words import counted, practice_line

__all__ = ["COMMANDS", "practice_line"]


@click.command("plan")
@click.option(
    "--accept",
    is_flag=True,
    help="Record the suggested order as your gap list's (GapPromoted events, one append).",
)
@stream_option
@view_options
def plan_command(stream: str, as_of: int | datetime | None, as_json: bool, accept: bool) -> None:
    """The learning plan: where the evidence (interviewers, suggested roles) ranks each skill
    beside where you did, the two to focus on, and the questions to bring to an interview.

    With --accept, --json prints the records it stored (none when the list is in the
    suggested order already), as every command that records does."""
    plan: PlanState = _progress.view(context().log, PLAN.name, stream=stream, as_of=as_of)
    now = moment_of(as_of)
    if accept:
        if as_of is not None:
            raise InvalidInputError("--accept records the plan as it is now: drop --as-of")
        promotions = plan.promotions()
        records = append(context().log, list(promotions), stream) if promotions else []
        if as_json:  # as every command that records: the stored records
            print_json([_json.record_json(recorded) for recorded in records])
            return
        if not records:
            say("your gap list is in the suggested order already: nothing to record")
            return
        say(
            f"recorded #{records[0].position}-#{records[-1].position}: "
            f"{counted(len(records), 'move')} to the suggested order"
        )
        plan = _progress.view(context().log, PLAN.name, stream=stream, as_of=None)
    if as_json:
        print_json(_json.plan_json(plan, stream, as_of, now))
        return
    out = console()
    table = Table(title=view_title("Learning plan", stream, as_of), title_justify="left")
    for column in ("suggested", "yours", "skill", "focus", "why"):
        table.add_column(column, justify="right" if column in ("suggested", "yours") else "left")
    for item in plan.items:
        table.add_row(
            str(item.suggested_rank),
            "-" if item.rank is None else str(item.rank),
            item.skill,
            "FOCUS" if item.focus else "",
            "; ".join(item.reasons),
        )
    out.print(table)
    if plan.questions:
        out.print("Ask at your next interview (or move them yourself):", markup=False)
        for question in plan.questions:
            out.print(f"  {question}", markup=False, highlight=False)
        out.print("  jobsearch plan --accept records the suggested order.", markup=False)
    if plan.had:
        out.print(
            "On your gap list but you have them (close them?): " + ", ".join(plan.had),
            markup=False,
        )
    practice = plan.practice(now)
    if practice:
        out.print("Your focus this week:", markup=False)
        for entry in practice:
            out.print(f"  {practice_line(entry)}", markup=False, highlight=False)


COMMANDS = [plan_command]
