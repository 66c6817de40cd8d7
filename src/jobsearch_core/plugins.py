"""The plugin manager `pm`, and the catalog it builds from every plugin's hooks.

Entry points in the group ``jobsearch_core`` load on first use, not at import.
``JOBSEARCH_CORE_PLUGINS`` (a comma list of entry-point names; empty for none) chooses
which external plugins load; unset, all of them do.
"""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Callable, Iterator, Mapping
from importlib.metadata import entry_points
from typing import Any

import pluggy

from jobsearch_core import builtin, hookspecs
from jobsearch_core.catalog import Catalog, Listener
from jobsearch_core.codec import Upcaster
from jobsearch_core.errors import PluginError
from jobsearch_core.events.base import Event, Recorded, UnknownEvent, event_type_of, skill_key
from jobsearch_core.hookspecs import PROJECT, hookimpl
from jobsearch_core.report.sections import ReportSection
from jobsearch_core.storage.backend import BackendFactory
from jobsearch_core.views.view import View

__all__ = [
    "BUILTIN",
    "ENTRY_POINT_GROUP",
    "ENV_VAR",
    "hookimpl",
    "load_catalog",
    "load_entry_points",
    "pm",
]

ENTRY_POINT_GROUP = PROJECT
ENV_VAR = "JOBSEARCH_CORE_PLUGINS"
#: The name the built-in plugin is registered under.
BUILTIN = PROJECT

_SCHEME = re.compile(r"[a-z][a-z0-9+.-]*")


class PluginManager(pluggy.PluginManager):
    """A pluggy manager that forgets its catalog whenever a plugin comes or goes."""

    def register(self, plugin: object, name: str | None = None) -> str | None:
        """Register a plugin; logs opened from now on have it (open ones keep their own set)."""
        registered = super().register(plugin, name)
        _forget_catalog()
        return registered

    def unregister(self, plugin: object | None = None, name: str | None = None) -> Any:
        """Unregister a plugin; logs opened from now on go without it."""
        removed = super().unregister(plugin, name)
        _forget_catalog()
        return removed


pm = PluginManager(PROJECT)
pm.add_hookspecs(hookspecs)

_lock = threading.RLock()
_catalog: Catalog | None = None
_entry_points_loaded = False


def _forget_catalog() -> None:
    global _catalog
    with _lock:
        _catalog = None


def load_entry_points() -> None:
    """Load the external plugins once (honouring ``JOBSEARCH_CORE_PLUGINS``)."""
    global _entry_points_loaded
    with _lock:
        if _entry_points_loaded:
            return
        _entry_points_loaded = True
        available = {ep.name: ep for ep in entry_points(group=ENTRY_POINT_GROUP)}
        chosen = os.environ.get(ENV_VAR)
        if chosen is None:
            names = sorted(available)
        else:
            names = [name.strip() for name in chosen.split(",") if name.strip()]
            unknown = [name for name in names if name not in available]
            if unknown:
                installed = ", ".join(sorted(available)) or "none"
                raise PluginError(
                    f"{ENV_VAR} names {', '.join(map(repr, unknown))}, which is not installed "
                    f"(installed plugins: {installed})"
                )
        for name in names:
            try:
                pm.load_setuptools_entrypoints(ENTRY_POINT_GROUP, name=name)
            except PluginError:
                raise
            except Exception as error:
                raise PluginError(
                    f"plugin {name!r} ({available[name].value}) failed to load: {error!r}"
                ) from error


def load_catalog() -> Catalog:
    """The catalog of the plugins registered now: built once, then shared until one comes or goes."""
    global _catalog
    current = _catalog
    if current is not None:
        return current
    with _lock:
        load_entry_points()
        if _catalog is None:
            _catalog = _build()
        return _catalog


def _implementations(hook_name: str) -> Iterator[tuple[str, Callable[..., Any], tuple[str, ...]]]:
    caller = getattr(pm.hook, hook_name)
    # Registration order (pluggy lists them so), so the built-ins come first and a plugin
    # that repeats one of their names is the one named second in the error.
    for impl in caller.get_hookimpls():
        yield impl.plugin_name, impl.function, tuple(impl.argnames)


def _call(hook_name: str, **kwargs: Any) -> None:
    for plugin, function, argnames in _implementations(hook_name):
        bound = {name: kwargs[name](plugin) for name in argnames}
        function(**bound)


