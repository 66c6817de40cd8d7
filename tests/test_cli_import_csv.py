"""Tests for `jobsearch import --csv` on real trackers' exports, through click's CliRunner."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from jobsearch_core import EventLog, GapAdded, open_log
from jobsearch_core.cli import trackers
from jobsearch_core.cli.trackers import (
    CSV_COLUMNS,
    NOT_APPLIED,
    STATUSES,
    read_tracker_csv,
    row_key,
    spelled,
)
from jobsearch_core.events import ResumeSubmitted
from tests.conftest import Run

FIXTURES = Path(__file__).parent / "fixtures" / "trackers"
CLI_PAGE = Path(__file__).resolve().parent.parent / "docs" / "cli.md"


@pytest.fixture
def log(url: str) -> Iterator[EventLog]:
    """The same log, opened through the library."""
    with open_log(url) as opened:
        yield opened


def write(tmp_path: Path, content: str, name: str = "jobs.csv") -> Path:
    """A CSV file in the test's folder."""
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    return path


def states(log: EventLog) -> dict[str, tuple[str, str | None]]:
    """Each application's id -> (furthest stage, outcome)."""
    return {
        key: (app.stage.value, app.outcome.value if app.outcome else None)
        for key, app in log.view("pipeline").applications.items()
    }


def notes(log: EventLog) -> dict[str, str | None]:
    """Each imported application's id -> the note of its ResumeSubmitted."""
    return {
        r.event.application_id: r.event.note
        for r in log.read()
        if isinstance(r.event, ResumeSubmitted)
    }


def applied_on(log: EventLog, application_id: str) -> str:
    """The local date an application was sent."""
    applied = log.view("pipeline").applications[application_id].applied_at
    assert applied is not None
    return applied.astimezone().date().isoformat()


#: Each fixture export -> its applications' (stage, outcome), and the summary's skipped part.
PRESET_IMPORTS: dict[str, tuple[dict[str, tuple[str, str | None]], str]] = {
    "huntr": (
        {
            "acme-data-analyst": ("applied", None),
            "globex-data-scientist": ("second_interview", None),
            "initech-bi-developer": ("final", "offer"),
            "umbrella-analytics-engineer": ("applied", "rejected"),
        },
        "skipped 1 row (wishlist: 1)",
    ),
    "teal": (
        {
            "acme-data-analyst": ("applied", None),
            "globex-data-scientist": ("second_interview", None),
            "initech-bi-developer": ("final", None),
            "umbrella-analytics-engineer": ("applied", "withdrawn"),
            "soylent-data-engineer": ("applied", "rejected"),
            "pied-piper-data-lead": ("applied", "no_response"),
        },
        "skipped 1 row (wishlist: 1)",
    ),
    "simplify": (
        {
            "acme-data-analyst": ("applied", None),
            "globex-data-scientist": ("phone", None),
            "initech-bi-developer": ("final", None),
            "umbrella-analytics-engineer": ("final", "accepted"),
        },
        "skipped 1 row (wishlist: 1)",
    ),
}


