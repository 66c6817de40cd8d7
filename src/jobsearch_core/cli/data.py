"""Moving data: export the log as JSONL, import JSONL back, import a CSV from another tracker."""

from __future__ import annotations

import hashlib
import json
import os
import sys
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

import attrs
import click

from jobsearch_core.cli._common import context, print_json, problems_error, stream_option
from jobsearch_core.cli._json import thawed
from jobsearch_core.cli._progress import bar
from jobsearch_core.cli.trackers import PRESETS, parse_status_map, read_tracker_csv
from jobsearch_core.codec import Codec
from jobsearch_core.codec.metadata import encode_metadata
from jobsearch_core.errors import (
    BackendError,
    ConcurrencyError,
    DuplicateEventError,
    InvalidInputError,
    JobsearchError,
)
from jobsearch_core.events import Event, EventRetracted, Recorded, ResumeSubmitted, UnknownEvent
from jobsearch_core.log import Batch, EventLog, check_event_id, check_stream
from jobsearch_core.words import counted

__all__ = ["COMMANDS", "export_lines"]

_DATA_KEY = ',"data":'


def export_lines(log: EventLog, *, stream: str | None = None) -> Iterator[str]:
    """One JSON object a line per event: place, id, metadata, type, schema version and the
    stored payload.

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
            "event_id": recorded.event_id,
            "metadata": thawed(recorded.metadata),
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
    """Write every event as JSONL to FILE (default, or -: standard output)."""
    log = context().log
    out: IO[str]
    with bar(log.head, "exporting") as advance:
        if file is None or file == "-":
            for count, line in enumerate(export_lines(log, stream=stream), start=1):
                sys.stdout.write(line + "\n")
                advance(count)
            return
        target = Path(file)
        # Written beside the target and renamed over it when whole: a full disk or a
        # failed read never leaves half an export under FILE's name.
        handle, partial = tempfile.mkstemp(dir=target.absolute().parent, prefix=f".{target.name}.")
        count = 0
        try:
            with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as out:
                for count, line in enumerate(export_lines(log, stream=stream), start=1):
                    out.write(line + "\n")
                    advance(count)
                out.flush()
                os.fsync(out.fileno())
            os.replace(partial, target)
        except OSError as error:
            Path(partial).unlink(missing_ok=True)
            raise InvalidInputError(
                f"cannot write {file}: {error.strerror or error}; nothing was written"
            ) from None
        except BaseException:
            Path(partial).unlink(missing_ok=True)
            raise
        click.echo(f"wrote {counted(count, 'event')} to {file}", err=True)


@attrs.frozen
class _Line:
    number: int
    position: int | None
    stream: str
    event: Event
    event_id: str
    metadata: dict[str, Any]


#: Names the ids given to the lines of an export made before events had ids.
_EXPORTED = uuid.uuid5(uuid.NAMESPACE_URL, "https://jobsearch-core/event-id/exported")


def _derived_id(stream: str, place: str, type_name: str, data: bytes) -> str:
    """The id of an exported line that has none: the same line always gets the same one, so
    importing the same file twice adds nothing."""
    digest = hashlib.sha256(data).hexdigest()
    return str(uuid.uuid5(_EXPORTED, f"{stream}\n{place}\n{type_name}\n{digest}"))


def _read_jsonl(codec: Codec, text: str, source: str) -> list[_Line]:
    """Every line of a JSONL export, or one error listing every line's problem."""
    lines: list[_Line] = []
    problems: list[str] = []
    # Only "\n" ends a line: str.splitlines() would also cut at U+2028 and friends, which
    # JSON strings may hold as they are.
    for number, line in enumerate(text.split("\n"), start=1):
        line = line.removesuffix("\r")
        if not line.strip():
            continue
        try:
            lines.append(_parse_line(codec, number, line))
        except (JobsearchError, ValueError, KeyError, TypeError) as error:
            problems.append(f"line {number}: {error}")
        except RecursionError:
            problems.append(f"line {number}: the JSON is nested too deep to read")
    if problems:
        raise problems_error(problems, f"in {source}")
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
    if not isinstance(type_name, str) or not type_name.strip() or not type_name.isprintable():
        raise InvalidInputError(f"type must be a printable name, got {type_name!r}")
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
    try:
        data = raw.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:
        raise InvalidInputError(
            "data holds text that is not valid Unicode (a lone surrogate?)"
        ) from None
    event = codec.decode_event(
        type_name, schema_version, data, position=position or 0, stream=stream
    )
    if isinstance(event, UnknownEvent) and not isinstance(json.loads(data), dict):
        raise InvalidInputError("data must be a JSON object")
    codec.encode(event)  # text an event cannot be stored with (a lone surrogate) is refused here
    event_id = obj.get("event_id")
    if event_id is None:
        place = f"position {position}" if position is not None else f"line {number}"
        event_id = _derived_id(stream, place, type_name, data)
    check_event_id(event_id)
    metadata = obj.get("metadata", {"source": "import"})
    if not isinstance(metadata, dict):
        raise InvalidInputError(f"metadata must be a JSON object, got {metadata!r:.60}")
    encode_metadata(metadata)
    return _Line(
        number=number,
        position=position,
        stream=stream,
        event=event,
        event_id=event_id,
        metadata=metadata,
    )


