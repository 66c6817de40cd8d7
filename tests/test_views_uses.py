"""Views that use views: folded once per pass, in order, keyed by what they use, refused in a cycle."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import attrs
import pytest

from jobsearch_core import (
    EventLog,
    EventRetracted,
    GapAdded,
    GapClosed,
    GapPracticed,
    GapPromoted,
    JobsearchError,
    PluginError,
    Recorded,
    View,
    ViewError,
    hookimpl,
    open_log,
)
from jobsearch_core.plugins import pm
from jobsearch_core.views import GAPS, GapsState, fold, graph


@attrs.define
class Seen:
    """What a test view saw: one entry per event it folded."""

    entries: list[Any] = attrs.Factory(list)


class Plugin:
    """A plugin that registers the views it is given."""

    def __init__(self, *views: View[Any]) -> None:
        self.views = views

    @hookimpl
    def register_views(self, register: Any) -> None:
        for view in self.views:
            register(view)


@pytest.fixture
def registered() -> Iterator[Any]:
    """Registers views through a plugin of their own; unregistered after the test."""
    names: list[str] = []

    def register(*views: View[Any]) -> None:
        name = f"test-views-{len(names)}"
        pm.register(Plugin(*views), name=name)
        names.append(name)

    yield register
    for name in names:
        pm.unregister(name=name)


def open_items(state: Seen, recorded: Recorded, inputs: Mapping[str, Any]) -> Seen:
    gaps: GapsState = inputs["gaps"]
    state.entries.append((recorded.position, [item.skill for item in gaps.items]))
    return state


OPEN_ITEMS: View[Seen] = View(
    name="open-items", version=1, initial=Seen, apply=open_items, state_type=Seen, uses=("gaps",)
)


def chained(name: str, used: str | None, version: int = 1) -> View[Seen]:
    """A view that notes the position and the used view's last entry (or the count)."""

    def apply(state: Seen, recorded: Recorded, inputs: Mapping[str, Any] | None = None) -> Seen:
        below = inputs[used].entries[-1] if inputs and used else None
        state.entries.append((name, recorded.position, below))
        return state

    return View(
        name=name,
        version=version,
        initial=Seen,
        apply=apply,
        state_type=Seen,
        uses=(used,) if used else (),
    )


STORY = [
    GapAdded(skill="SQL"),
    GapAdded(skill="Go"),
    GapPromoted(skill="Go", to_rank=1),
    GapPracticed(skill="Go", minutes=30),
    GapClosed(skill="SQL"),
]


class TestUses:
    """A view with `uses` is handed the used views' states after the same event."""

    def test_a_view_that_uses_gaps(self, registered: Any) -> None:
        """It sees the gap list as it stands after each event, without folding it."""
        registered(OPEN_ITEMS)
        log = open_log("memory://")
        log.append(STORY)
        assert log.view("open-items").entries == [
            (1, ["SQL"]),
            (2, ["SQL", "Go"]),
            (3, ["Go", "SQL"]),
            (4, ["Go", "SQL"]),
            (5, ["Go"]),
        ]

    def test_a_chain_of_three(self, registered: Any) -> None:
        """c uses b uses a: each is handed the one below after the same event, a first."""
        registered(chained("c", "b"), chained("a", None), chained("b", "a"))
        log = open_log("memory://")
        log.append(STORY[:2])
        assert log.view("c").entries == [
            ("c", 1, ("b", 1, ("a", 1, None))),
            ("c", 2, ("b", 2, ("a", 2, None))),
        ]
        assert log.views(["a", "c"])["a"].entries == [("a", 1, None), ("a", 2, None)]

    def test_each_view_is_folded_once_per_pass(self, registered: Any) -> None:
        """Two views using one: the used one folds each event once, and is pulled in."""
        calls: list[int] = []

        def counted(state: Seen, recorded: Recorded) -> Seen:
            calls.append(recorded.position)
            state.entries.append(recorded.position)
            return state

        base = View(name="base", version=1, initial=Seen, apply=counted)
        registered(base, chained("left", "base"), chained("right", "base"))
        log = open_log("memory://")
        log.append(STORY)
        answers = log.views(["left", "right"])
        assert calls == [1, 2, 3, 4, 5]
        assert answers["left"].entries[-1] == ("left", 5, 5)
        assert answers["right"].entries[-1] == ("right", 5, 5)

    def test_fold_pulls_in_the_used_views(self) -> None:
        """`fold` finds a used view among the built-ins."""
        assert fold(OPEN_ITEMS, STORY[:1]).entries == [(1, ["SQL"])]

    def test_a_correction_far_back_refolds_the_used_views_too(self, registered: Any) -> None:
        """A retraction reaching past what is held back refolds the view and the gap list."""
        registered(OPEN_ITEMS)
        log = open_log("memory://")
        log.append([GapAdded(skill="SQL")])
        log.append([GapPracticed(skill="SQL", minutes=1) for _ in range(2500)])
        log.append([GapAdded(skill="Go"), EventRetracted(position=1)])
        entries = log.view("open-items").entries
        assert entries[0] == (2, [])  # SQL was never added
        assert entries[-1] == (2503, ["Go"])


