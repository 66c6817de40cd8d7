"""EventLog.views (several views in one read), the snapshot policy and batched reading."""

from __future__ import annotations

import itertools
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jobsearch_core import (
    CorruptEventError,
    EventLog,
    EventRetracted,
    GapAdded,
    GapPracticed,
    InvalidInputError,
    ResumeSubmitted,
    UnknownViewError,
    open_log,
)
from jobsearch_core.events import Event
from jobsearch_core.plugins import load_catalog
from jobsearch_core.snapshots import SNAPSHOT_BYTES_PER_EVENT, Snapshots, seal
from jobsearch_core.storage import Snapshot
from jobsearch_core.testing import event_sequences
from jobsearch_core.views.replay import skipped_positions
from tests.conftest import MakeLog

T0 = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
NAMES = ("pipeline", "gaps", "roles", "history")


def appendable(log: EventLog, events: list[Event], streams: list[str]) -> None:
    """Append one by one, round the streams, leaving out corrections that cannot apply."""
    for i, event in enumerate(events):
        stream = streams[i % len(streams)]
        if isinstance(event, EventRetracted):
            own = [r.position for r in log.read(stream=stream)]
            if not own:
                continue
            event = EventRetracted(position=own[event.position % len(own)], at=event.at)
            if event.position in skipped_positions(log.retractions(stream=stream)):
                continue  # retracted already: the log refuses to do it twice
        log.append([event], stream=stream)


class TestViews:
    """views() gives what view() gives for each name, from one read of the stream."""

    @settings(max_examples=25)
    @given(events=event_sequences(max_size=30), data=st.data())
    def test_same_as_view(
        self, make_log: MakeLog, events: list[Event], data: st.DataObject
    ) -> None:
        """Now, as of positions and as of moments, with snapshots every few events."""
        log = make_log()
        log.snapshot_every = data.draw(st.integers(0, 5), label="snapshot every")
        appendable(log, events, ["me", "ann"])
        moments = [T0 + timedelta(days=d) for d in (-9000, 0, 9000)]
        positions = data.draw(st.lists(st.integers(0, log.head), max_size=3), label="as_of")
        for stream in ("me", "ann"):
            for as_of in [None, *positions, *moments]:
                together = log.views(NAMES, stream=stream, as_of=as_of)
                assert list(together) == list(NAMES)
                for name in NAMES:
                    assert together[name] == log.view(name, stream=stream, as_of=as_of)

    def test_all_installed_views_by_default(self, log: EventLog) -> None:
        """With no names, every installed view, by name."""
        log.append([GapAdded(skill="SQL", at=T0)])
        assert sorted(log.views()) == sorted(load_catalog().views)

    def test_no_names_no_views(self, log: EventLog) -> None:
        """An empty list of names gives an empty mapping."""
        log.append([GapAdded(skill="SQL", at=T0)])
        assert log.views([]) == {}

    def test_names_given_twice_fold_once(self, log: EventLog) -> None:
        """A name given twice is one entry."""
        log.append([GapAdded(skill="SQL", at=T0)])
        assert list(log.views(["gaps", "gaps", "pipeline"])) == ["gaps", "pipeline"]

    def test_bad_names_refused(self, log: EventLog) -> None:
        """An unknown view, or a bare string for the list, is refused before any reading."""
        with pytest.raises(UnknownViewError, match="nosuch"):
            log.views(["gaps", "nosuch"])
        with pytest.raises(InvalidInputError, match="list of views"):
            log.views("gaps")

    def test_progress_hears_positions(self, log: EventLog) -> None:
        """The progress callback hears how far the read got."""
        log.append([GapPracticed(skill="SQL", minutes=5, at=T0) for _ in range(2500)])
        heard: list[int] = []
        log.views(NAMES, progress=heard.append)
        assert heard == sorted(heard)
        assert heard[-1] == 2500

    def test_progress_never_goes_back(self, log: EventLog) -> None:
        """A correction reaching far back refolds from the start; progress does not rewind."""
        log.append([GapAdded(skill="SQL", at=T0)])
        log.append([GapPracticed(skill="SQL", minutes=5, at=T0) for _ in range(2500)])
        log.append([EventRetracted(position=1, at=T0)])
        heard: list[int] = []
        states = log.views(NAMES, progress=heard.append)
        assert states["gaps"].items == []  # the refold happened: SQL was never added
        assert heard == sorted(heard)
        assert heard[-1] == 2502


