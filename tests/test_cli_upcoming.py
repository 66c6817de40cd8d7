"""Tests for `jobsearch interview`, `upcoming` and `calendar`, and the iCalendar file they write,
read back by the icalendar package and by a minimal reading of RFC 5545 of our own."""

from __future__ import annotations

import json
import os
import re
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from datetime import time as dt_time
from pathlib import Path
from zoneinfo import ZoneInfo

import icalendar
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jobsearch_core import EventLog, InterviewScheduled, ResumeSubmitted, open_log
from jobsearch_core.cli.upcoming import INTERVIEW_LENGTH, calendar_ics, event_uid
from jobsearch_core.events import Stage
from jobsearch_core.testing import interview_scheduled, names, notes
from jobsearch_core.views import fold
from jobsearch_core.views.pipeline import VIEW
from tests.conftest import Run

NOW = datetime.now(UTC).replace(second=0, microsecond=0)


def local(moment: datetime) -> str:
    """A moment as `--on` and `--at` take it: local time, to the minute."""
    return f"{moment.astimezone():%Y-%m-%d %H:%M}"


@pytest.fixture
def log(url: str) -> Iterator[EventLog]:
    """The same log, opened through the library."""
    with open_log(url) as opened:
        yield opened


@pytest.fixture
def new_york() -> Iterator[None]:
    """Local time is New York's for the test (UTC-5 in December)."""
    before = os.environ.get("TZ")
    os.environ["TZ"] = "America/New_York"
    time.tzset()
    yield
    if before is None:
        del os.environ["TZ"]
    else:
        os.environ["TZ"] = before
    time.tzset()


def search(run: Run) -> None:
    """Two applications, one with a phone screen in two days."""
    run("apply", "Acme", "Data Engineer", "--at", local(NOW - timedelta(days=3)))
    run("apply", "Globex", "Analyst", "--at", local(NOW - timedelta(days=20)))
    run(
        "interview", "acme-data-engineer", "--on", local(NOW + timedelta(days=2)),
        "--stage", "phone", "--with", "hiring manager", "--note", "Zoom; the link is in the mail",
    )  # fmt: skip


# --- a minimal, independent reading of an iCalendar file ---------------------------------------


def content_lines(data: bytes) -> list[str]:
    """The file's content lines, unfolded, after checking what RFC 5545 asks of the bytes:
    CRLF after every line, none longer than 75 octets, each valid UTF-8 on its own."""
    assert data.endswith(b"\r\n")
    physical = data[:-2].split(b"\r\n")
    assert all(b"\n" not in line and b"\r" not in line for line in physical)
    assert all(len(line) <= 75 for line in physical), max(physical, key=len)
    lines: list[str] = []
    for raw in physical:
        text = raw.decode("utf-8")  # a fold never splits a character
        if text[:1] in (" ", "\t"):
            lines[-1] += text[1:]
        else:
            lines.append(text)
    return lines


def unescape(text: str) -> str:
    """A TEXT value as written (RFC 5545 3.3.11)."""
    return re.sub(r"\\([\\;,nN])", lambda m: "\n" if m[1] in "nN" else m[1], text)


def components(lines: list[str]) -> list[dict[str, str]]:
    """Each VEVENT as {property name with its parameters: value}, checking the nesting."""
    assert lines[0] == "BEGIN:VCALENDAR"
    assert lines[-1] == "END:VCALENDAR"
    assert "VERSION:2.0" in lines
    assert any(line.startswith("PRODID:") for line in lines)
    found: list[dict[str, str]] = []
    current: dict[str, str] | None = None
    for line in lines[1:-1]:
        name, _, value = line.partition(":")
        if line == "BEGIN:VEVENT":
            assert current is None
            current = {}
        elif line == "END:VEVENT":
            assert current is not None
            found.append(current)
            current = None
        elif current is not None:
            assert name not in current, name  # each property once
            current[name] = value
    assert current is None
    return found


def read_back(data: bytes) -> tuple[list[dict[str, str]], icalendar.Calendar]:
    """The file's VEVENTs by both readers: each has a UID, a DTSTAMP and a DTSTART."""
    entries = components(content_lines(data))
    for entry in entries:
        assert {"UID", "DTSTAMP"} <= set(entry)
        assert any(key.startswith("DTSTART") for key in entry)
    parsed = icalendar.Calendar.from_ical(data)
    assert len(list(parsed.walk("VEVENT"))) == len(entries)
    return entries, parsed


# --- the commands -------------------------------------------------------------------------------


