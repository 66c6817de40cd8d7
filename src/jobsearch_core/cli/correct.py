"""Commands that put mistakes right: retract an event, amend one, undo the last one.

Nothing is ever deleted: each appends an `EventRetracted` (and, to amend, the corrected
event in the same append), so the history keeps both.
"""

from __future__ import annotations

import typing
from datetime import datetime
from typing import Any

import attrs
import click

from jobsearch_core.cli._common import (
    append,
    at_option,
    context,
    json_option,
    json_requested,
    parse_moment,
    say,
    say_recorded,
    stream_option,
    with_at,
)
from jobsearch_core.cli.read import describe
from jobsearch_core.errors import InvalidEventError, InvalidInputError
from jobsearch_core.events import Event, EventRetracted, FeedbackReceived, Recorded, event_type_of
from jobsearch_core.views.replay import retracted_by

__all__ = ["COMMANDS"]


def _standing(stream: str, position: int) -> Recorded:
    """The event at `position` of `stream`, when it still stands (not retracted)."""
    log = context().log
    found = [r for r in log.read(stream=stream, after=position - 1) if r.position == position]
    if not found:
        raise InvalidInputError(f"no event at position {position} in stream {stream!r}")
    (recorded,) = found
    by = retracted_by(log.retractions(stream=stream))
    if position in by:
        raise InvalidInputError(f"#{position} is retracted already (by #{by[position]})")
    return recorded


@click.command("retract")
@click.argument("position", type=click.IntRange(min=1))
@click.option("--reason", required=True, help="Why it was wrong.")
@stream_option
@at_option
@json_option
def retract_command(position: int, reason: str, stream: str, at: datetime | None) -> None:
    """Correct a mistake: views skip the event at POSITION from now on (nothing is deleted)."""
    event = EventRetracted(position=position, reason=reason, **with_at(at))
    (recorded,) = append(context().log, [event], stream)
    say_recorded(f"recorded #{recorded.position}: #{position} retracted")


def _value(event: Event, name: str, text: str) -> Any:
    """A field's new value from the text given for it, read as the field's type reads."""
    hints = typing.get_type_hints(type(event))
    kind = hints[name]
    if name == "at" or kind is datetime:
        return parse_moment(text, option=f"--{name.replace('_', '-')}")
    if kind in (int, int | None):
        try:
            return int(text)
        except ValueError:
            raise InvalidInputError(
                f"--{name.replace('_', '-')}: {text!r} is not a whole number"
            ) from None
    if kind == tuple[str, ...]:
        return tuple(part.strip() for part in text.split(",") if part.strip())
    return None if text == "" and kind is not str else text


def _changes(event: Event, args: list[str]) -> dict[str, Any]:
    """`--field value` pairs (`--field=value` too) as new values for the event's fields."""
    fields = {field.name: field for field in attrs.fields(type(event))}
    changes: dict[str, Any] = {}
    pending = iter(args)
    for arg in pending:
        if not arg.startswith("--"):
            raise InvalidInputError(f"amend takes --FIELD VALUE pairs, got {arg!r}")
        name, equals, text = arg[2:].partition("=")
        if not equals:
            text = next(pending, None)  # type: ignore[assignment]
            if text is None:
                raise InvalidInputError(f"{arg} needs a value")
        field = name.replace("-", "_")
        if field not in fields:
            names = ", ".join(f"--{f.replace('_', '-')}" for f in fields)
            raise InvalidInputError(
                f"{event_type_of(event)} has no field {name!r} (it has {names})"
            )
        changes[field] = _value(event, field, text)
    if not changes:
        raise InvalidInputError("amend needs at least one --FIELD VALUE to change")
    return changes


@click.command("amend", context_settings={"ignore_unknown_options": True, "allow_extra_args": True})
@click.argument("position", type=click.IntRange(min=1))
@click.option("--reason", help="Why it was wrong (default: which fields were amended).")
@stream_option
@json_option
@click.pass_context
def amend_command(ctx: click.Context, position: int, reason: str | None, stream: str) -> None:
    """Fix the event at POSITION: `amend 12 --company Acme --role "Data Engineer"`.

    One append retracts it and records the corrected event, so the history keeps both.
    Any field of the event can be given as --FIELD VALUE (names with dashes; lists of
    skills comma-separated; --at takes a date). Feedback is put right by retracting it
    and recording it again.
    """
    recorded = _standing(stream, position)
    event = recorded.event
    if isinstance(event, EventRetracted | FeedbackReceived):
        kind = "a correction" if isinstance(event, EventRetracted) else "feedback"
        raise InvalidInputError(
            f"#{position} is {kind}: retract it and record what was meant instead"
        )
    changes = _changes(event, list(ctx.args))
    try:
        corrected = attrs.evolve(event, **changes)
    except InvalidEventError as error:
        raise InvalidInputError(f"the amended event is refused: {error}") from None
    why = reason or f"amended: {', '.join(changes)}"
    log = context().log
    retraction, kept = append(
        log, [EventRetracted(position=position, reason=why), corrected], stream
    )
    say_recorded(
        f"recorded #{retraction.position}: #{position} retracted, and #{kept.position}: "
        f"{describe(corrected)}"
    )


@click.command("undo")
@click.option("--yes", is_flag=True, help="Do not ask: retract it.")
@click.option("--reason", default="undone", show_default=True, help="Why it was wrong.")
@stream_option
@json_option
def undo_command(yes: bool, reason: str, stream: str) -> None:
    """Retract the last event of the stream that still stands, after showing it."""
    log = context().log
    records = list(log.read(stream=stream))
    by = retracted_by(log.retractions(stream=stream))
    last = next(
        (
            r
            for r in reversed(records)
            if r.position not in by and not isinstance(r.event, EventRetracted)
        ),
        None,
    )
    if last is None:
        raise InvalidInputError(f"stream {stream!r} has nothing to undo")
    say(
        f"#{last.position} {event_type_of(last.event)}: {describe(last.event)}",
        err=json_requested(),
    )
    if not yes and not click.confirm("Retract it?", default=False):
        raise click.Abort()
    (recorded,) = append(log, [EventRetracted(position=last.position, reason=reason)], stream)
    say_recorded(f"recorded #{recorded.position}: #{last.position} retracted")


COMMANDS = [retract_command, amend_command, undo_command]
