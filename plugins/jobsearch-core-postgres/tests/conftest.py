"""Fixtures: the test server (skipped without one, failed without one in CI) and scratch logs."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterator

import psycopg
import pytest
from hypothesis import HealthCheck, settings

from jobsearch_core_postgres._url import parse_url
from jobsearch_core_postgres.backend import PostgresBackend
from jobsearch_core_postgres.testing import configured_dsn, in_ci, scratch_url, server_problem

settings.register_profile(
    "default",
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))

MakeURL = Callable[[], str]


@pytest.fixture(scope="session")
def dsn() -> str:
    """The server the tests use; without one they skip, or fail where ``$CI`` is set."""
    url = configured_dsn()
    problem = server_problem(url)
    if problem is not None:
        if in_ci():
            pytest.fail(f"{problem}; CI needs the server (set JOBSEARCH_TEST_POSTGRES)")
        pytest.skip(problem)
    return url


@pytest.fixture
def make_url(dsn: str) -> Iterator[MakeURL]:
    """Makes URLs of fresh logs, each in a schema of its own, dropped after the test."""
    with contextlib.ExitStack() as schemas:

        def make() -> str:
            return schemas.enter_context(scratch_url(dsn))

        yield make


@pytest.fixture
def url(make_url: MakeURL) -> str:
    """The URL of a fresh log in a schema of its own."""
    return make_url()


@pytest.fixture
def backend(url: str) -> Iterator[PostgresBackend]:
    """A backend on a fresh log, closed after the test."""
    opened = PostgresBackend(url)
    yield opened
    opened.close()


@pytest.fixture
def admin(dsn: str) -> Iterator[psycopg.Connection[tuple[object, ...]]]:
    """A connection of the test's own to the server, for looking behind the backend's back."""
    with psycopg.connect(parse_url(dsn).conninfo, autocommit=True) as conn:
        yield conn
