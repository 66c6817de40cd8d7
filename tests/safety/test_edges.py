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


class TestFilesInAndOut:
    """Imports that cannot be read and exports that cannot be written: one line, no debris."""

    def run(self, tmp_path: Path, *args: str) -> object:
        return CliRunner().invoke(cli, ["--log", f"sqlite://{tmp_path}/log.db", *args])

    def test_json_nested_too_deep(self, tmp_path: Path) -> None:
        line = (
            '{"stream": "me", "type": "GapAdded", "schema_version": 1, "data": '
            + "[" * 100_000
            + "]" * 100_000
            + "}"
        )
        source = tmp_path / "deep.jsonl"
        source.write_text(line + "\n")
        result = self.run(tmp_path, "import", str(source))
        assert result.exit_code == 2  # type: ignore[attr-defined]
        assert "line 1: " in result.stderr  # type: ignore[attr-defined]
        assert result.stderr.count("\n") == 1  # type: ignore[attr-defined]

    def test_a_csv_cell_past_the_limit(self, tmp_path: Path) -> None:
        source = tmp_path / "big.csv"
        source.write_text(
            "Company,Title,Status\nAcme,Analyst,Applied\nGlobex," + "x" * 200_000 + ",Applied\n"
        )
        result = self.run(tmp_path, "import", "--csv", str(source))
        assert result.exit_code == 2  # type: ignore[attr-defined]
        assert "line 3" in result.stderr  # type: ignore[attr-defined]
        assert "nothing was imported" in result.stderr  # type: ignore[attr-defined]

    def test_an_export_that_fails_leaves_the_old_file_whole(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """A full disk half-way: FILE keeps what it held, and nothing else is left."""
        from jobsearch_core.cli import data

        self.run(tmp_path, "gap", "add", "SQL")
        target = tmp_path / "out.jsonl"
        target.write_text("the previous export\n")

        def full_disk(log: object, *, stream: str | None = None) -> object:
            yield '{"a": 1}'
            raise OSError(28, "No space left on device")

        monkeypatch.setattr(data, "export_lines", full_disk)
        result = self.run(tmp_path, "export", str(target))
        assert result.exit_code == 2  # type: ignore[attr-defined]
        assert "No space left on device; nothing was written" in result.stderr  # type: ignore[attr-defined]
        assert target.read_text() == "the previous export\n"
        assert [p.name for p in tmp_path.iterdir() if not p.name.startswith("log.db")] == [
            "out.jsonl"
        ]
