"""Tests for the `nudges` view: what it folds, its snapshots, and that any events fold."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from hypothesis import given
from jobsearch_core import EventLog, Recorded, ResumeSubmitted
from jobsearch_core.codec import make_converter
from jobsearch_core.events import Event
from jobsearch_core.testing import event_sequences
from jobsearch_core.views import fold

from jobsearch_core_nudges import VIEW, NudgesState, Thresholds
from tests.conftest import NOW, day


class TestFold:
    """The facts the nudges are read from."""

    def test_builds_on_the_core_views(self, demo_log: EventLog) -> None:
        """The pipeline and gap list it holds are the core's own, folded the same way."""
        state: NudgesState = demo_log.view("nudges")
        assert state.pipeline == demo_log.view("pipeline")
        assert state.roles == demo_log.view("roles")
        assert state.gaps.items == demo_log.view("gaps").items

    def test_resume_versions(self, demo_log: EventLog) -> None:
        """Each version's first and last sending, and the latest one, from the demo."""
        state: NudgesState = demo_log.view("nudges")
        v1, v2 = state.resume_versions["v1"], state.resume_versions["v2"]
        assert (v1.applications, v2.applications) == (8, 4)
        assert v2.first_sent_at == day(33.4)
        assert v2.last_sent_at == day(62.4)
        assert (state.latest_resume, state.latest_resume_at) == ("v2", day(62.4))

    def test_latest_version_by_when_not_by_order(self, demo_log: EventLog) -> None:
        """A backfilled application with an old date does not become the latest version."""
        demo_log.append(
            [
                ResumeSubmitted(
                    application_id="old",
                    company="Initrode",
                    role="Analyst",
                    resume_version="v0",
                    at=day(1),
                )
            ]
        )
        state: NudgesState = demo_log.view("nudges")
        assert state.latest_resume == "v2"
        assert state.resume_versions["v0"].first_sent_at == day(1)

    def test_latest_at(self, demo_log: EventLog) -> None:
        """It keeps the newest `at` folded: the moment a view as of a position stands at."""
        assert demo_log.view("nudges").latest_at == day(87)
        assert demo_log.view("nudges", as_of=2).latest_at == day(0.1)


class TestSnapshots:
    """The state survives a snapshot: a replay from one gives what a full fold gives."""

    def test_state_round_trips_through_json(self, demo_log: EventLog) -> None:
        """The core's converter turns the state to JSON and back unchanged."""
        state: NudgesState = demo_log.view("nudges")
        converter = make_converter()
        stored = json.dumps(converter.unstructure(state, NudgesState))
        assert converter.structure(json.loads(stored), NudgesState) == state

    def test_snapshot_round_trip(
        self, demo_log: EventLog, caplog: pytest.LogCaptureFixture
    ) -> None:
        """With a snapshot every 10 events, the second read starts from one and agrees."""
        log = EventLog(demo_log.backend, snapshot_every=10)
        events = [recorded.event for recorded in log.read()]
        first: NudgesState = log.view("nudges")
        again: NudgesState = log.view("nudges")
        assert first == again == fold(VIEW, events)
        assert again.due(now=NOW, thresholds=Thresholds()) == first.due(
            now=NOW, thresholds=Thresholds()
        )
        assert not [r for r in caplog.records if "snapshot" in r.getMessage()]

    def test_snapshot_key_has_the_view_version(self) -> None:
        """The view declares its state type (so it is snapshotted), a version, and the views
        it uses (so their versions key its snapshots too)."""
        assert VIEW.state_type is NudgesState
        assert VIEW.version == 2
        assert set(VIEW.uses) == {"pipeline", "gaps", "roles"}

    def test_the_snapshot_holds_no_copy_of_the_core_views(self, demo_log: EventLog) -> None:
        """A snapshot keeps the nudges' own facts; the pipeline, gap list and roles it is
        handed are the core views' own, never folded again."""
        state: NudgesState = demo_log.view("nudges")
        folded = VIEW.initial()
        for recorded in demo_log.read():
            folded = VIEW.apply(folded, recorded, {})
        assert folded.pipeline.applications == {}
        assert folded.gaps.items == []
        assert folded.resume_versions == state.resume_versions


class TestTotal:
    """Any sequence of valid events folds, and its nudges can be read, without an exception."""

    @given(event_sequences())
    def test_any_events(self, events: list[Event]) -> None:
        """Folds are total, and so are the rules on what they fold."""
        state = fold(VIEW, events)
        latest = max((event.at for event in events), default=NOW)
        for moment in (latest, latest + timedelta(days=400)):
            state.due(now=moment, thresholds=Thresholds())

    def test_apply_returns_the_state(self, demo_log: EventLog) -> None:
        """`apply` keeps the View contract: it returns the state it folded into."""
        state = VIEW.initial()
        recorded: Recorded = next(demo_log.read())
        assert VIEW.apply(state, recorded, {}) is state