#: How often an import works its positions out again when another writer appends first.
IMPORT_ATTEMPTS = 5


def _import_lines(log: EventLog, lines: list[_Line]) -> tuple[int, int]:
    """Append the lines in one transaction, corrections pointed at their events' new
    positions; return how many lines there were and how many were not in the log already."""
    _check_positions(lines)
    ids = [line.event_id for line in lines]
    by_id = {line.event_id: line for line in lines}
    with bar(len(lines), "importing") as advance:
        for _ in range(IMPORT_ATTEMPTS):
            head = log.head
            known = log.lookup(ids)
            batches = _batches(lines, head, known)
            try:
                log.append_many(batches, expected_head=head)
            except ConcurrencyError as error:
                if error.stream is None:
                    continue  # another writer appended first: work the positions out again
                raise
            except DuplicateEventError as error:
                line = by_id.get(error.event_id)
                where = f"line {line.number}: " if line is not None else ""
                raise InvalidInputError(f"{where}{error}; nothing was imported") from None
            advance(len(lines))
            return len(lines), sum(1 for event_id in ids if event_id not in known)
    raise BackendError(
        f"other writers kept appending to {log.url} while importing ({IMPORT_ATTEMPTS} tries); "
        "nothing was imported: try again"
    )


def _check_positions(lines: list[_Line]) -> None:
    """Refuse two lines claiming one position, and a correction whose target is not an
    earlier line of the same stream, before anything is stored."""
    seen: dict[int, _Line] = {}
    for line in lines:
        event = line.event
        if isinstance(event, EventRetracted):
            target = seen.get(event.position)
            if target is None:
                raise InvalidInputError(
                    f"line {line.number}: retracts position {event.position}, which no earlier "
                    "line of the file holds; nothing was imported"
                )
            if target.stream != line.stream:
                raise InvalidInputError(
                    f"line {line.number}: retracts position {event.position} of stream "
                    f"{target.stream!r} from stream {line.stream!r}; nothing was imported"
                )
        if line.position is not None:
            other = seen.get(line.position)
            if other is not None:
                raise InvalidInputError(
                    f"line {line.number}: position {line.position} is line {other.number}'s "
                    "too; nothing was imported"
                )
            seen[line.position] = line


def _batches(lines: list[_Line], head: int, known: dict[str, Recorded]) -> list[Batch]:
    """The lines as batches (runs of one stream), each correction pointed at the position
    its event has (a line in the log already) or will have (after `head`, in order)."""
    moved: dict[int, int] = {}
    position = head
    for line in lines:
        was = known.get(line.event_id)
        if was is None:
            position += 1
        if line.position is not None:
            moved[line.position] = position if was is None else was.position
    batches: list[Batch] = []
    runs: list[list[_Line]] = []
    for line in lines:
        if runs and runs[-1][0].stream == line.stream:
            runs[-1].append(line)
        else:
            runs.append([line])
    for run in runs:
        events = [
            attrs.evolve(item.event, position=moved[item.event.position])
            if isinstance(item.event, EventRetracted)
            else item.event
            for item in run
        ]
        batches.append(
            Batch(
                run[0].stream,
                events,
                ids=[item.event_id for item in run],
                metadata=[item.metadata for item in run],
            )
        )
    return batches


@click.command("import")
@click.argument(
    "file", type=click.Path(exists=True, dir_okay=False, path_type=Path, allow_dash=True)
)
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
    "--preset",
    type=click.Choice(list(PRESETS)),
    help="The CSV is this tracker's export (default: recognised from the header).",
)
@click.option(
    "--status-map",
    "status_map",
    multiple=True,
    metavar="STATUS=outcome|stage|skip",
    help="What a CSV status means, e.g. 'I Withdrew=withdrawn' or 'Archived=skip' (repeatable).",
)
@click.option(
    "--date-format", metavar="FORMAT", help="How the CSV writes dates (strptime), e.g. %m/%d/%Y."
)
@click.option(
    "--encoding",
    metavar="NAME",
    help="The CSV's text encoding, e.g. latin-1 (default: UTF-8, with or without a BOM).",
)
@click.option("--json", "as_json", is_flag=True, help="Print what was imported as JSON.")
@stream_option
def import_command(
    file: Path,
    as_csv: bool,
    mapping: str | None,
    preset: str | None,
    status_map: tuple[str, ...],
    date_format: str | None,
    encoding: str | None,
    as_json: bool,
    stream: str,
) -> None:
    """Append the events of a JSONL export (or a CSV with --csv) from FILE (-: standard input);
    every line is checked first.

    JSONL keeps each event's stream and order; positions, versions and recorded_at are
    the target log's, and corrections are pointed at the new positions. --stream applies
    to CSV imports only.
    """
    if not as_csv and (mapping or date_format or preset or status_map or encoding):
        raise InvalidInputError(
            "--map, --preset, --status-map, --date-format and --encoding go with --csv"
        )
    text = _read_text(file, encoding or "utf-8-sig")
    source = "standard input" if str(file) == "-" else file.name
    log = context().log
    if as_csv:
        _import_csv(
            log,
            text,
            source=source,
            mapping=mapping,
            preset=preset,
            status_map=status_map,
            date_format=date_format,
            as_json=as_json,
            stream=stream,
        )
        return
    count, added = _import_lines(log, _read_jsonl(log.catalog.codec, text, source))
    if as_json:
        print_json({"events": added, "already": count - added})
    else:
        there = count - added
        was = "was" if there == 1 else "were"
        already = f" ({there} {was} in the log already)" if there else ""
        click.echo(f"imported {counted(added, 'event')}{already}")