class TestPresets:
    """The exports of Huntr, Teal and Simplify import without --map."""

    @pytest.mark.parametrize("tracker", sorted(PRESET_IMPORTS))
    def test_fixture_imports(self, run: Run, log: EventLog, tracker: str) -> None:
        """Each tracker's export gives its applications' stages and outcomes, wishlist rows skipped."""
        expected, skipped = PRESET_IMPORTS[tracker]
        result = run("import", "--csv", str(FIXTURES / f"{tracker}.csv"))
        assert f"imported {len(expected)} applications" in result.output
        assert skipped in result.output
        assert states(log) == expected
        assert applied_on(log, "acme-data-analyst") == "2026-01-05"

    @pytest.mark.parametrize("tracker", sorted(PRESET_IMPORTS))
    def test_recognised_from_the_header(self, tracker: str) -> None:
        """The layout is told from the header alone."""
        text = (FIXTURES / f"{tracker}.csv").read_text(encoding="utf-8")
        assert read_tracker_csv(text, source="x.csv").preset == tracker

    def test_recognised_whatever_the_case(self) -> None:
        """Header names are compared case-insensitively."""
        text = (FIXTURES / "teal.csv").read_text(encoding="utf-8")
        header, rest = text.split("\n", 1)
        found = read_tracker_csv(header.upper() + "\n" + rest, source="x.csv")
        assert (found.preset, len(found.rows)) == ("teal", 6)

    def test_forced_preset(self, run: Run, log: EventLog, tmp_path: Path) -> None:
        """--preset huntr reads Huntr's List column even where another looks like a status."""
        source = write(tmp_path, "Company,Job Title,Stage,List\nAcme,Analyst,Applied,Offer\n")
        run("import", "--csv", str(source), "--preset", "huntr")
        assert states(log) == {"acme-analyst": ("final", "offer")}

    def test_unforced_reads_the_generic_names(
        self, run: Run, log: EventLog, tmp_path: Path
    ) -> None:
        """Without --preset, the same file is read by the generic names (the test above tells)."""
        source = write(tmp_path, "Company,Job Title,Stage,List\nAcme,Analyst,Applied,Offer\n")
        run("import", "--csv", str(source))
        assert states(log) == {"acme-analyst": ("applied", None)}

    def test_unknown_preset(self, run: Run, tmp_path: Path) -> None:
        """A preset that does not exist is refused, naming the ones that do."""
        source = write(tmp_path, "Company,Title\nAcme,Analyst\n")
        result = run("import", "--csv", str(source), "--preset", "lever", code=2)
        assert "huntr" in result.stderr

    def test_unseen_layout(self, run: Run, log: EventLog, tmp_path: Path) -> None:
        """Synonyms of the header names, in any case, are recognised."""
        source = write(
            tmp_path,
            "ORGANIZATION,title,Application Status,Date Applied,Link,City,Compensation,Recruiter\n"
            "Acme,Data Analyst,Offer Received,2026-02-03,https://a.example/1,Lyon,50k,Zoé\n"
            "Globex,Data Scientist,Ghosted,2026-02-04,,,,\n",
        )
        result = run("import", "--csv", str(source))
        assert "imported 2 applications" in result.output
        assert states(log) == {
            "acme-data-analyst": ("final", "offer"),
            "globex-data-scientist": ("applied", "no_response"),
        }
        assert applied_on(log, "acme-data-analyst") == "2026-02-03"
        assert notes(log)["acme-data-analyst"] == (
            "url: https://a.example/1\nlocation: Lyon\nsalary: 50k\ncontact: Zoé"
        )

    @pytest.mark.parametrize(
        ("company", "role"),
        [("Company Name", "Position"), ("Employer", "Job Position"), ("company", "Job")],
    )
    def test_more_synonyms(
        self, run: Run, log: EventLog, tmp_path: Path, company: str, role: str
    ) -> None:
        """Each spelling of the company and role columns is found."""
        source = write(tmp_path, f"{company},{role},Applied Date\nAcme,Analyst,2026-02-03\n")
        run("import", "--csv", str(source))
        assert states(log) == {"acme-analyst": ("applied", None)}


def _display(status: str) -> str:
    """A status as a tracker might write it: "i_withdrew" -> "I Withdrew"."""
    return status.replace("_", " ").title()


