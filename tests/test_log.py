"""Tests for the event log through the public API, on every backend."""

from __future__ import annotations

import itertools
import logging
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jobsearch_core import (
    ConcurrencyError,
    CorruptEventError,
    EventLog,
    EventRetracted,
    FeedbackReceived,
    GapAdded,
    GapClosed,
    GapPracticed,
    GapPromoted,
    InvalidInputError,
    ResumeSubmitted,
    ScreenPassed,
    UnknownViewError,
    hookimpl,
    open_log,
)
from jobsearch_core.events import Event, Recorded
from jobsearch_core.plugins import pm
from jobsearch_core.storage import NewRow
from jobsearch_core.testing import event_sequences
from jobsearch_core.views import fold
from jobsearch_core.views.replay import retracted_by
from tests.conftest import MakeLog

T0 = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


def day(n: int) -> datetime:
    return T0 + timedelta(days=n)


def ranks(log: EventLog, **kwargs: Any) -> list[str]:
    return [item.skill for item in log.view("gaps", **kwargs).items]


class TestAppend:
    """Appending: positions, versions, atomicity and optimistic concurrency."""

    def test_positions_and_versions(self, log: EventLog) -> None:
        """Positions are global 1..n; versions count 1..n within each stream."""
        log.append([GapAdded(skill="SQL"), GapAdded(skill="Go")])
        log.append([GapAdded(skill="Rust")], stream="ann")
        recorded = log.append([GapAdded(skill="Python")])
        assert [(r.position, r.stream, r.version) for r in log.read()] == [
            (1, "me", 1),
            (2, "me", 2),
            (3, "ann", 1),
            (4, "me", 3),
        ]
        assert recorded[0].position == 4
        assert log.head == 4
        assert log.stream_version("me") == 3
        assert log.stream_version("ann") == 1
        assert log.stream_version("nobody") == 0
        assert log.streams() == ["ann", "me"]

    def test_returns_the_events_as_recorded(self, log: EventLog) -> None:
        """append returns Recorded envelopes holding the very events given."""
        event = GapAdded(skill="SQL", at=T0)
        (recorded,) = log.append([event])
        assert recorded.event is event
        assert recorded.recorded_at.tzinfo is not None
        assert list(log.read()) == [recorded]

    def test_a_single_event_is_accepted(self, log: EventLog) -> None:
        """A lone event (not in a list) is appended as a batch of one."""
        assert [r.position for r in log.append(GapAdded(skill="SQL"))] == [1]

    def test_non_event_refuses_the_whole_call(self, log: EventLog) -> None:
        """A non-event anywhere in the batch appends nothing and names the item."""
        with pytest.raises(InvalidInputError, match=r"item 1 .* not an Event"):
            log.append([GapAdded(skill="SQL"), {"skill": "Go"}])  # type: ignore[list-item]
        assert log.head == 0

    @pytest.mark.parametrize("bad", ["SQL", 42, None])
    def test_non_list_refused(self, log: EventLog, bad: object) -> None:
        """Text, numbers or None are not a list of events."""
        with pytest.raises(InvalidInputError):
            log.append(bad)  # type: ignore[arg-type]

    def test_expected_version(self, log: EventLog) -> None:
        """A matching expected_version appends; a stale one raises and appends nothing."""
        log.append([GapAdded(skill="SQL")], expected_version=0)
        log.append([GapAdded(skill="Go")], expected_version=1)
        with pytest.raises(ConcurrencyError) as caught:
            log.append([GapAdded(skill="Rust")], expected_version=1)
        error = caught.value
        assert (error.stream, error.expected, error.actual) == ("me", 1, 2)
        assert "'me'" in str(error)
        assert "1" in str(error)
        assert "2" in str(error)
        assert log.head == 2

    def test_expected_version_zero_means_empty(self, log: EventLog) -> None:
        """expected_version=0 refuses a stream that already has events."""
        log.append([GapAdded(skill="SQL")])
        with pytest.raises(ConcurrencyError):
            log.append([GapAdded(skill="Go")], expected_version=0)
        log.append([GapAdded(skill="Go")], stream="other", expected_version=0)

    @pytest.mark.parametrize("bad", [-1, True, "1", 1.0])
    def test_bad_expected_version_refused(self, log: EventLog, bad: object) -> None:
        """expected_version must be a whole number from 0."""
        with pytest.raises(InvalidInputError, match="expected_version"):
            log.append([GapAdded(skill="SQL")], expected_version=bad)  # type: ignore[arg-type]
        assert log.head == 0

    @pytest.mark.parametrize("stream", ["", "   ", "tab\there", "nl\n", "\x00", 5, None])
    def test_bad_stream_names_refused(self, log: EventLog, stream: object) -> None:
        """Stream names are non-empty printable text; anything else is refused, naming it."""
        with pytest.raises(InvalidInputError, match="stream name"):
            log.append([GapAdded(skill="SQL")], stream=stream)  # type: ignore[arg-type]
        assert log.head == 0

    def test_printable_stream_names_accepted(self, log: EventLog) -> None:
        """Any printable text names a stream: spaces, accents, emoji, right-to-left."""
        for stream in ["ann lee", "zoë", "🦄", "مهندس", 'o\'brien "x"']:
            log.append([GapAdded(skill="SQL")], stream=stream)
            assert log.view("gaps", stream=stream).items[0].skill == "SQL"

    def test_appended_hook_hears_after_commit(self, log: EventLog) -> None:
        """A plugin's `appended` hook gets the log and the committed records."""
        heard: list[tuple[int, list[int]]] = []

        class Listener:
            @hookimpl
            def appended(self, log: EventLog, records: list[Recorded]) -> None:
                heard.append((log.head, [r.position for r in records]))

        listener = Listener()
        pm.register(listener)
        try:
            opened = EventLog(log.backend)  # a log opened now has the plugin
            opened.append([GapAdded(skill="SQL"), GapAdded(skill="Go")])
        finally:
            pm.unregister(listener)
        assert heard == [(2, [1, 2])]

    def test_a_log_keeps_the_plugins_it_was_opened_with(self, log: EventLog) -> None:
        """A plugin registered after a log was opened is not heard by that log."""
        heard: list[int] = []

        class Late:
            @hookimpl
            def appended(self, records: list[Recorded]) -> None:
                heard.extend(r.position for r in records)

        late = Late()
        pm.register(late, name="late-listener")
        try:
            log.append([GapAdded(skill="SQL")])
            assert heard == []
            EventLog(log.backend).append([GapAdded(skill="Go")])
            assert heard == [2]
        finally:
            pm.unregister(late)

    def test_failing_listener_does_not_fail_the_append(
        self, log: EventLog, caplog: pytest.LogCaptureFixture
    ) -> None:
        """An exception in an `appended` hook is logged; the committed append still returns."""

        class Broken:
            @hookimpl
            def appended(self) -> None:
                raise RuntimeError("listener broke")

        broken = Broken()
        pm.register(broken, name="broken-listener")
        try:
            with caplog.at_level(logging.ERROR, logger="jobsearch_core"):
                assert len(EventLog(log.backend).append([GapAdded(skill="SQL")])) == 1
        finally:
            pm.unregister(broken)
        assert "broken-listener" in caplog.text
        assert log.head == 1


