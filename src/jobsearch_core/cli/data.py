"""Moving data: export the log as JSONL, import JSONL back, import a CSV from another tracker."""

from __future__ import annotations

import csv
import io
import json
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

import attrs
import click

from jobsearch_core.cli._common import context, parse_moment, stream_option
from jobsearch_core.cli._progress import bar
from jobsearch_core.cli.record import slug
from jobsearch_core.codec import Codec
from jobsearch_core.errors import InvalidInputError, JobsearchError
from jobsearch_core.events import (
    ApplicationClosed,
    Event,
    EventRetracted,
    Outcome,
    ResumeSubmitted,
    ScreenPassed,
    Stage,
    UnknownEvent,
)
from jobsearch_core.log import EventLog, check_stream

__all__ = ["COMMANDS", "export_lines"]

_DATA_KEY = ',"data":'


def export_lines(log: EventLog, *, stream: str | None = None) -> Iterator[str]:
    """One JSON object a line per event: place, type, schema version and the stored payload.

    ``data`` is the stored JSON payload written out byte for byte (unknown types included);
    it comes last so an importer can take it back unchanged.
    """
    codec = log.catalog.codec
    for recorded in log.read(stream=stream):
        row = codec.encode(recorded.event)
        head = {
            "position": recorded.position,
            "stream": recorded.stream,
            "version": recorded.version,
            "type": row.type,
            "schema_version": row.schema_version,
            "recorded_at": recorded.recorded_at.isoformat(),
        }
        prefix = json.dumps(head, ensure_ascii=False, separators=(",", ":"))[:-1]
        raw = row.data.decode("utf-8", "surrogateescape")
        if "\n" in raw or "\r" in raw:  # JSON whitespace a foreign writer left: keep it exact
            yield prefix + ',"data_text":' + json.dumps(raw, ensure_ascii=False) + "}"
        else:
            yield prefix + _DATA_KEY + raw + "}"


@click.command("export")
@click.argument("file", type=click.Path(dir_okay=False, writable=True), required=False)
@click.option("--stream", default=None, help="Only this stream (default: all).")
def export_command(file: str | None, stream: str | None) -> None:
    """Write every event as JSONL to FILE (default: standard output)."""
    log = context().log
    out: IO[str]
    with bar(log.head, "exporting") as advance:
        if file is None:
            for count, line in enumerate(export_lines(log, stream=stream), start=1):
                sys.stdout.write(line + "\n")
                advance(count)
            return
        with open(file, "w", encoding="utf-8", newline="\n") as out:
            count = 0
            for count, line in enumerate(export_lines(log, stream=stream), start=1):
                out.write(line + "\n")
                advance(count)
        click.echo(f"wrote {count} events to {file}", err=True)


@attrs.frozen
class _Line:
    number: int
    position: int | None
    stream: str
    event: Event


def _read_jsonl(codec: Codec, text: str) -> list[_Line]:
    lines: list[_Line] = []
    # Only "\n" ends a line: str.splitlines() would also cut at U+2028 and friends, which
    # JSON strings may hold as they are.
    for number, line in enumerate(text.split("\n"), start=1):
        line = line.removesuffix("\r")
        if not line.strip():
            continue
        try:
            lines.append(_parse_line(codec, number, line))
        except JobsearchError as error:
            raise InvalidInputError(f"line {number}: {error}; nothing was imported") from None
        except (ValueError, KeyError, TypeError) as error:
            raise InvalidInputError(f"line {number}: {error}; nothing was imported") from None
    return lines


def _parse_line(codec: Codec, number: int, line: str) -> _Line:
    try:
        obj = json.loads(line)
    except ValueError as error:
        raise InvalidInputError(f"not JSON ({error})") from None
    if not isinstance(obj, dict):
        raise InvalidInputError("not a JSON object")
    missing = [key for key in ("stream", "type", "schema_version") if key not in obj]
    if missing or ("data" not in obj and "data_text" not in obj):
        raise InvalidInputError(f"missing {', '.join(missing or ['data'])}")
    stream, type_name, schema_version = obj["stream"], obj["type"], obj["schema_version"]
    check_stream(stream)
    if not isinstance(type_name, str) or not type_name:
        raise InvalidInputError(f"type must be a name, got {type_name!r}")
    if (
        isinstance(schema_version, bool)
        or not isinstance(schema_version, int)
        or schema_version < 1
    ):
        raise InvalidInputError(
            f"schema_version must be a whole number from 1, got {schema_version!r}"
        )
    position = obj.get("position")
    if position is not None and (isinstance(position, bool) or not isinstance(position, int)):
        raise InvalidInputError(f"position must be a whole number, got {position!r}")
    if "data_text" in obj:
        raw = str(obj["data_text"])
    else:
        cut = line.find(_DATA_KEY)
        raw = line[cut + len(_DATA_KEY) : line.rstrip().rindex("}")] if cut >= 0 else ""
        if cut < 0 or json.loads(raw) != obj["data"]:
            raw = json.dumps(obj["data"], ensure_ascii=False, separators=(",", ":"))
    data = raw.encode("utf-8", "surrogateescape")
    event = codec.decode_event(
        type_name, schema_version, data, position=position or 0, stream=stream
    )
    if isinstance(event, UnknownEvent) and not isinstance(json.loads(data), dict):
        raise InvalidInputError("data must be a JSON object")
    return _Line(number=number, position=position, stream=stream, event=event)


