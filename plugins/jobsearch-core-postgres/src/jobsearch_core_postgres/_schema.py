"""The log's tables, created on first use and versioned: one migration per schema version."""

from __future__ import annotations

import zlib
from collections.abc import Callable

import psycopg
from jobsearch_core.errors import BackendError
from jobsearch_core.storage import GENESIS, EnvelopeMigration, legacy_chain_hash
from jobsearch_core.storage.keys import ChainMode, settled, to_store
from psycopg import sql
from psycopg.rows import TupleRow

__all__ = [
    "APPEND_LOCK",
    "LATEST",
    "MIGRATE_LOCK",
    "MIGRATIONS",
    "VERSION_TABLE",
    "lock_key",
    "migrate",
    "schema_version",
]

#: Names the table that records which migrations a schema has had. Distinctive on purpose:
#: the default schema is `public`, where an application may have its own `schema_migrations`.
VERSION_TABLE = "jobsearch_schema_version"

#: Advisory lock classes (the first key of the two-key form), so the locks of this plugin
#: cannot meet another application's one-key locks. ASCII "js" and a number.
APPEND_LOCK = 0x6A730001
MIGRATE_LOCK = 0x6A730002

#: A step in Python, between a migration's statements (filling in a new column, say):
#: it gets the connection, the schema and the chain's key (None for a plain chain).
Backfill = Callable[[psycopg.Connection[TupleRow], str, "bytes | None"], None]

#: Migration n takes a schema from version n - 1 to n; `{schema}` is the quoted schema name.
#: Add a version by appending statements here, never by editing a released one.
MIGRATIONS: dict[int, tuple[str, tuple[str | Backfill, ...]]] = {
    1: (
        "events and snapshots",
        (
            # position is given explicitly as head + 1 under the append lock (no sequence:
            # a rolled-back nextval would leave a hole). COLLATE "C" makes stream names
            # compare byte for byte and sort by code point, like Python's str.
            """CREATE TABLE {schema}.events (
                position bigint PRIMARY KEY CHECK (position > 0),
                stream text COLLATE "C" NOT NULL,
                version bigint NOT NULL CHECK (version > 0),
                type text NOT NULL,
                schema_version integer NOT NULL,
                data bytea NOT NULL,
                recorded_at timestamptz NOT NULL,
                UNIQUE (stream, version)
            )""",
            # Reading one stream from a position walks this index, whatever else is in the log.
            "CREATE INDEX events_stream_position ON {schema}.events (stream, position)",
            """CREATE TABLE {schema}.snapshots (
                view text COLLATE "C" NOT NULL,
                key text COLLATE "C" NOT NULL,
                stream text COLLATE "C" NOT NULL,
                position bigint NOT NULL,
                state bytea NOT NULL,
                PRIMARY KEY (view, key, stream, position)
            )""",
        ),
    ),
}


def _fill_hash_chain(conn: psycopg.Connection[TupleRow], schema: str, key: bytes | None) -> None:
    """Migration 2's data step: every existing row's chain hash, in position order."""
    events = sql.Identifier(schema, "events")
    previous, last = GENESIS, 0
    while True:
        rows = conn.execute(
            sql.SQL(
                "SELECT position, stream, version, type, schema_version, data FROM {}"
                " WHERE position > %s ORDER BY position LIMIT 1000"
            ).format(events),
            (last,),
        ).fetchall()
        if not rows:
            return
        updates = []
        for position, stream, version, type_name, schema_version, data in rows:
            previous = legacy_chain_hash(
                previous, position, stream, version, type_name, schema_version, bytes(data)
            )
            updates.append((previous, position))
        with conn.cursor() as cursor:
            cursor.executemany(
                sql.SQL("UPDATE {} SET hash = %b WHERE position = %s").format(events), updates
            )
        last = rows[-1][0]


def _store_chain_mode(conn: psycopg.Connection[TupleRow], schema: str, key: bytes | None) -> None:
    """Migration 3's last step: whether the chain (made or rehashed just now) is keyed."""
    with conn.cursor() as cursor:
        cursor.executemany(
            sql.SQL("INSERT INTO {}.jobsearch_settings (name, value) VALUES (%s, %b)").format(
                sql.Identifier(schema)
            ),
            to_store(key),
        )


