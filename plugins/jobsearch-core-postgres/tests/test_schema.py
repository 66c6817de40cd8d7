"""The schema: created on first use, versioned and migrated; one database, many independent logs."""

from __future__ import annotations

import threading
from collections.abc import Callable
from urllib.parse import quote

import psycopg
import pytest
from jobsearch_core import GapAdded, open_log
from jobsearch_core.errors import BackendError, DuplicateEventError
from jobsearch_core.storage import GENESIS, NewRow, Snapshot, legacy_chain_hash, migrated_event_id
from psycopg import sql

from jobsearch_core_postgres._url import with_schema
from jobsearch_core_postgres.backend import PostgresBackend
from jobsearch_core_postgres.testing import drop_schema

Admin = psycopg.Connection[tuple[object, ...]]
#: Every migration, as the version table records it.
ALL_VERSIONS = [
    (1, "events and snapshots"),
    (2, "hash chain"),
    (3, "event ids and metadata"),
    (4, "consumers' checkpoints"),
    (5, "appends in one statement"),
    (6, "appends of one row as plain values"),
]


def row() -> list[NewRow]:
    """One row to append, with an id of its own."""
    return [NewRow(type="Noted", schema_version=1, data=b"{}")]


def versions(admin: Admin, schema: str) -> list[tuple[object, ...]]:
    """The rows of the schema's version table: (version, note)."""
    return admin.execute(
        sql.SQL("SELECT version, note FROM {}.jobsearch_schema_version ORDER BY version").format(
            sql.Identifier(schema)
        )
    ).fetchall()


