"""The nudges as a section of the core's HTML report (`jobsearch report`), replayed with it."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from jobsearch_core.report import Block, ReportSection, Row, Table

from jobsearch_core_nudges.view import NudgesState

__all__ = ["SECTION", "render"]


def render(states: Mapping[str, Any], now: datetime) -> Sequence[Block]:
    """The nudges due at `now` (the thresholds from the environment, as the view reads them)."""
    state: NudgesState = states["nudges"]
    rows = [
        Row(
            key=f"{nudge.kind}:{nudge.subject}",
            cells=(str(nudge.kind).replace("_", " "), nudge.message, nudge.command or "-"),
        )
        for nudge in state.due(now=now)
    ]
    return [
        Table(
            caption="What is due, most pressing kind first",
            columns=("to do", "why", "command"),
            rows=rows,
            data="nudge",
            empty="Nothing is due: no application is silent for long, the focus items were "
            "practised, every skill a suggested role needs is on the gap list, and the latest "
            "resume addresses every punch-up.",
        )
    ]


SECTION = ReportSection(
    name="nudges",
    title="What to do next",
    uses=("nudges",),
    render=render,
    intro="From the jobsearch-core-nudges plugin: follow-ups, practice, role skills and "
    "punch-ups, as of the moment shown.",
)
