"""The envelope: event ids that make a retry a no-op, and metadata kept with every event."""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from jobsearch_core import (
    ConcurrencyError,
    DuplicateEventError,
    EventLog,
    InvalidInputError,
    hookimpl,
    open_log,
)
from jobsearch_core.events import EventRetracted, GapAdded, GapPracticed, Recorded
from jobsearch_core.plugins import pm
from jobsearch_core.storage.memory import MemoryBackend
from tests.conftest import Run

FIXTURES = Path(__file__).parent / "fixtures"


class TestIds:
    """Every stored event has an id, unique in the log."""

    def test_ids_given_are_kept(self, log: EventLog) -> None:
        recorded = log.append([GapAdded(skill="SQL"), GapAdded(skill="Go")], ids=["a-1", "a-2"])
        assert [r.event_id for r in recorded] == ["a-1", "a-2"]
        assert [r.event_id for r in log.read()] == ["a-1", "a-2"]

    def test_ids_are_made_when_not_given(self, log: EventLog) -> None:
        """A UUID each (version 7: in time order), distinct along the log."""
        import uuid

        for _ in range(3):
            log.append([GapAdded(skill="SQL"), GapPracticed(skill="SQL", minutes=5)])
        ids = [r.event_id for r in log.read()]
        assert len(set(ids)) == 6
        assert all(uuid.UUID(i).version == 7 for i in ids)

    @pytest.mark.parametrize(
        ("ids", "message"),
        [
            (["one"], "1 ids for 2 events"),
            ("ab", "list of event ids"),
            (["ok", ""], "non-blank"),
            (["ok", " "], "non-blank"),
            (["ok", 7], "non-blank printable text"),
            (["ok", "tab\there"], "printable"),
            (["ok", "x" * 257], "at most 256"),
        ],
    )
    def test_bad_ids_are_refused(self, log: EventLog, ids: Any, message: str) -> None:
        with pytest.raises(InvalidInputError, match=message):
            log.append([GapAdded(skill="SQL"), GapAdded(skill="Go")], ids=ids)
        assert log.head == 0

    def test_an_id_given_twice_in_one_call_is_refused(self, log: EventLog) -> None:
        with pytest.raises(DuplicateEventError, match="given twice"):
            log.append([GapAdded(skill="SQL"), GapAdded(skill="Go")], ids=["x", "x"])
        assert log.head == 0


