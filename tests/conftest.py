"""Shared fixtures: logs on every backend under test."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

from jobsearch_core import EventLog, open_log

settings.register_profile(
    "default",
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))

#: Backends the log and view tests run against; a plugin's test suite may add its own.
BACKENDS = ["memory", "sqlite"]

MakeLog = Callable[[], EventLog]


def _url(kind: str, folder: Path) -> str:
    if kind == "memory":
        return "memory://"
    if kind == "sqlite":
        return f"sqlite://{folder / 'log.db'}"
    raise AssertionError(kind)


@pytest.fixture(params=BACKENDS)
def make_log(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[MakeLog]:
    """Makes fresh, empty logs on one backend (each call a new log); closes them afterwards."""
    opened: list[EventLog] = []

    def make() -> EventLog:
        log = open_log(_url(request.param, tmp_path_factory.mktemp(request.param)))
        opened.append(log)
        return log

    yield make
    for log in opened:
        log.close()


@pytest.fixture
def log(make_log: MakeLog) -> EventLog:
    """A fresh, empty log on each backend."""
    return make_log()
