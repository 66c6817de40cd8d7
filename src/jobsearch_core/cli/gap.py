"""The `gap` commands: change the gap list (add, promote, practise, close, merge spellings)."""

from __future__ import annotations

from datetime import datetime

import click

from jobsearch_core.cli._common import (
    append,
    append_one,
    at_option,
    context,
    force_option,
    gap_list,
    json_option,
    say_position,
    say_recorded,
    stream_option,
    with_at,
)
from jobsearch_core.cli._match import match
from jobsearch_core.errors import InvalidInputError
from jobsearch_core.events import GapAdded, GapClosed, GapPracticed, GapPromoted, SkillsMerged
from jobsearch_core.spellings import merges_to_ask
from jobsearch_core.views.gaps import GapsState, GapStatus
from jobsearch_core.words import counted

__all__ = ["COMMANDS"]


@click.group("gap")
def gap_group() -> None:
    """Change the gap list: add, promote, practise, close, merge spellings."""


@gap_group.command("add")
@click.argument("skill")
@click.option("--rank", type=click.IntRange(min=1), help="Where it goes (default: the bottom).")
@click.option("--note")
@stream_option
@at_option
@json_option
def gap_add(
    skill: str, rank: int | None, note: str | None, stream: str, at: datetime | None
) -> None:
    """Write SKILL onto the gap list."""
    position = append_one(GapAdded(skill=skill, rank=rank, note=note, **with_at(at)), stream)
    item = gap_list(stream).get(skill)
    where = f"rank {item.rank}" if item is not None and item.rank is not None else "the list"
    say_position(position, f"{skill} is at {where}")


@gap_group.command("promote")
@click.argument("skill")
@click.option(
    "--to",
    "to_rank",
    type=click.IntRange(min=1),
    required=True,
    metavar="N",
    help="The new rank (1 is the top).",
)
@click.option("--reason")
@click.option("--new", is_flag=True, help="SKILL is not on the list yet: put it there, at N.")
@force_option
@stream_option
@at_option
@json_option
def gap_promote(
    skill: str,
    to_rank: int,
    reason: str | None,
    new: bool,
    force: bool,
    stream: str,
    at: datetime | None,
) -> None:
    """Move SKILL to rank N; the others shift."""
    gaps = gap_list(stream)
    if not (new or force):
        skill = _skill(gaps, skill, hint="or add --new to put it on the list")
    open_count = len(gaps.items)
    limit = open_count if _is_open(gaps, skill) else open_count + 1
    if to_rank > limit:
        raise InvalidInputError(
            f"rank {to_rank} is out of range: the gap list would hold "
            f"{counted(limit, 'item')}, so use --to 1..{limit}"
        )
    position = append_one(
        GapPromoted(skill=skill, to_rank=to_rank, reason=reason, **with_at(at)), stream
    )
    say_position(position, f"{skill} moved to rank {to_rank}")


def _is_open(gaps: GapsState, skill: str) -> bool:
    item = gaps.get(skill)
    return item is not None and item.status is GapStatus.OPEN


def _skill(gaps: GapsState, skill: str, *, hint: str | None = None) -> str:
    """The gap item a skill means (open or closed): in any spelling (merged ones too), or by
    a unique prefix."""
    item = gaps.get(skill)
    if item is not None:
        return item.skill
    names = [item.skill for item in gaps.skills.values()]
    try:
        return match(skill, names, what="skill", where="on the gap list")
    except InvalidInputError as error:
        add = hint or f"add it with: jobsearch gap add {skill!r}"
        said = str(error)
        if said.endswith("?"):  # after "did you mean ...?", a new sentence
            raise InvalidInputError(f"{said} {add[0].upper()}{add[1:]}") from None
        raise InvalidInputError(f"{said}; {add}") from None


@gap_group.command("practice")
@click.argument("skill")
@click.argument("minutes", type=click.IntRange(min=0))
@click.option("--note")
@stream_option
@at_option
@json_option
def gap_practice(
    skill: str, minutes: int, note: str | None, stream: str, at: datetime | None
) -> None:
    """Record MINUTES spent practising SKILL."""
    skill = _skill(gap_list(stream), skill)
    position = append_one(
        GapPracticed(skill=skill, minutes=minutes, note=note, **with_at(at)), stream
    )
    say_position(position, f"{minutes} minutes on {skill}")


@gap_group.command("close")
@click.argument("skill")
@click.option("--note", help="How it was closed: a course, a certificate ...")
@stream_option
@at_option
@json_option
def gap_close(skill: str, note: str | None, stream: str, at: datetime | None) -> None:
    """Take SKILL off the open gap list (learned, certified)."""
    gaps = gap_list(stream)
    skill = _skill(gaps, skill)
    if not _is_open(gaps, skill):
        raise InvalidInputError(f"{skill!r} is already closed")
    position = append_one(GapClosed(skill=skill, note=note, **with_at(at)), stream)
    say_position(position, f"{skill} closed")


@gap_group.command("merge")
@click.argument("skills", nargs=-1, metavar="SKILL...")
@click.option("--into", metavar="NAME", help="The name to keep for them.")
@click.option(
    "--suggested",
    is_flag=True,
    help="Go through the merges `jobsearch gaps` suggests, asking about each.",
)
@stream_option
@at_option
@json_option
def gap_merge(
    skills: tuple[str, ...], into: str | None, suggested: bool, stream: str, at: datetime | None
) -> None:
    """Count the SKILL spellings as one skill, NAME, from now on: their mentions, sources and
    minutes add up and it keeps the best rank any had (retract it to split them again).

    With --suggested, each likely merge (spelled alike, or an alias a plugin ships) is
    shown and recorded only if you say yes; those you accept go in one append."""
    if suggested:
        if skills or into:
            raise InvalidInputError(
                "--suggested asks about each merge itself: give no SKILL or --into"
            )
        _confirm_suggested(stream, at)
        return
    if not skills or into is None:
        raise InvalidInputError("name the spellings and the one to keep: SKILL... --into NAME")
    gaps = gap_list(stream)
    together = {gaps.key(skill) for skill in (*skills, into)}
    if len(together) < 2:
        raise InvalidInputError(
            f"{', '.join(map(repr, skills))} and {into!r} are one skill already: nothing to merge"
        )
    position = append_one(SkillsMerged(skills=skills, into=into, **with_at(at)), stream)
    item = gap_list(stream).get(into)
    where = f", at rank {item.rank}" if item is not None and item.rank is not None else ""
    say_position(position, f"{', '.join(skills)} counted as {into}{where}")


def _confirm_suggested(stream: str, at: datetime | None) -> None:
    accepted = []
    for suggestion in merges_to_ask(context().log, stream=stream):
        named = ", ".join(suggestion.skills)
        if click.confirm(
            f"Merge {named} into {suggestion.into} ({suggestion.why})?", default=False
        ):
            accepted.append(
                SkillsMerged(skills=suggestion.skills, into=suggestion.into, **with_at(at))
            )
    if not accepted:
        say_recorded("nothing merged")
        return
    records = append(context().log, list(accepted), stream)
    say_recorded(
        f"recorded #{records[0].position}"
        + (f"-#{records[-1].position}" if len(records) > 1 else "")
        + f": {counted(len(records), 'merge')}"
    )


COMMANDS = [gap_group]
