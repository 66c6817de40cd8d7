"""Reading another tracker's CSV export: its column layout, its statuses and its rows."""

from __future__ import annotations

import csv
import hashlib
import io
import re
from collections import Counter
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import Any

import attrs

from jobsearch_core.cli._common import parse_moment, problems_error
from jobsearch_core.cli.record import slug
from jobsearch_core.errors import InvalidInputError, JobsearchError
from jobsearch_core.events import (
    ApplicationClosed,
    Event,
    Outcome,
    ResumeSubmitted,
    ScreenPassed,
    Stage,
)

__all__ = [
    "CSV_COLUMNS",
    "DATE_FORMATS",
    "NOT_APPLIED",
    "PRESETS",
    "STATUSES",
    "ImportedRow",
    "Preset",
    "TrackerImport",
    "event_id",
    "parse_status_map",
    "read_tracker_csv",
    "row_key",
    "sniff_date_format",
    "spelled",
]

#: Header names recognised without --map, in order of preference (compared as `spelled`).
CSV_COLUMNS: dict[str, tuple[str, ...]] = {
    "company": (
        "company", "company name", "employer", "employer name", "organization",
        "organisation", "hiring company",
    ),
    "role": (
        "role", "job title", "title", "job position", "position", "position title",
        "position name", "role title", "job role", "job name", "job", "opening", "vacancy",
    ),
    "status": (
        "status", "application status", "current status", "stage", "application stage",
        "pipeline stage", "state", "list", "progress",
    ),
    "outcome": ("outcome", "result"),
    "date": (
        "date applied", "applied date", "applied on", "applied", "applied at",
        "application date", "date of application", "date submitted", "submitted on",
        "submission date", "date", "date added", "created", "created at", "date created",
    ),
    "via": (
        "via", "channel", "source", "applied via", "application source", "found via",
        "found on", "job source", "job board", "platform",
    ),
    # Not "id": a tracker's own key (a number, a UUID) would make ids no one can type.
    "id": ("application id", "app id"),
    "note": ("note", "notes", "comments", "comment", "remarks"),
    "url": (
        "url", "job url", "job link", "link", "posting url", "posting link", "job posting",
        "job posting url", "application link", "application url", "posting",
    ),
    "location": ("location", "job location", "work location", "office location", "city"),
    "salary": (
        "salary", "salary range", "compensation", "compensation range", "pay", "pay range",
        "base salary", "expected salary", "salary expectation",
    ),
    "contact": (
        "contact", "contact name", "contact person", "point of contact", "recruiter",
        "recruiter name", "hiring manager", "contact email", "recruiter email",
    ),
}  # fmt: skip

#: The fields kept as labelled lines of the imported note, in this order.
NOTE_FIELDS = ("url", "location", "salary", "contact")


@attrs.frozen
class Preset:
    """A tracker's export layout: which column holds which field, and the columns that tell it apart."""

    name: str
    columns: dict[str, str]
    signature: tuple[str, ...]


#: The layouts of common trackers' exports, recognised from the header or chosen with --preset.
PRESETS: dict[str, Preset] = {
    preset.name: preset
    for preset in (
        Preset(
            "huntr",
            {
                "company": "Company",
                "role": "Job Title",
                "status": "List",
                "date": "Date Added",
                "url": "URL",
                "location": "Location",
                "salary": "Salary",
                "note": "Notes",
                "contact": "Contact",
            },
            signature=("Company", "Job Title", "List", "Date Added"),
        ),
        Preset(
            "teal",
            {
                "company": "Company",
                "role": "Job Position",
                "status": "Status",
                "date": "Date Applied",
                "url": "Job URL",
                "location": "Location",
                "salary": "Salary",
                "note": "Notes",
            },
            signature=("Company", "Job Position", "Status", "Date Saved"),
        ),
        Preset(
            "simplify",
            {
                "company": "Company Name",
                "role": "Position",
                "status": "Status",
                "date": "Applied Date",
                "url": "Job Link",
                "location": "Location",
                "salary": "Salary Range",
                "contact": "Contact Name",
            },
            signature=("Company Name", "Position", "Status", "Applied Date"),
        ),
    )
}

