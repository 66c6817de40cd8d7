"""The views said in words: the sentences the command line and the report both show."""

from __future__ import annotations

from jobsearch_core.events import SCREEN_NAMES
from jobsearch_core.views.funnel import ENOUGH, FunnelRow
from jobsearch_core.views.gaps import FocusPractice

__all__ = ["counted", "funnel_sentence", "practice_line"]


def counted(count: int, noun: str) -> str:
    """A count and its noun, which is plural unless the count is one: "1 event", "3 events"."""
    return f"{count} {noun if count == 1 else noun + 's'}"


def _percent(value: float) -> str:
    return f"{100 * value:.0f}%"


def funnel_sentence(row: FunnelRow, worth_a_look: str | None = None) -> str:
    """One screen in words: what was decided, the range it allows, and what that says."""
    name = SCREEN_NAMES[row.stage]
    waiting = ""
    if row.pending:
        longest = f", the longest for {row.waiting_days[0]:.0f} days" if row.waiting_days else ""
        waiting = f" {row.pending} still waiting{longest}."
    if row.withdrawn:
        waiting += f" {row.withdrawn} withdrawn (your choice, not theirs)."
    if row.rate is None or row.interval is None:
        return f"{name}: nothing decided yet.{waiting}".rstrip()
    low, high = row.interval
    said = (
        f"{name}: {row.count} of {row.decided} decided passed ({_percent(row.rate)}; "
        f"90% range {100 * low:.0f}-{_percent(high)}). Typical is {_percent(row.base_rate)}: "
    )
    if row.verdict == "too few":
        said += f"too few decided to tell apart from it (fewer than {ENOUGH})."
    elif row.verdict == "typical":
        said += "this is within the normal range."
    elif row.verdict == "above":
        said += "you are doing better than usual here."
    else:
        said += "this is below the normal range, worth a look."
        if worth_a_look:
            said += f" {worth_a_look}"
    return said + waiting


def practice_line(practice: FocusPractice) -> str:
    """How one focus item is being practised: "SQL: 45 min this week, 3 weeks in a row"."""
    return f"{practice.item.skill}: {practice.summary}"
