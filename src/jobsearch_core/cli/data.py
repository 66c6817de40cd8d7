"""Moving data: export the log as JSONL, import JSONL back, import a CSV from another tracker."""

from __future__ import annotations

import json
import os
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO

import attrs
import click

from jobsearch_core.cli._common import context, print_json, stream_option
from jobsearch_core.cli._progress import bar
from jobsearch_core.cli.trackers import PRESETS, parse_status_map, read_tracker_csv
from jobsearch_core.codec import Codec
from jobsearch_core.errors import InvalidInputError, JobsearchError
from jobsearch_core.events import Event, EventRetracted, UnknownEvent
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
        except RecursionError:
            raise InvalidInputError(
                f"line {number}: the JSON is nested too deep to read; nothing was imported"
            ) from None
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
    log = context().log
    if as_csv:
        taken = set(log.view("pipeline", stream=stream).applications)
        found = read_tracker_csv(
            text,
            source="standard input" if str(file) == "-" else file.name,
            mapping=mapping,
            preset=preset,
            status_map=parse_status_map(status_map),
            date_format=date_format,
            taken=taken,
        )
        events = found.events
        if events:
            log.append(events, stream=stream)
        summary = f"imported {len(found.rows)} applications ({len(events)} events) into {stream!r}"
        if found.skipped:
            reasons = ", ".join(f"{why}: {count}" for why, count in sorted(found.skipped.items()))
            summary += f"; skipped {found.skipped.total()} rows ({reasons})"
        if as_json:
            print_json(
                {
                    "applications": len(found.rows),
                    "events": len(events),
                    "stream": stream,
                    "skipped": dict(sorted(found.skipped.items())),
                }
            )
        else:
            click.echo(summary)
        return
    count = _import_lines(log, _read_jsonl(log.catalog.codec, text))
    if as_json:
        print_json({"events": count})
    else:
        click.echo(f"imported {count} events")


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