def _build() -> Catalog:
    owners: dict[tuple[str, str], str] = {}

    def claim(kind: str, name: str, plugin: str) -> None:
        other = owners.get((kind, name))
        if other is not None:
            raise PluginError(
                f"{kind} {name!r} is registered by both plugin {other!r} and plugin {plugin!r}"
            )
        owners[(kind, name)] = plugin

    backends: dict[str, BackendFactory] = {}
    views: dict[str, View[Any]] = {}
    event_types: dict[str, type[Event]] = {}
    upcasters: dict[tuple[str, int], Upcaster] = {}

    def backend_register(plugin: str) -> Callable[[str, BackendFactory], None]:
        def register(scheme: str, factory: BackendFactory) -> None:
            if not isinstance(scheme, str) or not _SCHEME.fullmatch(scheme):
                raise PluginError(f"plugin {plugin!r} registered a bad URL scheme {scheme!r}")
            if not callable(factory):
                raise PluginError(
                    f"plugin {plugin!r} registered scheme {scheme!r} with {factory!r}"
                )
            claim("backend", scheme, plugin)
            backends[scheme] = factory

        return register

    def view_register(plugin: str) -> Callable[[View[Any]], None]:
        def register(view: View[Any]) -> None:
            if not isinstance(view, View):
                raise PluginError(f"plugin {plugin!r} registered {view!r}, which is not a View")
            claim("view", view.name, plugin)
            views[view.name] = view

        return register

    def event_register(plugin: str) -> Callable[[type[Event]], None]:
        def register(cls: type[Event]) -> None:
            if not (isinstance(cls, type) and issubclass(cls, Event)) or cls is UnknownEvent:
                raise PluginError(
                    f"plugin {plugin!r} registered {cls!r}, which is not an Event class"
                )
            name = event_type_of(cls)
            claim("event type", name, plugin)
            event_types[name] = cls

        return register

    def upcaster_register(plugin: str) -> Callable[[str, int, Upcaster], None]:
        def register(type_name: str, from_version: int, upcast: Upcaster) -> None:
            if (
                isinstance(from_version, bool)
                or not isinstance(from_version, int)
                or from_version < 1
            ):
                raise PluginError(
                    f"plugin {plugin!r} registered an upcaster for {type_name!r} from version "
                    f"{from_version!r}; versions are whole numbers from 1"
                )
            claim("upcaster", f"{type_name} v{from_version}", plugin)
            upcasters[(type_name, from_version)] = upcast

        return register

    skill_aliases: dict[str, dict[str, str]] = {}

    def alias_register(plugin: str) -> Callable[[str, Mapping[str, str]], None]:
        def register(pack: str, aliases: Mapping[str, str]) -> None:
            if not isinstance(pack, str) or not pack.strip():
                raise PluginError(f"plugin {plugin!r} registered an alias pack named {pack!r}")
            if not isinstance(aliases, Mapping):
                raise PluginError(
                    f"plugin {plugin!r} registered alias pack {pack!r} as {aliases!r}, "
                    "not a mapping of alias -> skill"
                )
            for alias, skill in aliases.items():
                if not (isinstance(alias, str) and alias.strip()) or not (
                    isinstance(skill, str) and skill.strip()
                ):
                    raise PluginError(
                        f"plugin {plugin!r}: alias pack {pack!r} maps {alias!r} to {skill!r}; "
                        "both must be non-blank text"
                    )
            claim("alias pack", pack, plugin)
            skill_aliases[pack] = {
                alias.strip(): skill.strip()
                for alias, skill in aliases.items()
                if skill_key(alias) != skill_key(skill)
            }

        return register

    report_sections: dict[str, ReportSection] = {}

    def section_register(plugin: str) -> Callable[[ReportSection], None]:
        def register(section: ReportSection) -> None:
            if not isinstance(section, ReportSection):
                raise PluginError(
                    f"plugin {plugin!r} registered {section!r}, which is not a ReportSection"
                )
            claim("report section", section.name, plugin)
            report_sections[section.name] = section

        return register

    _call("register_backends", register=backend_register)
    _call("register_event_types", register=event_register)
    _call("register_upcasters", register=upcaster_register)
    _call("register_views", register=view_register)
    _call("register_skill_aliases", register=alias_register)
    _call("register_report_sections", register=section_register)
    return Catalog.make(
        backends=backends,
        views=views,
        event_types=event_types,
        upcasters=upcasters,
        owners=owners,
        listeners=[_listener(impl) for impl in pm.hook.appended.get_hookimpls()],
        skill_aliases=skill_aliases,
        report_sections=report_sections,
    )


def _listener(impl: pluggy.HookImpl) -> Listener:
    function, argnames = impl.function, tuple(impl.argnames)

    def hear(log: Any, records: list[Recorded]) -> None:
        given = {"log": log, "records": records}
        function(**{name: given[name] for name in argnames})

    return Listener(plugin=impl.plugin_name, hear=hear)


pm.register(builtin, name=BUILTIN)
