"""Tests for `jobsearch nudges`, run through the core's command on the demo job search."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from jobsearch_core import ApplicationClosed, GapAdded, GapPracticed, ResumeSubmitted, open_log
from jobsearch_core.cli import cli
from jobsearch_core.demo import load_demo

from jobsearch_core_nudges.command import parse_as_of
from tests.conftest import NOW

Run = Callable[..., Result]

#: --as-of for the demo's last moment, so the output does not depend on today's date.
AT_THE_END = ["--as-of", NOW.isoformat()]


@pytest.fixture
def url(tmp_path: Path) -> str:
    """A SQLite file holding the demo search, ending at NOW."""
    url = f"sqlite://{tmp_path / 'demo.db'}"
    with open_log(url) as log:
        load_demo(log, now=NOW)
    return url


@pytest.fixture
def run(url: str) -> Run:
    """Runs `jobsearch --log URL nudges ARGS...`; fails the test on an unexpected exit code."""
    runner = CliRunner()

    def invoke(*args: str, code: int = 0) -> Result:
        result = runner.invoke(cli, ["--log", url, "nudges", *args], catch_exceptions=False)
        assert result.exit_code == code, (result.output, result.stderr)
        return result

    return invoke


class TestText:
    """The numbered list a person reads."""

    def test_the_demo(self, run: Run) -> None:
        """Three nudges, numbered, each command on the line below."""
        out = run(*AT_THE_END).output
        assert out.startswith("3 nudges for me as of ")
        assert (
            " 1. [follow up] Analytics Lead at Oscorp (oscorp-analytics): no news for 18 days"
            in out
        )
        assert " 2. [add gap] Data modeling is not on your gap list" in out
        assert "    $ jobsearch gap add 'Data modeling'\n" in out
        assert " 3. [punch up] Punch up SQL on your resume" in out

    def test_nothing_due(self, run: Run, url: str) -> None:
        """When nothing is due, it says what was checked."""
        with open_log(url) as log:
            log.append(
                [
                    ApplicationClosed(
                        application_id="oscorp-analytics", outcome="rejected", at=NOW
                    ),
                    ApplicationClosed(application_id="soylent-ds", outcome="rejected", at=NOW),
                    GapAdded(skill="Data modeling", at=NOW),
                    ResumeSubmitted(
                        application_id="x", company="X", role="Y", resume_version="v3", at=NOW
                    ),
                    ApplicationClosed(application_id="x", outcome="withdrawn", at=NOW),
                    GapPracticed(skill="A/B testing", minutes=30, at=NOW),
                ]
            )
        out = run(*AT_THE_END).output
        assert out.startswith("Nothing is due for me as of ")
        assert "silent for 14 days" in out

    def test_without_as_of_it_is_now(self, tmp_path: Path) -> None:
        """Without --as-of the nudges are read for this moment."""
        url = f"sqlite://{tmp_path / 'today.db'}"
        with open_log(url) as log:
            load_demo(log)  # ends about now
        result = CliRunner().invoke(cli, ["--log", url, "nudges", "--json"])
        assert result.exit_code == 0, result.output
        data = json.loads(result.output)
        assert data["as_of"] is None
        assert abs(datetime.fromisoformat(data["now"]) - datetime.now(UTC)).total_seconds() < 60
        assert [n["subject"] for n in data["nudges"]] == [
            "oscorp-analytics",
            "Data modeling",
            "SQL",
        ]


class TestOptions:
    """Thresholds, time travel and the stream."""

    def test_thresholds(self, run: Run) -> None:
        """--follow-up-days and --practice-days change what is due."""
        data = json.loads(
            run(*AT_THE_END, "--json", "--follow-up-days", "10", "--practice-days", "3").output
        )
        assert data["thresholds"] == {
            "follow_up_days": 10,
            "no_response_days": 20,
            "practice_days": 3,
        }
        kinds = [(n["kind"], n["subject"]) for n in data["nudges"]]
        assert kinds[:3] == [  # Soylent's second interview is on the calendar: no follow-up
            ("follow_up", "oscorp-analytics"),
            ("practise", "A/B testing"),
            ("practise", "Stakeholder communication"),
        ]

    def test_no_response_days(self, run: Run) -> None:
        """--no-response-days turns a long silence into a no_response nudge."""
        data = json.loads(run(*AT_THE_END, "--json", "--no-response-days", "15").output)
        (first, *_) = data["nudges"]
        assert (first["kind"], first["command"]) == (
            "no_response",
            "jobsearch close oscorp-analytics no_response",
        )

    def test_environment(self, run: Run, monkeypatch: pytest.MonkeyPatch) -> None:
        """$JOBSEARCH_NUDGES_FOLLOW_UP_DAYS sets the default; an option overrides it."""
        monkeypatch.setenv("JOBSEARCH_NUDGES_FOLLOW_UP_DAYS", "20")
        assert "oscorp-analytics" not in run(*AT_THE_END).output
        assert "oscorp-analytics" in run(*AT_THE_END, "--follow-up-days", "14").output

    def test_as_of_a_position(self, run: Run) -> None:
        """As of a position, 'now' is the newest event up to there."""
        data = json.loads(run("--json", "--as-of", "40").output)
        assert data["as_of"] == 40
        assert data["nudges"][0]["kind"] == "follow_up"

    def test_as_of_a_date(self, run: Run) -> None:
        """A bare date is the end of that day."""
        data = json.loads(run("--json", "--as-of", "2026-04-12").output)
        assert data["now"].startswith("2026-04-12T23:59:59")

    def test_other_stream(self, run: Run) -> None:
        """Another seeker's stream has nothing due when it holds nothing."""
        assert run(*AT_THE_END, "--stream", "someone-else").output.startswith("Nothing is due")

    @pytest.mark.parametrize(
        ("args", "message"),
        [
            (["--follow-up-days", "0"], "0 is not in the range 1<=x<=36500"),
            (["--follow-up-days", "999999999"], "999999999 is not in the range 1<=x<=36500"),
            (["--practice-days", "36501"], "is not in the range 1<=x<=36500"),
            (["--as-of", "last tuesday"], "cannot read 'last tuesday'"),
            (
                ["--follow-up-days", "20", "--no-response-days", "10"],
                "no_response_days (10) must not be less than follow_up_days (20)",
            ),
        ],
    )
    def test_bad_input(self, run: Run, args: list[str], message: str) -> None:
        """Bad input: exit 2 and one line that names it."""
        result = run(*args, code=2)
        assert message in result.stderr
        assert result.stderr.startswith("error: ")

    def test_the_longest_thresholds_work(self, run: Run) -> None:
        """A hundred years of patience: nothing is due, and nothing overflows."""
        shown = run("--follow-up-days", "36500", "--practice-days", "36500", *AT_THE_END).output
        assert "follow up" not in shown

    def test_bad_environment(self, run: Run, monkeypatch: pytest.MonkeyPatch) -> None:
        """A bad $JOBSEARCH_NUDGES_* value is named, with exit 2."""
        monkeypatch.setenv("JOBSEARCH_NUDGES_PRACTICE_DAYS", "soon")
        assert "$JOBSEARCH_NUDGES_PRACTICE_DAYS" in run(code=2).stderr


