"""The plugin the ``jobsearch_core`` entry point loads: it registers the ``postgresql://`` scheme."""

from __future__ import annotations

from collections.abc import Callable

from jobsearch_core import hookimpl
from jobsearch_core.storage import BackendFactory

from jobsearch_core_postgres._url import SCHEMES
from jobsearch_core_postgres.backend import PostgresBackend

__all__ = ["register_backends"]


@hookimpl
def register_backends(register: Callable[[str, BackendFactory], None]) -> None:
    """``postgresql://`` and its libpq alias ``postgres://``."""
    for scheme in SCHEMES:
        register(scheme, PostgresBackend.from_url)
