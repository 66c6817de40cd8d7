"""An import is all or nothing, whatever fails, and says which line."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from jobsearch_core import EventLog, GapAdded, open_log
from jobsearch_core.cli import cli


@pytest.fixture
def log(durable_url: str) -> Iterator[EventLog]:
    """A fresh log that the command line opens too."""
    with open_log(durable_url) as opened:
        yield opened


def line(stream: str, data: dict[str, Any], **head: Any) -> str:
    event_type = head.pop("type", "GapAdded")
    # ASCII, escapes and all: a lone surrogate or a NUL arrives as "\\ud800" or "\\u0000".
    return json.dumps(
        {"stream": stream, "type": event_type, "schema_version": 1, **head, "data": data}
    )


AT = "2026-03-02T09:00:00+00:00"


def run_import(log: EventLog, tmp_path: Path, lines: list[str]) -> Any:
    source = tmp_path / "in.jsonl"
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return CliRunner().invoke(cli, ["--log", log.url, "import", str(source)])


class TestAllOrNothing:
    """Nothing of a file is stored when any line of it cannot be, on any stream."""

    def test_a_line_whose_id_is_taken_by_another_event(self, log: EventLog, tmp_path: Path) -> None:
        log.append([GapAdded(skill="SQL")], ids=["taken"])
        lines = [
            line("ann", {"at": AT, "skill": "Go"}),
            line("bob", {"at": AT, "skill": "Rust"}),
            line("cid", {"at": AT, "skill": "Other"}, event_id="taken"),
        ]
        result = run_import(log, tmp_path, lines)
        assert result.exit_code == 2
        assert "line 3: event id 'taken' is stored at position 1" in result.stderr
        assert "nothing was imported" in result.stderr
        assert log.head == 1
        assert log.streams() == ["me"]

    def test_every_bad_line_is_named(self, log: EventLog, tmp_path: Path) -> None:
        """All the file's problems in one run, each with its line, and nothing appended."""
        lines = [
            line("ann", {"at": AT, "skill": "Go"}),
            "not json",
            line("ann", {"at": AT, "skill": "Rust"}),
            "[1, 2]",
            json.dumps({"type": "GapAdded", "data": {"skill": "Go"}}),
        ]
        result = run_import(log, tmp_path, lines)
        assert result.exit_code == 2
        assert result.stderr.startswith("error: 3 problems in in.jsonl, nothing was imported: ")
        assert "line 2: not JSON" in result.stderr
        assert "line 4: not a JSON object; line 5: missing stream, schema_version" in (
            result.stderr
        )
        assert log.head == 0

    @pytest.mark.parametrize(
        ("bad", "why"),
        [
            (line("bob", {"at": AT, "skill": "Ro\ud800st"}), "not valid Unicode"),
            (line("bob", {"at": AT}, type="Bad\x00Type"), "printable name"),
            (line("bob", {"at": AT, "skill": "Go"}, event_id="tab\tid"), "printable"),
            (line("bob", {"at": AT, "skill": "Go"}, metadata=[1]), "metadata must be"),
        ],
    )
    def test_a_line_that_cannot_be_stored(
        self, log: EventLog, tmp_path: Path, bad: str, why: str
    ) -> None:
        result = run_import(log, tmp_path, [line("ann", {"at": AT, "skill": "Go"}), bad])
        assert result.exit_code == 2
        assert "line 2: " in result.stderr, result.stderr
        assert why in result.stderr, result.stderr
        assert log.head == 0

    def test_two_lines_with_one_position(self, log: EventLog, tmp_path: Path) -> None:
        lines = [
            line("ann", {"at": AT, "skill": "Go"}, position=1),
            line("ann", {"at": AT, "skill": "Rust"}, position=1),
            line("ann", {"at": AT, "position": 1}, type="EventRetracted", position=3),
        ]
        result = run_import(log, tmp_path, lines)
        assert result.exit_code == 2
        assert "line 2: position 1 is line 1's too" in result.stderr
        assert log.head == 0

    def test_a_retraction_of_a_position_outside_the_file(
        self, log: EventLog, tmp_path: Path
    ) -> None:
        lines = [
            line("ann", {"at": AT, "skill": "Go"}, position=5),
            line("ann", {"at": AT, "position": 4}, type="EventRetracted", position=6),
        ]
        result = run_import(log, tmp_path, lines)
        assert result.exit_code == 2
        assert "line 2: retracts position 4, which no earlier line" in result.stderr
        assert log.head == 0


class TestCorrectionsFollow:
    """Corrections point at their events' new positions, whoever else appends."""

    def test_interleaved_streams_and_a_writer_in_between(
        self, log: EventLog, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        log.append([GapAdded(skill="first")], stream="zed")
        lines = [
            line("ann", {"at": AT, "skill": "Go"}, position=1),
            line("bob", {"at": AT, "skill": "Typo"}, position=2),
            line("ann", {"at": AT, "skill": "Rust"}, position=3),
            line("bob", {"at": AT, "position": 2}, type="EventRetracted", position=4),
        ]
        # Another writer appends once, after the import has worked its positions out.
        other = open_log(log.url)
        looked_up = EventLog.lookup
        appended: list[int] = []

        def lookup(self: EventLog, ids: Any) -> Any:
            found = looked_up(self, ids)
            if not appended:
                appended.append(
                    other.append([GapAdded(skill="meanwhile")], stream="zed")[0].position
                )
            return found

        monkeypatch.setattr(EventLog, "lookup", lookup)
        try:
            result = run_import(log, tmp_path, lines)
        finally:
            other.close()
        assert result.exit_code == 0, result.stderr
        assert appended == [2]
        records = {r.stream: r for r in log.read() if r.stream == "bob" and r.version == 1}
        retraction = next(r for r in log.read(stream="bob") if r.version == 2)
        assert retraction.event.position == records["bob"].position  # type: ignore[attr-defined]
        assert [i.skill for i in log.view("gaps", stream="bob").items] == []
        assert [i.skill for i in log.view("gaps", stream="ann").items] == ["Go", "Rust"]
