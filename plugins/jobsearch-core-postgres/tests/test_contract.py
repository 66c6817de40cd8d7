"""The PostgreSQL backend keeps the backend contract from `jobsearch_core.testing`, unchanged."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import pytest
from jobsearch_core.storage import Backend
from jobsearch_core.testing import BackendContract

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
