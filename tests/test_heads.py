"""Views kept at the head: answers fold only new events, stay read-only and as given, and
follow another process's appends."""

from __future__ import annotations

import contextlib
import copy
import sqlite3
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jobsearch_core import (
    EventLog,
    EventRetracted,
    GapAdded,
    GapPracticed,
    InvalidInputError,
    ReadOnlyStateError,
    ResumeSubmitted,
    ScreenPassed,
    Stage,
    open_log,
)
from jobsearch_core.catalog import Catalog
from jobsearch_core.events import Event, Recorded
from jobsearch_core.plugins import load_catalog
from jobsearch_core.storage.memory import MemoryBackend
from jobsearch_core.testing import event_sequences, replayable
from jobsearch_core.views import GAPS, PIPELINE, View, fold
from jobsearch_core.views.builtin import VIEWS

T0 = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
NAMES = [view.name for view in VIEWS]


def folded(events: list[Event]) -> dict[str, Any]:
    """Every built-in view of `events`, folded afresh."""
    return {view.name: fold(view, events) for view in VIEWS}


def _scramble(value: Any) -> None:
    """Try to change everything reachable from a state (each refusal is fine)."""
    if attrs.has(type(value)):
        for field in attrs.fields(type(value)):
            _scramble(getattr(value, field.name))
            with contextlib.suppress(ReadOnlyStateError, attrs.exceptions.FrozenInstanceError):
                setattr(value, field.name, None)
    elif isinstance(value, dict | list):
        for item in list(value.values() if isinstance(value, dict) else value):
            _scramble(item)
        with contextlib.suppress(ReadOnlyStateError):
            value.clear()