class TestJson:
    """The stable JSON form."""

    def test_keys(self, run: Run) -> None:
        """Every key of the documented form is there."""
        data = json.loads(run(*AT_THE_END, "--json").output)
        assert set(data) == {"format", "view", "stream", "as_of", "now", "thresholds", "nudges"}
        assert (data["format"], data["view"], data["stream"]) == (1, "nudges", "me")
        assert set(data["nudges"][0]) == {"kind", "subject", "message", "command", "since", "days"}
        assert data["nudges"][0]["since"] == "2026-05-14T09:00:00+00:00"


class TestParseAsOf:
    """--as-of values."""

    def test_position(self) -> None:
        """Digits are a log position."""
        assert parse_as_of(" 12 ") == 12

    def test_moment_with_offset(self) -> None:
        """A moment with an offset is kept, in UTC."""
        assert parse_as_of("2026-03-01T10:00+02:00") == datetime(2026, 3, 1, 8, 0, tzinfo=UTC)

    def test_none(self) -> None:
        """No --as-of: None."""
        assert parse_as_of(None) is None


class TestTerminalEscapes:
    """A name in the log never drives the terminal from a nudge."""

    def test_nothing_reaches_the_terminal_raw(self, tmp_path: Path) -> None:
        url = f"sqlite://{tmp_path / 'hostile.db'}"
        with open_log(url) as log:
            log.append(
                [
                    ResumeSubmitted(
                        application_id="evil",
                        company="Evil\x1b]0;pwned\x07\x1b[2J",
                        role="Role\x1b[5m",
                        at=NOW - timedelta(days=30),
                    )
                ]
            )
        result = CliRunner().invoke(cli, ["--log", url, "nudges", *AT_THE_END])
        assert result.exit_code == 0, result.output
        assert "\x1b" not in result.output
        assert "\x07" not in result.output
        assert "Evil\\x1b]0;pwned\\x07\\x1b[2J" in result.output
