"""Tests for `jobsearch prep` and `jobsearch debrief`: before and after an interview."""

from __future__ import annotations

import json
from html.parser import HTMLParser
from pathlib import Path

from jobsearch_core import (
    FeedbackReceived,
    GapPromoted,
    Mark,
    RoleSuggested,
    open_log,
)
from tests.conftest import Run
from tests.terminal import Terminal


def search(run: Run) -> None:
    """A resume with SQL, a gap list of Python and Statistics, an application at Acme with
    feedback from Ann, an interview booked and a role suggested there."""
    run("resume", "v1", "--skill", "SQL")
    run("gap", "add", "Python")
    run("gap", "add", "Statistics")
    run("apply", "Acme", "Data Engineer", "--via", "referral")
    run("feedback", "acme-data-engineer", "--punch-up", "SQL=show the pipelines",
        "--next-focus", "Spark", "--source", "Ann")  # fmt: skip
    run("interview", "acme-data-engineer", "--on", "2026-12-03 14:00", "--stage", "phone",
        "--with", "hiring manager")  # fmt: skip
    run("suggest", "Acme", "Analytics Engineer", "--skill", "SQL", "--skill", "Looker",
        "--app", "acme-data-engineer")  # fmt: skip
    run("apply", "Globex", "Analyst")
    run("feedback", "globex-analyst", "--punch-up", "Excel", "--source", "Gus")


class _Text(HTMLParser):
    """The text a browser would show, and the tags it would make."""

    def __init__(self) -> None:
        super().__init__()
        self.text = ""
        self.tags: list[str] = []

    def handle_starttag(self, tag: str, attrs: object) -> None:
        self.tags.append(tag)

    def handle_data(self, data: str) -> None:
        self.text += data


def stored(url: str, kind: type) -> list:
    """The events of one class in the log at `url`, oldest first."""
    with open_log(url) as log:
        return [r.event for r in log.read(types=kind, include_retracted=False)]


class TestPrep:
    """jobsearch prep: the one-page sheet."""

    def test_markdown_sheet(self, run: Run) -> None:
        """The sheet names the application, stars the focus, keeps Acme's own feedback and
        roles, and asks the two questions with the list filled in."""
        search(run)
        sheet = run("prep", "acme").output
        assert sheet.startswith("# Interview prep: Data Engineer at Acme\n")
        assert "**Next:** Phone screen on 2026-12-03 14:00 with hiring manager" in sheet
        assert "1. ★ Python" in sheet
        assert "2. ★ Statistics" in sheet
        assert "3. Spark" in sheet
        assert "- SQL (named 1x): show the pipelines" in sheet
        assert "Excel" not in sheet  # Globex's punch-up does not matter for this role
        assert (
            "Ann (acme-data-engineer): punch up SQL (show the pipelines); next focus Spark" in sheet
        )
        assert "- Analytics Engineer: has SQL; missing Looker (50% covered)" in sheet
        assert "Let's suppose I don't get this role" in sheet
        assert "These two are my focus right now: Python and Statistics" in sheet
        assert "in front of item 3, Spark?" in sheet
        assert "at Acme that I might be a really good fit for?" in sheet

    def test_html_sheet_is_escaped_and_printable(self, run: Run, tmp_path: Path) -> None:
        """--html writes one well-formed page with a print stylesheet; names are escaped."""
        run("apply", "<script>alert(1)</script>", 'Data & "Analytics"', "--id", "evil")
        run("feedback", "evil", "--next-focus", "A/B <testing>", "--source", "O'Brien")
        run("gap", "add", "nul\x00byte")
        page = tmp_path / "prep.html"
        run("prep", "evil", "--html", str(page))
        text = page.read_text()
        assert "\x00" not in text
        assert "nul\ufffdbyte" in text
        assert "<script>" not in text
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text
        assert "@media print" in text
        assert "@page { size: A4" in text
        words = _Text()
        words.feed(text)
        assert 'Interview prep: Data & "Analytics" at <script>alert(1)</script>' in words.text
        assert "next focus A/B <testing>" in words.text
        assert words.tags.count("script") == 0

    def test_unknown_application_is_refused(self, run: Run) -> None:
        """An id that matches nothing exits 2 naming it."""
        assert "nope" in run("prep", "nope", code=2).stderr