class TestHeads:
    """`view()` at the head folds only what is new, and hands out what cannot be changed."""

    @settings(max_examples=25)
    @given(
        data=st.data(), backend=st.sampled_from(["memory", "sqlite"]), every=st.sampled_from([0, 4])
    )
    def test_mutated_answers_never_change_later_ones(
        self, data: st.DataObject, backend: str, every: int, tmp_path_factory: Any
    ) -> None:
        """View, change the answers, append more, view again: always the fresh fold."""
        events = replayable(data.draw(event_sequences(max_size=40), label="events"))
        url = "memory://"
        if backend == "sqlite":
            url = f"sqlite://{tmp_path_factory.mktemp('heads') / 'log.db'}"
        with open_log(url) as opened:
            log = EventLog(opened.backend, snapshot_every=every)
            cut = data.draw(st.integers(0, len(events)), label="cut")
            for event in events[:cut]:
                log.append([event])
            for answer in log.views(NAMES).values():
                _scramble(answer)
            for event in events[cut:]:
                log.append([event])
                if data.draw(st.booleans(), label="view between"):
                    _scramble(log.view(data.draw(st.sampled_from(NAMES), label="which")))
            assert log.views(NAMES) == folded(events)

    def test_an_answer_refuses_changes(self) -> None:
        """Setting a field, or changing a list or dict of an answer, raises ReadOnlyStateError."""
        log = open_log("memory://")
        log.append([ResumeSubmitted(application_id="a", company="Acme", role="Analyst", at=T0)])
        answer = log.view(PIPELINE)
        with pytest.raises(ReadOnlyStateError, match="read-only"):
            answer.applications["a"].stage = Stage.PHONE
        with pytest.raises(ReadOnlyStateError):
            answer.applications.clear()
        with pytest.raises(ReadOnlyStateError):
            answer.applications["a"].stages.append(None)  # type: ignore[arg-type]

    def test_a_deep_copy_is_yours_to_change(self) -> None:
        """copy.deepcopy of an answer is an equal, ordinary state that can be changed."""
        log = open_log("memory://")
        log.append([GapAdded(skill="SQL", at=T0)])
        answer = log.view(GAPS)
        mine = copy.deepcopy(answer)
        assert mine == answer
        mine.skills["sql"].rank = 7
        mine.order.append("go")
        assert log.view(GAPS) == answer

    def test_nothing_new_gives_the_same_answer(self) -> None:
        """With no event since, view() hands out the answer it gave last, unchanged."""
        log = open_log("memory://")
        log.append([GapAdded(skill="SQL", at=T0)])
        first = log.view("history")
        assert log.view("history") is first
        log.append([GapAdded(skill="Go", at=T0)])
        later = log.view("history")
        assert later is not first
        assert list(first.ranks) == ["SQL"]
        assert list(later.ranks) == ["SQL", "Go"]

    def test_unchanged_parts_are_shared(self) -> None:
        """An answer after one more event shares every application that event left alone."""
        log = open_log("memory://")
        log.append(
            [
                ResumeSubmitted(application_id=f"a{i}", company="Acme", role="Analyst", at=T0)
                for i in range(20)
            ]
        )
        before = log.view(PIPELINE)
        log.append([ScreenPassed(application_id="a3", stage=Stage.RESUME, at=T0)])
        after = log.view(PIPELINE)
        assert after.applications["a4"] is before.applications["a4"]
        assert after.applications["a3"] is not before.applications["a3"]
        assert before.applications["a3"].stage is Stage.APPLIED

    def test_a_correction_of_a_kept_event_refolds(self) -> None:
        """Retracting an event the kept state holds gives the fold without it."""
        log = open_log("memory://")
        events: list[Event] = [GapAdded(skill=s, at=T0) for s in ("SQL", "Go", "dbt")]
        log.append(events)
        assert [item.skill for item in log.view(GAPS).items] == ["SQL", "Go", "dbt"]
        log.append([EventRetracted(position=1, at=T0)])
        assert [item.skill for item in log.view(GAPS).items] == ["Go", "dbt"]

    def test_the_bound_is_kept(self) -> None:
        """At most `max_cached_states` states are kept: the least recently used go first."""
        log = EventLog(MemoryBackend(), max_cached_states=3)
        for stream in ("a", "b", "c"):
            log.append([GapAdded(skill="SQL", at=T0)], stream=stream)
            log.view("gaps", stream=stream)
        assert log.cached_states == 3
        log.view("roles", stream="a")  # roles and the gaps it uses: b's gaps are the oldest
        assert log.cached_states == 3
        log.append([GapAdded(skill="Go", at=T0)], stream="b")
        assert [item.skill for item in log.view(GAPS, stream="b").items] == ["SQL", "Go"]
        assert log.cached_states == 3

    def test_none_kept(self) -> None:
        """max_cached_states=0 keeps nothing, and the answers are the same."""
        log = EventLog(MemoryBackend(), max_cached_states=0)
        log.append([GapAdded(skill="SQL", at=T0)])
        assert [item.skill for item in log.view(GAPS).items] == ["SQL"]
        assert log.cached_states == 0

    def test_a_bad_bound_is_refused(self) -> None:
        """max_cached_states must be a whole number."""
        with pytest.raises(InvalidInputError, match="max_cached_states"):
            EventLog(MemoryBackend(), max_cached_states="many")  # type: ignore[arg-type]

    def test_a_view_of_a_plugin_gets_a_copy(self) -> None:
        """A view whose fold is not copy-on-write hands out a copy each time: changing it
        changes nothing."""

        @attrs.define
        class Count:
            seen: list[int] = attrs.Factory(list)

        def count(state: Count, recorded: Recorded) -> Count:
            state.seen.append(recorded.position)
            return state

        counted: View[Count] = View(name="count", version=1, initial=Count, apply=count)
        base = load_catalog()
        catalog = Catalog.make(
            backends=base.backends,
            views={**base.views, "count": counted},
            event_types=base.event_types,
            upcasters=base.upcasters,
        )
        log = EventLog(MemoryBackend(), catalog=catalog)
        log.append([GapAdded(skill="SQL", at=T0)])
        log.view(counted).seen.append(99)
        log.append([GapAdded(skill="Go", at=T0)])
        assert log.view(counted).seen == [1, 2]