def _fill_envelope(conn: psycopg.Connection[TupleRow], schema: str, key: bytes | None) -> None:
    """Migration 3's data step: an id for every existing row (from its old hash), no
    metadata, and the chain rehashed over all of it; a row whose old hash does not hold
    keeps none, so `verify` still shows it (see `EnvelopeMigration`)."""
    events = sql.Identifier(schema, "events")
    migration = EnvelopeMigration(chained=True, key=key)
    last = 0
    while True:
        rows = conn.execute(
            sql.SQL(
                "SELECT position, stream, version, type, schema_version, data, recorded_at, hash"
                " FROM {} WHERE position > %s ORDER BY position LIMIT 1000"
            ).format(events),
            (last,),
        ).fetchall()
        if not rows:
            return
        with conn.cursor() as cursor:
            cursor.executemany(
                sql.SQL(
                    "UPDATE {} SET event_id = %s, metadata = %b, hash = %b WHERE position = %s"
                ).format(events),
                migration.batch(
                    (
                        position,
                        stream,
                        version,
                        type_name,
                        schema_version,
                        bytes(data),
                        recorded_at,
                        None if digest is None else bytes(digest),
                    )
                    for position, stream, version, type_name, schema_version, data, recorded_at, digest in rows
                ),
            )
        last = rows[-1][0]


MIGRATIONS[2] = (
    "hash chain",
    ("ALTER TABLE {schema}.events ADD COLUMN hash bytea", _fill_hash_chain),
)
MIGRATIONS[3] = (
    "event ids and metadata",
    (
        'ALTER TABLE {schema}.events ADD COLUMN event_id text COLLATE "C"',
        "ALTER TABLE {schema}.events ADD COLUMN metadata bytea",
        _fill_envelope,
        "ALTER TABLE {schema}.events ALTER COLUMN event_id SET NOT NULL",
        "ALTER TABLE {schema}.events ALTER COLUMN metadata SET NOT NULL",
        # The database keeps ids unique: two processes retrying one append store it once.
        "CREATE UNIQUE INDEX events_event_id ON {schema}.events (event_id)",
        # How the chain is hashed (jobsearch_core.storage.keys). A distinctive name, like
        # the version table's: the schema may be an application's own.
        """CREATE TABLE {schema}.jobsearch_settings (
            name text COLLATE "C" PRIMARY KEY,
            value bytea NOT NULL
        )""",
        _store_chain_mode,
    ),
)

MIGRATIONS[4] = (
    "consumers' checkpoints",
    (
        # The last position each named consumer has handled. A distinctive name, like the
        # settings': the schema may be an application's own.
        """CREATE TABLE {schema}.jobsearch_checkpoints (
            name text COLLATE "C" PRIMARY KEY,
            position bigint NOT NULL CHECK (position >= 0),
            updated_at timestamptz NOT NULL
        )""",
    ),
)

