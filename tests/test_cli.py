"""Tests for the `jobsearch` command, through click's CliRunner, against the library's views."""

from __future__ import annotations

import json
import sqlite3
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import attrs
import click
import pytest

from jobsearch_core import (
    BackendError,
    ConcurrencyError,
    CorruptEventError,
    Event,
    EventLog,
    FeedbackReceived,
    GapAdded,
    InvalidInputError,
    PluginError,
    ViewError,
    hookimpl,
    open_log,
)
from jobsearch_core.cli import _progress, cli, exit_code
from jobsearch_core.plugins import pm
from tests.conftest import Run
from tests.terminal import Terminal


@pytest.fixture
def log(url: str) -> Iterator[EventLog]:
    """The same log, opened through the library."""
    with open_log(url) as opened:
        yield opened


def story(run: Run) -> None:
    """A small job search recorded from the terminal."""
    run("goal", "Lead a data team", "--years", "5", "--at", "2026-01-01")
    run("gap", "add", "Statistics", "--at", "2026-01-02")
    run("apply", "Acme", "Data Analyst", "--via", "referral", "--at", "2026-01-05")
    run("apply", "Globex", "Data Scientist", "--via", "job board", "--at", "2026-01-06")
    run("pass", "acme-data-analyst", "resume", "--at", "2026-01-10")
    run("pass", "acme-data-analyst", "phone", "--at", "2026-01-14")
    run(
        "feedback", "acme-data-analyst", "--next-focus", "A/B testing", "--punch-up", "SQL",
        "--source", "hiring manager", "--comment", "strong SQL", "--at", "2026-01-20",
    )  # fmt: skip
    run("close", "acme-data-analyst", "rejected", "--at", "2026-01-21")
    run(
        "gap",
        "promote",
        "a/b testing",
        "--to",
        "1",
        "--reason",
        "named twice",
        "--at",
        "2026-01-22",
    )
    run("gap", "practice", "A/B testing", "45", "--at", "2026-01-23")
    run(
        "suggest", "Acme", "Product Analyst", "--skill", "SQL", "--skill", "dbt",
        "--app", "acme-data-analyst", "--by", "hiring manager", "--at", "2026-01-24",
    )  # fmt: skip


class TestRecord:
    """Each record command appends exactly one event."""

    def test_story(self, run: Run, log: EventLog) -> None:
        """A job search recorded from the terminal folds into the expected views."""
        story(run)
        assert log.head == 11
        pipeline = log.view("pipeline")
        app = pipeline.applications["acme-data-analyst"]
        assert (app.company, app.stage, app.outcome, app.via) == (
            "Acme",
            "phone",
            "rejected",
            "referral",
        )
        gaps = log.view("gaps")
        assert [(i.rank, i.skill) for i in gaps.items] == [(1, "A/B testing"), (2, "Statistics")]
        assert gaps.items[0].minutes_practised == 45
        assert [p.skill for p in gaps.punch_up] == ["SQL"]
        assert gaps.goal == "Lead a data team"
        (role,) = log.view("roles").roles
        assert (role.covered, role.missing) == (["SQL"], ["dbt"])

    def test_apply_prints_a_unique_slug(self, run: Run) -> None:
        """Without --id, apply makes a readable ASCII id, unique in the stream."""
        assert (
            run("apply", "Ümlaut GmbH", "Data Analyst").output.strip() == "umlaut-gmbh-data-analyst"
        )
        assert (
            run("apply", "Ümlaut GmbH", "Data Analyst", "--again").output.strip()
            == "umlaut-gmbh-data-analyst-2"
        )
        assert run("apply", "Zürich Re", "Ærø Straße").output.strip() == "zurich-re-aero-strasse"
        assert run("apply", "株式会社", "エンジニア").output.strip() == "application"
        assert run("apply", "Acme", "Analyst", "--id", "a1").output.strip() == "a1"
        assert run("apply", "Acme", "Analyst", "--stream", "ann").output.strip() == "acme-analyst"

    def test_goal_says_what_was_set(self, run: Run) -> None:
        """goal answers with the goal and its horizon, counted."""
        said = run("goal", "Lead a data team").output
        assert said == "recorded #1: goal: Lead a data team (5 years)\n"
        said = run("goal", "Lead a data team", "--years", "1").output
        assert said == "recorded #2: goal: Lead a data team (1 year)\n"

    def test_at_backfills(self, run: Run, log: EventLog) -> None:
        """--at sets when it happened; a bare date is that day in local time."""
        run("gap", "add", "SQL", "--at", "2026-02-03T10:30:00+00:00")
        run("gap", "add", "Go", "--at", "2026-02-04")
        first, second = (r.event.at for r in log.read())
        assert first.isoformat() == "2026-02-03T10:30:00+00:00"
        assert second.astimezone().date().isoformat() == "2026-02-04"

    def test_retract(self, run: Run, log: EventLog) -> None:
        """retract makes views skip an event; nothing is deleted."""
        run("gap", "add", "SQL")
        run("gap", "add", "Go")
        run("retract", "1", "--reason", "typo")
        assert [i.skill for i in log.view("gaps").items] == ["Go"]
        assert log.head == 3

    def test_suggest_names_what_is_missing(self, run: Run) -> None:
        """suggest says which of the role's skills are neither on the list nor on the resume."""
        run("gap", "add", "SQL")
        run("apply", "Acme", "Analyst")
        run("feedback", "acme-analyst", "--punch-up", "Python")
        out = run(
            "suggest", "Globex", "PM", "--skill", "sql", "--skill", "python", "--skill", "dbt"
        ).output
        assert out.rstrip().endswith("not on your list yet: dbt")

    def test_gap_close(self, run: Run, log: EventLog) -> None:
        """gap close takes a skill off the open list."""
        run("gap", "add", "SQL")
        run("gap", "close", "sql", "--note", "certified")
        assert log.view("gaps").items == []
        run("gap", "close", "SQL", code=2)