def _import_lines(log: EventLog, lines: list[_Line]) -> int:
    """Append the lines in order, a run of one stream at a time, remapping retracted positions."""
    # Check every correction first: its target must be an earlier line of the same stream.
    seen: dict[int, str] = {}
    for line in lines:
        event = line.event
        if isinstance(event, EventRetracted):
            target = seen.get(event.position)
            if target is None:
                raise InvalidInputError(
                    f"line {line.number}: retracts position {event.position}, which no earlier "
                    "line of the file holds; nothing was imported"
                )
            if target != line.stream:
                raise InvalidInputError(
                    f"line {line.number}: retracts position {event.position} of stream {target!r} "
                    f"from stream {line.stream!r}; nothing was imported"
                )
        if line.position is not None:
            seen[line.position] = line.stream
    moved: dict[int, int] = {}
    done = 0
    with bar(len(lines), "importing") as advance:
        index = 0
        while index < len(lines):
            # A run: consecutive lines of one stream, cut before each correction so that
            # the position it names is already known.
            end = index + 1
            while (
                end < len(lines)
                and lines[end].stream == lines[index].stream
                and not isinstance(lines[end].event, EventRetracted)
            ):
                end += 1
            run = lines[index:end]
            events = []
            for line in run:
                event = line.event
                if isinstance(event, EventRetracted):
                    event = attrs.evolve(event, position=moved[event.position])
                events.append(event)
            recorded = log.append(events, stream=run[0].stream)
            for line, stored in zip(run, recorded, strict=True):
                if line.position is not None:
                    moved[line.position] = stored.position
            done += len(run)
            advance(done)
            index = end
    return done


# --- CSV from another tracker -------------------------------------------------------------------

#: Header names recognised without --map (compared case-insensitively).
CSV_COLUMNS = {
    "company": ("company", "employer", "organization", "organisation"),
    "role": ("role", "title", "position", "job", "job title"),
    "status": ("status", "stage", "state"),
    "outcome": ("outcome", "result"),
    "date": ("date", "applied", "applied on", "date applied", "applied_at"),
    "via": ("via", "channel", "source"),
    "id": ("id", "application id", "application_id"),
    "note": ("note", "notes"),
}

#: How trackers name a status -> (furthest stage, outcome).
STATUSES: dict[str, tuple[Stage, Outcome | None]] = {
    **dict.fromkeys(("applied", "submitted", "sent", "open", ""), (Stage.APPLIED, None)),
    **dict.fromkeys(("resume", "screened", "resume_screen", "reviewed"), (Stage.RESUME, None)),
    **dict.fromkeys(("phone", "phone_screen", "screen", "phone_interview"), (Stage.PHONE, None)),
    **dict.fromkeys(
        ("interview", "interviewing", "second_interview", "onsite", "technical"),
        (Stage.SECOND_INTERVIEW, None),
    ),
    **dict.fromkeys(("final", "final_interview", "final_round"), (Stage.FINAL, None)),
    **dict.fromkeys(("offer", "offered"), (Stage.FINAL, Outcome.OFFER)),
    **dict.fromkeys(("accepted", "hired"), (Stage.FINAL, Outcome.ACCEPTED)),
    "declined": (Stage.FINAL, Outcome.DECLINED),
    **dict.fromkeys(("rejected", "not_selected", "rejection"), (Stage.APPLIED, Outcome.REJECTED)),
    **dict.fromkeys(("ghosted", "no_response", "no_answer"), (Stage.APPLIED, Outcome.NO_RESPONSE)),
    **dict.fromkeys(("withdrawn", "withdrew"), (Stage.APPLIED, Outcome.WITHDRAWN)),
}


def _spelled(text: str) -> str:
    return "_".join(text.strip().lower().replace("-", " ").split())


def _column_map(header: list[str], mapping: str | None) -> dict[str, str]:
    """Our field -> the CSV's column, from --map or from recognised header names."""
    chosen: dict[str, str] = {}
    if mapping:
        for pair in mapping.split(","):
            field, sep, column = pair.partition("=")
            field, column = field.strip(), column.strip()
            if not sep or field not in CSV_COLUMNS:
                raise InvalidInputError(
                    f"--map: cannot read {pair.strip()!r} (use field=Column with fields "
                    f"{', '.join(CSV_COLUMNS)})"
                )
            if column not in header:
                raise InvalidInputError(
                    f"--map: the CSV has no column {column!r} (it has {', '.join(header)})"
                )
            chosen[field] = column
    lowered = {name.strip().lower(): name for name in header}
    for field, names in CSV_COLUMNS.items():
        if field not in chosen:
            found = next((lowered[n] for n in names if n in lowered), None)
            if found is not None:
                chosen[field] = found
    for required in ("company", "role"):
        if required not in chosen:
            raise InvalidInputError(
                f"the CSV has no {required} column (columns: {', '.join(header)}); "
                f"name it with --map {required}=Column"
            )
    return chosen