class TestStatuses:
    """Every status of the table, --status-map, and the rows left out."""

    @pytest.mark.parametrize(("status", "meaning"), sorted(STATUSES.items()))
    def test_every_status(
        self, run: Run, log: EventLog, tmp_path: Path, status: str, meaning: tuple[str, str | None]
    ) -> None:
        """Each status gives its furthest stage (every screen up to it passed) and outcome."""
        source = write(tmp_path, f"Company,Title,Status\nAcme,Analyst,{_display(status)}\n")
        run("import", "--csv", str(source))
        stage, outcome = meaning
        assert states(log) == {"acme-analyst": (stage, outcome)}
        passed = [s.stage for s in log.view("pipeline").applications["acme-analyst"].stages]
        order = ["resume", "phone", "second_interview", "final"]
        assert passed == (order[: order.index(stage) + 1] if stage != "applied" else [])

    @pytest.mark.parametrize("status", sorted(NOT_APPLIED))
    def test_not_applied_is_skipped(
        self, run: Run, log: EventLog, tmp_path: Path, status: str
    ) -> None:
        """A role not applied to yet is left out and counted."""
        source = write(
            tmp_path, f"Company,Title,Status\nAcme,Analyst,{_display(status)}\nB,C,Applied\n"
        )
        result = run("import", "--csv", str(source))
        assert "imported 1 application" in result.output
        assert "skipped 1 row (wishlist: 1)" in result.output
        assert list(states(log)) == ["b-c"]

    def test_statuses_ignore_case_space_and_punctuation(
        self, run: Run, log: EventLog, tmp_path: Path
    ) -> None:
        """ "PHONE-SCREEN!", "  not   selected" are the table's statuses."""
        source = write(tmp_path, "Company,Title,Status\nA,B,PHONE-SCREEN!\nC,D,  not   selected\n")
        run("import", "--csv", str(source))
        assert states(log) == {"a-b": ("phone", None), "c-d": ("applied", "rejected")}

    def test_a_board_s_numbers_and_marks_are_not_the_status(
        self, run: Run, log: EventLog, tmp_path: Path
    ) -> None:
        """ "2 - Phone Screen", "04. Offer" (a board's columns in order) and "✅ Accepted" are
        the table's statuses; a status mapped with its number keeps the mapping."""
        source = write(
            tmp_path,
            "Company,Title,Status\nA,B,2 - Phone Screen\nC,D,04. Offer\nE,F,✅ Accepted\n"
            "G,H,5 - Limbo\n",
        )
        run("import", "--csv", str(source), "--status-map", "5 - Limbo=final")
        assert states(log) == {
            "a-b": ("phone", None),
            "c-d": ("final", "offer"),
            "e-f": ("final", "accepted"),
            "g-h": ("final", None),
        }

    def test_status_map(self, run: Run, log: EventLog, tmp_path: Path) -> None:
        """--status-map maps a status to an outcome, a stage, or skip, overriding the table."""
        source = write(
            tmp_path,
            "Company,Title,Status\n"
            "A,B,Withdrew Myself\n"
            "C,D,Deep Talks\n"
            "E,F,ARCHIVED!\n"
            "G,H,Negotiating\n",
        )
        result = run(
            "import", "--csv", str(source), "--status-map", "withdrew myself=withdrawn",
            "--status-map", "Deep Talks=final", "--status-map", "Archived=skip",
            "--status-map", "Negotiating=Phone",
        )  # fmt: skip
        assert states(log) == {
            "a-b": ("applied", "withdrawn"),
            "c-d": ("final", None),
            "g-h": ("phone", None),
        }
        assert "skipped 1 row (--status-map skip: 1)" in result.output

    @pytest.mark.parametrize(
        ("pair", "why"),
        [("Archived=gone", "cannot map to 'gone'"), ("Archived", "cannot read 'Archived'")],
    )
    def test_bad_status_map(self, run: Run, tmp_path: Path, pair: str, why: str) -> None:
        """A --status-map that names no outcome, stage or skip is refused."""
        source = write(tmp_path, "Company,Title,Status\nA,B,Archived\n")
        result = run("import", "--csv", str(source), "--status-map", pair, code=2)
        assert why in result.stderr

    def test_skipped_counts(self, run: Run, log: EventLog, tmp_path: Path) -> None:
        """The summary counts the rows left out, by why."""
        source = write(
            tmp_path,
            "Company,Title,Status\nA,B,Wishlist\n\nC,D,Archived\nE,F,Bookmarked\nG,H,Applied\n",
        )
        result = run("import", "--csv", str(source), "--status-map", "Archived=skip")
        assert result.output.strip() == (
            "imported 1 application (1 event) into 'me'; "
            "skipped 4 rows (--status-map skip: 1, blank: 1, wishlist: 2)"
        )

    def test_each_status_means_one_thing(self) -> None:
        """No status is named twice in the table, where the later meaning would hide the
        earlier, and none both means a stage and says the role was not applied to yet."""
        named = [name for _, names in trackers._NAMED for name in names.split()]
        assert len(named) == len(set(named))
        assert not set(named) & NOT_APPLIED

    def test_docs_list_every_column_name(self) -> None:
        """docs/cli.md's column table names each field's column names, in their order."""
        page = CLI_PAGE.read_text(encoding="utf-8")
        table = page.split("<!-- columns -->", 2)[1]
        rows = [line.split("|")[1:3] for line in table.splitlines() if "`" in line]
        listed = {field.strip(): tuple(re.findall(r"`([^`]+)`", names)) for field, names in rows}
        assert listed == CSV_COLUMNS

    def test_docs_list_every_status(self) -> None:
        """docs/cli.md's status table names every status the importer knows, and no other."""
        page = CLI_PAGE.read_text(encoding="utf-8")
        table = page.split("<!-- statuses -->", 2)[1]
        first_cells = [line.split("|")[1] for line in table.splitlines() if "|" in line]
        named = {spelled(name) for cell in first_cells for name in re.findall(r"`([^`]+)`", cell)}
        assert named == {s for s in STATUSES if s} | set(NOT_APPLIED)


