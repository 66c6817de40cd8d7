"""Turns a table of per-event handlers into a view's `apply` function."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from jobsearch_core.events.base import Event, Recorded

__all__ = ["Handler", "dispatcher"]

S = TypeVar("S")

_UNSEEN: Any = object()

#: Folds one event into the state in place: ``handler(state, event, recorded)``.
Handler = Callable[[S, Any, Recorded], None]


def dispatcher(handlers: Mapping[type[Event], Handler[S]]) -> Callable[[S, Recorded], S]:
    """An `apply` that calls the handler of the event's nearest class, and ignores the rest.

    The nearest class in the MRO decides, so a plugin's subclass of a built-in event folds
    like its base. The choice is cached per class: one dict lookup per event on replay.
    """
    chosen: dict[type[Event], Handler[S] | None] = {}

    def choose(event_type: type[Event]) -> Handler[S] | None:
        handler = next((handlers[c] for c in event_type.__mro__ if c in handlers), None)
        chosen[event_type] = handler
        return handler

    def apply(state: S, recorded: Recorded) -> S:
        event = recorded.event
        handler = chosen.get(type(event), _UNSEEN)
        if handler is _UNSEEN:
            handler = choose(type(event))
        if handler is not None:
            handler(state, event, recorded)
        return state

    return apply