# Migration 5's function: an append in one statement, so in one round trip. The caller
# works out the rows (positions, versions, chain hashes) from what it last saw of the log;
# under the append lock, the function checks that the log is still as seen (head, the
# head's hash, each stream's version, a moment not behind the head's) and stores them, or
# stores nothing and says how the log stands. Its statements are planned once per session
# (a generic plan): their shape never changes, only their values. The body is written
# once, for migration 6's function of one row too (`{rows}`: what the INSERT stores).
_APPEND_BODY = """DECLARE
    found_head bigint;
    found_hash bytea;
    found_at timestamptz;
    found_versions bigint[];
BEGIN
    PERFORM pg_advisory_xact_lock(lock_class, lock_key);
    SELECT e.position, e.hash, e.recorded_at INTO found_head, found_hash, found_at
        FROM {schema}.events e ORDER BY e.position DESC LIMIT 1;
    found_head := coalesce(found_head, 0);
    found_versions := ARRAY(
        SELECT (SELECT coalesce(max(e.version), 0) FROM {schema}.events e
                WHERE e.stream = s.name)
        FROM unnest(streams) WITH ORDINALITY AS s(name, o) ORDER BY s.o);
    IF found_head IS DISTINCT FROM head_seen OR found_hash IS DISTINCT FROM hash_seen
        OR found_versions IS DISTINCT FROM versions_seen OR moment IS NULL
        OR moment < found_at
        OR (moment > found_at AND moment > clock_timestamp() + interval '1 second')
        OR cardinality(positions) IS NULL
    THEN
        RETURN QUERY SELECT false, found_head, found_hash, found_at, clock_timestamp(),
            found_versions;
        RETURN;
    END IF;
    INSERT INTO {schema}.events (position, stream, version, type, schema_version, data,
            recorded_at, hash, event_id, metadata)
        {rows};
    -- Delivered to listeners when, and only if, the transaction commits.
    PERFORM pg_notify(channel, positions[cardinality(positions)]::text);
    RETURN QUERY SELECT true, positions[cardinality(positions)],
        hashes[cardinality(hashes)], moment, clock_timestamp(), found_versions;
END"""
_RETURNS = """RETURNS TABLE (
    appended boolean, last_position bigint, last_hash bytea, last_recorded_at timestamptz,
    server_now timestamptz, stream_versions bigint[]
) LANGUAGE plpgsql SET plan_cache_mode = force_generic_plan"""


def _append_function(name: str, arguments: str, declared: str, rows: str) -> str:
    """An append function's statement: `arguments`, then the shared body with `declared`
    (more variables, or none) in front of its own and `rows` as what the INSERT stores."""
    body = _APPEND_BODY.replace("DECLARE\n", "DECLARE\n" + declared, 1).replace("{rows}", rows)
    return f"CREATE FUNCTION {{schema}}.{name}(\n{arguments}\n) {_RETURNS} AS $$\n{body}\n$$"


_APPEND_FUNCTION = _append_function(
    "jobsearch_append",
    """    lock_class integer, lock_key integer, channel text,
    head_seen bigint, hash_seen bytea, streams text[], versions_seen bigint[],
    moment timestamptz, positions bigint[], row_streams text[], row_versions bigint[],
    types text[], schema_versions integer[], datas bytea[], hashes bytea[],
    event_ids text[], metadatas bytea[]""",
    "",
    """SELECT r.p, r.s, r.v, r.t, r.sv, r.d, moment, r.h, r.i, r.m
        FROM unnest(positions, row_streams, row_versions, types, schema_versions, datas,
                    hashes, event_ids, metadatas) AS r(p, s, v, t, sv, d, h, i, m)""",
)

MIGRATIONS[5] = ("appends in one statement", (_APPEND_FUNCTION,))

# Migration 6: an append of one row (the most common) sends it as plain values, not as
# arrays of one: 16 arguments the server reads as they are. The row's values are also
# named as the arrays' would be, one element each, so the body is migration 5's:
# `positions[cardinality(positions)]` is the row's position.
_APPEND_ONE = _append_function(
    "jobsearch_append_one",
    """    lock_class integer, lock_key integer, channel text,
    head_seen bigint, hash_seen bytea, stream text, version_seen bigint,
    moment timestamptz, row_position bigint, row_version bigint, row_type text,
    row_schema_version integer, row_data bytea, row_hash bytea, row_event_id text,
    row_metadata bytea""",
    """    streams text[] := ARRAY[stream];
    versions_seen bigint[] := ARRAY[version_seen];
    positions bigint[] := ARRAY[row_position];
    hashes bytea[] := ARRAY[row_hash];
""",
    """VALUES (row_position, stream, row_version, row_type, row_schema_version,
                row_data, moment, row_hash, row_event_id, row_metadata)""",
)

MIGRATIONS[6] = ("appends of one row as plain values", (_APPEND_ONE,))

LATEST = max(MIGRATIONS)
#: Tables a migration creates: finding one in a schema with no version table means the
#: schema belongs to someone else.
OWN_TABLES = ("events", "snapshots")


def lock_key(schema: str) -> int:
    """The second advisory-lock key for a schema: its name's CRC-32 as a signed 32-bit number.

    Two schemas whose names collide only share a lock (their appends wait for each other);
    they never mix data.
    """
    crc = zlib.crc32(schema.encode())
    return crc - (1 << 32) if crc >= 1 << 31 else crc


