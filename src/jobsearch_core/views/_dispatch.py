"""Turns a table of per-event handlers into a view's `apply` function."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Generic, TypeVar

from jobsearch_core.events.base import Event, Recorded

__all__ = ["Dispatch", "Handler", "dispatcher"]

S = TypeVar("S")

_UNSEEN: Any = object()

#: Folds one event into the state in place: ``handler(state, event, recorded)``.
Handler = Callable[[S, Any, Recorded], None]


class Dispatch(Generic[S]):
    """An `apply` that calls the handler of the event's nearest class, and ignores the rest.

    The nearest class in the MRO decides, so a plugin's subclass of a built-in event folds
    like its base. The choice is cached per class. The replay engine, which routes events
    by class anyway, calls `handler_for`'s handler itself: one call per event, not two.
    """

    def __init__(self, handlers: Mapping[type[Event], Handler[S]]) -> None:
        self.handlers = dict(handlers)
        self._chosen: dict[type[Event], Handler[S] | None] = {}

    def handler_for(self, event_type: type[Event]) -> Handler[S] | None:
        """The handler of the nearest class of `event_type`, or None (the event is ignored)."""
        found = self._chosen.get(event_type, _UNSEEN)
        if found is _UNSEEN:
            handlers = self.handlers
            found = next((handlers[c] for c in event_type.__mro__ if c in handlers), None)
            self._chosen[event_type] = found
        return found  # type: ignore[no-any-return]

    def __call__(self, state: S, recorded: Recorded) -> S:
        handler = self.handler_for(type(recorded.event))
        if handler is not None:
            handler(state, recorded.event, recorded)
        return state


def dispatcher(handlers: Mapping[type[Event], Handler[S]]) -> Dispatch[S]:
    """`Dispatch(handlers)`: an `apply` made of one handler per event class."""
    return Dispatch(handlers)