class TestFileShapes:
    """Blank rows, delimiters, encodings."""

    def test_blank_rows(self, run: Run, log: EventLog, tmp_path: Path) -> None:
        """Empty lines and rows of empty cells are skipped and counted; line numbers still count them."""
        source = write(tmp_path, "Company,Title,Status\n\nA,B,Applied\n , ,\n\nC,D,Dreaming\n")
        result = run("import", "--csv", str(source), code=2)
        assert "line 6: unknown status 'Dreaming'" in result.stderr
        source = write(tmp_path, "Company,Title,Status\n\nA,B,Applied\n , ,\n\nC,D,Offer\n")
        result = run("import", "--csv", str(source))
        assert "imported 2 applications" in result.output
        assert "skipped 3 rows (blank: 3)" in result.output

    def test_excel_s_delimiter_line(self, run: Run, log: EventLog, tmp_path: Path) -> None:
        """A first line "sep=;" (Excel's) names the delimiter; line numbers still count it."""
        source = write(tmp_path, "sep=;\nCompany;Title;Salary\nAcme;Analyst;60,5k\nB;;\n")
        assert "line 4: no role" in run("import", "--csv", str(source), code=2).stderr
        source = write(tmp_path, "sep=;\r\nCompany;Title;Salary\r\nAcme;Analyst;60,5k\r\n")
        run("import", "--csv", str(source))
        (submitted,) = [r.event for r in log.read()]
        assert isinstance(submitted, ResumeSubmitted)
        assert (submitted.company, submitted.role, submitted.note) == (
            "Acme",
            "Analyst",
            "salary: 60,5k",
        )

    @pytest.mark.parametrize("delimiter", [";", "\t", ","])
    def test_delimiter_is_sniffed(
        self, run: Run, log: EventLog, tmp_path: Path, delimiter: str
    ) -> None:
        """Semicolon-, tab- and comma-separated files import alike."""
        rows = [
            ["Company", "Title", "Status", "Salary"],
            ["Acme", "Data Analyst", "Phone Screen", "60,5k"],
            ["Globex", "Data Scientist", "Offer", ""],
        ]
        source = write(tmp_path, "".join(delimiter.join(r) + "\n" for r in rows).replace(
            "60,5k", '"60,5k"' if delimiter == "," else "60,5k"
        ))  # fmt: skip
        run("import", "--csv", str(source))
        assert states(log) == {
            "acme-data-analyst": ("phone", None),
            "globex-data-scientist": ("final", "offer"),
        }
        assert notes(log)["acme-data-analyst"] == "salary: 60,5k"

    def test_utf8_with_bom(self, run: Run, log: EventLog, tmp_path: Path) -> None:
        """A UTF-8 file starting with a byte-order mark reads by default."""
        source = tmp_path / "jobs.csv"
        source.write_bytes("\ufeffCompany,Title\nZürich Re,Analyst\n".encode())
        run("import", "--csv", str(source))
        assert log.view("pipeline").applications["zurich-re-analyst"].company == "Zürich Re"

    def test_latin1(self, run: Run, log: EventLog, tmp_path: Path) -> None:
        """--encoding latin-1 reads a Latin-1 file; without it the error names the encoding."""
        source = tmp_path / "jobs.csv"
        source.write_bytes("Company;Title\nMüller GmbH;Analyst\n".encode("latin-1"))
        result = run("import", "--csv", str(source), code=2)
        assert "jobs.csv is not UTF-8 text" in result.stderr
        assert "--encoding" in result.stderr
        assert len(result.stderr.strip().splitlines()) == 1
        assert log.head == 0
        run("import", "--csv", str(source), "--encoding", "latin-1")
        assert log.view("pipeline").applications["muller-gmbh-analyst"].company == "Müller GmbH"

    def test_unknown_encoding(self, run: Run, tmp_path: Path) -> None:
        """An encoding Python does not know is one clear error."""
        source = write(tmp_path, "Company,Title\nA,B\n")
        result = run("import", "--csv", str(source), "--encoding", "klingon", code=2)
        assert "no text encoding named 'klingon'" in result.stderr

    def test_csv_options_need_csv(self, run: Run, tmp_path: Path) -> None:
        """--encoding, --preset and --status-map go with --csv."""
        source = write(tmp_path, "{}\n", name="in.jsonl")
        result = run("import", str(source), "--encoding", "latin-1", code=2)
        assert "go with --csv" in result.stderr