class TestCreatedOnFirstUse:
    """Opening a log in a schema that is not there yet makes it, at the latest version."""

    def test_first_open_creates_schema_and_tables(
        self, backend: PostgresBackend, admin: Admin
    ) -> None:
        """The schema holds the events, the snapshots, the log's settings and a version table
        at the latest version."""
        tables = admin.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = %s ORDER BY tablename",
            (backend.schema,),
        ).fetchall()
        assert [t[0] for t in tables] == [
            "events",
            "jobsearch_checkpoints",
            "jobsearch_schema_version",
            "jobsearch_settings",
            "snapshots",
        ]
        assert versions(admin, backend.schema) == ALL_VERSIONS

    def test_reopening_keeps_everything(self, url: str, admin: Admin) -> None:
        """Close and reopen: events are all there and no migration runs twice."""
        with open_log(url) as log:
            log.append([GapAdded(skill="SQL"), GapAdded(skill="Go")])
        with open_log(url) as log:
            assert [r.event.skill for r in log.read()] == ["SQL", "Go"]  # type: ignore[attr-defined]
            assert log.append([GapAdded(skill="Rust")])[0].position == 3
            schema = log.backend.schema  # type: ignore[attr-defined]
        assert versions(admin, schema) == ALL_VERSIONS

    def test_several_first_opens_at_once(self, url: str, admin: Admin) -> None:
        """Backends opening a new schema together take turns: one creates it, all use it."""
        opened: list[PostgresBackend] = []
        failed: list[BaseException] = []
        barrier = threading.Barrier(6)

        def open_one() -> None:
            barrier.wait()
            try:
                opened.append(PostgresBackend(url))
            except BaseException as error:
                failed.append(error)

        threads = [threading.Thread(target=open_one) for _ in range(6)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        try:
            assert failed == []
            assert len(opened) == 6
            for backend in opened:
                backend.append("me", row())
            assert opened[0].head() == 6
            assert versions(admin, opened[0].schema) == ALL_VERSIONS
        finally:
            for backend in opened:
                backend.close()


def _downgrade(admin: Admin, schema: str, *, to: int) -> None:
    """Back to how schema version `to` stored a log: later columns and versions dropped,
    and for version 2 the chain as it hashed rows then."""
    events = sql.Identifier(schema, "events")
    admin.execute(
        sql.SQL("DROP FUNCTION {}").format(sql.Identifier(schema, "jobsearch_append_one"))
    )
    if to == 5:
        admin.execute(
            sql.SQL("DELETE FROM {}.jobsearch_schema_version WHERE version > 5").format(
                sql.Identifier(schema)
            )
        )
        return
    if to == 2:
        previous = GENESIS
        rows = admin.execute(
            sql.SQL(
                "SELECT position, stream, version, type, schema_version, data FROM {}"
                " ORDER BY position"
            ).format(events)
        ).fetchall()
        for position, stream, version, type_name, schema_version, data in rows:
            previous = legacy_chain_hash(
                previous, position, stream, version, type_name, schema_version, bytes(data)
            )
            admin.execute(
                sql.SQL("UPDATE {} SET hash = %s WHERE position = %s").format(events),
                (previous, position),
            )
    admin.execute(sql.SQL("DROP FUNCTION {}").format(sql.Identifier(schema, "jobsearch_append")))
    tables = (
        ("jobsearch_checkpoints",) if to == 3 else ("jobsearch_checkpoints", "jobsearch_settings")
    )
    for table in tables:
        admin.execute(sql.SQL("DROP TABLE {}").format(sql.Identifier(schema, table)))
    columns = {1: ("hash", "event_id", "metadata"), 2: ("event_id", "metadata"), 3: ()}[to]
    for column in columns:
        admin.execute(
            sql.SQL("ALTER TABLE {} DROP COLUMN {}").format(events, sql.Identifier(column))
        )
    admin.execute(
        sql.SQL("DELETE FROM {}.jobsearch_schema_version WHERE version > %s").format(
            sql.Identifier(schema)
        ),
        (to,),
    )


class TestVersions:
    """The version table drives migrations; a newer schema or someone else's tables are refused."""

    def test_a_log_at_version_1_gains_its_hash_chain(self, url: str, admin: Admin) -> None:
        """A log made before the hash chain is migrated once: every row hashed, data kept."""
        with open_log(url) as log:
            log.append([GapAdded(skill="SQL"), GapAdded(skill="Go")])
            log.append([GapAdded(skill="Rust")], stream="ann")
            schema = log.backend.schema  # type: ignore[attr-defined]
            hashes = [r.hash for r in log.backend.read()]
        _downgrade(admin, schema, to=1)
        with open_log(url) as log:
            hashes = [r.hash for r in log.backend.read()]
            assert all(hashes)
            assert log.verify() == []
        with open_log(url) as log:  # migrated once
            assert [r.hash for r in log.backend.read()] == hashes
        assert versions(admin, schema) == ALL_VERSIONS

    def test_a_log_at_version_2_gains_event_ids(self, url: str, admin: Admin) -> None:
        """A log of jobsearch-core 0.1 gets an id for every row (from its hash, so the same
        on every copy), no metadata, and the unique index; it still verifies."""
        with open_log(url) as log:
            log.append([GapAdded(skill="SQL"), GapAdded(skill="Go")])
            log.append([GapAdded(skill="Rust")], stream="ann")
            schema = log.backend.schema  # type: ignore[attr-defined]
        _downgrade(admin, schema, to=2)
        old = admin.execute(
            sql.SQL("SELECT hash FROM {} ORDER BY position").format(
                sql.Identifier(schema, "events")
            )
        ).fetchall()
        with open_log(url) as log:
            records = list(log.read())
            assert [r.event_id for r in records] == [migrated_event_id(bytes(h)) for (h,) in old]
            assert [r.metadata for r in records] == [{}, {}, {}]
            assert log.verify() == []
            with pytest.raises(DuplicateEventError):
                log.append([GapAdded(skill="Other")], ids=[records[0].event_id])
        assert versions(admin, schema) == ALL_VERSIONS

    def test_a_log_at_version_3_gains_the_checkpoints_table(self, url: str, admin: Admin) -> None:
        """A log made before consumers gets their table; its events and chain stay as they were."""
        with open_log(url) as log:
            log.append([GapAdded(skill="SQL"), GapAdded(skill="Go")])
            schema = log.backend.schema  # type: ignore[attr-defined]
            before = list(log.backend.read())
        _downgrade(admin, schema, to=3)
        with open_log(url) as log:
            assert list(log.backend.read()) == before
            assert log.verify() == []
            log.backend.save_checkpoint("mailer", 2)  # type: ignore[attr-defined]
            (found,) = log.backend.read_checkpoints()  # type: ignore[attr-defined]
            assert (found.name, found.position) == ("mailer", 2)
        assert versions(admin, schema) == ALL_VERSIONS

    def test_a_log_at_version_5_gains_appends_of_one_row(self, url: str, admin: Admin) -> None:
        """A log made before one-row appends were sent as plain values gets their function;
        appends of one row and of several go on from where it was, and verify."""
        with open_log(url) as log:
            log.append([GapAdded(skill="SQL"), GapAdded(skill="Go")])
            schema = log.backend.schema  # type: ignore[attr-defined]
        _downgrade(admin, schema, to=5)
        assert versions(admin, schema) == ALL_VERSIONS[:5]
        with open_log(url) as log:
            log.append([GapAdded(skill="dbt")])
            log.append([GapAdded(skill="R"), GapAdded(skill="C")], stream="ann")
            assert [(r.position, r.stream) for r in log.read()] == [
                (1, "me"),
                (2, "me"),
                (3, "me"),
                (4, "ann"),
                (5, "ann"),
            ]
            assert log.verify() == []
        assert versions(admin, schema) == ALL_VERSIONS

    def test_newer_schema_is_refused(self, url: str, admin: Admin) -> None:
        """A log written by a newer plugin is not touched: the error says to upgrade."""
        backend = PostgresBackend(url)
        schema = backend.schema
        backend.close()
        admin.execute(
            sql.SQL(
                "INSERT INTO {}.jobsearch_schema_version (version, note) VALUES (99, 'x')"
            ).format(sql.Identifier(schema))
        )
        with pytest.raises(BackendError, match=r"schema version 99, newer .* upgrade"):
            PostgresBackend(url)

    def test_someone_elses_tables_are_refused(self, url: str, admin: Admin) -> None:
        """A schema that already has an `events` table of another application is left alone."""
        schema = url.rsplit("schema=", 1)[1]
        admin.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(schema)))
        admin.execute(
            sql.SQL("CREATE TABLE {}.events (id serial, what text)").format(sql.Identifier(schema))
        )
        with pytest.raises(BackendError, match=r"not a jobsearch log \(events\).*\?schema=NAME"):
            PostgresBackend(url)
        columns = admin.execute(
            "SELECT column_name FROM information_schema.columns"
            " WHERE table_schema = %s AND table_name = 'events' ORDER BY ordinal_position",
            (schema,),
        ).fetchall()
        assert columns == [("id",), ("what",)]


