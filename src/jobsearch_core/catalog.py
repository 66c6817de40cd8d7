"""The catalog: what a log is opened with, built once from the plugins and then kept.

Backends, event types, upcasters and views by name, the codec made from the event types
and upcasters, and the listeners told of each append. `jobsearch_core.plugins` builds
one from the installed plugins; an `EventLog` keeps the one it was opened with, so a
plugin registered later never changes what an open log does.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping
from types import MappingProxyType
from typing import Any

import attrs

from jobsearch_core.codec import Codec, Upcaster
from jobsearch_core.errors import PluginError, UnknownViewError
from jobsearch_core.events.base import Event, Recorded
from jobsearch_core.report.sections import ReportSection
from jobsearch_core.storage.backend import BackendFactory
from jobsearch_core.views import graph
from jobsearch_core.views.view import View

__all__ = ["Catalog", "Listener"]

logger = logging.getLogger("jobsearch_core")


@attrs.frozen
class Listener:
    """A plugin's `appended` hook: told of each committed append."""

    plugin: str
    hear: Callable[[Any, list[Recorded]], None]


def _frozen(mapping: Mapping[Any, Any]) -> Mapping[Any, Any]:
    return MappingProxyType(dict(mapping))


def _frozen_packs(packs: Mapping[str, Mapping[str, str]]) -> Mapping[str, Mapping[str, str]]:
    return _frozen({name: _frozen(aliases) for name, aliases in packs.items()})


@attrs.frozen
class Catalog:
    """The plugin set a log works with: read-only once made (see `Catalog.make`)."""

    backends: Mapping[str, BackendFactory] = attrs.field(converter=_frozen)
    views: Mapping[str, View[Any]] = attrs.field(converter=_frozen)
    event_types: Mapping[str, type[Event]] = attrs.field(converter=_frozen)
    upcasters: Mapping[tuple[str, int], Upcaster] = attrs.field(converter=_frozen)
    #: (kind, name) -> the plugin that registered it, e.g. ("view", "gaps") -> "jobsearch_core".
    owners: Mapping[tuple[str, str], str] = attrs.field(converter=_frozen)
    listeners: tuple[Listener, ...]
    codec: Codec
    #: Each view's fingerprint: its version and those of the views it uses (`graph.fingerprint`).
    view_fingerprints: Mapping[str, str] = attrs.field(converter=_frozen)
    #: Alias packs by name, each alias -> skill: merge suggestions, never applied unasked.
    skill_aliases: Mapping[str, Mapping[str, str]] = attrs.field(
        factory=dict, converter=_frozen_packs
    )
    #: Sections of the HTML report by name, in the order they are shown.
    report_sections: Mapping[str, ReportSection] = attrs.field(factory=dict, converter=_frozen)

    @classmethod
    def make(
        cls,
        *,
        backends: Mapping[str, BackendFactory],
        views: Mapping[str, View[Any]],
        event_types: Mapping[str, type[Event]],
        upcasters: Mapping[tuple[str, int], Upcaster] | None = None,
        owners: Mapping[tuple[str, str], str] | None = None,
        listeners: Iterable[Listener] = (),
        skill_aliases: Mapping[str, Mapping[str, str]] | None = None,
        report_sections: Mapping[str, ReportSection] | None = None,
    ) -> Catalog:
        """A catalog of these; views that use unknown views, or each other in a cycle, and
        report sections that use unknown views, are refused with a `PluginError` naming them."""
        graph.check(views)
        report_sections = report_sections or {}
        for section in report_sections.values():
            unknown = [name for name in section.uses if name not in views]
            if unknown:
                owner = (owners or {}).get(("report section", section.name), "?")
                raise PluginError(
                    f"report section {section.name!r} (plugin {owner!r}) uses "
                    f"{', '.join(map(repr, unknown))}, which no plugin registers as a view"
                )
        upcasters = upcasters or {}
        return cls(
            backends=backends,
            views=views,
            event_types=event_types,
            upcasters=upcasters,
            owners=owners or {},
            listeners=tuple(listeners),
            codec=Codec(event_types, upcasters),
            view_fingerprints={name: graph.fingerprint(views, name) for name in views},
            skill_aliases=skill_aliases or {},
            report_sections=report_sections,
        )

    def view(self, name: str) -> View[Any]:
        """The view registered under `name`, or `UnknownViewError` listing the installed ones."""
        view = self.views.get(name)
        if view is None:
            known = ", ".join(sorted(self.views))
            raise UnknownViewError(f"no view named {name!r} (installed: {known})")
        return view

    def in_order(self, names: Iterable[str]) -> list[View[Any]]:
        """The named views and every view they use, each after the ones it uses."""
        return graph.in_order(self.views, names)

    def announce(self, log: Any, records: list[Recorded]) -> None:
        """Tell every listener of a committed append; one that fails is logged, never raised,
        so it cannot make a committed append look failed."""
        for listener in self.listeners:
            try:
                listener.hear(log, records)
            except Exception:
                logger.exception("plugin %r failed in the appended hook", listener.plugin)
