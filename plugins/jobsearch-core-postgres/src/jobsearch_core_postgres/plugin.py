"""The plugin the ``jobsearch_core`` entry point loads: it registers the ``postgresql://`` scheme.

Loading it costs nothing: psycopg and the backend are imported only when a log with one
of its schemes is opened, so a program that never opens one never loads them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from jobsearch_core import hookimpl
from jobsearch_core.storage import BackendFactory

if TYPE_CHECKING:
    from jobsearch_core_postgres.backend import PostgresBackend

__all__ = ["SCHEMES", "open_backend", "register_backends"]

#: The URL schemes of a PostgreSQL log: ``postgresql://`` and libpq's alias ``postgres://``.
SCHEMES = ("postgresql", "postgres")


def open_backend(url: str) -> PostgresBackend:
    """Open ``postgresql://...``, importing the backend (and psycopg) now."""
    from jobsearch_core_postgres.backend import PostgresBackend

    return PostgresBackend.from_url(url)


@hookimpl
def register_backends(register: Callable[[str, BackendFactory], None]) -> None:
    """``postgresql://`` and its libpq alias ``postgres://``."""
    for scheme in SCHEMES:
        register(scheme, open_backend)