class TestSeparateLogs:
    """?schema=NAME puts a log in a schema of its own: one database, independent logs."""

    def test_logs_in_two_schemas_do_not_meet(self, make_url: Callable[[], str]) -> None:
        """Positions, streams, versions and snapshots of one log never show in the other."""
        with open_log(make_url()) as ann, open_log(make_url()) as bob:
            ann.append([GapAdded(skill="SQL"), GapAdded(skill="Go")])
            bob.append([GapAdded(skill="Rust")], stream="bob")
            ann.append([GapAdded(skill="dbt")], stream="me")
            assert [(r.position, r.stream) for r in ann.read()] == [(1, "me"), (2, "me"), (3, "me")]
            assert [(r.position, r.stream) for r in bob.read()] == [(1, "bob")]
            assert (ann.streams(), bob.streams()) == (["me"], ["bob"])
            assert (ann.stream_version("bob"), bob.stream_version("me")) == (0, 0)
            ann.backend.save_snapshot(
                Snapshot(view="gaps", key="k", stream="me", position=1, state=b"s")
            )
            assert bob.backend.load_snapshot("gaps", "k", "me", at_or_before=9) is None

    def test_schema_name_with_quotes_spaces_and_accents(self, dsn: str) -> None:
        """A schema named with quotes, spaces and accents works: names are always quoted."""
        name = 'Ann\'s "log"; DROP SCHEMA public; ü'
        url = with_schema(dsn, name)
        try:
            with open_log(url) as log:
                log.append([GapAdded(skill="SQL")])
                assert log.backend.schema == name  # type: ignore[attr-defined]
                assert quote(name, safe="") in log.url
            with open_log(url) as log:
                assert log.head == 1
        finally:
            drop_schema(dsn, name)


class TestSnapshotsInTheDatabase:
    """View snapshots are rows of the log's schema, shared by every process that opens it."""

    def test_views_leave_snapshots_another_log_uses(self, url: str, admin: Admin) -> None:
        """A view folded by one process saves snapshots; a second opening loads them."""
        with open_log(url) as log:
            log.snapshot_every = 5
            log.append([GapAdded(skill=f"s{i}") for i in range(12)])
            assert len(log.view("gaps").items) == 12
            schema = log.backend.schema  # type: ignore[attr-defined]
        saved = admin.execute(
            sql.SQL("SELECT view, stream, position FROM {}.snapshots ORDER BY position").format(
                sql.Identifier(schema)
            )
        ).fetchall()
        assert saved
        assert {(view, stream) for view, stream, _ in saved} == {("gaps", "me")}
        with open_log(url) as log:
            (view, _, position) = saved[-1]
            key = admin.execute(
                sql.SQL("SELECT key FROM {}.snapshots WHERE position = %s").format(
                    sql.Identifier(schema)
                ),
                (position,),
            ).fetchone()
            assert key is not None
            loaded = log.backend.load_snapshot(str(view), str(key[0]), "me", at_or_before=12)
            assert loaded is not None
            assert loaded.position == position
            assert len(log.view("gaps").items) == 12