class TestDates:
    """Dates as trackers write them: ISO, or a layout found from the column's dates."""

    @staticmethod
    def applied(log: EventLog) -> dict[str, str]:
        apps = log.view("pipeline").applications
        return {key: app.applied_at.astimezone().date().isoformat() for key, app in apps.items()}

    @pytest.mark.parametrize(
        ("dates", "layout"),
        [
            (("10/05/2026", "10/25/2026"), "%m/%d/%Y"),  # the 25th: month first
            (("05/10/2026", "25/10/2026"), "%d/%m/%Y"),
            (("10/5/26", "10/25/26"), "%m/%d/%y"),
            (("05.10.2026", "25.10.2026"), "%d.%m.%Y"),
            (("Oct 5, 2026", "Oct 25, 2026"), "%b %d, %Y"),
            (("5 October 2026", "25 October 2026"), "%d %B %Y"),
            (("10/5/2026 9:30 AM", "10/25/2026 4:15 PM"), "%m/%d/%Y %I:%M %p"),
        ],
    )
    def test_the_layout_is_found(
        self, run: Run, log: EventLog, tmp_path: Path, dates: tuple[str, str], layout: str
    ) -> None:
        """No --date-format needed when the column's dates tell their layout; the summary
        says which layout it read them in."""
        rows = "".join(f'A{n},B,Applied,"{date}"\n' for n, date in enumerate(dates))
        source = write(tmp_path, "Company,Title,Status,Date Applied\n" + rows)
        result = run("import", "--csv", str(source))
        assert f"dates read as {layout}" in result.output
        assert self.applied(log) == {"a0-b": "2026-10-05", "a1-b": "2026-10-25"}

    def test_iso_dates_need_no_layout(self, run: Run, log: EventLog, tmp_path: Path) -> None:
        """ISO dates beside dates of another layout are read as ISO."""
        source = write(
            tmp_path, "Company,Title,Date Applied\nA,B,2026-10-05\nC,D,10/25/2026\nE,F,\n"
        )
        result = run("import", "--csv", str(source))
        assert "dates read as %m/%d/%Y" in result.output
        assert self.applied(log)["a-b"] == "2026-10-05"
        assert self.applied(log)["c-d"] == "2026-10-25"
        source = write(tmp_path, "Company,Title,Date Applied\nG,H,2026-10-06\n")
        assert "dates read as" not in run("import", "--csv", str(source)).output

    def test_month_or_day_first_is_asked(self, run: Run, log: EventLog, tmp_path: Path) -> None:
        """Dates that read either way (03/04/2026: March or April?) are one problem, and
        nothing is imported; --date-format settles it."""
        source = write(tmp_path, "Company,Title,Applied\nA,B,03/04/2026\nC,D,05/06/2026\n")
        result = run("import", "--csv", str(source), code=2)
        assert (
            "1 problem in jobs.csv, nothing was imported: the dates of column 'Applied' could "
            "be read as %m/%d/%Y or as %d/%m/%Y ('03/04/2026'); give the one meant with "
            "--date-format"
        ) in result.stderr
        assert log.head == 0
        run("import", "--csv", str(source), "--date-format", "%d/%m/%Y")
        assert self.applied(log) == {"a-b": "2026-04-03", "c-d": "2026-06-05"}

    def test_a_date_unlike_the_others(self, run: Run, log: EventLog, tmp_path: Path) -> None:
        """A date the column's layout cannot read is a problem of its own line."""
        source = write(
            tmp_path, "Company,Title,Applied\nA,B,10/25/2026\nC,D,10/26/2026\nE,F,26/10/2026\n"
        )
        result = run("import", "--csv", str(source), code=2)
        assert (
            "line 4: cannot read the date '26/10/2026' as the column's other dates (%m/%d/%Y)"
        ) in result.stderr
        assert log.head == 0


