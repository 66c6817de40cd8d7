"""Frozen states: read-only, equal to the mutable originals, thawed by copy, never walked twice."""

from __future__ import annotations

import copy
import pickle
from datetime import UTC, datetime
from typing import Any

import attrs
import pytest
from hypothesis import given

from jobsearch_core import ReadOnlyStateError, Stage
from jobsearch_core.testing import event_sequences
from jobsearch_core.views import GAPS, HISTORY, PIPELINE, ROLES, Application, PipelineState, fold
from jobsearch_core.views.frozen import (
    FrozenDict,
    FrozenList,
    freeze,
    is_frozen,
    own,
    thaw,
)

T0 = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


def pipeline() -> PipelineState:
    """A pipeline of two applications."""
    state = PipelineState()
    for name in ("a", "b"):
        state.application(name, T0).company = "Acme"
    return state


class TestFreeze:
    """`freeze` makes a state read-only in place, equal to what it was."""

    def test_everything_is_read_only(self) -> None:
        """Fields, lists and dicts of a frozen state refuse changes."""
        state = freeze(pipeline())
        assert isinstance(state.applications, FrozenDict)
        assert isinstance(state.applications["a"].stages, FrozenList)
        for change in (
            lambda: setattr(state, "base_rates_source", "x"),
            lambda: state.applications.pop("a"),
            lambda: state.applications["a"].stages.append(None),
            lambda: setattr(state.applications["a"], "stage", Stage.PHONE),
            lambda: delattr(state.applications["a"], "role"),
        ):
            with pytest.raises(ReadOnlyStateError, match=r"copy\.deepcopy"):
                change()

    @given(events=event_sequences(max_size=30))
    def test_frozen_equals_its_original(self, events: list) -> None:  # type: ignore[type-arg]
        """Each built-in view's state, frozen, is == to (and isinstance of) the unfrozen one."""
        for view in (PIPELINE, GAPS, ROLES, HISTORY):
            plain = fold(view, events)
            frozen = freeze(copy.deepcopy(plain))
            assert frozen == plain
            assert plain == frozen
            assert not frozen != plain  # noqa: SIM202
            assert isinstance(frozen, type(plain))
            assert repr(frozen) == repr(plain)

    def test_copies_are_mutable(self) -> None:
        """copy.deepcopy and pickle give back ordinary, mutable states."""
        state = freeze(pipeline())
        for mine in (copy.deepcopy(state), pickle.loads(pickle.dumps(state))):
            assert mine == state
            assert not is_frozen(mine)
            assert not is_frozen(mine.applications)
            mine.applications["a"].stage = Stage.PHONE
            mine.applications.clear()
        assert len(state.applications) == 2

    def test_evolve_gives_a_frozen_instance(self) -> None:
        """attrs.evolve of a frozen instance checks as the class does and is frozen too."""
        state = freeze(pipeline())
        changed = attrs.evolve(state.applications["a"], role="Analyst")
        assert is_frozen(changed)
        assert changed.role == "Analyst"
        assert state.applications["a"].role is None


@attrs.define
class Loose:
    """A plugin's state whose annotations say little: every field is looked at."""

    anything: Any = None
    maybe: list[str] | None = None
    label: str = ""


@attrs.define
class Unresolved:
    """A state whose annotation names a class that does not exist."""

    items: NoSuchClass  # type: ignore[name-defined]  # noqa: F821


@attrs.define
class Checked:
    """A state that checks what is set on it (attrs' on_setattr)."""

    items: list[int] = attrs.field(factory=list, validator=attrs.validators.instance_of(list))


class TestFreezeByAnnotation:
    """Only fields that may hold something mutable are walked, and every one that may is."""

    def test_loose_annotations_are_walked(self) -> None:
        state = freeze(Loose(anything=[1, {"a": [2]}], maybe=["x"]))
        for change in (
            lambda: state.anything.append(3),
            lambda: state.anything[1].pop("a"),
            lambda: state.anything[1]["a"].append(3),
            lambda: state.maybe.append("y"),
            lambda: setattr(state, "label", "z"),
        ):
            with pytest.raises(ReadOnlyStateError):
                change()

    def test_unresolved_annotations_are_walked(self) -> None:
        state = freeze(Unresolved(items=[1]))
        with pytest.raises(ReadOnlyStateError):
            state.items.append(2)

    def test_a_class_with_hooks(self) -> None:
        state = freeze(Checked(items=[1]))
        with pytest.raises(ReadOnlyStateError):
            state.items.append(2)
        assert state == Checked(items=[1])


class TestThaw:
    """The fold's side: `thaw` copies, `own` puts the copy in place, `freeze` costs the change."""

    def test_thaw_copies_one_level(self) -> None:
        """A thawed object is mutable, its lists and dicts are copies, their items shared."""
        state = freeze(pipeline())
        mine = thaw(state)
        assert not is_frozen(mine)
        assert mine.applications is not state.applications
        assert mine.applications["a"] is state.applications["a"]
        app = own(mine.applications, "a")
        app.stage = Stage.PHONE
        assert state.applications["a"].stage is Stage.APPLIED
        assert mine.applications["a"] is app

    def test_freezing_again_walks_only_what_changed(self) -> None:
        """Refreezing a thawed state leaves the untouched items as they were (the same objects)."""
        state = freeze(pipeline())
        mine = thaw(state)
        own(mine.applications, "a").stage = Stage.PHONE
        mine.applications["c"] = Application(id="c")
        again = freeze(mine)
        assert again.applications["b"] is state.applications["b"]
        assert is_frozen(again.applications["a"])
        assert is_frozen(again.applications["c"])
        assert is_frozen(again.applications)

    def test_a_plain_value_is_its_own_thaw(self) -> None:
        """thaw leaves what is not frozen as it is."""
        state = pipeline()
        assert thaw(state) is state
