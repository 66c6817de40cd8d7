"""The demo job search: what `make demo` writes and prints."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from jobsearch_core import (
    EventLog,
    EventRetracted,
    FeedbackReceived,
    SkillsMerged,
    open_log,
)
from jobsearch_core.demo import APPLICATIONS, load_demo
from jobsearch_core.demo.__main__ import main
from jobsearch_core.events import BUILTIN_EVENTS
from jobsearch_core.views import GAPS, PIPELINE, PLAN

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


class TestStory:
    """The demo tells the story of the design over about three months."""

    @pytest.fixture
    def log(self, tmp_path: Path) -> Iterator[EventLog]:
        with open_log(tmp_path / "demo.db") as log:
            load_demo(log, now=NOW)
            yield log

    def test_every_kind_of_event(self, log: EventLog) -> None:
        """Goal, gaps, resumes, a dozen applications, screens, interviews, feedback, promotions,
        roles, a merge, practice, a fix: every built-in event but the base rates."""
        kinds = {type(r.event).__name__ for r in log.read()}
        assert kinds == {cls.__name__ for cls in BUILTIN_EVENTS} - {"BaseRatesSet"}
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

    def test_two_resume_versions(self, log: EventLog) -> None:
        """v1, then v2 from day 30: the current resume, and the funnel per version."""
        gaps = log.view(GAPS)
        assert gaps.resume_version == "v2"
        assert "Data storytelling" in gaps.resume_skills
        assert set(log.view(PIPELINE).resume_versions) == {"v1", "v2"}

    def test_a_merged_spelling(self, log: EventLog) -> None:
        """Acme's "AB testing" counts toward A/B testing once merged, and not before."""
        (merge,) = [r for r in log.read() if isinstance(r.event, SkillsMerged)]
        before = log.view(GAPS, as_of=merge.position - 1)
        assert before.get("AB testing") is not before.get("A/B testing")
        after = log.view(GAPS)
        assert after.get("AB testing") is after.get("A/B testing")
        assert after.get("A/B testing").mentions == 4

    def test_interviews_one_still_to_come(self, log: EventLog) -> None:
        """Wayne's final and Soylent's phone screen are past; Soylent's second interview is next."""
        apps = log.view(PIPELINE).applications
        assert [i.stage for i in apps["wayne-insights"].interviews] == ["final"]
        upcoming = apps["soylent-ds"].next_interview(NOW)
        assert upcoming is not None
        assert upcoming.stage == "second_interview"
        assert upcoming.on > NOW

    def test_a_debrief_in_one_append(self, log: EventLog) -> None:
        """The Soylent debrief's feedback, role and move were appended together."""
        (debrief,) = [
            r
            for r in log.read()
            if isinstance(r.event, FeedbackReceived) and r.event.note == "debrief"
        ]
        together = [r for r in log.read() if r.recorded_at == debrief.recorded_at]
        assert [type(r.event).__name__ for r in together] == [
            "FeedbackReceived",
            "RoleSuggested",
            "GapPromoted",
        ]

    def test_the_plan_disagrees_once(self, log: EventLog) -> None:
        """At the end the plan asks one question: a role's missing skill before the rest."""
        plan = log.view(PLAN)
        assert plan.questions == ["Move Data modeling in front of item 7, Machine learning?"]
        assert [item.skill for item in plan.focus] == ["A/B testing", "Stakeholder communication"]

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
            "Learning plan",
            "Move Data modeling in front of item 7, Machine learning?",
            "Interviews, the next 14 days",
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
    """`jobsearch demo` ends by naming a command that works without the virtual environment
    on PATH."""
    command = Path(sys.executable).with_name("jobsearch")
    plain = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
    url = f"sqlite://{tmp_path / 'demo.db'}"
    shown = subprocess.run(
        [str(command), "demo", "--log", url], capture_output=True, text=True, env=plain, check=True
    ).stdout
    (hint,) = [line for line in shown.splitlines() if line.startswith("Try: ")]
    assert shown.splitlines()[-1] == hint  # last, still on the screen
    step = hint.removeprefix("Try: ").split("   (")[0]
    done = subprocess.run(["sh", "-c", step], capture_output=True, text=True, env=plain)
    assert done.returncode == 0, done.stderr
    assert "Gap list (me, as of position 30)" in done.stdout