class TestBadInput:
    """Bad input: exit status 2, one line naming the problem, nothing appended."""

    @pytest.mark.parametrize(
        ("args", "message"),
        [
            (["pass", "nope", "phone"], "no application 'nope' in stream 'me'"),
            (["pass", "acme-analyst", "onsite"], "'onsite' is not one of"),
            (["close", "acme-analyst", "ghosted"], "'ghosted' is not one of"),
            (["gap", "add", "SQL", "--rank", "0"], "0 is not in the range x>=1"),
            (["gap", "promote", "SQL", "--to", "9", "--new"], "rank 9 is out of range"),
            (["gap", "promote", "SQL", "--to", "1"], "no skill 'SQL' on the gap list"),
            (["gap", "practice", "Cooking", "30"], "no skill 'Cooking' on the gap list"),
            (["gap", "practice", "Tableau", "--", "-5"], "-5 is not in the range"),
            (["gap", "add", "SQL", "--at", "next tuesday"], "cannot read 'next tuesday' as a date"),
            (["gap", "add", "   "], "must not be empty or blank"),
            (["apply", "Acme", "Analyst", "--again", "--id", "acme-analyst"], "already exists"),
            (["apply", "acme", "ANALYST"], "open application to ANALYST at acme already"),
            (["feedback", "acme-analyst"], "at least one --punch-up SKILL or --next-focus SKILL"),
            (["retract", "99", "--reason", "x"], "not in the log"),
            (["gaps", "--as-of", "99"], "past the end of the log"),
            (["gaps", "--as-of", "someday"], "cannot read 'someday'"),
            (["--log", "nosuch://x", "gaps"], "no backend for nosuch://"),
            (["--log", "sqlite://host/x.db", "gaps"], "names a file, not a host"),
            (["gap", "add", "SQL", "--stream", "tab\there"], "stream name"),
        ],
    )
    def test_refused(self, run: Run, log: EventLog, args: list[str], message: str) -> None:
        """Each is refused with exit 2, a one-line message, no traceback, and nothing appended."""
        run("apply", "Acme", "Analyst")
        run("gap", "add", "Tableau")
        before = log.head
        result = run(*args, code=2)
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1, result.stderr
        assert lines[0].startswith("error: ")
        assert message in lines[0]
        assert "Traceback" not in result.output + result.stderr
        assert log.head == before

    def test_debug_shows_the_traceback(self, run: Run) -> None:
        """--debug adds the traceback to the one-line error."""
        result = run("--debug", "pass", "nope", "phone", code=2)
        assert "Traceback" in result.stderr
        assert "no application 'nope'" in result.stderr


class TestRead:
    """The read commands: tables for people, stable JSON for tools, now or in the past."""

    def test_tables(self, run: Run) -> None:
        """Default output shows the funnel beside base rates and marks focus items."""
        story(run)
        pipeline = run("pipeline").output
        assert "90% range" in pipeline
        assert "12-18" in pipeline
        assert "acme-data-analyst" in pipeline
        gaps = run("gaps").output
        assert "FOCUS" in gaps
        assert "Resume to-do" in gaps
        assert "Product Analyst" in run("roles").output
        assert "named twice" in run("history").output
        assert "FeedbackReceived" in run("log").output

    def test_json_matches_the_library(self, run: Run, log: EventLog) -> None:
        """--json carries the same facts as the library's views."""
        story(run)
        pipeline = json.loads(run("pipeline", "--json").output)
        library = log.view("pipeline")
        assert pipeline["total"] == library.total
        assert [a["id"] for a in pipeline["applications"]] == list(library.applications)
        assert [r["count"] for r in pipeline["funnel"]] == [r.count for r in library.funnel]
        assert pipeline["funnel"][0]["base_low"] == 12
        assert set(pipeline["channels"]) == {"referral", "job board"}
        gaps = json.loads(run("gaps", "--json").output)
        assert [(i["rank"], i["skill"]) for i in gaps["items"]] == [
            (i.rank, i.skill) for i in log.view("gaps").items
        ]
        assert [i["focus"] for i in gaps["items"]] == [True, True]
        roles = json.loads(run("roles", "--json").output)
        assert roles["roles"][0]["missing"] == ["dbt"]
        history = json.loads(run("history", "--json").output)
        assert [c["rank"] for c in history["ranks"]["Statistics"]] == [1, 2]
        entries = json.loads(run("log", "--json").output)
        assert [e["position"] for e in entries] == list(range(1, 12))
        assert entries[0]["type"] == "CareerGoalSet"
        assert entries[0]["data"]["goal"] == "Lead a data team"

    def test_as_of(self, run: Run, log: EventLog) -> None:
        """--as-of takes a position or a date, and matches view(as_of=...)."""
        story(run)
        by_position = json.loads(run("gaps", "--json", "--as-of", "2").output)
        assert [i["skill"] for i in by_position["items"]] == ["Statistics"]
        assert by_position["as_of"] == 2
        by_date = json.loads(run("pipeline", "--json", "--as-of", "2026-01-12").output)
        assert by_date["applications"][0]["stage"] == "resume"
        logged = json.loads(run("log", "--json", "--as-of", "3").output)
        assert [e["position"] for e in logged] == [1, 2, 3]

    def test_history_filters(self, run: Run) -> None:
        """history SKILL and --since narrow the changes shown."""
        story(run)
        only = json.loads(run("history", "statistics", "--json").output)
        assert list(only["ranks"]) == ["Statistics"]
        since = json.loads(run("history", "--json", "--since", "2026-01-22").output)
        assert all(c["at"] >= "2026-01-22" for cs in since["ranks"].values() for c in cs)
        run("history", "Cooking", code=2)

    def test_log_filters(self, run: Run) -> None:
        """log --stream and --after select events."""
        run("gap", "add", "SQL")
        run("gap", "add", "Go", "--stream", "ann")
        run("gap", "add", "Rust")
        assert [
            e["position"] for e in json.loads(run("log", "--json", "--stream", "ann").output)
        ] == [2]
        assert [e["position"] for e in json.loads(run("log", "--json", "--after", "1").output)] == [
            2,
            3,
        ]

    def test_log_marks_retracted_events(self, run: Run) -> None:
        """A retracted event is marked with the correction in force; --no-retracted hides both."""
        run("gap", "add", "SQL")
        run("gap", "practice", "SQL", "10000")
        run("retract", "2", "--reason", "meant 10 minutes")
        table = run("log").output
        assert "[retracted by #3] SQL minutes=10000" in table
        shown = json.loads(run("log", "--json").output)
        assert [e["retracted_by"] for e in shown] == [None, 3, None]
        kept = json.loads(run("log", "--json", "--no-retracted").output)
        assert [e["position"] for e in kept] == [1]
        # As of before the correction, nothing was retracted yet.
        assert [
            e["retracted_by"] for e in json.loads(run("log", "--json", "--as-of", "2").output)
        ] == [None, None]
        run("retract", "3", "--reason", "it was 10000 after all")
        assert [e["retracted_by"] for e in json.loads(run("log", "--json").output)] == [
            None,
            None,
            4,
            None,
        ]
        run("retract", "3", "--reason", "again", code=2)