class TestDebriefScripted:
    """jobsearch debrief with options: nothing asked, one append."""

    def test_marks_roles_and_moves_in_one_append(self, run: Run, url: str) -> None:
        """Answers are marked from the resume and punch-ups; --move takes the plan's advice."""
        search(run)
        with open_log(url) as log:
            head = log.head
        said = run("debrief", "acme", "--with", "Bob", "--answer", "SQL=lead with it",
                   "--answer", "dbt=models", "--role", "BI Analyst=Looker, dbt",
                   "--move").output  # fmt: skip
        assert "feedback with 2 items from Bob; 1 suggested role; " in said
        with open_log(url) as log:
            fresh = list(log.read(after=head))
            assert len({r.recorded_at for r in fresh}) == 1  # one append
        feedback = fresh[0].event
        assert isinstance(feedback, FeedbackReceived)
        assert [(i.skill, i.mark, i.comment) for i in feedback.items] == [
            ("SQL", Mark.PUNCH_UP, "lead with it"),
            ("dbt", Mark.NEXT_FOCUS, "models"),
        ]
        role = fresh[1].event
        assert isinstance(role, RoleSuggested)
        assert (role.company, role.role, role.skills, role.suggested_by) == (
            "Acme",
            "BI Analyst",
            ("Looker", "dbt"),
            "Bob",
        )
        moves = [r.event for r in fresh[2:]]
        assert moves
        assert all(isinstance(m, GapPromoted) for m in moves)
        plan = json.loads(run("plan", "--json").output)
        assert plan["questions"] == []

    def test_without_move_the_questions_are_only_shown(self, run: Run, url: str) -> None:
        """Without --move the plan's question is printed and nothing is promoted."""
        search(run)
        said = run("debrief", "acme", "--next-focus", "dbt", "--with", "Cy").output
        assert "The plan asks: Move dbt in front of item 1, Python? (--move moves it)" in said
        assert stored(url, GapPromoted) == []

    def test_json_prints_the_stored_records(self, run: Run, url: str) -> None:
        """--json prints the records of the one append, and the plan's question goes to
        stderr, so standard output is JSON alone."""
        search(run)
        result = run("debrief", "acme", "--next-focus", "dbt", "--with", "Cy", "--json")
        printed = json.loads(result.stdout)
        with open_log(url) as log:
            assert [r["position"] for r in printed] == [log.head]
        assert printed[0]["type"] == "FeedbackReceived"
        assert "The plan asks:" in result.stderr

    def test_json_asks_nothing(self, run: Run, url: str) -> None:
        """--json without answers would mix prompts into the JSON: refused, nothing recorded."""
        search(run)
        with open_log(url) as log:
            head = log.head
        assert "debrief --json asks nothing" in run("debrief", "acme", "--json", code=2).stderr
        with open_log(url) as log:
            assert log.head == head

    def test_bad_role_is_refused(self, run: Run, url: str) -> None:
        """A --role without skills exits 2 and records nothing."""
        search(run)
        assert "ROLE=SKILL,SKILL" in run("debrief", "acme", "--role", "BI Analyst", code=2).stderr
        assert len(stored(url, RoleSuggested)) == 1

    def test_nothing_said_records_nothing(self, run: Run, url: str) -> None:
        """--yes with no answers and nothing to move records nothing."""
        run("apply", "Acme", "Analyst")
        assert "nothing to record" in run("debrief", "acme", "--yes").output


class TestDebriefPrompts:
    """jobsearch debrief asks when given no answers (click prompts on standard input)."""

    def test_prompts_with_a_flipped_mark(self, run: Run, url: str) -> None:
        """The seeker flips an automatic mark before saving; declining the plan moves nothing."""
        search(run)
        typed = "Dee\ndbt=models\nSQL\n\n2\n\nBI Analyst\nLooker, SQL\n\nn\nn\nn\n\n"
        result = run("debrief", "acme", input=typed)
        assert "2. SQL: punch up (on your resume)" in result.output
        assert "2. SQL: next focus (your choice; it is on your resume)" in result.output
        feedback = stored(url, FeedbackReceived)[-1]
        assert [(i.skill, i.mark) for i in feedback.items] == [
            ("dbt", Mark.NEXT_FOCUS),
            ("SQL", Mark.NEXT_FOCUS),
        ]
        assert feedback.source == "Dee"
        assert stored(url, RoleSuggested)[-1].role == "BI Analyst"
        assert stored(url, GapPromoted) == []

    def test_declining_to_save_records_nothing(self, run: Run, url: str) -> None:
        """Answering no at the end leaves the log as it was."""
        search(run)
        result = run("debrief", "acme", input="\nSpark\n\n\n\n" + "n\n" * 8)
        assert "nothing recorded" in result.output
        assert len(stored(url, FeedbackReceived)) == 2


# --- in a real terminal ------------------------------------------------------------------------


class TestDebriefInATerminal:
    """jobsearch debrief driven key by key in tmux, as a person would."""

    def test_walk_through(self, run: Run, url: str, terminal: Terminal) -> None:
        """Both questions, a flipped mark, one move accepted, one declined, one append."""
        search(run)
        terminal.start(url, "debrief", "acme")
        terminal.wait_for("Who did you speak with?")
        terminal.type("Ann")
        terminal.wait_for("answer:")
        terminal.type("dbt=models, not scripts")
        terminal.wait_for("answer:", 2)
        terminal.type("SQL")
        terminal.wait_for("answer:", 3)
        terminal.type("")
        screen = terminal.wait_for("Change a mark?")
        assert "1. dbt: next focus (not on your resume)" in screen
        assert "2. SQL: punch up (on your resume)" in screen
        terminal.type("1")
        terminal.wait_for("Change a mark?", 2)
        terminal.type("1")
        terminal.wait_for("Change a mark?", 3)
        terminal.type("")
        terminal.wait_for("role:")
        terminal.type("BI Analyst")
        terminal.wait_for("skills it needs")
        terminal.type("Looker, Tableau")
        terminal.wait_for("role:", 2)
        terminal.type("")
        terminal.wait_for("Move Spark in front of item 1, Python? [y/N]")
        terminal.type("")
        terminal.wait_for("Move dbt in front of item 1, Python? [y/N]")
        terminal.type("y")
        terminal.wait_for("Move Looker in front of item 2, Python? [y/N]")
        terminal.type("n")
        terminal.wait_for("Move Tableau in front of item 2, Python? [y/N]")
        terminal.type("")
        terminal.wait_for("Record feedback with 2 items from Ann; 1 suggested role; 1 move")
        terminal.type("")
        screen = terminal.wait_for("DONE")
        assert "recorded #" in screen
        (feedback,) = stored(url, FeedbackReceived)[-1:]
        assert [(i.skill, i.mark, i.comment) for i in feedback.items] == [
            ("dbt", Mark.NEXT_FOCUS, "models, not scripts"),
            ("SQL", Mark.PUNCH_UP, None),
        ]
        (move,) = stored(url, GapPromoted)
        assert (move.skill, move.to_rank) == ("dbt", 1)
        assert stored(url, RoleSuggested)[-1].skills == ("Looker", "Tableau")