def schema_version(conn: psycopg.Connection[TupleRow], schema: str) -> int | None:
    """The schema's version, or None when it has no version table (or does not exist)."""
    found = conn.execute(
        "SELECT 1 FROM pg_catalog.pg_tables WHERE schemaname = %s AND tablename = %s",
        (schema, VERSION_TABLE),
    ).fetchone()
    if found is None:
        return None
    row = conn.execute(
        sql.SQL("SELECT coalesce(max(version), 0) FROM {}.{}").format(
            sql.Identifier(schema), sql.Identifier(VERSION_TABLE)
        )
    ).fetchone()
    return int(row[0]) if row is not None else 0


def migrate(
    conn: psycopg.Connection[TupleRow], schema: str, where: str, key: bytes | None = None
) -> int:
    """Bring `schema` to the latest version (creating it on first use); return that version.

    Safe when several processes open a new log at once: they take turns under an advisory
    lock, and each re-reads the version once it has the lock. `conn` is in autocommit mode.
    """
    version = schema_version(conn, schema)
    if version == LATEST:
        return version
    _refuse_newer(version, where)
    with conn.transaction():
        conn.execute("SELECT pg_advisory_xact_lock(%s, %s)", (MIGRATE_LOCK, lock_key(schema)))
        exists = conn.execute(
            "SELECT 1 FROM pg_catalog.pg_namespace WHERE nspname = %s", (schema,)
        ).fetchone()
        if exists is None:
            # Only when missing: CREATE SCHEMA IF NOT EXISTS still needs the right to create.
            conn.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(schema)))
        version = schema_version(conn, schema)
        _refuse_newer(version, where)
        if version is None:
            _refuse_foreign_tables(conn, schema, where)
            conn.execute(
                sql.SQL(
                    "CREATE TABLE {}.{} (version integer PRIMARY KEY, note text NOT NULL,"
                    " applied_at timestamptz NOT NULL DEFAULT now())"
                ).format(sql.Identifier(schema), sql.Identifier(VERSION_TABLE))
            )
            version = 0
        for number in range(version + 1, LATEST + 1):
            note, steps = MIGRATIONS[number]
            for step in steps:
                if isinstance(step, str):
                    conn.execute(sql.SQL(step).format(schema=sql.Identifier(schema)))
                else:
                    step(conn, schema, key)
            conn.execute(
                sql.SQL("INSERT INTO {}.{} (version, note) VALUES (%s, %s)").format(
                    sql.Identifier(schema), sql.Identifier(VERSION_TABLE)
                ),
                (number, note),
            )
    return LATEST


def chain_mode(
    conn: psycopg.Connection[TupleRow], schema: str, key: bytes | None, where: str
) -> ChainMode:
    """How the log's chain is hashed, opened with `key` (see `settled`)."""
    rows = conn.execute(
        sql.SQL("SELECT name, value FROM {}.jobsearch_settings").format(sql.Identifier(schema))
    ).fetchall()
    settings = {str(name): bytes(value) for name, value in rows}
    mode = settings.get("chain")
    return settled(None if mode is None else mode.decode(), settings.get("key_check"), key, where)


def _refuse_newer(version: int | None, where: str) -> None:
    if version is not None and version > LATEST:
        raise BackendError(
            f"the log in {where} has schema version {version}, newer than this "
            f"jobsearch-core-postgres understands ({LATEST}); upgrade the plugin to use it"
        )


def _refuse_foreign_tables(conn: psycopg.Connection[TupleRow], schema: str, where: str) -> None:
    rows = conn.execute(
        "SELECT tablename FROM pg_catalog.pg_tables WHERE schemaname = %s"
        " AND tablename = ANY(%s) ORDER BY tablename",
        (schema, list(OWN_TABLES)),
    ).fetchall()
    if rows:
        names = ", ".join(str(row[0]) for row in rows)
        raise BackendError(
            f"the schema in {where} already holds tables that are not a jobsearch log "
            f"({names}); give the log a schema of its own with ?schema=NAME"
        )