class TestRead:
    """Reading back in global order."""

    def test_after_and_stream(self, log: EventLog) -> None:
        """read(after=, stream=) filters by position and by stream."""
        for i in range(6):
            log.append([GapAdded(skill=f"s{i}")], stream="me" if i % 2 else "ann")
        assert [r.position for r in log.read(after=3)] == [4, 5, 6]
        assert [r.position for r in log.read(stream="me")] == [2, 4, 6]
        assert [r.position for r in log.read(stream="me", after=2)] == [4, 6]
        assert list(log.read(after=6)) == []

    @pytest.mark.parametrize("after", [-1, "2", 1.5, True])
    def test_bad_after_refused(self, log: EventLog, after: object) -> None:
        """after must be a position."""
        with pytest.raises(InvalidInputError, match="after"):
            list(log.read(after=after))  # type: ignore[arg-type]

    @pytest.mark.parametrize(
        ("data", "problem"),
        [
            (b'{"at":"2026-03-01T09:30:00+00:00","skill":"SQL","minutes":-5}', "at least 0"),
            (b'{"at":"2026-03-01T09:30:00+00:00","skill":"  ","minutes":5}', "empty or blank"),
            (b'{"at":"2026-03-01T09:30:00+00:00","skill":"SQL","minutes":true}', "minutes"),
        ],
    )
    def test_a_row_the_class_refuses_is_corrupt(
        self, log: EventLog, data: bytes, problem: str
    ) -> None:
        """A row stored behind the library's back with a value its class refuses raises
        `CorruptEventError` at its position (read, views and verify alike), never a skip."""
        log.append([GapAdded(skill="SQL")])
        log.backend.append("me", [NewRow(type="GapPracticed", schema_version=1, data=data)])
        with pytest.raises(CorruptEventError, match=problem) as raised:
            list(log.read())
        assert raised.value.position == 2
        with pytest.raises(CorruptEventError, match=problem):
            log.view("gaps")
        assert [problem.position for problem in log.verify()] == [2]

    def test_long_log_reads_in_batches(self, log: EventLog) -> None:
        """More rows than one batch read back complete and in order."""
        log.append([GapPracticed(skill="SQL", minutes=i) for i in range(2500)])
        assert [r.position for r in log.read()] == list(range(1, 2501))
        assert [r.version for r in log.read(stream="me", after=1999)] == list(range(2000, 2501))