class TestInterview:
    """`jobsearch interview APP_ID --on DATE --stage STAGE`."""

    def test_records_the_interview(self, run: Run, log: EventLog) -> None:
        """The event holds the stage, the moment in UTC (given in local time) and who."""
        search(run)
        recorded = list(log.read())[-1]
        event = recorded.event
        assert isinstance(event, InterviewScheduled)
        assert (event.application_id, event.stage, event.with_whom) == (
            "acme-data-engineer",
            Stage.PHONE,
            "hiring manager",
        )
        assert event.on == NOW + timedelta(days=2)
        assert event.on.tzinfo is UTC
        assert event.note == "Zoom; the link is in the mail"

    def test_says_where_it_was_recorded(self, run: Run) -> None:
        """It prints the position and the interview, as the other record commands do."""
        run("apply", "Acme", "Data Engineer")
        on = NOW + timedelta(days=2)
        result = run("interview", "acme", "--on", local(on), "--stage", "Phone")
        assert (
            result.output.strip() == f"recorded #2: acme-data-engineer: Phone screen on {local(on)}"
        )

    def test_takes_the_at_forms_and_an_offset(self, run: Run, log: EventLog) -> None:
        """--on reads dates as --at does: ISO with a T or a space, local unless an offset."""
        run("apply", "Acme", "Data Engineer")
        run("interview", "acme", "--on", "2026-12-03T14:00+01:00", "--stage", "final")
        assert list(log.read())[-1].event.on == datetime(2026, 12, 3, 13, tzinfo=UTC)

    def test_on_is_local_time(self, run: Run, log: EventLog, new_york: None) -> None:
        """A moment without an offset is the user's local time, as with --at; the file has it
        in UTC."""
        day = (NOW + timedelta(days=30)).date()
        on = datetime.combine(day, dt_time(14), tzinfo=ZoneInfo("America/New_York"))
        run("apply", "Acme", "Data Engineer")
        run("interview", "acme", "--on", f"{day} 14:00", "--stage", "phone")
        assert list(log.read())[-1].event.on == on
        assert on.utcoffset() != timedelta(0)
        data = run("calendar", "-", "--days", "60").stdout_bytes
        assert f"\r\nDTSTART:{on.astimezone(UTC):%Y%m%dT%H%M%S}Z\r\n".encode() in data

    def test_reschedule(self, run: Run, log: EventLog) -> None:
        """Another interview for the same stage moves it, and says from when."""
        search(run)
        later = NOW + timedelta(days=4)
        result = run("interview", "acme", "--on", local(later), "--stage", "phone")
        assert f"(moved from {local(NOW + timedelta(days=2))})" in result.output
        (interview,) = log.view("pipeline").applications["acme-data-engineer"].interviews
        assert interview.on == later

    def test_an_older_arrangement_moves_nothing(self, run: Run, log: EventLog) -> None:
        """Backfilled as arranged before the interview on the calendar, it moves nothing, and
        says so."""
        search(run)
        result = run(
            "interview", "acme", "--on", local(NOW + timedelta(days=5)), "--stage", "phone",
            "--at", local(NOW - timedelta(days=1)),
        )  # fmt: skip
        assert f"the one on {local(NOW + timedelta(days=2))}, which stands" in result.output
        (interview,) = log.view("pipeline").applications["acme-data-engineer"].interviews
        assert interview.on == NOW + timedelta(days=2)

    def test_unknown_application_refused(self, run: Run, log: EventLog) -> None:
        """An id the log does not know is refused in one line, naming the known ones."""
        search(run)
        result = run("interview", "initech", "--on", local(NOW), "--stage", "phone", code=2)
        assert "no application 'initech'" in result.stderr
        assert "acme-data-engineer" in result.stderr
        assert log.head == 3

    def test_closed_application_needs_force(self, run: Run, log: EventLog) -> None:
        """An interview for a closed application is most likely a slip: --force records it."""
        search(run)
        run("close", "globex-analyst", "rejected")
        args = ["interview", "globex", "--on", local(NOW + timedelta(days=1)), "--stage", "final"]
        result = run(*args, code=2)
        assert "globex-analyst is closed (rejected)" in result.stderr
        assert "--force" in result.stderr
        assert log.head == 4
        run(*args, "--force")
        assert log.head == 5

    @pytest.mark.parametrize(
        ("args", "message"),
        [
            (["--on", "someday", "--stage", "phone"], "--on: cannot read 'someday'"),
            (["--on", "2026-12-03 14:00", "--stage", "applied"], "'applied' is not one of"),
            (["--stage", "phone"], "Missing option '--on'"),
            (["--on", "2026-12-03 14:00"], "Missing option '--stage'"),
            (["--on", "2026-12-03 14:00", "--stage", "phone", "--with", " "], "with_whom"),
        ],
    )
    def test_bad_input_refused(self, run: Run, args: list[str], message: str) -> None:
        """Bad input is refused in one line that names it."""
        run("apply", "Acme", "Data Engineer")
        assert message in run("interview", "acme", *args, code=2).stderr


