"""The contract every view must keep: subclass `ViewContract` in your tests."""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from typing import Any, ClassVar

import attrs
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jobsearch_core.catalog import Catalog
from jobsearch_core.errors import ReadOnlyStateError
from jobsearch_core.events import Event, EventRetracted
from jobsearch_core.log import EventLog
from jobsearch_core.plugins import load_catalog
from jobsearch_core.storage.memory import MemoryBackend
from jobsearch_core.testing.strategies import event_sequences
from jobsearch_core.views.replay import fold, skipped_positions
from jobsearch_core.views.view import View

__all__ = ["ViewContract", "replayable"]

_CHECKS = settings(
    max_examples=40,
    deadline=None,
    # One method per subclass, each run with its own class: the health check would object.
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.function_scoped_fixture,
        HealthCheck.differing_executors,
    ],
)


def replayable(events: Sequence[Event]) -> list[Event]:
    """The events as one stream of a log can hold them: each correction points back.

    A retraction whose position is not an earlier event of the list is pointed at one
    (or left out, at the very start), and one of an event retracted already is left
    out, as `EventLog.append` would refuse them otherwise.
    """
    kept: list[Event] = []
    retractions: dict[int, int] = {}
    for event in events:
        if isinstance(event, EventRetracted):
            if not kept:
                continue
            if not 1 <= event.position <= len(kept):
                event = attrs.evolve(event, position=1 + event.position % len(kept))
            if event.position in skipped_positions(retractions):
                continue  # retracted already: the log refuses to retract it again
            retractions[len(kept) + 1] = event.position
        kept.append(event)
    return kept


