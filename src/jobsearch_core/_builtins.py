"""The built-in backends, events and views, registered through the same hooks as any plugin."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from jobsearch_core.events import BUILTIN_EVENTS, Event
from jobsearch_core.plugins import hookimpl
from jobsearch_core.storage import BackendFactory
from jobsearch_core.storage.memory import MemoryBackend
from jobsearch_core.storage.sqlite import SQLiteBackend
from jobsearch_core.views import View


@hookimpl
def register_backends(register: Callable[[str, BackendFactory], None]) -> None:
    """`memory://` and `sqlite:///path`."""
    register("memory", MemoryBackend.from_url)
    register("sqlite", SQLiteBackend.from_url)


@hookimpl
def register_event_types(register: Callable[[type[Event]], None]) -> None:
    """The eleven events of the vocabulary."""
    for cls in BUILTIN_EVENTS:
        register(cls)


@hookimpl
def register_views(register: Callable[[View[Any]], None]) -> None:
    """pipeline, gaps, roles and history."""
    from jobsearch_core.views import gaps, history, pipeline, roles

    for module in (pipeline, gaps, roles, history):
        register(module.VIEW)