class TestMistakesCaught:
    """Sequences that are most likely slips are refused in one line (exit 2); --force records them."""

    @pytest.fixture
    def applied(self, run: Run) -> Run:
        run("apply", "Acme", "Data Engineer", "--at", "2026-03-02")
        run("gap", "add", "System design")
        run("gap", "add", "Statistics")
        return run

    @pytest.mark.parametrize(
        ("steps", "refused", "message"),
        [
            (
                [],
                ["pass", "acme-data-engineer", "resume", "--at", "2026-03-01"],
                "before the application was sent",
            ),
            ([], ["pass", "acme-data-engineer", "resume", "--at", "2999-01-01"], "in the future"),
            (
                [["pass", "acme-data-engineer", "resume", "--at", "2026-03-05"]],
                ["pass", "acme-data-engineer", "resume", "--at", "2026-03-06"],
                "passed the resume stage already",
            ),
            (
                [["close", "acme-data-engineer", "rejected", "--at", "2026-03-09"]],
                ["pass", "acme-data-engineer", "phone", "--at", "2026-03-10"],
                "is closed (rejected); only feedback follows",
            ),
            (
                [["close", "acme-data-engineer", "rejected"]],
                ["close", "acme-data-engineer", "no_response"],
                "closed already (rejected)",
            ),
            (
                [
                    ["close", "acme-data-engineer", "offer"],
                    ["close", "acme-data-engineer", "declined"],
                ],
                ["close", "acme-data-engineer", "accepted"],
                "closed already (declined)",
            ),
            (
                [
                    ["close", "acme-data-engineer", "offer"],
                    ["close", "acme-data-engineer", "accepted"],
                ],
                ["close", "acme-data-engineer", "declined"],
                "closed already (accepted)",
            ),
        ],
    )
    def test_refused_unless_forced(
        self, applied: Run, log: EventLog, steps: list[list[str]], refused: list[str], message: str
    ) -> None:
        """Refused with one line naming the slip and --force; nothing appended; forced, it is."""
        for step in steps:
            applied(*step)
        head = log.head
        result = applied(*refused, code=2)
        assert message in result.stderr
        assert "--force" in result.stderr
        assert result.stderr.count("\n") == 1
        assert log.head == head
        applied(*refused, "--force")
        assert log.head == head + 1

    def test_an_offer_then_an_answer_is_normal(self, applied: Run) -> None:
        """After an offer, accepting (or declining) it is the usual end."""
        applied("close", "acme-data-engineer", "offer")
        applied("close", "acme-data-engineer", "accepted")

    def test_feedback_after_a_rejection_is_normal(self, applied: Run) -> None:
        """Feedback is what the method asks for after a rejection."""
        applied("close", "acme-data-engineer", "rejected")
        applied("feedback", "acme-data-engineer", "--next-focus", "Kafka")

    def test_promote_a_skill_not_on_the_list(self, applied: Run, log: EventLog) -> None:
        """A near miss is named; --new puts a new skill on the list."""
        result = applied("gap", "promote", "Sytem design", "--to", "1", code=2)
        assert "did you mean 'System design'" in result.stderr
        applied("gap", "promote", "Kafka", "--to", "1", "--new")
        assert log.view("gaps").items[0].skill == "Kafka"

    def test_ids_and_skills_by_case_and_prefix(self, applied: Run, log: EventLog) -> None:
        """ACME-DATA and acme-d both mean acme-data-engineer; 'sys' means System design."""
        applied("pass", "ACME-DATA", "resume", "--at", "2026-03-05")
        applied("feedback", "acme-d", "--punch-up", "SQL")
        applied("gap", "practice", "sys", "30")
        applied("gap", "promote", "stat", "--to", "1")
        app = log.view("pipeline").applications["acme-data-engineer"]
        assert (app.stage, app.feedback_count) == ("resume", 1)
        gaps = log.view("gaps")
        assert [item.skill for item in gaps.items] == ["Statistics", "System design"]
        assert gaps.items[1].minutes_practised == 30

    @pytest.mark.parametrize(
        ("given", "meant"),
        [
            ("acme-data-enginer", "acme-data-engineer"),  # a slip in the whole id
            ("acne-data", "acme-data-engineer"),  # a slip in its start
            ("ACNE-D", "acme-data-engineer"),
        ],
    )
    def test_a_near_miss_of_an_id_is_named(self, applied: Run, given: str, meant: str) -> None:
        """A mistyped id, whole or only its start, is refused with the id it nearly is."""
        result = applied("pass", given, "resume", code=2)
        assert f"did you mean {meant!r}?" in result.stderr

    def test_nothing_near_is_not_guessed(self, applied: Run) -> None:
        """A name that is no slip of any id lists the ids instead of guessing one."""
        result = applied("pass", "xyz", "resume", code=2)
        assert "did you mean" not in result.stderr
        assert "known: 'acme-data-engineer'" in result.stderr

    def test_a_near_miss_of_a_skill_says_how_to_add_it(self, applied: Run) -> None:
        """The near miss first, then how to put the skill as typed on the list."""
        result = applied("gap", "practice", "Sytm", "30", code=2)
        assert "did you mean 'System design'? Add it with: jobsearch gap add 'Sytm'" in (
            result.stderr
        )

    def test_an_ambiguous_prefix_is_refused(self, applied: Run) -> None:
        """A prefix of two skills names both."""
        result = applied("gap", "practice", "s", "30", code=2)
        assert "could be more than one skill" in result.stderr
        assert "'System design'" in result.stderr
        assert "'Statistics'" in result.stderr

    def test_a_retracted_application_frees_its_id(self, applied: Run, log: EventLog) -> None:
        """A typo put right: retract the submission, then apply under the id it should have had."""
        applied("apply", "Acmee", "Data Engineer")
        (typo,) = [r for r in log.read() if getattr(r.event, "company", None) == "Acmee"]
        applied("retract", str(typo.position), "--reason", "typo")
        applied("apply", "Acme", "Data Engineer", "--id", "acmee-data-engineer", "--again")
        assert log.view("pipeline").applications["acmee-data-engineer"].company == "Acme"


