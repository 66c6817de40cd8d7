"""The demo job search: what `make demo` writes and prints."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from jobsearch_core import EventLog, EventRetracted, open_log
from jobsearch_core.demo import APPLICATIONS, load_demo
from jobsearch_core.demo.__main__ import main

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


class TestStory:
    """The demo tells the story of the design over about three months."""

    @pytest.fixture
    def log(self, tmp_path: Path) -> Iterator[EventLog]:
        with open_log(tmp_path / "demo.db") as log:
            load_demo(log, now=NOW)
            yield log

    def test_every_kind_of_event(self, log: EventLog) -> None:
        """Goal, gaps, a dozen applications, screens, feedback, promotions, roles, practice, a fix."""
        kinds = {type(r.event).__name__ for r in log.read()}
        assert len(kinds) == 11
        assert log.view("pipeline").total == len(APPLICATIONS) == 12
        assert len({via for *_, via, _ in APPLICATIONS}) >= 4

    def test_about_three_months(self, log: EventLog) -> None:
        """The events span roughly ninety days, ending before now."""
        moments = [r.event.at for r in log.read()]
        assert 80 <= (max(moments) - min(moments)).days <= 92
        assert max(moments) <= NOW

    def test_the_correction_is_honoured(self, log: EventLog) -> None:
        """The slipped phone screen is retracted: Stark never passed one; before the fix it had."""
        (fix,) = [r for r in log.read() if isinstance(r.event, EventRetracted)]
        assert log.view("pipeline").applications["stark-ds"].stage == "applied"
        before = log.view("pipeline", as_of=fix.position - 1)
        assert before.applications["stark-ds"].stage == "phone"

    def test_feedback_shapes_the_gap_list(self, log: EventLog) -> None:
        """Interview feedback tops the list and fills the resume to-do list."""
        gaps = log.view("gaps")
        assert [item.skill for item in gaps.focus] == ["A/B testing", "Stakeholder communication"]
        assert all(recent for _, recent in gaps.focus_practised(NOW))
        assert {p.skill for p in gaps.punch_up} == {"SQL", "Python"}
        assert [item.skill for item in gaps.closed] == ["Cloud (AWS)"]

    def test_funnel_counts_the_furthest_stage(self, log: EventLog) -> None:
        """Rejected applications still count for the stages they passed."""
        counts = [row.count for row in log.view("pipeline").funnel]
        assert counts == [7, 4, 2, 1]


class TestMain:
    """python -m jobsearch_core.demo prints the four views."""

    def test_prints_the_four_views(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """Pipeline with funnel and base rates, gap list, roles and history all appear."""
        assert main([f"sqlite://{tmp_path / 'demo.db'}"]) == 0
        out = capsys.readouterr().out
        for heading in (
            "Pipeline (me)",
            "Funnel",
            "90% range",
            "Gap list",
            "FOCUS",
            "Resume to-do",
            "Suggested roles",
            "missing",
            "History of the gap list",
        ):
            assert heading in out
        assert "12-18" in out  # the base rate of the resume screen

    def test_refuses_a_log_that_holds_events(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """The demo writes only into a fresh log."""
        url = f"sqlite://{tmp_path / 'demo.db'}"
        assert main([url]) == 0
        assert main([url]) == 2
        assert "already holds events" in capsys.readouterr().err

    def test_temporary_file_by_default(self, capsys: pytest.CaptureFixture[str]) -> None:
        """With no URL the demo writes a temporary SQLite file."""
        assert main([]) == 0
        assert "jobsearch-demo-" in capsys.readouterr().out


def test_the_next_step_it_prints_runs_in_a_plain_shell(tmp_path: Path) -> None:
    """`jobsearch demo` names a command that works without the virtual environment on PATH."""
    command = Path(sys.executable).with_name("jobsearch")
    plain = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
    url = f"sqlite://{tmp_path / 'demo.db'}"
    shown = subprocess.run(
        [str(command), "demo", "--log", url], capture_output=True, text=True, env=plain, check=True
    ).stdout
    (hint,) = [line for line in shown.splitlines() if line.startswith("Try: ")]
    step = hint.removeprefix("Try: ").split("   (")[0]
    done = subprocess.run(["sh", "-c", step], capture_output=True, text=True, env=plain)
    assert done.returncode == 0, done.stderr
    assert "Gap list (me, as of position 30)" in done.stdout