class TestColumns:
    """Which columns are read, and saying which are not."""

    def test_columns_not_read_are_named(self, run: Run, tmp_path: Path) -> None:
        """The summary and --json name the columns no field was read from, in file order."""
        source = write(
            tmp_path, "Company,Sector,Title,Fit Rating,Status\nAcme,Retail,Analyst,80,Applied\n"
        )
        said = run("import", "--csv", str(source)).output
        assert said.strip().endswith("; columns not read: Sector, Fit Rating")
        found = json.loads(run("import", "--csv", str(source), "--json").output)
        assert found["unread_columns"] == ["Sector", "Fit Rating"]

    def test_a_tracker_s_own_id_is_not_the_application_id(
        self, run: Run, log: EventLog, tmp_path: Path
    ) -> None:
        """An ID column (the tracker's key) is left alone; --map id=ID reads it."""
        source = write(tmp_path, "ID,Company,Title\n7f3a9c,Acme,Analyst\n")
        run("import", "--csv", str(source))
        assert list(log.view("pipeline").applications) == ["acme-analyst"]
        other = write(tmp_path, "ID,Company,Title\nacme-1,Acme,Engineer\n", name="other.csv")
        run("import", "--csv", str(other), "--map", "id=ID")
        assert list(log.view("pipeline").applications) == ["acme-analyst", "acme-1"]


class TestNotes:
    """What has no field of its own is kept in the note."""

    def test_url_location_salary_contact_after_the_note(self, run: Run, log: EventLog) -> None:
        """They follow the row's own note as labelled lines."""
        run("import", "--csv", str(FIXTURES / "huntr.csv"))
        kept = notes(log)
        assert kept["acme-data-analyst"] == (
            "Referred by Bo\n"
            "url: https://jobs.acme.example/123\n"
            "location: Berlin\n"
            "salary: 60-70k\n"
            "contact: Ann Lee"
        )
        assert kept["initech-bi-developer"] == "location: Austin\nsalary: $120,000"
        assert kept["umbrella-analytics-engineer"] is None


class TestProblems:
    """A bad file is refused whole, every problem listed with its line."""

    def test_every_problem_listed(self, run: Run, log: EventLog, tmp_path: Path) -> None:
        """Three bad rows: one line of error naming all three, and nothing appended."""
        log.append([GapAdded(skill="SQL")])
        source = write(
            tmp_path,
            "Company,Title,Status,Date Applied\n"
            "A,B,Applied,2026-01-01\n"
            "C,D,Offer,2026-01-02\n"
            "E,F,Archived,2026-01-03\n"
            ",G,Applied,2026-01-04\n"
            "H,I,Applied,2026-01-05\n"
            "J,K,Applied,mid-March\n",
        )
        result = run("import", "--csv", str(source), code=2)
        message = result.stderr.strip()
        assert len(message.splitlines()) == 1
        assert "3 problems in jobs.csv, nothing was imported: " in message
        assert (
            "line 4: unknown status 'Archived' (use --status-map STATUS=outcome|stage|skip); "
            "line 5: no company; line 7: cannot read the date 'mid-March'"
        ) in message
        assert log.head == 1

    def test_problems_are_bounded(self, run: Run, log: EventLog, tmp_path: Path) -> None:
        """Past twenty problems the rest are counted, not listed."""
        rows = "".join(f"A{n},B,Nope\n" for n in range(25))
        source = write(tmp_path, "Company,Title,Status\n" + rows)
        result = run("import", "--csv", str(source), code=2)
        assert "25 problems in jobs.csv" in result.stderr
        assert "line 21:" in result.stderr
        assert "line 22:" not in result.stderr
        assert result.stderr.strip().endswith("; and 5 more")
        assert log.head == 0

    def test_missing_company_and_role(self, run: Run, log: EventLog, tmp_path: Path) -> None:
        """A row with neither says both."""
        source = write(tmp_path, "Company,Title,Status\n , ,Applied\n")
        result = run("import", "--csv", str(source), code=2)
        assert "1 problem in jobs.csv, nothing was imported: line 2: no company and no role" in (
            result.stderr
        )


