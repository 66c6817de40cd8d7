"""Tests for the plugin system: hooks, entry points, duplicate names and the codec they build."""

from __future__ import annotations

import inspect
import os
import subprocess
import sys
import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import attrs
import pytest

from jobsearch_core import (
    GapAdded,
    PluginError,
    UnknownEvent,
    View,
    hookimpl,
    open_log,
)
from jobsearch_core import hookspecs as hookspecs_module
from jobsearch_core.plugins import BUILTIN, load_catalog, pm
from jobsearch_core.storage.memory import MemoryBackend


@pytest.fixture
def plugin() -> Iterator[Callable[[object, str], None]]:
    """Registers plugins for one test and unregisters them afterwards."""
    added: list[object] = []

    def add(obj: object, name: str) -> None:
        pm.register(obj, name=name)
        added.append(obj)

    yield add
    for obj in added:
        pm.unregister(obj)


class TestHookspecs:
    """The contract plugins implement."""

    def test_the_hooks_of_the_design(self) -> None:
        """The hooks of the design, each with a docstring."""
        hooks = {
            name: fn
            for name, fn in inspect.getmembers(hookspecs_module, inspect.isfunction)
            if hasattr(fn, "jobsearch_core_spec")
        }
        assert set(hooks) == {
            "register_backends",
            "register_views",
            "register_event_types",
            "register_upcasters",
            "register_commands",
            "register_skill_aliases",
            "register_report_sections",
            "appended",
        }
        assert all(fn.__doc__ for fn in hooks.values())

    def test_builtins_are_a_plugin(self) -> None:
        """The built-in backends, events and views come through the same hooks."""
        assert pm.get_plugin(BUILTIN) is not None
        reg = load_catalog()
        assert {"memory", "sqlite"} <= set(reg.backends)
        assert {"pipeline", "gaps", "roles", "history"} <= set(reg.views)
        assert len(reg.event_types) >= 11
        assert reg.owners[("view", "gaps")] == BUILTIN


class TestRegistration:
    """Plugins add backends, views, event types and upcasters; names are never shared."""

    def test_view_from_a_plugin(self, plugin: Callable[[object, str], None]) -> None:
        """A registered view can be asked for by name."""

        def count(state: int, recorded: Any) -> int:
            return state + 1

        class Counter:
            @hookimpl
            def register_views(self, register: Any) -> None:
                register(View(name="count", version=1, initial=int, apply=count))

        plugin(Counter(), "acme-count")
        log = open_log("memory://")
        log.append([GapAdded(skill="SQL"), GapAdded(skill="Go")])
        assert log.view("count") == 2

    def test_backend_from_a_plugin(self, plugin: Callable[[object, str], None]) -> None:
        """A plugin's URL scheme opens its backend."""
        opened: list[str] = []

        class Scratch:
            @hookimpl
            def register_backends(self, register: Any) -> None:
                def factory(url: str) -> MemoryBackend:
                    opened.append(url)
                    return MemoryBackend(url)

                register("scratch", factory)

        plugin(Scratch(), "acme-scratch")
        with open_log("scratch://anything") as log:
            log.append([GapAdded(skill="SQL")])
        assert opened == ["scratch://anything"]

    @pytest.mark.parametrize(
        ("hook", "give"),
        [
            ("register_views", lambda r: r(View(name="gaps", version=9, initial=int, apply=max))),
            ("register_backends", lambda r: r("sqlite", MemoryBackend.from_url)),
            ("register_event_types", lambda r: r(GapAdded)),
        ],
    )
    def test_duplicate_names_refused(
        self, plugin: Callable[[object, str], None], hook: str, give: Callable[[Any], None]
    ) -> None:
        """A name another plugin registered is refused with an error naming both plugins."""
        impl = type("Clash", (), {hook: hookimpl(lambda self, register: give(register))})
        plugin(impl(), "acme-clash")
        with pytest.raises(PluginError) as caught:
            load_catalog()
        assert "'jobsearch_core'" in str(caught.value)
        assert "'acme-clash'" in str(caught.value)

    @pytest.mark.parametrize(
        ("hook", "give", "message"),
        [
            ("register_views", lambda r: r("gaps"), "not a View"),
            (
                "register_backends",
                lambda r: r("Bad Scheme!", MemoryBackend.from_url),
                "bad URL scheme",
            ),
            ("register_event_types", lambda r: r(dict), "not an Event class"),
            ("register_upcasters", lambda r: r("GapAdded", 0, dict), "whole numbers from 1"),
        ],
    )
    def test_malformed_registrations_refused(
        self,
        plugin: Callable[[object, str], None],
        hook: str,
        give: Callable[[Any], None],
        message: str,
    ) -> None:
        """Registering the wrong kind of thing is refused, naming the plugin."""
        impl = type("Wrong", (), {hook: hookimpl(lambda self, register: give(register))})
        plugin(impl(), "acme-wrong")
        with pytest.raises(PluginError, match=message) as caught:
            load_catalog()
        assert "acme-wrong" in str(caught.value)

    def test_plugin_subclass_is_not_its_base(
        self, plugin: Callable[[object, str], None], tmp_path: Path
    ) -> None:
        """A plugin's subclass of a built-in event reads back as itself, and as unknown once gone."""

        @attrs.frozen(kw_only=True)
        class SkillGapAdded(GapAdded):
            __event_type__ = "acme.SkillGapAdded"
            evidence: str

        class Events:
            @hookimpl
            def register_event_types(self, register: Any) -> None:
                register(SkillGapAdded)

        events = Events()
        plugin(events, "acme-events")
        path = tmp_path / "log.db"
        with open_log(path) as log:
            log.append([SkillGapAdded(skill="SQL", evidence="course")])
            assert type(next(log.read()).event) is SkillGapAdded
            assert [i.skill for i in log.view("gaps").items] == ["SQL"]  # folds like its base
        pm.unregister(events)
        with open_log(path) as log:
            event = next(log.read()).event
            assert isinstance(event, UnknownEvent)
            assert event.type_name == "acme.SkillGapAdded"
        pm.register(events, name="acme-events")


