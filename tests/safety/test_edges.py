"""Values at the edges of the calendar and of positions: one clear line, never a traceback."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from click.testing import CliRunner

from jobsearch_core import GapAdded, InvalidEventError, InvalidInputError, open_log
from jobsearch_core.cli import cli


class TestLibrary:
    """The library refuses, naming the value."""

    def test_a_moment_that_leaves_the_calendar_in_utc(self) -> None:
        """1 January of year 1 at 03:00 +04:00 is before year 1 in UTC."""
        with pytest.raises(InvalidEventError, match="out of range once put in UTC"):
            GapAdded(skill="SQL", at=datetime(1, 1, 1, 3, tzinfo=timezone(timedelta(hours=4))))

    @pytest.mark.parametrize("after", [2**63, 10**20])
    def test_a_position_past_what_a_log_holds(self, after: int) -> None:
        """read(after=2**63) is bad input, not an OverflowError from the database."""
        log = open_log("memory://")
        with pytest.raises(InvalidInputError, match="at most 9223372036854775807"):
            list(log.read(after=after))
        with pytest.raises(InvalidInputError, match="at most"):
            log.view("gaps", as_of=after)


class TestCommandLine:
    """Each a line on stderr and exit 2, with nothing appended."""

    @pytest.mark.parametrize(
        ("args", "shown"),
        [
            (["gap", "add", "SQL", "--at", "0001-01-01T00:00+05:00"], "past the dates"),
            (["gap", "add", "SQL", "--at", "99999999999d ago"], "past the dates"),
            (["gaps", "--as-of", "9999-12-31"], "past the dates"),
            (["log", "--after", "99999999999999999999"], "at most 9223372036854775807"),
        ],
    )
    def test_one_line(self, args: list[str], shown: str, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setenv("TZ", "America/New_York")  # the end of 9999-12-31 there is in 10000
        import time

        time.tzset()
        try:
            result = CliRunner().invoke(cli, ["--log", "memory://", *args])
        finally:
            monkeypatch.delenv("TZ")
            time.tzset()
        assert result.exit_code == 2, result.output
        assert result.stderr.count("\n") == 1
        assert shown in result.stderr


class TestTerminalEscapes:
    """A value in the log never drives the terminal, and rich markup in it stays text."""

    def test_nothing_reaches_the_terminal_raw(self, tmp_path: Path) -> None:
        """pipeline, log, show, gaps, funnel and undo show escapes as text."""
        url = f"sqlite://{tmp_path}/log.db"
        hostile = "Evil\x1b]0;pwned\x07\x1b[2J"
        runner = CliRunner()

        def run(*args: str) -> str:
            result = runner.invoke(cli, ["--log", url, *args])
            assert result.exit_code == 0, result.output
            return result.output

        run("apply", hostile, "[bold]Role[/bold]", "--id", "evil")
        run("feedback", "evil", "--next-focus", "Go\x1b[31m", "--comment", "said \x1b[5m")
        run("gap", "practice", "Go", "10", "--note", "bell\x07")
        for args in (
            ["pipeline"],
            ["log"],
            ["show", "evil"],
            ["gaps"],
            ["funnel"],
            ["undo", "--yes"],
        ):
            shown = run(*args)
            assert "\x1b" not in shown, args
            assert "\x07" not in shown, args
        assert "Evil\\x1b]0;pwned\\x07\\x1b[2J" in run("pipeline")
        assert "[bold]Role[/bold]" in run("pipeline")