class TestView:
    """Views now and in the past."""

    def test_unknown_view(self, log: EventLog) -> None:
        """Asking for a view no plugin provides names it and the installed ones."""
        with pytest.raises(UnknownViewError, match=r"'nope'.*gaps"):
            log.view("nope")

    def test_streams_are_separate(self, log: EventLog) -> None:
        """Each stream folds into its own views."""
        log.append([GapAdded(skill="SQL")], stream="ann")
        log.append([GapAdded(skill="Go")], stream="bob")
        assert ranks(log, stream="ann") == ["SQL"]
        assert ranks(log, stream="bob") == ["Go"]
        assert ranks(log) == []

    def test_as_of_position(self, log: EventLog) -> None:
        """as_of a position folds the events at or before it."""
        log.append(
            [GapAdded(skill="SQL"), GapAdded(skill="Go"), GapPromoted(skill="Go", to_rank=1)]
        )
        assert ranks(log, as_of=0) == []
        assert ranks(log, as_of=1) == ["SQL"]
        assert ranks(log, as_of=2) == ["SQL", "Go"]
        assert ranks(log, as_of=3) == ["Go", "SQL"]
        assert ranks(log) == ["Go", "SQL"]

    def test_as_of_moment(self, log: EventLog) -> None:
        """as_of a moment keeps the events whose `at` is not later, in log order."""
        log.append(
            [
                GapAdded(skill="SQL", at=day(1)),
                GapAdded(skill="Go", at=day(3)),
                GapAdded(skill="Backfilled", at=day(0)),
            ]
        )
        assert ranks(log, as_of=day(0)) == ["Backfilled"]
        assert ranks(log, as_of=day(1)) == ["SQL", "Backfilled"]
        assert ranks(log, as_of=day(2)) == ["SQL", "Backfilled"]
        assert ranks(log, as_of=day(3)) == ["SQL", "Go", "Backfilled"]

    @pytest.mark.parametrize("bad", [-1, 99, True, "3", datetime(2026, 1, 1)])
    def test_bad_as_of_refused(self, log: EventLog, bad: object) -> None:
        """as_of must be a position in the log or an aware datetime."""
        log.append([GapAdded(skill="SQL")])
        with pytest.raises(InvalidInputError, match="as_of"):
            log.view("gaps", as_of=bad)  # type: ignore[arg-type]

    @settings(max_examples=25)
    @given(events=event_sequences(max_size=25), data=st.data())
    def test_as_of_n_equals_folding_first_n(
        self, make_log: MakeLog, events: list[Event], data: st.DataObject
    ) -> None:
        """view(as_of=n) equals folding the first n events, for every view."""
        log = make_log()
        valid = _appendable(log, events)
        n = data.draw(st.integers(0, len(valid)), label="n")
        for name in ("pipeline", "gaps", "roles", "history"):
            from jobsearch_core.plugins import load_catalog

            view = load_catalog().views[name]
            assert log.view(name, as_of=n) == fold(view, valid[:n])

    @settings(max_examples=20)
    @given(events=event_sequences(max_size=25), cuts=st.lists(st.integers(0, 25), max_size=5))
    def test_many_small_appends_equal_one(
        self, make_log: MakeLog, events: list[Event], cuts: list[int]
    ) -> None:
        """Appending in many small calls and in one call gives the same views."""
        # A correction may only name an event already in the log, so none is in one call.
        batch = [event for event in events if not isinstance(event, EventRetracted)]
        one, many = make_log(), make_log()
        one.append(batch)
        bounds = sorted({0, len(batch), *(c for c in cuts if c <= len(batch))})
        for start, end in itertools.pairwise(bounds):
            many.append(batch[start:end])
        for name in ("pipeline", "gaps", "roles", "history"):
            assert one.view(name) == many.view(name)


