"""Schema evolution: old stored forms upcast on read, old snapshots ignored, nothing rewritten."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import attrs

from jobsearch_core import Event, GapAdded, View, hookimpl, open_log
from jobsearch_core.events import Recorded


@attrs.frozen(kw_only=True)
class InterviewBookedV1(Event):
    """Version 1: `who` named the interviewer and `room` said where."""

    __event_type__ = "acme.InterviewBooked"
    application_id: str
    who: str
    room: str


@attrs.frozen(kw_only=True)
class InterviewBookedV2(Event):
    """Version 2: `who` renamed `interviewer`; `room` removed."""

    __event_type__ = "acme.InterviewBooked"
    __schema_version__ = 2
    application_id: str
    interviewer: str


def upcast_1_to_2(data: dict[str, Any]) -> dict[str, Any]:
    data["interviewer"] = data.pop("who")
    data.pop("room", None)
    return data


class Plugin:
    """Registers one version of the event (and, for v2, its upcaster)."""

    def __init__(self, cls: type[Event], upcasters: bool) -> None:
        self.cls = cls
        self.upcasters = upcasters

    @hookimpl
    def register_event_types(self, register: Any) -> None:
        register(self.cls)

    @hookimpl
    def register_upcasters(self, register: Any) -> None:
        if self.upcasters:
            register("acme.InterviewBooked", 1, upcast_1_to_2)


class TestUpgrade:
    """Events written by an older schema read back in the new one."""

    def test_renamed_and_removed_fields(self, tmp_path: Path, installed: Any) -> None:
        """v1 rows become v2 events through the upcaster; the stored bytes stay as they were."""
        path = tmp_path / "log.db"
        installed(Plugin(InterviewBookedV1, upcasters=False))
        with open_log(path) as log:
            log.append([InterviewBookedV1(application_id="a1", who="Ann", room="4B")])
            (stored,) = list(log.backend.read())
        installed(Plugin(InterviewBookedV2, upcasters=True))
        with open_log(path) as log:
            (recorded,) = list(log.read())
            assert recorded.event == InterviewBookedV2(
                application_id="a1", interviewer="Ann", at=recorded.event.at
            )
            assert list(log.backend.read()) == [stored]  # read, never rewritten
            assert log.verify() == []
            log.append([InterviewBookedV2(application_id="a2", interviewer="Bo")])
            assert [r.schema_version for r in log.backend.read()] == [1, 2]


class TestSnapshotsAcrossVersions:
    """A view version bump makes the old snapshots invisible."""

    def test_old_snapshot_ignored(self, tmp_path: Path, installed: Any) -> None:
        """After the bump the view replays from the start with its new fold."""

        def count(step: int) -> Any:
            def apply(state: int, recorded: Recorded) -> int:
                return state + step

            return apply

        class Counter:
            def __init__(self, version: int, step: int) -> None:
                self.view = View(
                    name="count", version=version, initial=int, apply=count(step), state_type=int
                )

            @hookimpl
            def register_views(self, register: Any) -> None:
                register(self.view)

        path = tmp_path / "log.db"
        installed(Counter(version=1, step=1))
        with open_log(path) as log:
            log.snapshot_every = 1
            log.append([GapAdded(skill=f"s{i}") for i in range(5)])
            assert log.view("count") == 5
        installed(Counter(version=2, step=10))
        with open_log(path) as log:
            assert log.view("count") == 50
