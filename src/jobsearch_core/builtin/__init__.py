"""The built-in backends, events, views and report sections: a plugin like any other,
registered through the hooks."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from jobsearch_core.events import BUILTIN_EVENTS, Event
from jobsearch_core.hookspecs import hookimpl
from jobsearch_core.report import core as report
from jobsearch_core.report.sections import ReportSection
from jobsearch_core.storage.backend import BackendFactory
from jobsearch_core.storage.memory import MemoryBackend
from jobsearch_core.storage.sqlite import SQLiteBackend
from jobsearch_core.views.builtin import VIEWS
from jobsearch_core.views.view import View

__all__ = [
    "COMMON_ALIASES",
    "register_backends",
    "register_event_types",
    "register_report_sections",
    "register_skill_aliases",
    "register_views",
]

#: Abbreviations that mean one thing wherever a job search meets them.
COMMON_ALIASES = {
    "k8s": "Kubernetes",
    "JS": "JavaScript",
    "TS": "TypeScript",
    "Postgres": "PostgreSQL",
    "ML": "Machine learning",
    "NLP": "Natural language processing",
    "GCP": "Google Cloud",
    "golang": "Go",
}


@hookimpl
def register_backends(register: Callable[[str, BackendFactory], None]) -> None:
    """`memory://` and `sqlite:///path`."""
    register("memory", MemoryBackend.from_url)
    register("sqlite", SQLiteBackend.from_url)


@hookimpl
def register_event_types(register: Callable[[type[Event]], None]) -> None:
    """The events of the vocabulary."""
    for cls in BUILTIN_EVENTS:
        register(cls)


@hookimpl
def register_views(register: Callable[[View[Any]], None]) -> None:
    """pipeline, gaps, roles, history and plan."""
    for view in VIEWS:
        register(view)


@hookimpl
def register_skill_aliases(register: Callable[[str, Mapping[str, str]], None]) -> None:
    """The `common` pack: `COMMON_ALIASES`."""
    register("common", COMMON_ALIASES)


@hookimpl
def register_report_sections(register: Callable[[ReportSection], None]) -> None:
    """Gap list, learning plan, suggested roles, funnel, applications and punch-ups."""
    for section in report.SECTIONS:
        register(section)