class TestLookingCloser:
    """show, pipeline's filters, and what interviewers said, where a person looks for it."""

    @pytest.fixture
    def search(self, run: Run) -> Run:
        run("apply", "Acme", "Data Engineer", "--via", "Job Board", "--at", "2026-03-02")
        run("apply", "Globex", "Analyst", "--via", "job board", "--at", "2026-03-01")
        run("apply", "Initech", "BI Developer", "--via", "referral", "--at", "2026-03-03")
        run("pass", "acme", "resume", "--at", "2026-03-04")
        run(
            "feedback",
            "acme",
            "--next-focus",
            "Kafka",
            "--source",
            "hm",
            "--comment",
            "every case streamed",
            "--at",
            "2026-03-05",
        )
        run("suggest", "Acme", "Platform Engineer", "--skill", "Kafka", "--app", "acme")
        run("close", "globex", "rejected", "--at", "2026-03-06")
        return run

    def test_show_is_one_applications_timeline(self, search: Run) -> None:
        """Every event naming it, in time order, what was said, and the role suggested."""
        out = search("show", "ACME").output
        assert out.startswith("acme-data-engineer: Data Engineer at Acme, via Job Board")
        assert "every case streamed" in out
        assert "Platform Engineer" in out
        assert "Globex" not in out
        shown = json.loads(search("show", "acme", "--json").output)
        assert shown["application"]["stage"] == "resume"
        assert [e["type"] for e in shown["events"]] == [
            "ResumeSubmitted",
            "ScreenPassed",
            "FeedbackReceived",
            "RoleSuggested",
        ]

    def test_pipeline_filters_and_order(self, search: Run) -> None:
        """--open, --closed, --channel (compared like skills) and --sort."""

        def ids(*args: str) -> list[str]:
            shown = json.loads(search("pipeline", "--json", *args).output)
            return [app["id"] for app in shown["applications"]]

        assert ids("--open") == ["acme-data-engineer", "initech-bi-developer"]
        assert ids("--closed") == ["globex-analyst"]
        assert ids("--channel", "JOB BOARD") == ["acme-data-engineer", "globex-analyst"]
        assert ids("--sort", "applied") == [
            "globex-analyst",
            "acme-data-engineer",
            "initech-bi-developer",
        ]
        assert ids("--sort", "stage")[0] == "acme-data-engineer"
        search("pipeline", "--open", "--closed", code=2)

    def test_what_was_said_shows(self, search: Run, log: EventLog) -> None:
        """What was said shows in gaps (an item's comment, and the words of the feedback
        that named it) and in log."""
        log.append(
            [
                FeedbackReceived(
                    application_id="acme-data-engineer",
                    items=[
                        {"skill": "Kafka", "mark": "next_focus", "comment": "streams, not batches"}
                    ],
                )
            ]
        )
        assert "streams, not batches" in search("gaps").output
        assert json.loads(search("gaps", "--json").output)["items"][0]["comments"] == [
            "every case streamed",  # the fixture's feedback on Kafka: its --comment
            "streams, not batches",
        ]
        assert "every case streamed" in search("log").output

    def test_a_comment_on_one_skill_from_the_command_line(self, search: Run) -> None:
        """SKILL=WHAT keeps what was said of that skill: gaps shows it beside the skill."""
        search(
            "feedback", "acme", "--next-focus", "dbt=asked twice about incremental models",
            "--punch-up", "SQL", "--comment", "a good talk",
        )  # fmt: skip
        gaps = json.loads(search("gaps", "--json").output)
        items = {i["skill"]: i for i in gaps["items"]}
        assert items["dbt"]["comments"] == ["asked twice about incremental models", "a good talk"]
        punch_up = {i["skill"]: i for i in gaps["punch_up"]}
        assert punch_up["SQL"]["comments"] == ["a good talk"]
        assert "asked twice about incremental models" in search("gaps").output
        assert "a good talk" in search("log").output
        assert (
            "nothing after '='" in search("feedback", "acme", "--next-focus", "dbt=", code=2).stderr
        )


class TestCorrectionsFromTheTerminal:
    """amend and undo: one append each, nothing deleted, the history keeps both."""

    def test_amend_a_typo(self, run: Run, log: EventLog) -> None:
        """The pipeline keeps no row with the typo; the log keeps both, the first marked."""
        run("apply", "Acmee", "Data Engineer")
        out = run(
            "amend", "1", "--company", "Acme", "--application-id", "acme-data-engineer"
        ).output
        assert "#1 retracted, and #3" in out
        apps = log.view("pipeline").applications
        assert [(a.id, a.company) for a in apps.values()] == [("acme-data-engineer", "Acme")]
        shown = json.loads(run("log", "--json").output)
        assert [(e["position"], e["retracted_by"]) for e in shown] == [(1, 2), (2, None), (3, None)]
        assert shown[1]["data"]["reason"] == "amended: company, application_id"

    def test_amend_numbers_lists_and_dates(self, run: Run, log: EventLog) -> None:
        """Whole numbers, comma lists of skills and dates are read as their fields read."""
        run("gap", "add", "SQL")
        run("gap", "practice", "SQL", "10000")
        run("amend", "2", "--minutes", "10", "--at", "2026-03-02")
        run("suggest", "Acme", "PM", "--skill", "SQL")
        run("amend", "5", "--skills", "SQL, dbt")
        gaps = log.view("gaps")
        assert gaps.items[0].minutes_practised == 10
        assert log.view("roles").roles[0].skills == ["SQL", "dbt"]

    @pytest.mark.parametrize(
        ("args", "message"),
        [
            (["amend", "1", "--colour", "red"], "has no field 'colour'"),
            (["amend", "1"], "at least one --FIELD VALUE"),
            (["amend", "1", "--rank", "many"], "is not a whole number"),
            (["amend", "1", "--skill", "  "], "the amended event is refused"),
            (["amend", "9", "--skill", "Go"], "no event at position 9"),
        ],
    )
    def test_amend_refuses(self, run: Run, log: EventLog, args: list[str], message: str) -> None:
        """A field the event lacks, a value its class refuses, a position not there."""
        run("gap", "add", "SQL")
        assert message in run(*args, code=2).stderr
        assert log.head == 1

    def test_undo_shows_then_retracts(self, run: Run, log: EventLog) -> None:
        """undo names the last standing event; it asks first, and --yes does not."""
        run("gap", "add", "SQL")
        run("gap", "add", "Go")
        result = run("undo", input="n\n", code=1)
        assert "#2 GapAdded: Go" in result.output
        assert log.head == 2
        run("undo", input="y\n")
        run("undo", "--yes")  # then SQL: the retraction itself is not undone
        assert log.view("gaps").items == []
        assert run("undo", "--yes", code=2).stderr.startswith(
            "error: stream 'me' has nothing to undo"
        )

    def test_undo_in_a_terminal(self, run: Run, url: str, terminal: Terminal) -> None:
        """In a real terminal: undo shows the event and asks; Enter keeps it (the default is
        no, exit 1), y retracts it."""
        run("apply", "Acme", "Data Engineer")
        terminal.start(url, "undo")
        screen = terminal.wait_for("Retract it? [y/N]")
        assert "#1 ResumeSubmitted: acme-data-engineer company=Acme role=Data Engineer" in screen
        terminal.type("")
        assert "DONE 1" in terminal.wait_for("DONE")
        terminal.close()
        with open_log(url) as log:
            assert log.head == 1
        terminal.start(url, "undo")
        terminal.wait_for("Retract it? [y/N]")
        terminal.type("y")
        screen = terminal.wait_for("DONE")
        assert "recorded #2: #1 retracted" in screen
        assert "DONE 0" in screen
        with open_log(url) as log:
            assert log.view("pipeline").applications == {}

    def test_a_retracted_event_cannot_be_amended(self, run: Run) -> None:
        """Amending what is already retracted is refused, naming the retraction."""
        run("gap", "add", "SQL")
        run("retract", "1", "--reason", "no")
        assert "retracted already (by #2)" in run("amend", "1", "--skill", "Go", code=2).stderr