#: How trackers name a status, by what it means: (furthest stage, outcome) -> the names,
#: `spelled` and separated by spaces.
_NAMED: tuple[tuple[tuple[Stage, Outcome | None], str], ...] = (
    ((Stage.APPLIED, None), "applied submitted sent open application_submitted under_review "
        "in_review pending"),
    ((Stage.RESUME, None), "resume screened resume_screen reviewed shortlisted"),
    ((Stage.PHONE, None), "phone phone_screen screen phone_interview phone_call "
        "recruiter_screen recruiter_call hr_screen hr_interview first_interview first_round"),
    ((Stage.SECOND_INTERVIEW, None), "interview interviewing interviews interview_scheduled "
        "second_interview second_round technical technical_interview onsite on_site "
        "onsite_interview panel_interview take_home assessment coding_challenge case_study"),
    ((Stage.FINAL, None), "final final_interview final_round final_stage last_round "
        "reference_check references negotiating negotiation"),
    ((Stage.FINAL, Outcome.OFFER), "offer offered offer_received offer_extended offer_made"),
    ((Stage.FINAL, Outcome.ACCEPTED), "accepted hired offer_accepted accepted_offer"),
    ((Stage.FINAL, Outcome.DECLINED), "declined offer_declined declined_offer"),
    ((Stage.APPLIED, Outcome.REJECTED), "rejected not_selected rejection unsuccessful "
        "not_moving_forward position_filled no_longer_considered"),
    ((Stage.APPLIED, Outcome.NO_RESPONSE), "ghosted no_response no_answer no_reply "
        "unresponsive"),
    ((Stage.APPLIED, Outcome.WITHDRAWN), "withdrawn withdrew withdraw i_withdrew"),
)  # fmt: skip

#: How trackers name a status -> (furthest stage, outcome); keys are `spelled`, and a
#: blank status means applied.
STATUSES: dict[str, tuple[Stage, Outcome | None]] = {
    "": (Stage.APPLIED, None),
    **{name: meaning for meaning, names in _NAMED for name in names.split()},
}

_NOT_APPLIED_NAMED = (
    "wishlist wishlisted wish_list bookmarked bookmark saved interested applying to_apply "
    "planned not_applied not_applied_yet researching prospect draft"
)
#: Statuses of roles not applied to yet: their rows are skipped (and counted as "wishlist").
NOT_APPLIED = frozenset(_NOT_APPLIED_NAMED.split())

#: What --status-map may map a status to, besides an outcome or a stage.
SKIP = "skip"


def spelled(text: str) -> str:
    """Text compared case-, space- and punctuation-insensitively: "I Withdrew!" -> "i_withdrew"."""
    return "_".join(re.findall(r"[^\W_]+", text.casefold()))


#: What a row's status means: (furthest stage, outcome), or SKIP.
Meaning = tuple[Stage, Outcome | None] | str


def parse_status_map(pairs: Iterable[str]) -> dict[str, Meaning]:
    """--status-map STATUS=outcome|stage|skip pairs, keyed by the spelled status."""
    chosen: dict[str, Meaning] = {}
    for pair in pairs:
        status, sep, target = pair.rpartition("=")
        if not sep or not status.strip():
            raise InvalidInputError(
                f"--status-map: cannot read {pair!r} (use STATUS=outcome|stage|skip)"
            )
        name = spelled(target)
        if name == SKIP:
            meaning: Meaning = SKIP
        elif name in {outcome.value for outcome in Outcome}:
            meaning = STATUSES[name]
        elif name in {stage.value for stage in Stage}:
            meaning = (Stage(name), None)
        else:
            choices = ", ".join([*Outcome, *Stage, SKIP])
            raise InvalidInputError(
                f"--status-map: {status.strip()!r} cannot map to {target.strip()!r} "
                f"(choose one of {choices})"
            )
        chosen[spelled(status)] = meaning
    return chosen


def row_key(company: str, role: str, applied: str | None) -> str:
    """A short stable digest of a row's company, role and applied date, however spaced or
    cased: the application it stands for, known again when the row's status has moved on."""
    parts = (
        " ".join(company.casefold().split()),
        " ".join(role.casefold().split()),
        " ".join((applied or "").casefold().split()),
    )
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()[:16]


def event_id(stream: str, key: str, what: str) -> str:
    """The id of an event a row of this key imports into `stream`: ``what`` is
    ``submitted``, a stage or ``closed``. The same row imported again gets the same ids."""
    digest = hashlib.sha256(f"{stream}\x1f{key}".encode("utf-8", "surrogatepass")).hexdigest()
    return f"csv:{digest[:16]}:{what}"