class TestOtherWriters:
    """Two processes on one file each see the other's appends, and a history replaced."""

    def test_another_process_appends(self, tmp_path: Path) -> None:
        """A cached view follows events another process appended since."""
        url = f"sqlite://{tmp_path / 'log.db'}"
        log = open_log(url)
        log.append([GapAdded(skill="SQL", at=T0)])
        assert [item.skill for item in log.view(GAPS).items] == ["SQL"]
        script = (
            "import sys\n"
            "from datetime import UTC, datetime\n"
            "from jobsearch_core import GapAdded, GapPracticed, open_log\n"
            "with open_log(sys.argv[1]) as log:\n"
            "    at = datetime(2026, 1, 5, 9, tzinfo=UTC)\n"
            "    log.view('gaps')\n"
            "    log.append([GapAdded(skill='Go', at=at), GapPracticed(skill='SQL', minutes=5, at=at)])\n"
        )
        subprocess.run([sys.executable, "-c", script, url], check=True)
        gaps = log.view(GAPS)
        assert [item.skill for item in gaps.items] == ["SQL", "Go"]
        assert gaps.items[0].minutes_practised == 5
        log.append([GapPracticed(skill="Go", minutes=10, at=T0)])
        done = subprocess.run(
            [
                sys.executable,
                "-c",
                "import sys\nfrom jobsearch_core import open_log\n"
                "print(open_log(sys.argv[1]).view('gaps').items[1].minutes_practised)",
                url,
            ],
            check=True,
            capture_output=True,
            text=True,
        )
        assert done.stdout.strip() == "10"
        log.close()

    def test_a_history_replaced_is_not_trusted(self, tmp_path: Path) -> None:
        """A kept state whose position now holds another chain hash is folded again."""
        path = tmp_path / "log.db"
        log = EventLog(open_log(f"sqlite://{path}").backend, snapshot_every=0)
        log.append([GapAdded(skill="SQL", at=T0), GapAdded(skill="Go", at=T0)])
        assert [item.skill for item in log.view(GAPS).items] == ["SQL", "Go"]
        other = open_log(f"sqlite://{tmp_path / 'other.db'}")
        other.append([GapAdded(skill="SQL", at=T0), GapAdded(skill="dbt", at=T0)])
        data, digest = (
            sqlite3.connect(tmp_path / "other.db")
            .execute("SELECT data, hash FROM events WHERE position = 2")
            .fetchone()
        )
        with sqlite3.connect(path) as conn:  # behind the library's back
            conn.execute("UPDATE events SET data = ?, hash = ? WHERE position = 2", (data, digest))
        assert [item.skill for item in log.view(GAPS).items] == ["SQL", "dbt"]
        other.close()
        log.close()


class TestClosing:
    """Closing a log leaves a snapshot of each state that folded far since its last one."""

    def _positions(self, log: EventLog, name: str) -> list[int]:
        return sorted(s.position for s in log.backend.read_snapshots() if s.view == name)  # type: ignore[attr-defined]

    def test_a_long_way_since_the_last_is_saved(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """A state that waits longer than `snapshot_every` between snapshots (a large one)
        is saved on closing, and the next log starts from it."""
        import jobsearch_core.snapshots

        monkeypatch.setattr(
            jobsearch_core.snapshots, "SNAPSHOT_BYTES_PER_EVENT", 1
        )  # all are large
        url = f"sqlite://{tmp_path / 'log.db'}"
        log = open_log(url)
        log.snapshot_every = 10
        log.append([GapAdded(skill=f"s{i}", at=T0) for i in range(5)])
        log.view(GAPS)
        for _ in range(20):  # the state waits longer than that for its next snapshot
            log.append([GapPracticed(skill="s1", minutes=5, at=T0)])
            log.view(GAPS)
        folded = log.head
        assert self._positions(log, "gaps")[-1] <= folded - 10
        log.append([GapPracticed(skill="s2", minutes=5, at=T0)])  # not folded: not saved
        log.close()
        log.close()  # a second close does nothing
        again = open_log(url)
        assert self._positions(again, "gaps")[-1] == folded
        assert again.view(GAPS) == EventLog(again.backend, snapshot_every=0).view(GAPS)
        again.close()

    def test_a_few_since_the_last_are_not(self, tmp_path: Path) -> None:
        url = f"sqlite://{tmp_path / 'log.db'}"
        log = open_log(url)
        log.snapshot_every = 10
        log.append([GapAdded(skill=f"s{i}", at=T0) for i in range(12)])
        log.view(GAPS)
        before = self._positions(log, "gaps")
        log.append([GapPracticed(skill="s1", minutes=5, at=T0) for _ in range(3)])
        log.view(GAPS)
        log.close()
        assert self._positions(open_log(url), "gaps") == before

    def test_a_closed_backend(self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        """A backend closed behind the log's back: closing still ends quietly."""
        import jobsearch_core.snapshots

        monkeypatch.setattr(jobsearch_core.snapshots, "SNAPSHOT_BYTES_PER_EVENT", 1)
        log = open_log(f"sqlite://{tmp_path / 'log.db'}")
        log.snapshot_every = 10
        log.append([GapAdded(skill="s", at=T0)])
        for _ in range(30):
            log.append([GapPracticed(skill="s", minutes=5, at=T0)])
            log.view(GAPS)
        log.backend.close()
        log.close()