class TestJsonEverywhere:
    """--json on every command that records, and on verify: the stored records, the findings."""

    @pytest.mark.parametrize(
        "args",
        [
            ["apply", "Acme", "Analyst"],
            ["gap", "add", "SQL"],
            ["goal", "Lead a data team"],
            ["suggest", "Acme", "PM", "--skill", "SQL"],
        ],
    )
    def test_record_commands_print_the_records(
        self, run: Run, log: EventLog, args: list[str]
    ) -> None:
        """The records as `log --json` gives them (without its retraction mark)."""
        printed = json.loads(run(*args, "--json").output)
        (last,) = json.loads(run("log", "--json").output)[-1:]
        del last["retracted_by"]
        assert printed == [last]
        assert printed[0]["position"] == log.head

    def test_amend_prints_both_records(self, run: Run) -> None:
        """A correction made of two events prints both."""
        run("gap", "add", "SQL")
        printed = json.loads(run("amend", "1", "--skill", "Go", "--json").output)
        assert [(r["type"], r["position"]) for r in printed] == [
            ("EventRetracted", 2),
            ("GapAdded", 3),
        ]

    def test_verify_json(self, run: Run, url: str) -> None:
        """Sound: no problems and exit 0; a row changed behind its back: listed, exit 1."""
        run("gap", "add", "SQL")
        sound = json.loads(run("verify", "--json").output)
        assert (sound["events"], sound["problems"]) == (1, [])
        with sqlite3.connect(url.removeprefix("sqlite://")) as raw:
            raw.execute("UPDATE events SET data = ? WHERE position = 1", (b'{"skill": "Go"}',))
        found = json.loads(run("verify", "--json", code=1).output)["problems"]
        assert [problem["position"] for problem in found] == [1]


class TestStandardStreams:
    """`export -` and `import -`: pipes, as Unix tools take them."""

    def test_export_to_stdout_and_import_from_stdin(self, run: Run, tmp_path: Path) -> None:
        """One log piped into another; --json says how many came in."""
        run("gap", "add", "SQL")
        run("apply", "Acme", "Analyst")
        exported = run("export", "-").output
        other = f"sqlite://{tmp_path / 'other.db'}"
        shown = json.loads(run("--log", other, "import", "-", "--json", input=exported).output)
        assert shown == {"events": 2, "already": 0}
        again = json.loads(run("--log", other, "import", "-", "--json", input=exported).output)
        assert again == {"events": 0, "already": 2}
        with open_log(other) as log:
            assert [item.skill for item in log.view("gaps").items] == ["SQL"]

    def test_a_csv_from_stdin(self, run: Run) -> None:
        """--csv reads standard input too, and --json counts what it took."""
        csv_text = "Company,Title,Status\nAcme,Analyst,Applied\nGlobex,PM,Wishlist\n"
        shown = json.loads(run("import", "-", "--csv", "--json", input=csv_text).output)
        assert (shown["applications"], shown["skipped"]) == (1, {"wishlist": 1})


class TestConventions:
    """What a user of a command line expects: options anywhere, exit codes that say what failed."""

    def test_log_after_the_subcommand(self, run: Run, tmp_path: Path) -> None:
        """--log URL (and --log=URL) may follow the subcommand, as with most tools."""
        other = f"sqlite://{tmp_path / 'other.db'}"
        run("gap", "add", "SQL", "--log", other)
        run("gap", "add", "Go", f"--log={other}")
        with open_log(other) as log:
            assert [item.skill for item in log.view("gaps").items] == ["SQL", "Go"]
        assert json.loads(run("gaps", "--json").output)["items"] == []  # $JOBSEARCH_LOG's

    @pytest.mark.parametrize(
        ("args", "code"),
        [
            (["pass", "nosuch", "phone"], 2),  # bad input
            (["--log", "sqlite:///nonexistent/folder/log.db", "gaps"], 3),  # the backend
            (["--log", "nosuch://x", "gaps"], 2),  # an unknown scheme is bad input
        ],
    )
    def test_exit_codes(self, run: Run, args: list[str], code: int) -> None:
        """Each kind of failure has its own exit status, on one line."""
        result = run(*args, code=code)
        assert result.stderr.count("\n") == 1

    def test_exit_code_of_each_error(self) -> None:
        """The table of docs/cli.md: 3 backend, 4 concurrency, 5 plugin, 6 damaged, else 2."""
        assert exit_code(BackendError("down")) == 3
        assert exit_code(ConcurrencyError("me", 1, 2)) == 4
        assert exit_code(PluginError("clash")) == 5
        assert exit_code(CorruptEventError("bad", position=3)) == 6
        assert exit_code(ViewError("fussy", "me", 3, ValueError("bad fold"))) == 5
        assert exit_code(InvalidInputError("no")) == 2

    def test_ids_are_never_cut_short(self, run: Run) -> None:
        """The pipeline table shows each id whole, however long the other columns."""
        long_id = "a-very-long-application-id-" + "x" * 40
        run("apply", "A" * 80, "R" * 80, "--id", long_id)
        run("apply", "A" * 80, "R" * 80, "--id", long_id[:-1], "--again")
        output = run("pipeline").output
        assert long_id in output
        assert long_id[:-1] in output