def _csv_events(
    text: str, mapping: str | None, date_format: str | None, taken: set[str]
) -> list[Event]:
    reader = csv.DictReader(io.StringIO(text, newline=""))
    columns = _column_map(list(reader.fieldnames or []), mapping)
    events: list[Event] = []
    for number, row in enumerate(reader, start=2):

        def cell(field: str, row: dict[str, str | None] = row) -> str | None:
            column = columns.get(field)
            value = row.get(column) if column else None
            return value.strip() if value and value.strip() else None

        try:
            events += _row_events(cell, date_format, taken)
        except (JobsearchError, ValueError) as error:
            raise InvalidInputError(f"line {number}: {error}; nothing was imported") from None
    return events


def _row_events(cell: Any, date_format: str | None, taken: set[str]) -> list[Event]:
    company, role = cell("company"), cell("role")
    if company is None or role is None:
        raise InvalidInputError("company and role must not be empty")
    status = _spelled(cell("status") or "")
    if status not in STATUSES:
        known = ", ".join(sorted(s for s in STATUSES if s))
        raise InvalidInputError(f"unknown status {cell('status')!r} (known: {known})")
    stage, outcome = STATUSES[status]
    if cell("outcome") is not None:
        spelled = _spelled(cell("outcome"))
        if spelled not in STATUSES or STATUSES[spelled][1] is None:
            raise InvalidInputError(f"unknown outcome {cell('outcome')!r}")
        outcome = STATUSES[spelled][1]
    at = _csv_date(cell("date"), date_format)
    application_id = cell("id") or slug(company, role)
    base, n = application_id, 1
    while application_id in taken:
        n += 1
        application_id = f"{base}-{n}"
    taken.add(application_id)
    when: dict[str, Any] = {} if at is None else {"at": at}
    events: list[Event] = [
        ResumeSubmitted(
            application_id=application_id,
            company=company,
            role=role,
            via=cell("via"),
            note=cell("note"),
            **when,
        )
    ]
    events += [
        ScreenPassed(application_id=application_id, stage=s, **when)
        for s in Stage
        if s is not Stage.APPLIED and s.order <= stage.order
    ]
    if outcome is not None:
        events.append(ApplicationClosed(application_id=application_id, outcome=outcome, **when))
    return events


def _csv_date(text: str | None, date_format: str | None) -> datetime | None:
    if text is None:
        return None
    if date_format:
        try:
            return datetime.strptime(text, date_format).astimezone().astimezone(UTC)
        except ValueError:
            raise InvalidInputError(
                f"date {text!r} does not match --date-format {date_format!r}"
            ) from None
    try:
        return parse_moment(text, option="date")
    except InvalidInputError:
        raise InvalidInputError(
            f"cannot read the date {text!r}; give its format with --date-format, e.g. %m/%d/%Y"
        ) from None


@click.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--csv", "as_csv", is_flag=True, help="FILE is a CSV of applications from another tracker."
)
@click.option(
    "--map",
    "mapping",
    metavar="FIELD=COLUMN,...",
    help="CSV columns, e.g. company=Company,role=Title,status=Stage,date=Applied.",
)
@click.option(
    "--date-format", metavar="FORMAT", help="How the CSV writes dates (strptime), e.g. %m/%d/%Y."
)
@stream_option
def import_command(
    file: Path, as_csv: bool, mapping: str | None, date_format: str | None, stream: str
) -> None:
    """Append the events of a JSONL export (or a CSV with --csv); every line is checked first.

    JSONL keeps each event's stream and order; positions, versions and recorded_at are
    the target log's, and corrections are pointed at the new positions. --stream applies
    to CSV imports only.
    """
    try:
        text = file.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as error:
        raise InvalidInputError(f"{file} is not UTF-8 text ({error.reason})") from None
    log = context().log
    if as_csv:
        taken = set(log.view("pipeline", stream=stream).applications)
        events = _csv_events(text, mapping, date_format, taken)
        log.append(events, stream=stream)
        applications = sum(isinstance(e, ResumeSubmitted) for e in events)
        click.echo(f"imported {applications} applications ({len(events)} events) into {stream!r}")
        return
    if mapping or date_format:
        raise InvalidInputError("--map and --date-format go with --csv")
    count = _import_lines(log, _read_jsonl(log.catalog.codec, text))
    click.echo(f"imported {count} events")


COMMANDS = [export_command, import_command]
