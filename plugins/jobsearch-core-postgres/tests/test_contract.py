"""The PostgreSQL backend keeps the backend contract from `jobsearch_core.testing`, unchanged."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from datetime import timedelta

import attrs
import pytest
from jobsearch_core.storage import Backend, NewRow, stored_row
from jobsearch_core.testing import BackendContract
from psycopg import sql

from jobsearch_core_postgres.backend import PostgresBackend
from jobsearch_core_postgres.testing import scratch_url


class TestPostgresBackend(BackendContract):
    """Every contract test, each backend in a fresh schema of the test server."""

    _dsn: str
    _schemas: contextlib.ExitStack

    @pytest.fixture(autouse=True)
    def _fresh_schemas(self, dsn: str) -> Iterator[None]:
        self._dsn = dsn
        with contextlib.ExitStack() as self._schemas:
            yield

    def make_backend(self) -> Backend:
        return PostgresBackend(self._schemas.enter_context(scratch_url(self._dsn)))


def test_raw_rows_are_utc_in_any_session_time_zone(url: str) -> None:
    """`read_raw` gives recorded_at in UTC, whatever time zone the session is in."""
    zoned = url + ("&" if "?" in url else "?") + "options=-c%20timezone%3DAsia/Kolkata"
    backend = PostgresBackend(zoned)
    try:
        backend.append("me", [NewRow(type="Noted", schema_version=1, data=b"{}")])
        (stored,) = backend.read()
        (raw,) = [row for batch in backend.read_raw() for row in batch]
        (offset,) = backend._query("read", sql.SQL("SELECT now()::text"), ())[0]
    finally:
        backend.close()
    assert str(offset).endswith("+05:30")  # the session really is in another zone
    assert str(raw[6]).endswith("+00:00")
    assert stored_row(raw) == attrs.evolve(stored, hash=b"")
    assert stored.recorded_at.utcoffset() == timedelta(0)