class TestPictures:
    """The bump chart and the HTML report."""

    def test_png_and_svg(self, run: Run, tmp_path: Path) -> None:
        """history --plot writes a real PNG and a well-formed SVG."""
        story(run)
        png, svg = tmp_path / "ranks.png", tmp_path / "ranks.svg"
        run("history", "--plot", str(png))
        run("history", "--plot", str(svg))
        assert png.read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
        assert ET.parse(svg).getroot().tag.endswith("svg")

    def test_bad_plot_file(self, run: Run, tmp_path: Path) -> None:
        """Only .png and .svg are drawn."""
        run("history", "--plot", str(tmp_path / "x.gif"), code=2)

    def test_report(self, run: Run, tmp_path: Path) -> None:
        """report writes one self-contained page: its sections, the replay control, the data
        and an inline SVG chart."""
        story(run)
        page = tmp_path / "report.html"
        result = run("report", str(page))
        assert result.output.startswith(f"wrote {page} (")
        text = page.read_text()
        assert text.startswith("<!DOCTYPE html>")
        assert text.rstrip().endswith("</html>")
        for part in ("Gap list", "Suggested roles", "A/B testing", "Product Analyst", "<svg"):
            assert part in text
        assert '<input type="range" id="as-of" name="as-of"' in text
        assert "src=" not in text  # nothing loaded from elsewhere
        svg = text[text.index("<svg") : text.index("</svg>") + len("</svg>")]
        assert ET.fromstring(svg).tag.endswith("svg")

    def test_without_matplotlib(
        self, run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """Without matplotlib, the SVG chart and the report are written all the same, and a
        PNG is refused with how to get one."""
        import sys

        monkeypatch.setitem(sys.modules, "matplotlib", None)
        run("gap", "add", "SQL")
        result = run("history", "--plot", str(tmp_path / "x.png"), code=2)
        assert "pip install 'jobsearch-core[plot]'" in result.stderr
        assert not (tmp_path / "x.png").exists()
        result = run("history", "--plot", str(tmp_path / "x.svg"))
        assert ET.parse(tmp_path / "x.svg").getroot().tag.endswith("svg")
        assert "a PNG needs matplotlib: pip install 'jobsearch-core[plot]'" in result.stderr
        run("report", str(tmp_path / "x.html"))
        assert "<svg" in (tmp_path / "x.html").read_text()


@attrs.frozen(kw_only=True)
class MoodNoted(Event):
    """An event type from a plugin, to travel as an unknown type."""

    __event_type__ = "acme.MoodNoted"
    mood: str


class TestMoveData:
    """export, import and import --csv."""

    def test_round_trip(self, run: Run, log: EventLog, tmp_path: Path) -> None:
        """export then import into a fresh log gives identical views, corrections included."""
        story(run)
        run("retract", "9", "--reason", "changed my mind")
        run("gap", "add", "Go", "--stream", "ann")
        exported = tmp_path / "events.jsonl"
        run("export", str(exported))
        lines = exported.read_text().splitlines()
        assert len(lines) == 13
        first = json.loads(lines[0])
        assert set(first) == {
            "position",
            "stream",
            "version",
            "type",
            "schema_version",
            "recorded_at",
            "event_id",
            "metadata",
            "data",
        }
        assert first["metadata"] == {"source": "cli"}
        other = f"sqlite://{tmp_path / 'other.db'}"
        with open_log(other) as target:
            target.append([GapAdded(skill="already there")], stream="zed")  # positions shift
        assert run("--log", other, "import", str(exported)).output == "imported 13 events\n"
        again = run("--log", other, "import", str(exported)).output
        assert again == "imported 0 events (13 were in the log already)\n"
        with open_log(other) as target:
            assert target.head == 14
            for stream in ("me", "ann"):
                for name in ("pipeline", "gaps", "roles", "history"):
                    assert _comparable(target.view(name, stream=stream)) == _comparable(
                        log.view(name, stream=stream)
                    ), name
            copied = [(r.event_id, r.metadata) for r in target.read() if r.stream != "zed"]
        assert copied == [(r.event_id, r.metadata) for r in log.read()]

    def test_an_export_without_ids_imports_once(self, run: Run, tmp_path: Path) -> None:
        """Lines of an export made before events had ids get ids from what they hold, so the
        file imported twice still adds nothing; their metadata says they were imported."""
        source = tmp_path / "old.jsonl"
        source.write_text(
            '{"position":1,"stream":"me","type":"GapAdded","schema_version":1,'
            '"data":{"at":"2026-01-01T00:00:00+00:00","skill":"SQL"}}\n'
            '{"position":2,"stream":"me","type":"GapAdded","schema_version":1,'
            '"data":{"at":"2026-01-01T00:00:00+00:00","skill":"SQL"}}\n'
        )
        assert run("import", str(source)).output == "imported 2 events\n"
        assert "imported 0 events" in run("import", str(source)).output
        exported = [json.loads(line) for line in run("export", "-").output.splitlines()]
        assert [line["metadata"] for line in exported] == [{"source": "import"}] * 2
        assert len({line["event_id"] for line in exported}) == 2

    def test_an_id_taken_by_another_event_is_refused(self, run: Run, tmp_path: Path) -> None:
        run("gap", "add", "SQL")
        (line,) = run("export", "-").output.splitlines()
        changed = json.loads(line)
        changed["data"]["skill"] = "Go"
        source = tmp_path / "changed.jsonl"
        source.write_text(json.dumps(changed) + "\n")
        result = run("import", str(source), code=2)
        assert "is stored at position 1" in result.stderr
        assert "nothing was appended" in result.stderr

    def test_unknown_events_travel_byte_for_byte(self, run: Run, url: str, tmp_path: Path) -> None:
        """An event type no installed plugin knows is exported and imported unchanged."""

        class Moods:
            @hookimpl
            def register_event_types(self, register: Any) -> None:
                register(MoodNoted)

        moods = Moods()
        pm.register(moods, name="acme-moods")
        try:
            with open_log(url) as log:
                log.append([MoodNoted(mood='hopeful "🌱" \u2028 \x00')])
        finally:
            pm.unregister(moods)
        exported = tmp_path / "events.jsonl"
        run("export", str(exported))
        other = f"sqlite://{tmp_path / 'other.db'}"
        run("--log", other, "import", str(exported))
        original = (
            sqlite3.connect(url.removeprefix("sqlite://"))
            .execute("SELECT type, data FROM events")
            .fetchall()
        )
        copied = (
            sqlite3.connect(other.removeprefix("sqlite://"))
            .execute("SELECT type, data FROM events")
            .fetchall()
        )
        assert copied == original

    @pytest.mark.parametrize(
        ("line", "why"),
        [
            ("{not json", "not JSON"),
            ('{"stream": "me", "type": "GapAdded", "schema_version": 1}', "missing data"),
            ('{"stream": "", "type": "GapAdded", "schema_version": 1, "data": {}}', "stream name"),
            (
                '{"stream": "me", "type": "GapAdded", "schema_version": 1, "data": {"skill": " ", "at": "2026-01-01T00:00:00+00:00"}}',
                "blank",
            ),
            (
                '{"stream": "me", "type": "EventRetracted", "schema_version": 1, "data": {"position": 7, "at": "2026-01-01T00:00:00+00:00"}}',
                "no earlier line",
            ),
        ],
    )
    def test_bad_line_imports_nothing(
        self, run: Run, log: EventLog, tmp_path: Path, line: str, why: str
    ) -> None:
        """One bad line: exit 2, its line number and why, and nothing appended."""
        good = '{"stream":"me","type":"GapAdded","schema_version":1,"data":{"at":"2026-01-01T00:00:00+00:00","skill":"SQL"}}'
        source = tmp_path / "in.jsonl"
        source.write_text(f"{good}\n{good}\n{line}\n")
        result = run("import", str(source), code=2)
        assert "line 3" in result.stderr
        assert why in result.stderr
        assert log.head == 0

    def test_csv_with_defaults(self, run: Run, log: EventLog, tmp_path: Path) -> None:
        """A tracker's CSV becomes the events that reproduce each row's furthest stage and outcome."""
        source = tmp_path / "tracker.csv"
        source.write_text(
            "Company,Title,Status,Date Applied,Source\n"
            "Acme,Data Analyst,Phone Screen,2026-01-05,referral\n"
            "Globex,Data Scientist,Rejected,2026-01-06,job board\n"
            "Initech,BI Developer,Offer,2026-01-07,\n"
        )
        result = run("import", "--csv", str(source))
        assert "imported 3 applications" in result.output
        apps = log.view("pipeline").applications
        assert (apps["acme-data-analyst"].stage, apps["acme-data-analyst"].outcome) == (
            "phone",
            None,
        )
        assert apps["globex-data-scientist"].outcome == "rejected"
        assert (apps["initech-bi-developer"].stage, apps["initech-bi-developer"].outcome) == (
            "final",
            "offer",
        )
        assert apps["acme-data-analyst"].applied_at.astimezone().date().isoformat() == "2026-01-05"
        assert apps["acme-data-analyst"].via == "referral"

    def test_csv_with_map_and_date_format(self, run: Run, log: EventLog, tmp_path: Path) -> None:
        """--map names the columns and --date-format reads the tracker's dates."""
        source = tmp_path / "tracker.csv"
        source.write_text("Employer;Job;Where;When\n")
        source.write_text("Employer,Job,Where,When\nAcme,Analyst,Final Round,03/15/2026\n")
        run(
            "import", "--csv", str(source), "--map", "company=Employer,role=Job,status=Where,date=When",
            "--date-format", "%m/%d/%Y",
        )  # fmt: skip
        (app,) = log.view("pipeline").applications.values()
        assert (app.company, app.stage) == ("Acme", "final")
        assert app.applied_at.astimezone().date().isoformat() == "2026-03-15"

    @pytest.mark.parametrize(
        ("content", "args", "why"),
        [
            (
                "Company,Title,Status\nAcme,Analyst,Dreaming\n",
                [],
                "line 2: unknown status 'Dreaming'",
            ),
            ("Company,Status\nAcme,applied\n", [], "no role column"),
            ("Company,Title,Date\nAcme,Analyst,the Ides of March\n", [], "--date-format"),
            ("Company,Title\nAcme,Analyst\n", ["--map", "company=Nope"], "no column 'Nope'"),
        ],
    )
    def test_bad_csv_imports_nothing(
        self, run: Run, log: EventLog, tmp_path: Path, content: str, args: list[str], why: str
    ) -> None:
        """A bad CSV is refused whole, naming the line or the column."""
        source = tmp_path / "tracker.csv"
        source.write_text(content)
        result = run("import", "--csv", str(source), *args, code=2)
        assert why in result.stderr
        assert log.head == 0


def _comparable(state: Any) -> Any:
    """A view state without positions, which differ between two logs holding the same story."""
    from jobsearch_core.plugins import load_catalog

    data = load_catalog().codec.converter.unstructure(state)

    def scrub(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: scrub(v) for k, v in value.items() if k not in ("position", "retracted")}
        if isinstance(value, list):
            return [scrub(v) for v in value]
        return value

    return scrub(data)


class TestPlugins:
    """jobsearch plugins, and commands from plugins."""

    def test_lists_the_builtins(self, run: Run) -> None:
        """The built-in plugin is listed with its version and hooks."""
        found = json.loads(run("plugins", "--json").output)
        builtin = found[0]
        assert builtin["name"] == "jobsearch_core"
        assert builtin["package"] == "jobsearch-core"
        assert builtin["version"]
        assert "register_views" in builtin["hooks"]
        assert "jobsearch_core" in run("plugins").output

    def test_register_commands(self, run: Run) -> None:
        """A plugin's register_commands adds a subcommand that can use the log."""

        class Hello:
            @hookimpl
            def register_commands(self, cli: click.Group) -> None:
                @cli.command("hello")
                @click.argument("name")
                def hello(name: str) -> None:
                    """Say hello."""
                    click.echo(f"hello {name}")

        hello = Hello()
        pm.register(hello, name="acme-hello")
        try:
            assert run("hello", "Ann").output == "hello Ann\n"
            assert "hello" in run("--help").output
            listed = json.loads(run("plugins", "--json").output)
            assert any(
                p["name"] == "acme-hello" and p["hooks"] == ["register_commands"] for p in listed
            )
        finally:
            pm.unregister(hello)
            cli.commands.pop("hello", None)

    def test_a_plugin_cannot_replace_a_builtin(self, run: Run) -> None:
        """Adding a command under a built-in name is refused, naming the plugin."""

        class Clash:
            @hookimpl
            def register_commands(self, cli: click.Group) -> None:
                @cli.command("gaps")
                def gaps() -> None:
                    """Not the real one."""

        clash = Clash()
        pm.register(clash, name="acme-clash")
        try:
            result = run("nosuchcommand", code=5)  # a plugin failure
            assert "acme-clash" in result.stderr
            assert "Not the real one" not in run("--help").output
        finally:
            pm.unregister(clash)


class TestVerifyAndDemo:
    """verify and demo."""

    def test_verify(self, run: Run, url: str) -> None:
        """verify exits 0 on a sound log and 1 listing every bad row."""
        run("gap", "add", "SQL")
        run("gap", "add", "Go")
        run("gap", "add", "Rust")
        assert "no problems found" in run("verify").output
        with sqlite3.connect(url.removeprefix("sqlite://")) as raw:
            raw.execute("UPDATE events SET data = 'nope' WHERE position IN (1, 3)")
        result = run("verify", code=1)
        assert "position 1" in result.output
        assert "position 3" in result.output

    def test_demo(self, run: Run, tmp_path: Path) -> None:
        """demo loads the sample search into a fresh log and shows the views."""
        target = f"sqlite://{tmp_path / 'demo.db'}"
        out = run("demo", "--log", target).output
        for part in ("Pipeline", "90% range", "Gap list", "FOCUS", "Suggested roles", "History"):
            assert part in out
        run("demo", "--log", target, code=2)  # not twice into the same log
        other = f"sqlite://{tmp_path / 'other.db'}"
        run("--log", other, "demo")  # the group's --log counts too
        with open_log(other) as log:
            assert log.head > 50


class TestProgress:
    """Long work shows a bar on a terminal's stderr only."""

    def test_quiet_when_not_a_terminal(self) -> None:
        """Under a pipe, even long work gets the no-op callback."""
        with _progress.bar(50_000, "x") as advance:
            assert advance(10) is None

    def test_bar_on_a_terminal(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """On a terminal, work over 10,000 events drives a rich progress bar."""
        seen: list[int] = []
        monkeypatch.setattr(_progress, "stderr_is_terminal", lambda: True)

        class FakeProgress:
            def __init__(self, *args: Any, **kwargs: Any) -> None:
                pass

            def __enter__(self) -> FakeProgress:
                return self

            def __exit__(self, *args: Any) -> None:
                pass

            def add_task(self, description: str, total: int) -> int:
                seen.append(total)
                return 1

            def update(self, task: int, completed: int) -> None:
                seen.append(completed)

        monkeypatch.setattr(_progress, "Progress", FakeProgress)
        with _progress.bar(20_000, "importing") as advance:
            advance(5_000)
        assert seen == [20_000, 5_000]
        with _progress.bar(9_000, "short") as advance:
            advance(1)
        assert seen == [20_000, 5_000]  # short work: no bar


class TestResume:
    """jobsearch resume: the skills the seeker has, and roles measured against them."""

    def test_a_role_against_the_resume_and_the_gap_list(self, run: Run) -> None:
        run("resume", "v1", "--skill", "SQL", "--skill", "Python", "--note", "first")
        run("gap", "add", "Looker")
        run("suggest", "Acme", "Analytics Engineer", "--skill", "SQL", "--skill", "dbt",
            "--skill", "Looker")  # fmt: skip
        (role,) = json.loads(run("roles", "--json").output)["roles"]
        assert role["covered"] == ["SQL"]
        assert role["planned"] == [{"skill": "Looker", "rank": 1}]
        assert role["missing"] == ["dbt"]
        assert role["coverage"] == 1 / 3
        shown = run("roles").output
        assert "Looker (#1)" in shown
        assert run("resume", "v2", code=2).stderr  # no --skill: refused


class TestMerge:
    """jobsearch gap merge, and the merges `jobsearch gaps` suggests."""

    def test_suggested_then_merged_then_split(self, run: Run) -> None:
        """The hint names the spellings; the merge adds them up; retracting it splits them."""
        run("apply", "Acme", "Analyst")
        run("feedback", "acme-analyst", "--next-focus", "AB testing", "--source", "Ann")
        run("feedback", "acme-analyst", "--next-focus", "A/B testing", "--source", "Bob")
        run("gap", "add", "k8s")
        shown = run("gaps").output
        assert "jobsearch gap merge 'AB testing' 'A/B testing' --into 'AB testing'" in shown
        assert "jobsearch gap merge k8s --into Kubernetes" in shown
        hints = json.loads(run("gaps", "--json").output)["merge_suggestions"]
        assert {"skills": ["k8s"], "into": "Kubernetes", "why": "alias from common"} in hints
        said = run("gap", "merge", "AB testing", "A/B testing", "--into", "A/B testing").output
        assert "counted as A/B testing, at rank 1" in said
        gaps = json.loads(run("gaps", "--json").output)
        assert [(i["skill"], i["mentions"]) for i in gaps["items"]] == [
            ("A/B testing", 2),
            ("k8s", 0),
        ]
        assert gaps["merged"] == {"AB testing": "A/B testing"}
        assert "spelled alike" not in run("gaps").output
        run("gap", "practice", "ab testing", "20")  # a merged-away spelling names the item
        assert "SkillsMerged" in run("history").output
        run("undo", "--yes")  # the practice
        run("undo", "--yes")  # the merge
        gaps = json.loads(run("gaps", "--json").output)
        assert [(i["skill"], i["mentions"]) for i in gaps["items"]] == [
            ("AB testing", 1),
            ("A/B testing", 1),
            ("k8s", 0),
        ]

    def test_suggested_merges_are_confirmed_one_by_one(self, run: Run) -> None:
        """--suggested asks about each likely merge and records only those accepted."""
        run("gap", "add", "Data models")
        run("gap", "add", "data-model")
        run("gap", "add", "k8s")
        result = run("gap", "merge", "--suggested", input="y\nn\n")
        assert (
            "Merge Data models, data-model into Data models (spelled alike)? [y/N]" in result.output
        )
        assert "Merge k8s into Kubernetes (alias from common)? [y/N]" in result.output
        assert "1 merge" in result.output
        items = json.loads(run("gaps", "--json").output)["items"]
        assert [i["skill"] for i in items] == ["Data models", "k8s"]
        assert "nothing merged" in run("gap", "merge", "--suggested", input="n\n").output
        assert run("gap", "merge", "k8s", code=2).stderr  # no --into

    def test_nothing_to_merge_is_refused(self, run: Run) -> None:
        """Spellings that are one skill already are refused with exit 2."""
        result = run("gap", "merge", "SQL", "sql ", "--into", "Sql", code=2)
        assert "one skill already" in result.stderr


class TestPlan:
    """jobsearch plan: the evidence's order, its questions, and accepting it."""

    def test_plan_questions_and_accept(self, run: Run) -> None:
        """The plan argues with the seeker's order once, and --accept settles it."""
        for skill in ("Python", "SQL", "Statistics", "dbt"):
            run("gap", "add", skill)
        run("apply", "Acme", "Analyst")
        for who in ("Ann", "Bob"):
            run("feedback", "acme-analyst", "--next-focus", "dbt", "--next-focus", "SQL",
                "--next-focus", "Python", "--source", who)  # fmt: skip
        shown = run("plan").output
        assert "Move dbt in front of item 3, Statistics?" in shown
        plan = json.loads(run("plan", "--json").output)
        assert [(i["skill"], i["rank"], i["suggested_rank"]) for i in plan["items"]] == [
            ("Python", 1, 1),
            ("SQL", 2, 2),
            ("dbt", 4, 3),
            ("Statistics", 3, 4),
        ]
        assert plan["questions"] == ["Move dbt in front of item 3, Statistics?"]
        assert plan["disagreements"][0]["in_front_of"] == "Statistics"
        said = run("plan", "--accept").output
        assert "1 move to the suggested order" in said
        (promoted,) = json.loads(run("log", "--json").output)[-1:]
        assert promoted["type"] == "GapPromoted"
        assert promoted["data"]["reason"].startswith("plan: named by 2 interviewers")
        assert json.loads(run("plan", "--json").output)["questions"] == []
        assert "nothing to record" in run("plan", "--accept").output
        assert run("plan", "--accept", "--as-of", "3", code=2).stderr

    def test_accept_with_json_prints_the_stored_records(self, run: Run) -> None:
        """plan --accept --json prints only JSON: the records stored, then none."""
        run("gap", "add", "Python")
        run("gap", "add", "dbt")
        run("apply", "Acme", "Analyst")
        run("feedback", "acme-analyst", "--next-focus", "dbt", "--source", "Ann")
        records = json.loads(run("plan", "--accept", "--json").output)
        assert [(r["type"], r["data"]["skill"], r["data"]["to_rank"]) for r in records] == [
            ("GapPromoted", "dbt", 1)
        ]
        assert json.loads(run("plan", "--accept", "--json").output) == []

    def test_focus_practice_this_week(self, run: Run) -> None:
        """gaps and plan tell the focus items' minutes this week and weeks in a row."""
        run("gap", "add", "SQL")
        run("gap", "add", "dbt")
        run("gap", "practice", "SQL", "20", "--at", "7d ago")
        run("gap", "practice", "SQL", "25")
        gaps = json.loads(run("gaps", "--json").output)["items"]
        assert (gaps[0]["weeks_in_a_row"], gaps[0]["minutes_this_week"]) == (2, 25)
        assert (gaps[1]["weeks_in_a_row"], gaps[1]["minutes_this_week"]) == (0, 0)
        assert "FOCUS: 25 min this week, 2 weeks in a row" in run("gaps").output
        assert "SQL: 25 min this week, 2 weeks in a row" in run("plan").output
        practice = json.loads(run("plan", "--json").output)["practice"]
        assert practice[1] == {"skill": "dbt", "weeks_in_a_row": 0, "minutes_this_week": 0}
