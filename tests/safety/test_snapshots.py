"""Snapshots are bound to what made them: the view, the event types and upcasters, the log's
history at their position, and their own bytes. One that does not hold is passed over."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from typing import Any

import pytest

from jobsearch_core import EventLog, GapAdded, GapPracticed, GapPromoted, View, hookimpl, open_log
from jobsearch_core.events import Recorded
from jobsearch_core.snapshots import seal
from jobsearch_core.storage import Snapshot
from tests.safety.test_evolution import InterviewBookedV1, InterviewBookedV2, Plugin


def _sql(log: EventLog, statement: str, *params: Any) -> None:
    """Run SQL straight on the log's database, as someone with write access to it could."""
    if log.url.startswith("sqlite:"):
        with sqlite3.connect(log.url.removeprefix("sqlite://")) as raw:
            raw.execute(statement.replace("%s", "?").replace("{schema}.", ""), params)
        return
    import psycopg
    from psycopg import sql

    from tests.conftest import postgres

    assert postgres is not None
    schema = log.backend.schema  # type: ignore[attr-defined]
    with psycopg.connect(postgres.configured_dsn(), autocommit=True) as conn:
        conn.execute(sql.SQL(statement).format(schema=sql.Identifier(schema)), params)  # type: ignore[arg-type]


def _snapshots(log: EventLog, view: str) -> list[Snapshot]:
    return [s for s in log.backend.read_snapshots() if s.view == view]  # type: ignore[attr-defined]


def _plain(log: EventLog, name: str, stream: str = "me") -> Any:
    """The view folded from the start, no snapshot used."""
    return EventLog(log.backend, catalog=log.catalog, snapshot_every=0).view(name, stream=stream)


@pytest.fixture
def log(durable_url: str) -> Iterator[EventLog]:
    """A log that snapshots every view after every event."""
    with open_log(durable_url) as opened:
        opened.snapshot_every = 1
        yield opened


def _search(log: EventLog) -> None:
    for skill in ("SQL", "Statistics", "dbt"):
        log.append([GapAdded(skill=skill)])
    log.append([GapPromoted(skill="dbt", to_rank=1), GapPracticed(skill="SQL", minutes=30)])


class TestEditedSnapshots:
    def test_an_edited_snapshot_is_passed_over_and_listed(self, log: EventLog) -> None:
        _search(log)
        assert log.view("gaps") == _plain(log, "gaps")
        latest = max(_snapshots(log, "gaps"), key=lambda s: s.position)
        edited = latest.state.replace(b"Statistics", b"Statisticz")
        assert edited != latest.state
        _sql(
            log,
            "UPDATE {schema}.snapshots SET state = %s WHERE view = %s AND position = %s",
            edited,
            "gaps",
            latest.position,
        )
        fresh = open_log(log.url)
        try:
            fresh.snapshot_every = 0  # look, do not write
            assert [i.skill for i in fresh.view("gaps").items] == ["dbt", "SQL", "Statistics"]
            problems = [p for p in fresh.verify() if "snapshot" in p.message]
            assert [p.position for p in problems] == [latest.position]
            assert "changed since it was saved" in problems[0].message
        finally:
            fresh.close()

    def test_a_resealed_snapshot_that_does_not_fit_is_passed_over(self, log: EventLog) -> None:
        """Rewritten with a valid seal, but no longer a gaps state: ignored, no KeyError."""
        _search(log)
        log.view("gaps")
        latest = max(_snapshots(log, "gaps"), key=lambda s: s.position)
        chain = bytes.fromhex(log.hash_at(latest.position))
        bogus = json.dumps({"state": {"items": "nope"}, "retractions": []}).encode()
        forged = seal(
            Snapshot(latest.view, latest.key, latest.stream, latest.position, bogus), chain
        )
        _sql(
            log,
            "UPDATE {schema}.snapshots SET state = %s WHERE view = %s AND position = %s",
            forged.state,
            "gaps",
            latest.position,
        )
        assert log.view("gaps") == _plain(log, "gaps")
        assert any("snapshot" in p.message for p in log.verify())


class TestAnotherHistory:
    def test_a_cut_and_regrown_tail_never_mixes_with_old_snapshots(self, log: EventLog) -> None:
        _search(log)
        log.view("gaps")  # snapshots up to the head
        head = log.head
        _sql(log, "DELETE FROM {schema}.events WHERE position > %s", 2)
        log.snapshot_every = 0
        for skill in ("Go", "Rust", "Haskell"):
            log.append([GapAdded(skill=skill)])
        assert log.head == head
        assert log.view("gaps") == _plain(log, "gaps")
        assert [i.skill for i in log.view("gaps").items] == [
            "SQL",
            "Statistics",
            "Go",
            "Rust",
            "Haskell",
        ][:5]
        problems = [p for p in log.verify() if "snapshot" in p.message]
        assert problems
        assert all("another history" in p.message for p in problems)

    def test_a_snapshot_kept_in_memory_is_not_used_after_the_tail_regrew(
        self, log: EventLog
    ) -> None:
        """Time travel keeps the snapshots it opened in memory; once the history at their
        position is another, they are not started from."""
        _search(log)
        log.view("gaps")  # snapshots up to the head
        head = log.head
        travelled = [log.view("gaps", as_of=p) for p in range(1, head + 1)]
        assert [log.view("gaps", as_of=p) for p in range(1, head + 1)] == travelled
        _sql(log, "DELETE FROM {schema}.events WHERE position > %s", 2)
        for skill in ("Go", "Rust", "Haskell"):
            log.append([GapAdded(skill=skill)])
        plain = EventLog(log.backend, catalog=log.catalog, snapshot_every=0)
        for position in range(1, head + 1):
            assert log.view("gaps", as_of=position) == plain.view("gaps", as_of=position)
        assert [i.skill for i in log.view("gaps", as_of=head).items][-1] == "Haskell"


class TestUpcastersInstalledLate:
    def test_a_snapshot_made_before_the_upcaster_is_not_used_after(
        self, durable_url: str, installed: Any
    ) -> None:
        """v1 rows read while only v2 is installed (no upcaster) are skipped; once the
        upcaster is there, the view counts them, as a full replay does."""

        def count(state: int, recorded: Recorded) -> int:
            return state + isinstance(recorded.event, InterviewBookedV2)

        class Counting(Plugin):
            @hookimpl
            def register_views(self, register: Any) -> None:
                register(View(name="booked", version=1, initial=int, apply=count, state_type=int))

        installed(Counting(InterviewBookedV1, upcasters=False))
        with open_log(durable_url) as log:
            log.append(
                [InterviewBookedV1(application_id=f"a{i}", who="Ann", room="1") for i in range(3)]
            )
        installed(Counting(InterviewBookedV2, upcasters=False))
        with open_log(durable_url) as log:
            log.snapshot_every = 1
            assert log.view("booked") == 0
            log.append([InterviewBookedV2(application_id="a9", interviewer="Bo")])
            assert log.view("booked") == 1
        installed(Counting(InterviewBookedV2, upcasters=True))
        with open_log(durable_url) as log:
            assert log.view("booked") == 4
            assert log.view("booked") == _plain(log, "booked")
