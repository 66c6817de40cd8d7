"""jobsearch-core-postgres: the PostgreSQL storage backend for jobsearch-core.

Installed, it registers the ``postgresql://`` scheme (and ``postgres://``) through the
entry point group ``jobsearch_core``, so ``open_log("postgresql://host/db?schema=NAME")``
just works. `PostgresBackend` can also be made directly.
"""

from __future__ import annotations

from jobsearch_core_postgres.backend import PostgresBackend

__all__ = ["PostgresBackend", "__version__"]

__version__ = "0.1.0"