class TestRowKeys:
    """Each imported row has a stable key, for a later re-import to know it again."""

    def test_stable(self) -> None:
        """The same row gives the same key, however its text is spaced or cased."""
        key = row_key("Acme", "Data Analyst", "2026-01-05")
        assert key == row_key("Acme", "Data Analyst", "2026-01-05")
        assert key == row_key(" ACME ", "data  analyst", "2026-01-05")
        assert re.fullmatch(r"[0-9a-f]{16}", key)

    @pytest.mark.parametrize(
        "other",
        [
            ("Globex", "Data Analyst", "2026-01-05"),
            ("Acme", "Data Scientist", "2026-01-05"),
            ("Acme", "Data Analyst", "2026-01-06"),
            ("Acme", "Data Analyst", None),
            ("Acme", "Data Analyst2026-01-05", None),
        ],
    )
    def test_differs_when_the_application_differs(self, other: tuple[str, str, str | None]) -> None:
        """Another company, role or date gives another key (a status that moved on does not)."""
        assert row_key(*other) != row_key("Acme", "Data Analyst", "2026-01-05")

    def test_rows_carry_their_keys(self) -> None:
        """Reading the same export twice gives the same keys, one a row, all different."""
        text = (FIXTURES / "teal.csv").read_text(encoding="utf-8")
        first = [row.key for row in read_tracker_csv(text, source="teal.csv").rows]
        again = [row.key for row in read_tracker_csv(text, source="teal.csv").rows]
        assert first == again
        assert len(set(first)) == len(first) == 6
        assert first[0] == row_key("Acme", "Data Analyst", "2026-01-05")

    def test_ids_stay_unique(self, run: Run, log: EventLog, tmp_path: Path) -> None:
        """Two rows for one role get slug ids with -2, after one already in the log."""
        run("apply", "Acme", "Analyst")
        source = write(tmp_path, "Company,Title\nAcme,Analyst\nAcme,Analyst\n")
        run("import", "--csv", str(source))
        assert sorted(states(log)) == ["acme-analyst", "acme-analyst-2", "acme-analyst-3"]


class TestImportingAgain:
    """A tracker exported and imported again (a weekly sync) adds only what is new."""

    def test_the_same_csv_twice_adds_nothing(self, run: Run, log: EventLog) -> None:
        for name in ("huntr.csv", "teal.csv", "simplify.csv"):  # a stream each: one search
            first = run("import", "--csv", str(FIXTURES / name), "--stream", name).output
            head = log.head
            again = run("import", "--csv", str(FIXTURES / name), "--stream", name).output
            assert log.head == head, name
            assert "imported 0 applications (0 events)" in again, (name, again)
            assert "were imported already" in again, first
        for name in ("huntr.csv", "teal.csv", "simplify.csv"):
            ids = log.view("pipeline", stream=name).applications
            assert not any(key.endswith("-2") for key in ids)

    def test_rows_without_dates_import_once(self, run: Run, log: EventLog, tmp_path: Path) -> None:
        source = write(tmp_path, "Company,Title,Status\nAcme,Analyst,Phone Screen\nAcme,Analyst,\n")
        run("import", "--csv", str(source))
        head = log.head
        assert "imported 0 applications" in run("import", "--csv", str(source)).output
        assert log.head == head
        assert sorted(states(log)) == ["acme-analyst", "acme-analyst-2"]

    def test_a_status_that_moved_on_adds_the_stage(
        self, run: Run, log: EventLog, tmp_path: Path
    ) -> None:
        header = "Company,Title,Status,Date Applied\n"
        source = write(tmp_path, header + "Acme,Analyst,Applied,2026-01-05\n")
        run("import", "--csv", str(source))
        source = write(tmp_path, header + "Acme,Analyst,Phone Screen,2026-01-05\n")
        head = log.head
        shown = run("import", "--csv", str(source)).output
        assert f"imported 0 applications ({log.head - head} events)" in shown
        assert "1 imported before moved on a stage" in shown
        assert states(log) == {"acme-analyst": ("phone", None)}
        assert "imported 0 applications (0 events)" in run("import", "--csv", str(source)).output

    def test_an_edited_row_is_reported_and_left(
        self, run: Run, log: EventLog, tmp_path: Path
    ) -> None:
        header = "Company,Title,Status,Date Applied,Location\n"
        run(
            "import",
            "--csv",
            str(write(tmp_path, header + "Acme,Analyst,Applied,2026-01-05,Oslo\n")),
        )
        head = log.head
        edited = write(
            tmp_path,
            header + "Acme,Analyst,Applied,2026-01-05,Bergen\nGlobex,Analyst,Applied,2026-01-06,\n",
        )
        result = run("import", "--csv", str(edited))
        assert "line 2 (Acme, Analyst) was changed since it was imported" in result.stderr
        assert "imported 1 application" in result.output
        assert log.head == head + 1
        assert "Oslo" in (notes(log)["acme-analyst"] or "")
        shown = run("import", "--csv", str(edited), "--json").output
        assert '"edited": [\n    2\n  ]' in shown or '"edited": [2]' in shown