class TestUpcoming:
    """`jobsearch upcoming [--days N]`."""

    def test_lists_interviews_and_follow_ups(self, run: Run) -> None:
        """The interview with company, role, stage and who; the quiet application to chase."""
        search(run)
        output = run("upcoming").output
        for part in (local(NOW + timedelta(days=2)), "Acme", "Data Engineer", "Phone screen"):
            assert part in output
        assert "hiring manager" in output
        follow_ups = output[output.index("Follow-ups") :]
        assert "globex-analyst" in follow_ups  # quiet for 20 days
        assert "acme-data-engineer" in follow_ups  # due a week after the interview

    def test_json(self, run: Run, log: EventLog) -> None:
        """--json gives the interviews soonest first and the follow-ups, as the library says."""
        search(run)
        run("apply", "Initech", "Engineer")
        run("interview", "initech", "--on", local(NOW + timedelta(days=1)), "--stage", "resume")
        data = json.loads(run("upcoming", "--json").stdout)
        assert (data["format"], data["view"], data["stream"], data["follow_up_days"]) == (
            1,
            "upcoming",
            "me",
            7,
        )
        assert [(i["application_id"], i["stage"]) for i in data["interviews"]] == [
            ("initech-engineer", "resume"),
            ("acme-data-engineer", "phone"),
        ]
        first = data["interviews"][1]
        assert datetime.fromisoformat(first["on"]) == NOW + timedelta(days=2)
        assert first["with_whom"] == "hiring manager"
        assert first["company"] == "Acme"
        until = datetime.fromisoformat(data["until"])
        expected = log.view("pipeline").follow_ups(until)
        assert [f["application_id"] for f in data["follow_ups"]] == [
            f.application_id for f in expected
        ]
        assert data["follow_ups"][0]["application_id"] == "globex-analyst"

    def test_days_is_the_window(self, run: Run) -> None:
        """--days 1 leaves out the interview in two days; nothing to come is said so."""
        search(run)
        output = run("upcoming", "--days", "1", "--follow-up-days", "30").output
        assert "No interviews in the next 1 day" in output
        assert "No follow-ups due" in output

    def test_as_of(self, run: Run) -> None:
        """--as-of asks as of an earlier moment: the interview was not arranged yet."""
        search(run)
        data = json.loads(
            run("upcoming", "--as-of", local(NOW - timedelta(days=1)), "--json").stdout
        )
        assert data["interviews"] == []

    def test_retracted_interview_is_gone(self, run: Run) -> None:
        """Retract the interview and it is off the list."""
        search(run)
        run("retract", "3", "--reason", "never confirmed")
        assert json.loads(run("upcoming", "--json").stdout)["interviews"] == []


class TestPipelineColumn:
    """The pipeline shows the next interview of each open application."""

    def test_next_interview_column(self, run: Run) -> None:
        """The table has the column; JSON has each application's interviews and the next one."""
        search(run)
        output = run("pipeline").output
        assert "next interview" in output
        assert f"{local(NOW + timedelta(days=2))} phone" in output
        apps = {a["id"]: a for a in json.loads(run("pipeline", "--json").stdout)["applications"]}
        acme = apps["acme-data-engineer"]
        assert acme["next_interview"]["stage"] == "phone"
        assert [i["with_whom"] for i in acme["interviews"]] == ["hiring manager"]
        assert apps["globex-analyst"]["next_interview"] is None


