"""The plugin the ``jobsearch_core`` entry point loads: the `nudges` view and command, and
the nudges' section of the HTML report."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import click
from jobsearch_core import View, hookimpl
from jobsearch_core.report import ReportSection

from jobsearch_core_nudges.command import nudges_command
from jobsearch_core_nudges.section import SECTION
from jobsearch_core_nudges.view import VIEW

__all__ = ["register_commands", "register_report_sections", "register_views"]


@hookimpl
def register_views(register: Callable[[View[Any]], None]) -> None:
    """The `nudges` view."""
    register(VIEW)


@hookimpl
def register_commands(cli: click.Group) -> None:
    """``jobsearch nudges``."""
    cli.add_command(nudges_command)


@hookimpl
def register_report_sections(register: Callable[[ReportSection], None]) -> None:
    """ "What to do next", in the HTML report."""
    register(SECTION)
