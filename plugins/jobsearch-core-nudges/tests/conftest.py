"""Fixtures: the core's demo job search, written at a fixed moment, and small logs to build on."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import HealthCheck, settings
from jobsearch_core import EventLog, open_log
from jobsearch_core.demo import load_demo

settings.register_profile(
    "default",
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))

#: The moment the demo search is written to end at: its day 90 (it starts 90 days before).
NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
#: Day 0 of the demo search (09:00 on the day 90 days before `NOW`).
START = NOW.replace(hour=9) - timedelta(days=90)


def day(number: float) -> datetime:
    """A moment of the demo search: `number` days after its start."""
    return START + timedelta(days=number)


@pytest.fixture(autouse=True)
def _no_thresholds_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """The tests see the default thresholds unless they set the environment themselves."""
    for name in (
        "JOBSEARCH_NUDGES_FOLLOW_UP_DAYS",
        "JOBSEARCH_NUDGES_NO_RESPONSE_DAYS",
        "JOBSEARCH_NUDGES_PRACTICE_DAYS",
    ):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def demo_log() -> Iterator[EventLog]:
    """The demo job search in a memory log, ending at `NOW`."""
    with open_log("memory://") as log:
        load_demo(log, now=NOW)
        yield log


@pytest.fixture
def log() -> Iterator[EventLog]:
    """An empty memory log."""
    with open_log("memory://") as opened:
        yield opened
