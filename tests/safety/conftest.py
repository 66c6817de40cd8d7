"""The durable backends the safety tests run on: a SQLite file, and PostgreSQL when it is there."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from jobsearch_core.plugins import pm
from tests.conftest import BACKENDS, _in_ci, _postgres_problem, postgres

DURABLE = [kind for kind in BACKENDS if kind != "memory"]


@pytest.fixture(params=DURABLE)
def durable_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The URL of a fresh, empty log that other processes can open too."""
    if request.param == "sqlite":
        yield f"sqlite://{tmp_path / 'log.db'}"
        return
    problem = _postgres_problem()
    if problem is not None:
        if _in_ci():
            pytest.fail(f"{problem}; CI runs the safety tests on PostgreSQL too")
        pytest.skip(problem)
    assert postgres is not None
    with postgres.scratch_url(prefix="safety") as url:
        yield url


@pytest.fixture
def installed() -> Iterator[Callable[[object], None]]:
    """Installs a plugin for the rest of the test, one at a time (each replaces the last)."""
    current: list[object] = []

    def install(plugin: object) -> None:
        for old in current:
            pm.unregister(old)
        current[:] = [plugin]
        pm.register(plugin, name="acme-test-plugin")

    yield install
    for old in current:
        pm.unregister(old)