def key(log: EventLog, name: str) -> str:
    """What the log's snapshots of a view are stored under."""
    return Snapshots(log.backend, log.catalog).key(log.catalog.view(name))


class TestSnapshotPolicy:
    """When snapshots are written and read."""

    def test_snapshots_written_every_so_often(self, log: EventLog) -> None:
        """A replay leaves a snapshot of each view every `snapshot_every` events of the stream."""
        log.snapshot_every = 10
        log.append([GapAdded(skill=f"s{i % 7}", at=T0) for i in range(35)])
        log.views(NAMES)
        for name in NAMES:
            found = log.backend.load_snapshot(name, key(log, name), "me", at_or_before=35)
            assert found is not None
            assert found.position == 30

    def test_a_large_state_waits_longer(self, log: EventLog) -> None:
        """The next snapshot of a state of S bytes comes no sooner than S / 256 events later."""
        log.snapshot_every = 1
        names = [f"a{i}" for i in range(300)]
        log.append(
            [
                ResumeSubmitted(application_id=n, company="Acme", role="Analyst", at=T0)
                for n in names
            ]
        )
        log.view("pipeline")
        taken: list[Snapshot] = []
        at = 300
        while (
            found := log.backend.load_snapshot(
                "pipeline", key(log, "pipeline"), "me", at_or_before=at
            )
        ) is not None:
            taken.append(found)
            at = found.position - 1
        taken.reverse()
        for earlier, later in itertools.pairwise(taken):
            waited = later.position - earlier.position
            assert waited >= max(1, len(earlier.state) // SNAPSHOT_BYTES_PER_EVENT)
        assert len(taken) < 60  # not one after every event

    def test_snapshot_every_zero_neither_writes_nor_reads(self, log: EventLog) -> None:
        """With snapshot_every=0 a view is always replayed from the start."""
        log.append([GapAdded(skill="SQL", at=T0), GapAdded(skill="Go", at=T0)])
        wrong = log.catalog.codec.dump_snapshot(
            log.view("gaps", as_of=1), log.catalog.views["gaps"].state_type, {}
        )
        planted = Snapshot(view="gaps", key=key(log, "gaps"), stream="me", position=2, state=wrong)
        log.backend.save_snapshot(seal(planted, bytes.fromhex(log.hash_at(2))))
        plain = EventLog(log.backend, snapshot_every=0)
        assert [item.skill for item in plain.view("gaps").items] == ["SQL", "Go"]
        assert (
            plain.backend.load_snapshot("pipeline", key(log, "pipeline"), "me", at_or_before=2)
            is None
        )
        # A log that reads snapshots takes the (planted, wrong, sealed) one at its word.
        assert [item.skill for item in log.view("gaps").items] == ["SQL"]


class TestBatchedReading:
    """Reading decodes a batch at a time, and still reports damage where it is."""

    def test_events_before_a_damaged_one_come_first(self, tmp_path: Path) -> None:
        """read() yields the good events of a batch before raising at the damaged one."""
        path = tmp_path / "log.db"
        with open_log(path) as log:
            log.append([GapAdded(skill=s, at=T0) for s in ["SQL", "Go", "Rust", "Java"]])
        with sqlite3.connect(path) as raw:
            raw.execute("UPDATE events SET data = x'7b6e6f' WHERE position = 3")
        with open_log(path) as log:
            reader = log.read()
            assert [next(reader).position, next(reader).position] == [1, 2]
            with pytest.raises(CorruptEventError) as caught:
                next(reader)
            assert caught.value.position == 3