def _appendable(log: EventLog, events: list[Event]) -> list[Event]:
    """Append events one by one, dropping retractions the log refuses (of a position not in
    the log, or of one retracted already); return what was kept."""
    kept: list[Event] = []
    retractions: dict[int, int] = {}
    for event in events:
        if isinstance(event, EventRetracted):
            if event.position > len(kept) or event.position in retracted_by(retractions):
                continue
            retractions[len(kept) + 1] = event.position
        log.append([event])
        kept.append(event)
    return kept


class TestReadChoosing:
    """read(types=, include_retracted=): only some types, or only what still stands."""

    def test_types_by_class_and_by_name(self, log: EventLog) -> None:
        """Classes (and their subclasses) or stored names; other rows are left out."""
        log.append([GapAdded(skill="SQL"), GapPracticed(skill="SQL", minutes=5)])
        log.append([GapAdded(skill="Go")], stream="ann")
        assert [r.position for r in log.read(types=[GapAdded])] == [1, 3]
        assert [r.position for r in log.read(types="GapPracticed")] == [2]
        assert [r.position for r in log.read(types=GapAdded, stream="ann")] == [3]
        assert [r.position for r in log.read(types=[GapAdded, "GapPracticed"], after=1)] == [2, 3]
        assert list(log.read(types=[])) == []

    def test_bad_types_refused(self, log: EventLog) -> None:
        """Anything but event classes and names is refused, naming it."""
        with pytest.raises(InvalidInputError, match="types holds"):
            list(log.read(types=[42]))  # type: ignore[list-item]

    def test_without_retracted_events(self, log: EventLog) -> None:
        """Retracted events and the retractions go; a retracted retraction's event is back."""
        log.append(
            [GapPracticed(skill="SQL", minutes=10_000), GapPracticed(skill="SQL", minutes=30)]
        )
        log.append([GapAdded(skill="Go"), EventRetracted(position=1, reason="typo")])
        log.append([EventRetracted(position=3, reason="kept it after all")])
        log.append([EventRetracted(position=5)])  # retracts the retraction of Go's add
        kept = list(log.read(include_retracted=False))
        assert [r.position for r in kept] == [2, 3]
        assert (
            sum(r.event.minutes for r in log.read(types=GapPracticed, include_retracted=False))
            == 30
        )
        assert [r.position for r in log.read()] == [1, 2, 3, 4, 5, 6]  # all of it is kept

    def test_retractions_map(self, log: EventLog) -> None:
        """retractions(): each correction's position -> the position it retracts."""
        log.append([GapAdded(skill="SQL"), GapAdded(skill="Go")])
        log.append([EventRetracted(position=2)])
        log.append([GapAdded(skill="Rust")], stream="ann")
        assert log.retractions() == {3: 2}
        assert log.retractions(stream="ann") == {}