class TestRetries:
    """Appending an event whose id is stored already, as the same event, adds nothing."""

    def test_a_retry_returns_the_stored_records(self, log: EventLog) -> None:
        events = [GapAdded(skill="SQL"), GapPracticed(skill="SQL", minutes=30)]
        first = log.append(events, ids=["e1", "e2"])
        again = log.append(events, ids=["e1", "e2"])
        assert again == first
        assert log.head == 2
        assert log.view("gaps").items[0].minutes_practised == 30

    def test_a_retry_after_a_lost_acknowledgement_succeeds_under_expected_version(
        self, log: EventLog
    ) -> None:
        """The first try committed, but its caller never heard: the same call again,
        `expected_version` and all, returns what the first stored."""
        events = [GapAdded(skill="SQL")]
        first = log.append(events, expected_version=0, ids=["only"])
        log.append([GapAdded(skill="Go")])  # the stream moves on meanwhile
        assert log.append(events, expected_version=0, ids=["only"]) == first
        assert log.head == 2

    def test_new_events_in_a_retry_still_need_the_version(self, log: EventLog) -> None:
        sql = GapAdded(skill="SQL")
        log.append([sql], ids=["old"])
        with pytest.raises(ConcurrencyError):
            log.append([sql, GapAdded(skill="Go")], expected_version=0, ids=["old", "new"])
        assert log.head == 1

    def test_a_retry_with_new_events_appends_only_those(self, log: EventLog) -> None:
        sql, go, rust = GapAdded(skill="SQL"), GapAdded(skill="Go"), GapAdded(skill="Rust")
        (stored_sql,) = log.append([sql], ids=["s"])
        recorded = log.append([sql, go, rust], ids=["s", "g", "r"])
        assert recorded[0] == stored_sql
        assert [(r.position, r.event_id, r.event) for r in recorded[1:]] == [
            (2, "g", go),
            (3, "r", rust),
        ]
        assert [item.skill for item in log.view("gaps").items] == ["SQL", "Go", "Rust"]

    def test_listeners_hear_only_what_was_appended(self, log: EventLog) -> None:
        heard: list[list[int]] = []

        class Listener:
            @hookimpl
            def appended(self, records: list[Recorded]) -> None:
                heard.append([r.position for r in records])

        listener = Listener()
        pm.register(listener)
        try:
            opened = EventLog(log.backend)  # a log opened now has the plugin
            sql = GapAdded(skill="SQL")
            opened.append([sql], ids=["s"])
            opened.append([sql], ids=["s"])
            opened.append([sql, GapAdded(skill="Go")], ids=["s", "g"])
        finally:
            pm.unregister(listener)
        assert heard == [[1], [2]]

    @pytest.mark.parametrize(
        "other",
        [GapAdded(skill="Statistics"), GapPracticed(skill="SQL", minutes=1)],
        ids=["other payload", "other type"],
    )
    def test_an_id_stored_as_another_event_is_refused(self, log: EventLog, other: Any) -> None:
        log.append([GapAdded(skill="SQL")], ids=["taken"])
        with pytest.raises(DuplicateEventError, match="'taken' is stored at position 1") as caught:
            log.append([GapAdded(skill="Go"), other], ids=["fresh", "taken"])
        assert (caught.value.event_id, caught.value.position) == ("taken", 1)
        assert log.head == 1
        assert [r.event_id for r in log.read()] == ["taken"]

    def test_an_id_stored_in_another_stream_is_refused(self, log: EventLog) -> None:
        event = GapAdded(skill="SQL")
        log.append([event], ids=["mine"], stream="ann")
        with pytest.raises(DuplicateEventError):
            log.append([event], ids=["mine"], stream="bob")
        assert log.streams() == ["ann"]

    def test_a_retried_retraction_is_a_retry(self, log: EventLog) -> None:
        """Not refused as retracting an event twice: it is the same retraction."""
        log.append([GapPracticed(skill="SQL", minutes=10_000)])
        fix = EventRetracted(position=1)
        (first,) = log.append([fix], ids=["fix"])
        assert log.append([fix], ids=["fix"]) == [first]
        with pytest.raises(InvalidInputError, match="already retracted"):
            log.append([EventRetracted(position=1)], ids=["another fix"])
        assert log.head == 2


class TestMetadata:
    """Metadata is a JSON object kept with each event; the library fills in `source`."""

    def test_source_is_the_program_when_not_given(self, log: EventLog) -> None:
        (recorded,) = log.append([GapAdded(skill="SQL")])
        assert recorded.metadata == {"source": log.source}
        assert log.source  # the running program's name
        assert next(iter(log.read())).metadata == {"source": log.source}

    def test_source_from_open_log(self, tmp_path: Path) -> None:
        with open_log(tmp_path / "log.db", source="coach-bot") as log:
            log.append([GapAdded(skill="SQL")])
            assert next(log.read()).metadata == {"source": "coach-bot"}

    def test_given_metadata_is_kept_with_every_event(self, log: EventLog) -> None:
        given = {"correlation_id": "c-7", "causation_id": "evt-3", "source": "importer"}
        log.append([GapAdded(skill="SQL"), GapAdded(skill="Go")], metadata=given)
        assert [r.metadata for r in log.read()] == [given, given]

    def test_metadata_one_per_event(self, log: EventLog) -> None:
        log.append(
            [GapAdded(skill="SQL"), GapAdded(skill="Go")],
            metadata=[{"correlation_id": "a"}, {"correlation_id": "b", "n": [1, {"x": None}]}],
        )
        found = [dict(r.metadata) for r in log.read()]
        assert found == [
            {"source": log.source, "correlation_id": "a"},
            {"source": log.source, "correlation_id": "b", "n": (1, {"x": None})},
        ]

    def test_metadata_read_back_cannot_be_changed(self, log: EventLog) -> None:
        log.append([GapAdded(skill="SQL")], metadata={"tags": ["a"]})
        recorded = next(log.read())
        with pytest.raises(TypeError):
            recorded.metadata["source"] = "forged"  # type: ignore[index]
        assert recorded.metadata["tags"] == ("a",)

    @pytest.mark.parametrize(
        ("metadata", "message"),
        [
            ("source=x", "mapping"),
            ({1: "x"}, "not text"),
            ({"n": float("nan")}, "JSON cannot hold"),
            ({"when": object()}, "not a JSON value"),
            ({"source": ""}, "non-blank"),
            ({"big": "x" * 70_000}, "more than 65536"),
            ([{"a": 1}], "1 mappings for 2 events"),
            ({"n": 2**70}, "not JSON"),
        ],
    )
    def test_bad_metadata_is_refused(self, log: EventLog, metadata: Any, message: str) -> None:
        with pytest.raises(InvalidInputError, match=message):
            log.append([GapAdded(skill="SQL"), GapAdded(skill="Go")], metadata=metadata)
        assert log.head == 0

    def test_bad_source_is_refused(self) -> None:
        with pytest.raises(InvalidInputError, match="source"):
            EventLog(MemoryBackend(), source=" ")


