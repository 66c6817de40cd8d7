"""jobsearch-core-postgres: the PostgreSQL storage backend for jobsearch-core.

Installed, it registers the ``postgresql://`` scheme (and ``postgres://``) through the
entry point group ``jobsearch_core``, so ``open_log("postgresql://host/db?schema=NAME")``
just works. `PostgresBackend` can also be made directly. Nothing heavy is imported until
it is used: psycopg loads when a log is opened.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from jobsearch_core_postgres.backend import PostgresBackend

__all__ = ["PostgresBackend", "__version__"]

__version__ = "0.1.0"


def __getattr__(name: str) -> Any:
    if name == "PostgresBackend":
        from jobsearch_core_postgres.backend import PostgresBackend

        return PostgresBackend
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