class TestCorrections:
    """EventRetracted: skipped from the correction on, still there before it."""

    def test_retracting_twice_is_refused(self, log: EventLog) -> None:
        """An event already retracted cannot be retracted again; after its retraction is
        itself retracted, it can."""
        log.append([GapAdded(skill="SQL")])
        log.append([EventRetracted(position=1)])
        with pytest.raises(InvalidInputError, match=r"already retracted \(by #2\)"):
            log.append([EventRetracted(position=1)])
        with pytest.raises(InvalidInputError, match="already retracted"):
            log.append([EventRetracted(position=2), EventRetracted(position=2)])
        assert log.head == 2
        log.append([EventRetracted(position=2)])
        log.append([EventRetracted(position=1)])
        assert log.retractions() == {2: 1, 3: 2, 4: 1}

    def test_retracted_event_is_skipped(self, log: EventLog) -> None:
        """Views skip the retracted event; as_of before the correction still shows it."""
        log.append([GapAdded(skill="SQL"), GapAdded(skill="Go"), GapAdded(skill="Rust")])
        log.append([EventRetracted(position=2, reason="typo")])
        assert ranks(log) == ["SQL", "Rust"]
        assert ranks(log, as_of=3) == ["SQL", "Go", "Rust"]
        assert [r.position for r in log.read()] == [1, 2, 3, 4]  # nothing deleted

    def test_retracting_a_retraction_restores(self, log: EventLog) -> None:
        """A retracted correction no longer applies."""
        log.append([GapAdded(skill="SQL")])
        log.append([EventRetracted(position=1)])
        log.append([EventRetracted(position=2)])
        assert ranks(log, as_of=2) == []
        assert ranks(log) == ["SQL"]

    def test_retraction_reaches_behind_a_snapshot(self, make_log: MakeLog) -> None:
        """A correction of an event older than the nearest snapshot is still honoured."""
        log = make_log()
        log.snapshot_every = 5
        log.append([GapAdded(skill=f"s{i}") for i in range(12)])
        assert len(ranks(log)) == 12  # leaves snapshots behind
        log.append([EventRetracted(position=1)])
        assert ranks(log) == [f"s{i}" for i in range(1, 12)]
        assert len(ranks(log, as_of=12)) == 12

    def test_retraction_of_missing_position_refused(self, log: EventLog) -> None:
        """A correction must point at an event that is in the log."""
        log.append([GapAdded(skill="SQL")])
        with pytest.raises(InvalidInputError, match="position 5 is not in the log"):
            log.append([EventRetracted(position=5)])
        assert log.head == 1

    def test_retraction_in_another_stream_refused(self, log: EventLog) -> None:
        """A stream may only correct its own events."""
        log.append([GapAdded(skill="SQL")], stream="ann")
        with pytest.raises(InvalidInputError, match="belongs to stream 'ann'"):
            log.append([EventRetracted(position=1)], stream="bob")
        assert log.head == 1


class TestSnapshots:
    """Snapshots never change a result."""

    @settings(max_examples=20)
    @given(events=event_sequences(max_size=30), every=st.integers(1, 6), data=st.data())
    def test_snapshots_do_not_change_views(
        self, make_log: MakeLog, events: list[Event], every: int, data: st.DataObject
    ) -> None:
        """The same views, now and in the past, with snapshots every few events and without."""
        plain, snapped = make_log(), make_log()
        plain.snapshot_every = 0
        snapped.snapshot_every = every
        valid = _appendable(plain, events)
        for event in valid:
            snapped.append([event])
        positions = data.draw(st.lists(st.integers(0, len(valid)), max_size=4), label="as_of")
        for name in ("pipeline", "gaps", "roles", "history"):
            for as_of in [*positions, None]:
                assert snapped.view(name, as_of=as_of) == plain.view(name, as_of=as_of)

    def test_snapshot_of_older_view_version_ignored(self, log: EventLog) -> None:
        """A snapshot saved by another version of a view is never applied."""
        from jobsearch_core.plugins import load_catalog

        log.snapshot_every = 1
        log.append([GapAdded(skill="SQL"), GapAdded(skill="Go")])
        gaps = load_catalog().views["gaps"]
        old_key = f"{gaps.version - 1}:{load_catalog().codec.fingerprint}"
        bogus = b'{"state": "garbage", "retractions": []}'
        from jobsearch_core.storage import Snapshot

        log.backend.save_snapshot(
            Snapshot(view="gaps", key=old_key, stream="me", position=2, state=bogus)
        )
        assert ranks(log) == ["SQL", "Go"]

    def test_unreadable_snapshot_ignored(self, log: EventLog) -> None:
        """A snapshot that cannot be read is ignored and the view replays from the start."""
        from jobsearch_core.plugins import load_catalog
        from jobsearch_core.storage import Snapshot

        log.append([GapAdded(skill="SQL"), GapAdded(skill="Go")])
        key = f"{load_catalog().views['gaps'].version}:{load_catalog().codec.fingerprint}"
        log.backend.save_snapshot(
            Snapshot(view="gaps", key=key, stream="me", position=2, state=b"{")
        )
        assert ranks(log) == ["SQL", "Go"]


