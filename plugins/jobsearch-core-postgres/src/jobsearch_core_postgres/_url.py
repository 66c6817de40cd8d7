"""`postgresql://` URLs: what libpq is given, what the log shows, and the options this plugin reads."""

from __future__ import annotations

import getpass
import os
from urllib.parse import parse_qsl, quote, urlencode, urlsplit

import attrs
import psycopg
from jobsearch_core.errors import InvalidInputError
from psycopg.conninfo import conninfo_to_dict, make_conninfo

from jobsearch_core_postgres.plugin import SCHEMES

__all__ = ["DEFAULT_SCHEMA", "SCHEMES", "Target", "parse_url", "with_schema"]

DEFAULT_SCHEMA = "public"
DEFAULT_POOL_SIZE = 4
#: Seconds libpq waits for a server that does not answer; its own default waits forever.
DEFAULT_CONNECT_TIMEOUT = 5
#: PostgreSQL cuts longer names silently (NAMEDATALEN - 1), so two long names could meet.
MAX_NAME_BYTES = 63
#: Options this plugin reads from the URL; every other one goes to libpq, which checks it.
OWN_OPTIONS = ("schema", "pool_size", "key_file")


@attrs.frozen
class Target:
    """Where a log lives: the connection string for libpq, and what may be shown of it."""

    #: For libpq only: it may hold a password, so it is never shown or logged.
    conninfo: str = attrs.field(repr=False)
    #: The URL as the log shows it: no password.
    url: str
    schema: str
    pool_size: int
    #: The file holding the chain's key (``key_file=``), when one is named.
    key_file: str | None
    host: str
    port: str
    dbname: str
    user: str

    def where(self) -> str:
        """``database 'test' on 127.0.0.1:5432 (schema 'public', user 'postgres')``, for messages."""
        return (
            f"database {self.dbname!r} on {self.host}:{self.port} "
            f"(schema {self.schema!r}, user {self.user!r})"
        )


def parse_url(url: str) -> Target:
    """Read ``postgresql://user:password@host:port/database?schema=NAME&pool_size=N&<libpq options>``."""
    if not isinstance(url, str):
        raise InvalidInputError(f"a PostgreSQL URL must be text, got {url!r}")
    parts = urlsplit(url)
    if parts.scheme not in SCHEMES:
        raise InvalidInputError(f"not a postgresql:// URL: {_hide_password(url)!r}")
    shown = _hide_password(url)
    own: dict[str, str] = {}
    passed: list[tuple[str, str]] = []
    for name, value in parse_qsl(parts.query, keep_blank_values=True):
        if name in OWN_OPTIONS:
            if name in own:
                raise InvalidInputError(f"the option {name!r} is given twice in {shown!r}")
            own[name] = value
        else:
            passed.append((name, value))
    libpq_url = parts._replace(scheme="postgresql", query=_query(passed)).geturl()
    try:
        params = conninfo_to_dict(libpq_url)
    except psycopg.ProgrammingError as error:
        known = ", ".join(OWN_OPTIONS)
        raise InvalidInputError(
            f"cannot read the PostgreSQL URL {shown!r}: {' '.join(str(error).split())} "
            f"(this plugin reads {known}; every other option goes to libpq)"
        ) from None
    params.setdefault("connect_timeout", DEFAULT_CONNECT_TIMEOUT)
    # Shown in pg_stat_activity, so a DBA can tell who holds the connections.
    params.setdefault("application_name", "jobsearch-core")
    user = str(params.get("user") or os.environ.get("PGUSER") or getpass.getuser())
    return Target(
        conninfo=make_conninfo("", **params),
        url=shown,
        schema=_schema(own.get("schema", DEFAULT_SCHEMA), shown),
        pool_size=_pool_size(own.get("pool_size", str(DEFAULT_POOL_SIZE)), shown),
        key_file=own.get("key_file"),
        host=str(
            params.get("host") or params.get("hostaddr") or os.environ.get("PGHOST") or "localhost"
        ),
        port=str(params.get("port") or os.environ.get("PGPORT") or "5432"),
        dbname=str(params.get("dbname") or os.environ.get("PGDATABASE") or user),
        user=user,
    )


def with_schema(url: str, schema: str) -> str:
    """The same URL with its ``schema`` option set to `schema` (any other schema option dropped)."""
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != "schema"]
    query.append(("schema", schema))
    return parts._replace(query=_query(query)).geturl()


def _hide_password(url: str) -> str:
    """The URL without its password, in the user part or in a ``password=`` option."""
    parts = urlsplit(url)
    netloc = parts.netloc
    if "@" in netloc:
        userinfo, hosts = netloc.rsplit("@", 1)
        netloc = f"{userinfo.split(':', 1)[0]}@{hosts}"
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != "password"]
    return parts._replace(netloc=netloc, query=_query(query)).geturl()


def _schema(name: str, shown: str) -> str:
    if not name:
        raise InvalidInputError(f"the schema named in {shown!r} is empty")
    if not name.isprintable():
        raise InvalidInputError(f"the schema name {name!r} in {shown!r} is not printable text")
    if len(name.encode()) > MAX_NAME_BYTES:
        raise InvalidInputError(
            f"the schema name {name!r} is longer than PostgreSQL keeps "
            f"({MAX_NAME_BYTES} bytes of UTF-8)"
        )
    if name.startswith("pg_"):
        raise InvalidInputError(
            f"the schema name {name!r} starts with 'pg_', which PostgreSQL keeps for itself"
        )
    return name


def _pool_size(value: str, shown: str) -> int:
    try:
        size = int(value)
    except ValueError:
        size = 0
    if not 1 <= size <= 100:
        raise InvalidInputError(
            f"pool_size in {shown!r} must be a whole number from 1 to 100, got {value!r}"
        )
    return size


def _query(pairs: list[tuple[str, str]]) -> str:
    # libpq decodes %20 but not '+', so spaces (in `options=-c ...`, say) are written %20.
    return urlencode(pairs, quote_via=quote)