#: What a tracker row's earlier import is asked for, by event id: its `ResumeSubmitted`.
Imported = Callable[[str], ResumeSubmitted | None]


@attrs.frozen
class ImportedRow:
    """One row of the CSV, its stable key, and the events that reproduce it with their ids
    (derived from the key, so importing the row again adds nothing)."""

    line: int
    key: str
    events: tuple[Event, ...]
    ids: tuple[str, ...]


@attrs.frozen
class TrackerImport:
    """What a tracker CSV holds: the rows to import, the layout read and the rows skipped by why."""

    rows: tuple[ImportedRow, ...]
    preset: str | None
    skipped: Counter[str]
    #: The layout the dates were found to be written in (without --date-format), if not ISO.
    date_format: str | None = None
    #: The header's columns that no field was read from, in the file's order.
    unread: tuple[str, ...] = ()

    @property
    def events(self) -> list[Event]:
        """Every row's events, in the file's order."""
        return [event for row in self.rows for event in row.events]


def _delimiter(text: str) -> str:
    """The CSV's delimiter (",", ";" or tab), sniffed from its start; "," when unsure."""
    sample = text[:8192]
    try:
        return csv.Sniffer().sniff(sample, delimiters=",;\t").delimiter
    except csv.Error:
        return ","


def _recognised(header: list[str], forced: str | None) -> Preset | None:
    """The preset named with --preset, or the one whose signature columns the header has."""
    if forced is not None:
        if forced not in PRESETS:
            raise InvalidInputError(
                f"--preset: no layout {forced!r} (choose one of {', '.join(PRESETS)})"
            )
        return PRESETS[forced]
    names = {spelled(name) for name in header}
    for preset in PRESETS.values():
        if all(spelled(column) in names for column in preset.signature):
            return preset
    return None


def _column_map(header: list[str], mapping: str | None, preset: Preset | None) -> dict[str, int]:
    """Our field -> the index of the CSV's column, from --map, the preset or the header names."""
    index: dict[str, int] = {}
    for position, name in enumerate(header):
        index.setdefault(spelled(name), position)
    chosen: dict[str, int] = {}
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
            chosen[field] = header.index(column)
    for field, column in (preset.columns if preset else {}).items():
        if field not in chosen and spelled(column) in index:
            chosen[field] = index[spelled(column)]
    for field, names in CSV_COLUMNS.items():
        if field not in chosen:
            found = next((index[spelled(n)] for n in names if spelled(n) in index), None)
            if found is not None:
                chosen[field] = found
    for required in ("company", "role"):
        if required not in chosen:
            layout = f" for the {preset.name} layout" if preset else ""
            raise InvalidInputError(
                f"the CSV has no {required} column{layout} (columns: {', '.join(header)}); "
                f"name it with --map {required}=Column"
            )
    return chosen


def read_tracker_csv(
    text: str,
    *,
    source: str,
    mapping: str | None = None,
    preset: str | None = None,
    status_map: dict[str, Meaning] | None = None,
    date_format: str | None = None,
    taken: set[str] | None = None,
    imported: Imported | None = None,
    stream: str = "me",
) -> TrackerImport:
    """Every row of a tracker's CSV as events, or one error listing every problem with its line.

    `taken` holds the application ids in use; `imported(event_id)` gives the
    `ResumeSubmitted` of a row imported before into `stream`, whose application id (and
    moment, for a row without a date) the row's events keep.
    """
    # Excel may write its delimiter on a line of its own before the header: "sep=;".
    hint = re.match(r"sep=([^\r\n])\r?\n", text)
    reader = csv.reader(
        io.StringIO(text, newline=""), delimiter=hint[1] if hint else _delimiter(text)
    )
    if hint:
        next(reader)
    rules = _Rules(
        statuses={**STATUSES, **(status_map or {})},
        date_format=date_format,
        taken=set() if taken is None else taken,
        imported=imported or (lambda key: None),
        now=datetime.now(UTC),
        stream=stream,
    )
    try:
        return _read_rows(reader, source, mapping, preset, rules)
    except csv.Error as error:  # a cell past the csv module's size limit, say
        raise InvalidInputError(
            f"{source}: line {reader.line_num}: {error}; nothing was imported"
        ) from None