def _import_csv(
    log: EventLog,
    text: str,
    *,
    source: str,
    mapping: str | None,
    preset: str | None,
    status_map: tuple[str, ...],
    date_format: str | None,
    as_json: bool,
    stream: str,
) -> None:
    """Append a tracker CSV's rows; rows imported before add only what is new in them (a
    status moved on), and rows edited since are reported and left as they were."""

    def imported(event_id: str) -> ResumeSubmitted | None:
        found = log.lookup([event_id]).get(event_id)
        if found is None or found.stream != stream:
            return None
        return found.event if isinstance(found.event, ResumeSubmitted) else None

    found = read_tracker_csv(
        text,
        source=source,
        mapping=mapping,
        preset=preset,
        status_map=parse_status_map(status_map),
        date_format=date_format,
        taken=set(log.view("pipeline", stream=stream).applications),
        imported=imported,
        stream=stream,
    )
    stored = log.lookup([event_id for row in found.rows for event_id in row.ids])
    new_rows, edited, again = [], [], 0
    for row in found.rows:
        earlier = [stored.get(event_id) for event_id in row.ids]
        if any(
            was is not None and (was.event != event or was.stream != stream)
            for was, event in zip(earlier, row.events, strict=True)
        ):
            edited.append(row)
        elif all(was is not None for was in earlier):
            again += 1
        else:
            new_rows.append(row)
    events = [event for row in new_rows for event in row.events]
    ids = [event_id for row in new_rows for event_id in row.ids]
    log.append(events, stream=stream, ids=ids, metadata={"source": "import"})
    added = sum(1 for event_id in ids if event_id not in stored)
    applications = sum(1 for row in new_rows if row.ids[0] not in stored)
    moved = len(new_rows) - applications
    if as_json:
        print_json(
            {
                "applications": applications,
                "moved_on": moved,
                "events": added,
                "stream": stream,
                "skipped": dict(sorted(found.skipped.items())),
                "already": again,
                "edited": [row.line for row in edited],
                "date_format": found.date_format,
                "unread_columns": list(found.unread),
            }
        )
    else:
        summary = (
            f"imported {counted(applications, 'application')} "
            f"({counted(added, 'event')}) into {stream!r}"
        )
        if moved:
            summary += f"; {moved} imported before moved on a stage"
        if found.skipped:
            reasons = ", ".join(f"{why}: {count}" for why, count in sorted(found.skipped.items()))
            summary += f"; skipped {counted(found.skipped.total(), 'row')} ({reasons})"
        if found.date_format:
            summary += f"; dates read as {found.date_format}"
        if found.unread:
            summary += f"; columns not read: {', '.join(found.unread)}"
        if again:
            was = "was" if again == 1 else "were"
            summary += f"; {counted(again, 'row')} {was} imported already"
        click.echo(summary)
    for row in edited:
        submitted = row.events[0]
        assert isinstance(submitted, ResumeSubmitted)
        click.echo(
            f"line {row.line} ({submitted.company}, {submitted.role}) was changed since it was "
            "imported, and was left as it was: correct it with jobsearch amend",
            err=True,
        )


def _read_text(file: Path, encoding: str) -> str:
    """The file's text in `encoding` (- is standard input), or one error naming the encoding
    and where it failed."""
    named = "UTF-8" if encoding == "utf-8-sig" else encoding
    try:
        data = sys.stdin.buffer.read() if str(file) == "-" else file.read_bytes()
        return data.decode(encoding)
    except LookupError:
        raise InvalidInputError(f"--encoding: no text encoding named {encoding!r}") from None
    except UnicodeDecodeError as error:
        raise InvalidInputError(
            f"{file.name} is not {named} text (byte {error.object[error.start]:#04x} at offset "
            f"{error.start}); give its encoding with --encoding, e.g. --encoding latin-1"
        ) from None


COMMANDS = [export_command, import_command]