def _fake_distribution(site: Path, name: str, body: str) -> None:
    """A module plus dist-info on a folder, so importlib.metadata finds its entry point."""
    (site / f"{name}.py").write_text(textwrap.dedent(body))
    info = site / f"{name}-1.2.3.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: 1.2.3\n")
    (info / "entry_points.txt").write_text(f"[jobsearch_core]\n{name} = {name}\n")


PLUGIN_BODY = """
    import sys
    from jobsearch_core import View, hookimpl

    @hookimpl
    def register_views(register):
        register(View(name="{name}", version=1, initial=int, apply=lambda s, r: s + 1))
"""


def _run(site: Path, script: str, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if k != "JOBSEARCH_CORE_PLUGINS"}
    environment.update(env)
    environment["PYTHONPATH"] = os.pathsep.join([str(site), *sys.path])
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(script)],
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )


class TestEntryPoints:
    """External plugins load through entry points, on first use, as the environment allows."""

    @pytest.fixture
    def site(self, tmp_path: Path) -> Path:
        for name in ("acme_one", "acme_two"):
            _fake_distribution(tmp_path, name, PLUGIN_BODY.format(name=name))
        return tmp_path

    def test_loaded_on_first_use_not_at_import(self, site: Path) -> None:
        """Importing the library loads no plugin; opening a log loads them all."""
        result = _run(
            site,
            """
            import sys
            import jobsearch_core
            print("at import:", "acme_one" in sys.modules)
            log = jobsearch_core.open_log("memory://")
            print("after use:", "acme_one" in sys.modules, "acme_two" in sys.modules)
            print("views:", log.view("acme_one"), log.view("acme_two"))
            """,
        )
        assert result.returncode == 0, result.stderr
        assert "at import: False" in result.stdout
        assert "after use: True True" in result.stdout
        assert "views: 0 0" in result.stdout

    @pytest.mark.parametrize(
        ("chosen", "loaded"),
        [("acme_two", "False True"), ("", "False False"), ("acme_one, acme_two", "True True")],
    )
    def test_environment_chooses(self, site: Path, chosen: str, loaded: str) -> None:
        """JOBSEARCH_CORE_PLUGINS lists the plugins to load; empty loads none."""
        result = _run(
            site,
            """
            import sys
            from jobsearch_core.plugins import load_catalog
            load_catalog()
            print("loaded:", "acme_one" in sys.modules, "acme_two" in sys.modules)
            """,
            JOBSEARCH_CORE_PLUGINS=chosen,
        )
        assert result.returncode == 0, result.stderr
        assert f"loaded: {loaded}" in result.stdout

    def test_unknown_name_in_environment(self, site: Path) -> None:
        """Naming a plugin that is not installed is an error that lists the installed ones."""
        result = _run(
            site,
            """
            from jobsearch_core.plugins import load_catalog
            from jobsearch_core import PluginError
            try:
                load_catalog()
            except PluginError as error:
                print("error:", error)
            """,
            JOBSEARCH_CORE_PLUGINS="acme_nope",
        )
        assert "error: " in result.stdout
        assert "'acme_nope'" in result.stdout
        assert "acme_one, acme_two" in result.stdout

    def test_broken_plugin_named(self, site: Path) -> None:
        """A plugin that fails to import is named in a PluginError."""
        _fake_distribution(site, "acme_broken", "raise RuntimeError('kaput')\n")
        result = _run(
            site,
            """
            from jobsearch_core import open_log, PluginError
            try:
                open_log("memory://")
            except PluginError as error:
                print("error:", error)
            """,
        )
        assert "error: plugin 'acme_broken'" in result.stdout
        assert "kaput" in result.stdout