@attrs.define
class _Rules:
    """What every row is read by."""

    statuses: dict[str, Meaning]
    #: --date-format: every date is read by it.
    date_format: str | None
    #: Application ids in use (the log's, then each row's as it is read).
    taken: set[str]
    imported: Imported
    #: The moment of a row with no date.
    now: datetime
    #: The stream imported into (part of every event id).
    stream: str
    #: Keys met so far in this file: a second identical row is a second application.
    keys: Counter[str] = attrs.Factory(Counter)
    #: Without --date-format, the layout found for the dates that are not ISO dates.
    sniffed: str | None = None


def _read_rows(
    reader: Any, source: str, mapping: str | None, preset: str | None, rules: _Rules
) -> TrackerImport:
    """The rows of `reader` (see `read_tracker_csv`)."""
    header = next(reader, None)
    if header is None or not any(cell.strip() for cell in header):
        raise InvalidInputError(f"{source} has no header line")
    layout = _recognised(header, preset)
    columns = _column_map(header, mapping, layout)
    read = set(columns.values())
    unread = tuple(name for i, name in enumerate(header) if i not in read and name.strip())
    rows: list[ImportedRow] = []
    skipped: Counter[str] = Counter()
    problems: list[str] = []
    lines: list[tuple[int, list[str]]] = []
    end = reader.line_num
    for cells in reader:
        number, end = end + 1, reader.line_num
        if any(cell.strip() for cell in cells):
            lines.append((number, cells))
        else:
            skipped["blank"] += 1
    if rules.date_format is None and (position := columns.get("date")) is not None:
        written = [cells[position].strip() for _, cells in lines if position < len(cells)]
        rules.sniffed, unsure = sniff_date_format(written)
        if unsure:
            problems.append(f"the dates of column {header[position]!r} {unsure}")
    for number, cells in lines:

        def cell(field: str, cells: list[str] = cells) -> str | None:
            position = columns.get(field)
            value = (
                cells[position].strip() if position is not None and position < len(cells) else ""
            )
            return value or None

        try:
            row = _row(number, cell, rules)
        except (JobsearchError, ValueError) as error:
            problems.append(f"line {number}: {error}")
            continue
        if isinstance(row, str):
            skipped[row] += 1
        else:
            rows.append(row)
    if problems:
        raise problems_error(problems, f"in {source}")
    return TrackerImport(
        rows=tuple(rows),
        preset=layout.name if layout else None,
        skipped=skipped,
        date_format=rules.sniffed,
        unread=unread,
    )


def _row(number: int, cell: Callable[[str], str | None], rules: _Rules) -> ImportedRow | str:
    """One row's events, or why it is skipped ("wishlist", "--status-map skip")."""
    status_text = cell("status")
    status = spelled(status_text or "")
    if status not in rules.statuses and status not in NOT_APPLIED:
        status = _unnumbered(status)
    meaning = rules.statuses.get(status)
    if isinstance(meaning, str):  # SKIP, the only text a status can mean
        return "--status-map skip"
    if meaning is None and status in NOT_APPLIED:
        return "wishlist"
    company, role = cell("company"), cell("role")
    if company is None or role is None:
        missing = [name for name, value in (("company", company), ("role", role)) if not value]
        raise InvalidInputError(f"no {' and no '.join(missing)}")
    if meaning is None:
        raise InvalidInputError(
            f"unknown status {status_text!r} (use --status-map STATUS=outcome|stage|skip)"
        )
    stage, outcome = meaning
    if cell("outcome") is not None:
        found = STATUSES.get(spelled(cell("outcome") or ""))
        if found is None or found[1] is None:
            raise InvalidInputError(f"unknown outcome {cell('outcome')!r}")
        outcome = found[1]
    at = _csv_date(cell("date"), rules.date_format, rules.sniffed)
    key = row_key(company, role, cell("date"))
    rules.keys[key] += 1
    if rules.keys[key] > 1:  # the same company, role and date again: another application
        key = f"{key}-{rules.keys[key]}"
    earlier = rules.imported(event_id(rules.stream, key, "submitted"))
    if earlier is not None:  # imported before: the same application, as it was recorded
        application_id = earlier.application_id
        at = at or earlier.at
    else:
        application_id = cell("id") or slug(company, role)
        base, n = application_id, 1
        while application_id in rules.taken:
            n += 1
            application_id = f"{base}-{n}"
    # A row without a date gets one moment for all its events, so importing it again
    # sends the very same events.
    when = at or rules.now
    events: list[Event] = [
        ResumeSubmitted(
            application_id=application_id,
            company=company,
            role=role,
            via=cell("via"),
            note=_note(cell),
            at=when,
        )
    ]
    passed = [s for s in Stage if s is not Stage.APPLIED and s.order <= stage.order]
    events += [ScreenPassed(application_id=application_id, stage=s, at=when) for s in passed]
    ids = [event_id(rules.stream, key, what) for what in ("submitted", *passed)]
    if outcome is not None:
        events.append(ApplicationClosed(application_id=application_id, outcome=outcome, at=when))
        ids.append(event_id(rules.stream, key, "closed"))
    rules.taken.add(application_id)
    return ImportedRow(line=number, key=key, events=tuple(events), ids=tuple(ids))


