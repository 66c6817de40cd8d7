"""Shared fixtures: logs on every backend under test, and the command line on a log."""

from __future__ import annotations

import contextlib
import functools
import os
import shutil
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from hypothesis import HealthCheck, settings

from jobsearch_core import EventLog, open_log
from jobsearch_core.cli import cli
from tests.terminal import Terminal

settings.register_profile(
    "default",
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))

#: Backends the log and view tests run against; a plugin's test suite may add its own.
BACKENDS = ["memory", "sqlite"]


def _in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


try:  # the PostgreSQL plugin, when installed (`make test` installs it)
    from jobsearch_core_postgres import testing as postgres
except ImportError:
    postgres = None  # type: ignore[assignment]
if postgres is not None or _in_ci():  # in CI a missing plugin fails those tests, not skips them
    BACKENDS.append("postgresql")

MakeLog = Callable[[], EventLog]


@functools.cache
def _postgres_problem() -> str | None:
    """Why the PostgreSQL tests cannot run (asked once per session), or None when they can."""
    if postgres is None:
        return "the jobsearch-core-postgres plugin is not installed"
    return postgres.server_problem()


def url_of(kind: str, folder: Path, schemas: contextlib.ExitStack) -> str:
    """A fresh log's URL on one kind of backend (a PostgreSQL schema is dropped by `schemas`)."""
    if kind == "memory":
        return "memory://"
    if kind == "sqlite":
        return f"sqlite://{folder / 'log.db'}"
    if kind == "postgresql":
        problem = _postgres_problem()
        if problem is not None:
            if _in_ci():
                pytest.fail(f"{problem}; CI runs these tests on PostgreSQL too")
            pytest.skip(problem)
        assert postgres is not None
        # A schema of its own for each log, dropped (after the log is closed) by `schemas`.
        return schemas.enter_context(postgres.scratch_url(prefix="core"))
    raise AssertionError(kind)


@pytest.fixture(params=BACKENDS)
def make_log(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[MakeLog]:
    """Makes fresh, empty logs on one backend (each call a new log); closes them afterwards."""
    with contextlib.ExitStack() as schemas:
        opened: list[EventLog] = []

        def make() -> EventLog:
            folder = tmp_path_factory.mktemp(request.param)
            log = open_log(url_of(request.param, folder, schemas))
            opened.append(log)
            return log

        yield make
        for log in opened:
            log.close()


@pytest.fixture
def log(make_log: MakeLog) -> EventLog:
    """A fresh, empty log on each backend."""
    return make_log()


#: `run("gap", "add", "SQL", code=0)`: the command line, through click's CliRunner.
Run = Callable[..., Result]


@pytest.fixture
def url(tmp_path: Path) -> str:
    """A fresh SQLite log for one test."""
    return f"sqlite://{tmp_path / 'log.db'}"


@pytest.fixture
def run(url: str, monkeypatch: pytest.MonkeyPatch) -> Run:
    """Runs `jobsearch ARGS...` on the test's log; fails the test on an unexpected exit code."""
    monkeypatch.setenv("JOBSEARCH_LOG", url)
    runner = CliRunner()

    def invoke(*args: str, code: int = 0, input: str | None = None) -> Result:
        result = runner.invoke(cli, list(args), catch_exceptions=False, input=input)
        assert result.exit_code == code, (result.output, result.stderr)
        return result

    return invoke


@pytest.fixture
def terminal() -> Iterator[Terminal]:
    """A tmux session (see `tests.terminal`), killed afterwards; tmux is needed (in CI a
    missing tmux fails the test instead of skipping it)."""
    if shutil.which("tmux") is None:
        if _in_ci():
            pytest.fail("tmux is not installed")
        pytest.skip("tmux is not installed")
    opened = Terminal(f"jobsearch-{uuid.uuid4().hex[:8]}")
    yield opened
    opened.close()