class TestMigration:
    """A log written by jobsearch-core 0.1 (schema 2) gains ids and metadata when opened."""

    def test_a_landed_log_migrates_and_verifies(self, tmp_path: Path) -> None:
        path = tmp_path / "log.db"
        shutil.copy(FIXTURES / "schema-2.db", path)
        before = _rows(path)
        with open_log(path) as log:
            assert log.verify() == []
            records = list(log.read())
            ids = [r.event_id for r in records]
            assert len(set(ids)) == len(records) == 7
            assert all(r.metadata == {} for r in records)
            gaps = log.view("gaps")
            assert gaps.items[0].minutes_practised == 45  # the retraction still holds
            log.append([GapAdded(skill="after")], ids=["new"])
            assert log.verify() == []
        # Nothing the old rows held changed (the chain is rehashed over more of each row),
        # and a second copy migrates to the same ids.
        assert [row[:-1] for row in _rows(path)[: len(before)]] == [row[:-1] for row in before]
        copy = tmp_path / "copy.db"
        shutil.copy(FIXTURES / "schema-2.db", copy)
        with open_log(copy) as again:
            assert [r.event_id for r in again.read()] == ids

    @pytest.mark.parametrize("edit", ["data", "nulled hash", "every hash nulled"])
    def test_a_row_forged_before_migration_is_still_found(self, tmp_path: Path, edit: str) -> None:
        """The old chain is checked while it is rehashed: a forged row gets no new hash, so
        `verify` points at it; the rows around it verify."""
        path = tmp_path / "log.db"
        shutil.copy(FIXTURES / "schema-2.db", path)
        with sqlite3.connect(path) as raw:
            if edit == "data":
                forged = b'{"at":"2026-03-02T09:00:00+00:00","skill":"forged"}'
                raw.execute("UPDATE events SET data = ? WHERE position = 3", (forged,))
            elif edit == "nulled hash":
                raw.execute("UPDATE events SET hash = NULL WHERE position = 3")
            else:
                raw.execute("UPDATE events SET hash = NULL")
        with open_log(path) as log:
            problems = log.verify()
        forged_at = [3] if edit != "every hash nulled" else [1, 2, 3, 4, 5, 6, 7]
        assert [problem.position for problem in problems] == forged_at
        assert all("no hash" in problem.message for problem in problems)

    def test_the_unique_index_is_there_after_migration(self, tmp_path: Path) -> None:
        path = tmp_path / "log.db"
        shutil.copy(FIXTURES / "schema-2.db", path)
        with open_log(path) as log:
            taken = next(log.read()).event_id
        with sqlite3.connect(path) as raw, pytest.raises(sqlite3.IntegrityError):
            raw.execute("UPDATE events SET event_id = ? WHERE position = 2", (taken,))


def _rows(path: Path) -> list[tuple[Any, ...]]:
    with sqlite3.connect(path) as raw:
        return raw.execute(
            "SELECT position, stream, version, type, schema_version, data, recorded_at, hash"
            " FROM events ORDER BY position"
        ).fetchall()


class TestCommandLine:
    """The command line records `cli` as the source, and shows ids and metadata."""

    def test_records_show_their_id_and_source(self, run: Run) -> None:
        (added,) = json.loads(run("gap", "add", "SQL", "--json").output)
        assert added["metadata"] == {"source": "cli"}
        (shown,) = json.loads(run("log", "--json").output)
        assert shown["event_id"] == added["event_id"]
        assert shown["metadata"] == {"source": "cli"}