class TestRefused:
    """A view that uses an unknown view, or views in a cycle, are refused, naming them."""

    def test_an_unknown_name(self, registered: Any) -> None:
        """The catalog refuses it when a log is opened."""
        registered(chained("lonely", "nowhere"))
        with pytest.raises(PluginError, match=r"'lonely' uses 'nowhere', which no plugin"):
            open_log("memory://").view("lonely")

    def test_a_cycle(self, registered: Any) -> None:
        """Both views of a cycle are named, in order."""
        registered(chained("ping", "pong"), chained("pong", "ping"))
        with pytest.raises(PluginError, match=r"cycle: ping -> pong -> ping"):
            open_log("memory://")

    def test_itself(self) -> None:
        """A view cannot use itself."""
        with pytest.raises(PluginError, match="uses itself"):
            chained("narcissus", "narcissus")

    def test_uses_must_be_names(self) -> None:
        """`uses` is a list of names, not one name."""
        with pytest.raises(PluginError, match="list of view names"):
            View(name="x", version=1, initial=Seen, apply=open_items, uses="gaps")  # type: ignore[arg-type]


class TestSnapshotKeys:
    """A view's snapshots are keyed by its version and the versions of all it uses."""

    def test_fingerprint_follows_every_version_below(self) -> None:
        """Changing the version of a view two levels down changes the top one's key."""
        views = {view.name: view for view in (chained("a", None), chained("b", "a"))}
        views["c"] = chained("c", "b")
        before = graph.fingerprint(views, "c")
        views["a"] = chained("a", None, version=2)
        assert graph.fingerprint(views, "c") != before
        assert graph.fingerprint(views, "b") != graph.fingerprint(
            {**views, "a": chained("a", None)}, "b"
        )

    def test_a_used_view_changed_under_old_snapshots(self, registered: Any, tmp_path: Path) -> None:
        """Re-registered with a new version and another fold, the used view's change
        reaches the view using it, on a log that holds snapshots made before."""

        def tally(state: Seen, recorded: Recorded) -> Seen:
            state.entries.append("old")
            return state

        def tally_again(state: Seen, recorded: Recorded) -> Seen:
            state.entries.append("new")
            return state

        path = tmp_path / "log.db"
        pm.register(
            Plugin(View(name="base", version=1, initial=Seen, apply=tally, state_type=Seen)),
            name="base-v1",
        )
        try:
            registered(chained("top", "base"))
            log = EventLog(open_log(path).backend, snapshot_every=2)
            log.append(STORY)
            assert log.view("top").entries == [("top", i, "old") for i in range(1, 6)]
            assert log.backend.load_snapshot(
                "top", log._folding.snapshots.key(log.catalog.view("top")), "me", at_or_before=5
            )
        finally:
            pm.unregister(name="base-v1")
        pm.register(
            Plugin(View(name="base", version=2, initial=Seen, apply=tally_again, state_type=Seen)),
            name="base-v2",
        )
        try:
            again = EventLog(open_log(path).backend, snapshot_every=2)
            assert again.view("top").entries == [("top", i, "new") for i in range(1, 6)]
            assert again.view("base").entries == ["new"] * 5
        finally:
            pm.unregister(name="base-v2")

    def test_builtin_keys_name_the_gap_list(self) -> None:
        """roles and history are keyed by the gap list's version too."""
        views = {"gaps": GAPS, "top": chained("top", "gaps")}
        moved = {**views, "gaps": attrs.evolve(GAPS, version=GAPS.version + 1)}
        assert graph.fingerprint(views, "top") != graph.fingerprint(moved, "top")


class TestAFoldThatRaises:
    """A fold that raises is a `ViewError` naming the view, the stream and the position."""

    def test_named_with_the_cause_chained(self, registered: Any) -> None:
        """The plugin's own exception is the cause; the log is as it was."""

        def fussy(state: Seen, recorded: Recorded) -> Seen:
            if isinstance(recorded.event, GapPromoted):
                raise ZeroDivisionError("cannot rank that")
            return state

        registered(View(name="fussy", version=1, initial=Seen, apply=fussy))
        log = open_log("memory://")
        log.append(STORY, stream="ann")
        with pytest.raises(
            ViewError, match=r"view 'fussy' failed at position 3 of stream 'ann'"
        ) as raised:
            log.view("fussy", stream="ann")
        assert (raised.value.view, raised.value.stream, raised.value.position) == (
            "fussy",
            "ann",
            3,
        )
        assert isinstance(raised.value.__cause__, ZeroDivisionError)
        assert isinstance(raised.value, JobsearchError)
        assert log.view("gaps", stream="ann").items  # other views still answer

    def test_a_failing_finish_and_initial(self, registered: Any) -> None:
        """A `finish` or an `initial` that raises is named too."""

        def broken(state: Seen, inputs: Mapping[str, Any]) -> Seen:
            raise KeyError("nope")

        def never() -> Seen:
            raise RuntimeError("no state")

        registered(
            View(
                name="unfinished",
                version=1,
                initial=Seen,
                apply=open_items,
                uses=("gaps",),
                finish=broken,
            ),
            View(name="unborn", version=1, initial=never, apply=open_items, uses=("gaps",)),
        )
        log = open_log("memory://")
        log.append(STORY)
        with pytest.raises(ViewError, match="view 'unfinished' failed: KeyError"):
            log.view("unfinished")
        with pytest.raises(ViewError, match="view 'unborn' failed: RuntimeError"):
            log.view("unborn")