class TestPathsArePaths:
    """A path names exactly that file: "#", "%", "?" and spaces are part of the name."""

    @pytest.mark.parametrize("name", ["search#2.db", "a%41.db", "x?y=1.db", "job search #2.db"])
    def test_a_path_is_taken_literally(
        self, tmp_path: Path, name: str, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """As a Path, as text, and through the URL the log gives back: the file named."""
        target = tmp_path / name
        with open_log(target) as log:
            log.append([GapAdded(skill="SQL")])
            url = log.url
        assert sorted(p.name for p in tmp_path.iterdir() if p.suffix == ".db") == [name]
        monkeypatch.chdir(tmp_path)
        with open_log(name) as again:
            assert again.head == 1
        with open_log(url) as again:
            assert again.head == 1

    def test_a_url_is_percent_encoded(self, tmp_path: Path) -> None:
        """In a sqlite:/// URL, %23 is "#" and %20 a space (RFC 3986)."""
        with open_log(f"sqlite://{tmp_path}/search%20%232.db") as log:
            log.append([GapAdded(skill="SQL")])
        assert (tmp_path / "search #2.db").is_file()


class TestSQLiteFile:
    """A SQLite log survives reopening and reports damage."""

    def test_reopened_file_keeps_everything(self, tmp_path: Path) -> None:
        """Close, reopen: events, positions and views are all there."""
        url = f"sqlite://{tmp_path / 'log.db'}"
        with open_log(url) as log:
            log.append([ResumeSubmitted(application_id="a1", company="Acme", role="Analyst")])
            log.append([ScreenPassed(application_id="a1", stage="phone")])
        with open_log(url) as log:
            assert log.head == 2
            assert log.view("pipeline").applications["a1"].stage == "phone"
            log.append([GapAdded(skill="SQL")])
            assert [r.position for r in log.read()] == [1, 2, 3]

    def test_plain_path_opens_sqlite(self, tmp_path: Path) -> None:
        """A file path without a scheme, or a Path, opens a SQLite log."""
        with open_log(str(tmp_path / "a.db")) as log:
            log.append([GapAdded(skill="SQL")])
        with open_log(tmp_path / "a.db") as log:
            assert log.head == 1

    def test_default_url_from_environment(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """Without a URL, $JOBSEARCH_LOG chooses the log."""
        monkeypatch.setenv("JOBSEARCH_LOG", f"sqlite://{tmp_path / 'env.db'}")
        with open_log() as log:
            log.append([GapAdded(skill="SQL")])
        assert (tmp_path / "env.db").exists()

    def test_default_file_in_data_dir(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """Without a URL or $JOBSEARCH_LOG, the log is a file in the user's data folder."""
        monkeypatch.delenv("JOBSEARCH_LOG", raising=False)
        monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
        monkeypatch.setattr("sys.platform", "linux")
        with open_log() as log:
            log.append([GapAdded(skill="SQL")])
        assert (tmp_path / "data" / "jobsearch" / "log.db").exists()

    @pytest.mark.parametrize(
        ("url", "message"),
        [
            ("nosuch://x", "no backend for nosuch://"),
            ("sqlite://host/x.db", "names a file, not a host"),
            ("sqlite:///tmp/x.db?color=blue", "unknown option 'color'"),
            ("sqlite:///tmp/x.db?synchronous=sometimes", "synchronous must be one of"),
            ("", "empty"),
        ],
    )
    def test_bad_urls_refused(self, url: str, message: str) -> None:
        """A bad URL is refused with a message that names the problem."""
        with pytest.raises(InvalidInputError, match=message):
            open_log(url)

    def test_verify_lists_every_bad_row(self, tmp_path: Path) -> None:
        """verify() reports each undecodable row; reading raises at the first one."""
        path = tmp_path / "log.db"
        with open_log(path) as log:
            log.append([GapAdded(skill=s) for s in ["SQL", "Go", "Rust", "Java"]])
            assert log.verify() == []
        with sqlite3.connect(path) as raw:
            raw.execute("UPDATE events SET data = x'7b6e6f' WHERE position = 2")
            raw.execute("UPDATE events SET data = '{\"skill\": 5}' WHERE position = 4")
        with open_log(path) as log:
            problems = log.verify()
            corrupt = [p.position for p in problems if "corrupt event" in p.message]
            assert corrupt == [2, 4]
            assert {p.position for p in problems} == {2, 4}  # the hash chain breaks there too
            assert all(p.stream == "me" for p in problems)
            with pytest.raises(CorruptEventError) as caught:
                list(log.read())
            assert caught.value.position == 2
            with pytest.raises(CorruptEventError):
                log.view("gaps")

    def test_verify_finds_missing_positions(self, tmp_path: Path) -> None:
        """A row removed behind the library's back shows as a hole."""
        path = tmp_path / "log.db"
        with open_log(path) as log:
            log.append([GapAdded(skill=s) for s in ["SQL", "Go", "Rust"]])
        with sqlite3.connect(path) as raw:
            raw.execute("DELETE FROM events WHERE position = 2")
        with open_log(path) as log:
            messages = [str(p) for p in log.verify()]
        assert any("2..2 are missing" in m for m in messages)
        assert any("version 3 where 2 was due" in m for m in messages)


class TestPluginEventTypes:
    """An event type from a plugin that is later uninstalled is kept, not lost."""

    def test_uninstalled_plugin_event(self, tmp_path: Path) -> None:
        """Its events read back as unknown, views skip them, and they return with the plugin."""
        import attrs

        from jobsearch_core import UnknownEvent

        @attrs.frozen(kw_only=True)
        class MoodNoted(Event):
            __event_type__ = "acme.MoodNoted"
            mood: str

        class MoodPlugin:
            @hookimpl
            def register_event_types(self, register: Any) -> None:
                register(MoodNoted)

        plugin = MoodPlugin()
        path = tmp_path / "log.db"
        pm.register(plugin, name="acme-mood")
        try:
            with open_log(path) as log:
                log.append(
                    [GapAdded(skill="SQL"), MoodNoted(mood="hopeful 🌱"), GapClosed(skill="SQL")]
                )
        finally:
            pm.unregister(plugin)
        with open_log(path) as log:
            stored = [r.event for r in log.read()]
            assert isinstance(stored[1], UnknownEvent)
            assert stored[1].type_name == "acme.MoodNoted"
            assert log.view("gaps").items == []
            assert [i.skill for i in log.view("gaps", as_of=2).items] == ["SQL"]
            assert log.verify() == []
            log.append([stored[1]], stream="copy")  # re-appended byte for byte
            copied = next(iter(log.read(stream="copy"))).event
            assert isinstance(copied, UnknownEvent)
            assert copied.data == stored[1].data
        pm.register(plugin, name="acme-mood")
        try:
            with open_log(path) as log:
                assert list(log.read())[1].event == MoodNoted(mood="hopeful 🌱", at=stored[1].at)
        finally:
            pm.unregister(plugin)


class TestFeedbackThroughTheLog:
    """A short story through the public API."""

    def test_feedback_feeds_the_gap_list(self, log: EventLog) -> None:
        """next_focus items join the gap list; punch_up items the resume to-do list."""
        log.append(
            [
                ResumeSubmitted(
                    application_id="a1", company="Acme", role="Analyst", via="referral"
                ),
                ScreenPassed(application_id="a1", stage="resume"),
                FeedbackReceived(
                    application_id="a1",
                    items=[
                        {"skill": "Statistics", "mark": "next_focus"},
                        {"skill": "SQL", "mark": "punch_up", "comment": "lead with it"},
                    ],
                    source="hiring manager",
                ),
            ]
        )
        gaps = log.view("gaps")
        assert [i.skill for i in gaps.items] == ["Statistics"]
        assert [p.skill for p in gaps.punch_up] == ["SQL"]
        assert log.view("pipeline").applications["a1"].stage == "resume"


class TestFollow:
    """follow() yields what is there, then each new event as it commits."""

    def test_existing_then_new(self, log: EventLog) -> None:
        """A follower sees the events already stored and one appended from another thread."""
        import threading

        log.append([GapAdded(skill="SQL")])
        timer = threading.Timer(0.2, lambda: log.append([GapAdded(skill="Go")]))
        timer.start()
        try:
            seen = [r.event.skill for r in log.follow(idle_timeout=0.6, poll_interval=0.05)]  # type: ignore[attr-defined]
        finally:
            timer.join()
        assert seen == ["SQL", "Go"]

    def test_after_and_stream(self, log: EventLog) -> None:
        """follow(after=, stream=) starts past a position and keeps to one stream."""
        log.append([GapAdded(skill="SQL")], stream="ann")
        log.append([GapAdded(skill="Go")], stream="bob")
        log.append([GapAdded(skill="Rust")], stream="ann")
        seen = [r.position for r in log.follow(after=1, stream="ann", idle_timeout=0.1)]
        assert seen == [3]

    def test_stops_when_idle(self, log: EventLog) -> None:
        """With nothing new, idle_timeout ends the iteration."""
        assert list(log.follow(idle_timeout=0.05)) == []

    def test_bad_poll_interval(self, log: EventLog) -> None:
        """A poll interval must be positive."""
        with pytest.raises(InvalidInputError, match="poll_interval"):
            next(log.follow(poll_interval=0))