class TestCalendar:
    """`jobsearch calendar FILE.ics`: a file other calendars read."""

    def test_file_reads_back(self, run: Run, tmp_path: Path) -> None:
        """Both readers find the interview, an hour from its moment in UTC, and the follow-ups."""
        search(run)
        path = tmp_path / "search.ics"
        result = run("calendar", str(path))
        assert "wrote 1 interview and 2 follow-ups" in result.stderr
        data = path.read_bytes()
        entries, parsed = read_back(data)
        interview = next(e for e in entries if e["SUMMARY"].startswith("Phone screen"))
        on = NOW + timedelta(days=2)
        assert interview["DTSTART"] == f"{on:%Y%m%dT%H%M%S}Z"
        assert interview["DTEND"] == f"{on + INTERVIEW_LENGTH:%Y%m%dT%H%M%S}Z"
        assert unescape(interview["SUMMARY"]) == "Phone screen: Data Engineer at Acme"
        description = unescape(interview["DESCRIPTION"])
        assert "With: hiring manager" in description
        assert "Note: Zoom; the link is in the mail" in description
        follow_ups = [e for e in entries if e["SUMMARY"].startswith("Follow up")]
        assert {unescape(e["SUMMARY"]) for e in follow_ups} == {
            "Follow up: Analyst at Globex",
            "Follow up: Data Engineer at Acme",
        }
        assert all(re.fullmatch(r"\d{8}", e["DTSTART;VALUE=DATE"]) for e in follow_ups)
        assert all(e["TRANSP"] == "TRANSPARENT" for e in follow_ups)
        (event,) = [e for e in parsed.walk("VEVENT") if str(e["SUMMARY"]).startswith("Phone")]
        assert event.decoded("DTSTART") == on
        assert event.decoded("DTEND") - event.decoded("DTSTART") == timedelta(hours=1)
        assert str(event["UID"]) == interview["UID"]

    def test_uids_are_stable(self, run: Run, tmp_path: Path) -> None:
        """Exporting again gives the same UIDs; a reschedule keeps its entry's UID."""
        search(run)
        first, second = tmp_path / "a.ics", tmp_path / "b.ics"
        run("calendar", str(first))
        run("calendar", str(second))
        assert first.read_bytes() == second.read_bytes()
        before = {e["SUMMARY"]: e["UID"] for e in read_back(first.read_bytes())[0]}
        run("interview", "acme", "--on", local(NOW + timedelta(days=3)), "--stage", "phone")
        run("calendar", str(second))
        after = {e["SUMMARY"]: e for e in read_back(second.read_bytes())[0]}
        moved = after["Phone screen: Data Engineer at Acme"]
        assert moved["UID"] == before["Phone screen: Data Engineer at Acme"]
        assert moved["DTSTART"] == f"{NOW + timedelta(days=3):%Y%m%dT%H%M%S}Z"
        assert moved["UID"] == event_uid("me", "acme-data-engineer", "interview:phone")

    def test_to_standard_output(self, run: Run) -> None:
        """- writes the file's bytes, CRLFs and all, to standard output."""
        search(run)
        data = run("calendar", "-").stdout_bytes
        assert data.startswith(b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\n")
        read_back(data)

    def test_not_an_ics_file(self, run: Run, tmp_path: Path) -> None:
        """Another suffix is refused, and nothing is written."""
        assert ".ics" in run("calendar", str(tmp_path / "x.txt"), code=2).stderr
        assert not (tmp_path / "x.txt").exists()

    def test_empty_calendar_is_valid(self, run: Run, tmp_path: Path) -> None:
        """With nothing coming up, the file is still a calendar both readers accept."""
        path = tmp_path / "empty.ics"
        run("calendar", str(path))
        assert read_back(path.read_bytes())[0] == []


class TestCalendarFile:
    """`calendar_ics`, whatever the log holds."""

    def test_overdue_follow_up_is_on_today(self) -> None:
        """A follow-up due in the past is put on today: it is still to do."""
        state = fold(
            VIEW,
            [
                ResumeSubmitted(
                    application_id="a1", company="Acme", role="DE", at=NOW - timedelta(days=30)
                )
            ],
        )
        data = calendar_ics([], state.follow_ups(NOW), stream="me", now=NOW, zone=UTC)
        (entry,) = read_back(data)[0]
        assert entry["DTSTART;VALUE=DATE"] == f"{NOW:%Y%m%d}"
        parsed = icalendar.Calendar.from_ical(data)
        (event,) = parsed.walk("VEVENT")
        assert event.decoded("DTSTART") == NOW.date()
        assert event.decoded("DTEND") == NOW.date() + timedelta(days=1)
        assert isinstance(event.decoded("DTSTART"), date)

    @settings(max_examples=50)
    @given(
        st.lists(interview_scheduled(), min_size=1, max_size=6),
        names(),
        notes(),
        st.sampled_from(["me", "ann", "o'brien 🦄"]),
    )
    def test_any_text_reads_back(self, interviews, company, note, stream) -> None:
        """Hostile text (quotes, NUL, right-to-left, emoji, long lines) still makes a valid
        file: both readers see one entry per interview, with its UTC moment and UID."""
        events = [
            ResumeSubmitted(application_id=i.application_id, company=company, role="DE", note=note)
            for i in interviews
        ]
        state = fold(VIEW, [*events, *interviews])
        start = datetime(1999, 1, 1, tzinfo=UTC)
        upcoming = state.upcoming(start)
        data = calendar_ics(upcoming, [], stream=stream, now=start, zone=UTC)
        entries, parsed = read_back(data)
        assert len(entries) == len(upcoming)
        for item, entry, event in zip(upcoming, entries, parsed.walk("VEVENT"), strict=True):
            on = item.interview.on
            assert entry["DTSTART"] == f"{on:%Y%m%dT%H%M%S}Z"
            assert event.decoded("DTSTART") == on.replace(microsecond=0)
            assert entry["UID"] == str(event["UID"])
            assert entry["UID"] == event_uid(
                stream, item.application_id, f"interview:{item.interview.stage}"
            )
            assert unescape(entry["SUMMARY"]) == str(event["SUMMARY"])
            assert not any(ord(c) < 32 and c not in "\t\n" for c in unescape(entry["DESCRIPTION"]))
