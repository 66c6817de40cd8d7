"""Helpers for tests and benchmarks that need a server: which one, whether it answers, a scratch schema.

Needs no test framework, so a benchmark harness can use it too::

    from jobsearch_core_postgres.testing import scratch_url_if_reachable

    with scratch_url_if_reachable(prefix="bench") as url:
        if url is not None:  # a server answers: add a PostgreSQL column
            run_benchmarks(open_log(url))
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import psycopg
from psycopg import sql

from jobsearch_core_postgres._url import parse_url, with_schema

__all__ = [
    "DEFAULT_DSN",
    "ENV_VAR",
    "configured_dsn",
    "drop_schema",
    "in_ci",
    "scratch_url",
    "scratch_url_if_reachable",
    "server_problem",
]

#: The environment variable that names the server tests and benchmarks use.
ENV_VAR = "JOBSEARCH_TEST_POSTGRES"
DEFAULT_DSN = "postgresql://postgres@127.0.0.1:5432/test"


def configured_dsn() -> str:
    """``$JOBSEARCH_TEST_POSTGRES``, else the local server's ``test`` database."""
    return os.environ.get(ENV_VAR) or DEFAULT_DSN


def in_ci() -> bool:
    """Whether ``$CI`` is set (to anything but empty, 0 or false): a missing server is then a failure."""
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def server_problem(dsn: str | None = None, *, timeout: int = 3) -> str | None:
    """None when the server answers; else why not, in one line (the password never shown)."""
    dsn = dsn or configured_dsn()
    try:
        target = parse_url(dsn)
        with psycopg.connect(target.conninfo, connect_timeout=timeout) as conn:
            conn.execute("SELECT 1")
    except Exception as error:  # anything at all means: not usable for tests
        reason = " ".join(str(error).split()) or type(error).__name__
        return f"no PostgreSQL at {_shown(dsn)} ({reason})"
    return None


def _shown(dsn: str) -> str:
    """The DSN as it may be shown (no password), or a placeholder when it cannot be read."""
    try:
        return parse_url(dsn).url
    except Exception:
        return "<an unreadable DSN>"


def drop_schema(dsn: str, schema: str) -> None:
    """Drop `schema` and everything in it, if it is there."""
    target = parse_url(dsn)
    with psycopg.connect(target.conninfo, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(schema)))


@contextmanager
def scratch_url(dsn: str | None = None, *, prefix: str = "t") -> Iterator[str]:
    """A URL for a log in a schema of its own (``<prefix>_<random>``), dropped on the way out.

    The schema is created when a backend first opens the URL.
    """
    dsn = dsn or configured_dsn()
    schema = f"{prefix}_{uuid.uuid4().hex[:16]}"
    try:
        yield with_schema(dsn, schema)
    finally:
        drop_schema(dsn, schema)


@contextmanager
def scratch_url_if_reachable(
    dsn: str | None = None, *, prefix: str = "bench"
) -> Iterator[str | None]:
    """Like `scratch_url`, but gives None (and drops nothing) when no server answers.

    For ``make bench``: a harness adds a PostgreSQL column when this gives a URL.
    """
    dsn = dsn or configured_dsn()
    if server_problem(dsn) is not None:
        yield None
        return
    with scratch_url(dsn, prefix=prefix) as url:
        yield url