def _unnumbered(status: str) -> str:
    """A status without the number a board puts before it: "2 - Phone Screen" and
    "02. Phone Screen" are "phone_screen"."""
    return re.sub(r"^\d+_(?=[^\d_])", "", status)


def _note(cell: Callable[[str], str | None]) -> str | None:
    """The row's note, then its URL, location, salary and contact as labelled lines."""
    lines = [note] if (note := cell("note")) else []
    lines += [f"{field}: {value}" for field in NOTE_FIELDS if (value := cell(field))]
    return "\n".join(lines) or None


def _csv_date(text: str | None, given: str | None, sniffed: str | None) -> datetime | None:
    """The row's applied date: read with --date-format (`given`), else as an ISO date or
    in the layout `sniff_date_format` found for the column."""
    if text is None:
        return None
    layout = given or sniffed
    if given is None:
        try:
            return parse_moment(text, option="date")
        except InvalidInputError:
            if sniffed is None:
                raise InvalidInputError(
                    f"cannot read the date {text!r}; give its format with --date-format, "
                    "e.g. %m/%d/%Y"
                ) from None
    assert layout is not None
    try:
        return datetime.strptime(text, layout).astimezone().astimezone(UTC)
    except ValueError:
        if given:
            raise InvalidInputError(
                f"date {text!r} does not match --date-format {given!r}"
            ) from None
        raise InvalidInputError(
            f"cannot read the date {text!r} as the column's other dates ({layout}); give the "
            "column's format with --date-format"
        ) from None


#: Layouts of dates a column may be written in besides ISO, tried when no --date-format is
#: given: the one that reads every date of the column is taken.
DATE_FORMATS = (
    "%m/%d/%Y", "%d/%m/%Y", "%m/%d/%y", "%d/%m/%y", "%Y/%m/%d", "%d.%m.%Y", "%d.%m.%y",
    "%m-%d-%Y", "%d-%m-%Y", "%b %d, %Y", "%B %d, %Y", "%b %d %Y", "%B %d %Y", "%d %b %Y",
    "%d %B %Y", "%d-%b-%Y", "%d-%b-%y", "%a, %b %d, %Y", "%m/%d/%Y %H:%M", "%d/%m/%Y %H:%M",
    "%m/%d/%Y %I:%M %p", "%m/%d/%Y %H:%M:%S", "%d/%m/%Y %H:%M:%S",
)  # fmt: skip


def sniff_date_format(written: Iterable[str]) -> tuple[str | None, str | None]:
    """The layout (of `DATE_FORMATS`) the dates of a column that are not ISO dates are
    written in, and what is unsure about it.

    The layout that reads the most of them is taken (a date it cannot read is then a
    problem of its own row); (None, None) when every date reads as ISO, or none as any
    layout. Two layouts that read the same dates but give different days (03/04/2026:
    March or April?) are unsure: the first of them, and a sentence asking for
    --date-format.
    """
    dates = []
    for text in dict.fromkeys(text for text in written if text):
        try:
            parse_moment(text, option="date")
        except InvalidInputError:
            dates.append(text)
    reads: dict[str, dict[str, datetime]] = {}
    for layout in DATE_FORMATS:
        read = {}
        for text in dates:
            try:
                read[text] = datetime.strptime(text, layout)
            except ValueError:
                continue
        if read:
            reads[layout] = read
    if not reads:
        return None, None
    most = max(len(read) for read in reads.values())
    first, *others = [layout for layout, read in reads.items() if len(read) == most]
    for other in others:
        if reads[other].keys() == reads[first].keys() and reads[other] != reads[first]:
            example = next(
                text for text in reads[first] if reads[first][text] != reads[other][text]
            )
            return first, (
                f"could be read as {first} or as {other} ({example!r}); give the one meant "
                "with --date-format"
            )
    return first, None