class ViewContract:
    """What every `View` must do; subclass it as ``TestMyView`` and set `view`.

    With Hypothesis, on generated job searches (the built-in events, or `events()`):
    the fold is total; ``view(as_of=n)`` equals folding the first n events; snapshots
    never change a result; and a caller who changes a returned state does not change
    the next answer. A view that uses views which are not built in names them in
    `using`; one that folds event types of its own adds them to `event_types` and
    overrides `events()`::

        from jobsearch_core.testing import ViewContract

        class TestWeekly(ViewContract):
            view = WEEKLY
    """

    #: The view under test.
    view: ClassVar[View[Any]]
    #: Views it uses, or that those use, that the installed plugins do not register.
    using: ClassVar[Sequence[View[Any]]] = ()
    #: Event classes of its own that it folds (the built-in ones are there already).
    event_types: ClassVar[Sequence[type[Event]]] = ()
    #: The longest job search generated.
    max_events: ClassVar[int] = 30

    def events(self) -> st.SearchStrategy[list[Event]]:
        """The job searches to fold: any list of valid events (override to add your own)."""
        return event_sequences(max_size=self.max_events)

    def comparable(self, state: Any) -> Any:
        """The form two answers are compared in (the state itself: override without `==`)."""
        return state

    def mutate(self, state: Any) -> None:
        """Change a returned state as a careless caller might: every container emptied, every
        field set to None (or refused, by a read-only state)."""
        _scramble(state, set())

    # --- helpers ----------------------------------------------------------------------------

    def catalog(self) -> Catalog:
        """The installed plugin set, with the view under test (and `using`) in it."""
        base = load_catalog()
        views = {**base.views, **{view.name: view for view in (*self.using, self.view)}}
        types = dict(base.event_types)
        for cls in self.event_types:
            types[cls.__dict__.get("__event_type__", cls.__name__)] = cls
        return Catalog.make(
            backends=base.backends, views=views, event_types=types, upcasters=base.upcasters
        )

    def log_of(self, events: Sequence[Event], *, snapshot_every: int = 0) -> EventLog:
        """A fresh memory log holding `events` (one append each) in stream "me"."""
        log = EventLog(MemoryBackend(), catalog=self.catalog(), snapshot_every=snapshot_every)
        for event in events:
            log.append([event])
        return log

    def folded(self, events: Sequence[Event]) -> Any:
        """The answer for `events`, by definition: a plain fold, in memory."""
        catalog = self.catalog()
        return fold(self.view, events, using=catalog.views)

    # --- the contract -----------------------------------------------------------------------

    @_CHECKS
    @given(data=st.data())
    def test_fold_is_total(self, data: st.DataObject) -> None:
        """Any sequence of valid events folds, and is handed out, without an exception."""
        self.folded(data.draw(self.events(), label="events"))

    @_CHECKS
    @given(data=st.data())
    def test_as_of_is_the_fold_of_the_first_events(self, data: st.DataObject) -> None:
        """``view(as_of=n)`` is what folding the first n events gives, for every n."""
        events = replayable(data.draw(self.events(), label="events"))
        log = self.log_of(events)
        for n in range(len(events) + 1):
            answer = log.view(self.view.name, as_of=n)
            assert self.comparable(answer) == self.comparable(self.folded(events[:n])), n

    @_CHECKS
    @given(data=st.data(), every=st.integers(1, 4))
    def test_snapshots_never_change_a_result(self, data: st.DataObject, every: int) -> None:
        """With snapshots taken every few events, each answer is the one without them."""
        events = replayable(data.draw(self.events(), label="events"))
        log = self.log_of(events, snapshot_every=every)
        plain = EventLog(log.backend, catalog=log.catalog, snapshot_every=0)
        positions = list(range(len(events) + 1))
        for n in data.draw(st.permutations(positions), label="order asked"):
            expected = self.comparable(plain.view(self.view.name, as_of=n))
            assert self.comparable(log.view(self.view.name, as_of=n)) == expected, n
        assert self.comparable(log.view(self.view.name)) == self.comparable(
            plain.view(self.view.name)
        )

    @_CHECKS
    @given(data=st.data())
    def test_changing_an_answer_changes_nothing(self, data: st.DataObject) -> None:
        """A caller who changes a returned state does not change what later calls return."""
        events = replayable(data.draw(self.events(), label="events"))
        log = self.log_of(events, snapshot_every=2)
        expected = self.comparable(self.folded(events))
        answer = log.view(self.view.name)
        self.mutate(answer)
        assert self.comparable(log.view(self.view.name)) == expected
        self.mutate(log.views([self.view.name])[self.view.name])
        assert self.comparable(log.view(self.view.name)) == expected

    @_CHECKS
    @given(data=st.data(), every=st.sampled_from([0, 3]))
    def test_answers_follow_appends_and_stay_as_given(
        self, data: st.DataObject, every: int
    ) -> None:
        """After each append the view is the fold of the events so far, whatever the caller
        did to the answers before; and an answer kept stays what it was when given."""
        events = replayable(data.draw(self.events(), label="events"))
        log = self.log_of([], snapshot_every=every)
        kept: list[tuple[int, Any]] = []
        for n, event in enumerate(events, start=1):
            log.append([event])
            answer = log.view(self.view.name)
            assert self.comparable(answer) == self.comparable(self.folded(events[:n])), n
            if data.draw(st.booleans(), label=f"change answer {n}"):
                self.mutate(answer)
            else:
                kept.append((n, answer))
        for n, answer in kept:
            assert self.comparable(answer) == self.comparable(self.folded(events[:n])), n


def _scramble(value: Any, seen: set[int]) -> None:
    """Empty every list, dict and set reachable from `value` (attrs fields, items, values),
    and set every attrs field to None; a read-only state may refuse (`ReadOnlyStateError`)."""
    if id(value) in seen or isinstance(value, str | bytes | int | float | bool | type(None)):
        return
    seen.add(id(value))
    if attrs.has(type(value)):
        for field in attrs.fields(type(value)):
            _scramble(getattr(value, field.name), seen)
            try:
                setattr(value, field.name, None)
            except ReadOnlyStateError:
                pass
            except (attrs.exceptions.FrozenInstanceError, TypeError, ValueError):
                pass  # an attrs frozen class, or a field whose validator refuses None
        return
    if isinstance(value, dict):
        for item in list(value.values()):
            _scramble(item, seen)
        with contextlib.suppress(ReadOnlyStateError):
            value.clear()
    elif isinstance(value, list | set):
        for item in list(value):
            _scramble(item, seen)
        with contextlib.suppress(ReadOnlyStateError):
            value.clear()
    elif isinstance(value, tuple):
        for item in value:
            _scramble(item, seen)
