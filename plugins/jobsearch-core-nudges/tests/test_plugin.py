"""Tests that the package is a plugin found through its entry point, built from the public hooks."""

from __future__ import annotations

import json
from importlib.metadata import entry_points

from click.testing import CliRunner
from jobsearch_core.cli import cli
from jobsearch_core.plugins import ENTRY_POINT_GROUP, load_catalog, pm

from jobsearch_core_nudges import VIEW, plugin


class TestEntryPoint:
    """Installed, the plugin is found and loaded like any other."""

    def test_declared_in_the_group(self) -> None:
        """The distribution declares `nudges` in the `jobsearch_core` group."""
        (found,) = [ep for ep in entry_points(group=ENTRY_POINT_GROUP) if ep.name == "nudges"]
        assert found.value == "jobsearch_core_nudges.plugin"
        assert found.load() is plugin

    def test_registers_the_view(self) -> None:
        """The catalog has the view, owned by the plugin."""
        assert load_catalog().views["nudges"] is VIEW
        assert load_catalog().owners[("view", "nudges")] == "nudges"

    def test_implements_only_public_hooks(self) -> None:
        """It implements register_views, register_commands and register_report_sections."""
        load_catalog()
        hooks = sorted(caller.name for caller in pm.get_hookcallers(plugin) or [])
        assert hooks == ["register_commands", "register_report_sections", "register_views"]

    def test_listed_by_jobsearch_plugins(self) -> None:
        """`jobsearch plugins --json` names the package, its version and hooks."""
        result = CliRunner().invoke(cli, ["plugins", "--json"])
        assert result.exit_code == 0, result.output
        (listed,) = [p for p in json.loads(result.output) if p["name"] == "nudges"]
        assert listed == {
            "name": "nudges",
            "package": "jobsearch-core-nudges",
            "version": "0.1.0",
            "hooks": ["register_commands", "register_report_sections", "register_views"],
        }

    def test_command_in_help(self) -> None:
        """`jobsearch --help` lists the command with its one-line summary."""
        result = CliRunner().invoke(cli, ["--help"])
        assert "nudges" in result.output
        assert "What to do next" in result.output
