"""The built-in backends keep the backend contract; the SQLite file behaves like a shared log."""

from __future__ import annotations

import hashlib
import os
import shutil
import sqlite3
import stat
import struct
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from jobsearch_core import open_log
from jobsearch_core.errors import BackendError, InvalidInputError
from jobsearch_core.storage import GENESIS, NewRow, StoredRow, chain_hash, chain_hashes, stored_row
from jobsearch_core.storage.memory import MemoryBackend
from jobsearch_core.storage.sqlite import SCHEMA_VERSION, SQLiteBackend
from jobsearch_core.testing import BackendContract

if TYPE_CHECKING:
    from jobsearch_core.storage import Backend


def rows(count: int) -> list[NewRow]:
    """`count` small encoded rows."""
    return [NewRow(type="Noted", schema_version=1, data=b'{"n": %d}' % i) for i in range(count)]


class TestMemoryBackend(BackendContract):
    """The in-memory backend keeps the contract."""

    def make_backend(self) -> Backend:
        return MemoryBackend()


class TestSQLiteBackend(BackendContract):
    """The SQLite backend keeps the contract, opened by path."""

    def make_backend(self) -> Backend:
        return SQLiteBackend(self.tmp_path_factory.mktemp("log") / "log.db")


class TestSQLiteBackendFromURL(BackendContract):
    """The SQLite backend keeps the contract, opened by URL with synchronous=normal."""

    def make_backend(self) -> Backend:
        path = self.tmp_path_factory.mktemp("log") / "log.db"
        return SQLiteBackend.from_url(f"sqlite://{path.as_posix()}?synchronous=normal")


@pytest.fixture
def path(tmp_path: Path) -> Path:
    """Where the test's log file goes (not created yet)."""
    return tmp_path / "log.db"


class TestSQLiteFile:
    """The SQLite file: private, in WAL mode, durable and shared between connections."""

    @pytest.mark.skipif(os.name != "posix", reason="POSIX file modes")
    def test_file_is_private(self, path: Path) -> None:
        """The log file, and its WAL and shared-memory files, are created with mode 0o600."""
        backend = SQLiteBackend(path)
        try:
            backend.append("me", rows(3))
            created = (path, path.with_name("log.db-wal"), path.with_name("log.db-shm"))
            modes = {p.name: stat.S_IMODE(p.stat().st_mode) for p in created if p.exists()}
        finally:
            backend.close()
        assert "log.db" in modes
        assert modes == dict.fromkeys(modes, 0o600)

    def test_journal_mode_is_wal(self, path: Path) -> None:
        """The file is in WAL mode, as any other connection sees it."""
        SQLiteBackend(path).close()
        conn = sqlite3.connect(path)
        try:
            (mode,) = conn.execute("PRAGMA journal_mode").fetchone()
        finally:
            conn.close()
        assert mode == "wal"

    @pytest.mark.parametrize(
        ("after", "until", "stream"),
        [(0, None, None), (2, 2500, None), (0, None, "me"), (1000, 2400, "you"), (0, 0, "me")],
    )
    def test_raw_rows_are_the_stored_rows(
        self, path: Path, after: int, until: int | None, stream: str | None
    ) -> None:
        """`read_raw` hands over what `read` does, columns as read, a batch at a time."""
        backend = SQLiteBackend(path)
        try:
            for i in range(30):
                backend.append("me" if i % 3 else "you", rows(100))
            stored = list(backend.read(after=after, until=until, stream=stream))
            batches = list(backend.read_raw(after=after, until=until, stream=stream))
        finally:
            backend.close()
        assert all(0 < len(batch) <= 1000 for batch in batches)
        raw = [row for batch in batches for row in batch]
        assert [stored_row(row) for row in raw] == [attrs.evolve(r, hash=b"") for r in stored]
        assert all(type(row[6]) is str for row in raw)

    def test_data_survives_reopening(self, path: Path) -> None:
        """Rows written before close are read back after reopening, and positions continue."""
        backend = SQLiteBackend(path)
        written = backend.append("me", rows(2)) + backend.append("you", rows(1))
        backend.close()
        backend = SQLiteBackend(path)
        try:
            assert list(backend.read()) == written
            assert backend.head() == 3
            assert backend.stream_version("me") == 2
            more = backend.append("me", rows(1), expected_version=2)
            assert [(r.position, r.version) for r in more] == [(4, 3)]
        finally:
            backend.close()

    def test_two_backends_on_one_file_share_the_log(self, path: Path) -> None:
        """Two backends on the same file see each other's appends; positions stay 1..n."""
        first = SQLiteBackend(path)
        second = SQLiteBackend(path, synchronous="normal", busy_timeout=5.0)
        try:
            first.append("me", rows(2))
            second.append("you", rows(2))
            first.append("you", rows(1), expected_version=2)
            second.append("me", rows(1), expected_version=2)
            for backend in (first, second):
                stored = list(backend.read())
                assert [r.position for r in stored] == [1, 2, 3, 4, 5, 6]
                assert [f"{r.stream}{r.version}" for r in stored] == [
                    "me1", "me2", "you1", "you2", "you3", "me3",
                ]  # fmt: skip
                assert backend.head() == 6
                assert backend.streams() == ["me", "you"]
        finally:
            second.close()
            first.close()

    def test_from_url_opens_the_file(self, path: Path) -> None:
        """`sqlite:///abs/path.db?synchronous=normal` opens the same file as the path does."""
        backend = SQLiteBackend.from_url(f"sqlite://{path.as_posix()}?synchronous=normal")
        try:
            backend.append("me", rows(1))
        finally:
            backend.close()
        assert path.exists()
        reopened = SQLiteBackend(path)
        try:
            assert reopened.head() == 1
        finally:
            reopened.close()

    def test_unknown_url_option_is_refused(self, path: Path) -> None:
        """An option the backend does not know is refused, by name."""
        with pytest.raises(InvalidInputError, match="colour"):
            SQLiteBackend.from_url(f"sqlite://{path.as_posix()}?colour=blue")

    def test_bad_synchronous_value_is_refused(self, path: Path) -> None:
        """A `synchronous` value SQLite does not have is refused, naming the value."""
        with pytest.raises(InvalidInputError, match="sometimes"):
            SQLiteBackend.from_url(f"sqlite://{path.as_posix()}?synchronous=sometimes")


FIXTURES = Path(__file__).parent / "fixtures"


class TestSQLiteCheckpoints:
    """Checkpoints live in a table of their own, kept with the log file (schema 4)."""

    def test_checkpoints_survive_reopening(self, path: Path) -> None:
        """A checkpoint saved before close loads after reopening."""
        backend = SQLiteBackend(path)
        backend.save_checkpoint("mailer", 5)
        backend.close()
        backend = SQLiteBackend(path)
        try:
            found = backend.load_checkpoint("mailer")
            assert found is not None
            assert found.position == 5
        finally:
            backend.close()

    def test_a_log_of_schema_3_gains_the_checkpoints_table(self, path: Path) -> None:
        """A log written before consumers is migrated once: its rows and chain as they were."""
        shutil.copy(FIXTURES / "schema-3.db", path)
        with sqlite3.connect(path) as raw:
            before = raw.execute("SELECT * FROM events ORDER BY position").fetchall()
            assert raw.execute("PRAGMA user_version").fetchone() == (3,)
        with open_log(path) as log:
            assert log.verify() == []
            assert log.view("gaps").items[0].minutes_practised == 30
            assert [r.event_id for r in log.read()] == ["a1", "a2", "b1", "a3", "a4"]
            assert log.consumers() == []
            log.consumer("mailer").run(lambda recorded: None, idle_timeout=0)
            assert [(c.name, c.position, c.lag) for c in log.consumers()] == [("mailer", 5, 0)]
        with sqlite3.connect(path) as raw:
            assert raw.execute("SELECT * FROM events ORDER BY position").fetchall() == before
            assert raw.execute("PRAGMA user_version").fetchone() == (SCHEMA_VERSION,)

    def test_a_log_of_schema_4_keeps_its_snapshots_in_a_rowid_table(self, path: Path) -> None:
        """Schema 4 kept snapshots in a WITHOUT ROWID table, where a seek past a large state
        reads all of it: migrated, they are the same rows, found by the index alone, and a
        view starts from them."""
        shutil.copy(FIXTURES / "schema-4.db", path)
        query = "SELECT view, key, stream, position, state FROM snapshots ORDER BY 1, 2, 3, 4"
        with sqlite3.connect(path) as raw:
            assert raw.execute("PRAGMA user_version").fetchone() == (4,)
            before = raw.execute(query).fetchall()
        assert [row[3] for row in before] == [2, 4, 6]
        with open_log(path) as log:
            assert log.verify() == []
            loaded = log.backend.load_snapshot("gaps", before[0][1], "me", at_or_before=5)
            assert loaded is not None
            assert loaded.position == 4
            assert log.view("gaps", stream="me").items[0].minutes_practised == 60
        with sqlite3.connect(path) as raw:
            assert raw.execute("PRAGMA user_version").fetchone() == (SCHEMA_VERSION,)
            assert raw.execute(query).fetchall() == before
            (sql,) = raw.execute(
                "SELECT sql FROM sqlite_master WHERE name = 'snapshots'"
            ).fetchone()
            assert "WITHOUT ROWID" not in sql
            plan = raw.execute(
                "EXPLAIN QUERY PLAN SELECT position FROM snapshots WHERE view = ? AND key = ?"
                " AND stream = ? AND position <= ? ORDER BY position DESC LIMIT 1",
                ("gaps", before[0][1], "me", 5),
            ).fetchall()
            assert "COVERING INDEX" in str(plan)

    def test_a_read_only_log_refuses_to_save_a_checkpoint(self, path: Path) -> None:
        """Saving on a read-only log is a BackendError saying so; loading still works."""
        SQLiteBackend(path).close()
        backend = SQLiteBackend(path, read_only=True)
        try:
            assert backend.load_checkpoint("mailer") is None
            with pytest.raises(BackendError, match="read-only"):
                backend.save_checkpoint("mailer", 1)
        finally:
            backend.close()


@given(
    previous=st.binary(min_size=32, max_size=32),
    position=st.integers(1, 2**40),
    version=st.integers(1, 2**20),
    stream=st.text(min_size=1, max_size=20),
    recorded_at=st.datetimes(timezones=st.just(UTC)),
    rows=st.lists(
        st.tuples(
            st.text(min_size=1, max_size=20),
            st.integers(1, 9),
            st.binary(max_size=50),
            st.text(min_size=1, max_size=20),
            st.binary(max_size=20),
        ),
        max_size=6,
    ),
)
def test_chain_hashes_are_chain_hash_row_by_row(
    previous: bytes,
    position: int,
    version: int,
    stream: str,
    recorded_at: datetime,
    rows: list[tuple[str, int, bytes, str, bytes]],
) -> None:
    """The batch form gives each row the hash `chain_hash` gives it, chained in order."""
    expected = []
    for i, (type_name, schema_version, data, event_id, metadata) in enumerate(rows):
        previous_hash = expected[-1] if expected else previous
        row = StoredRow(
            position + i,
            stream,
            version + i,
            type_name,
            schema_version,
            data,
            recorded_at,
            b"",
            event_id,
            metadata,
        )
        expected.append(chain_hash(previous_hash, row))
    assert chain_hashes(previous, position, stream, version, recorded_at, rows) == expected


def test_chain_hash_is_sha256_over_the_documented_layout() -> None:
    """The hash a stored row carries, spelled out here with hashlib: the on-disk format."""
    previous, data, meta = bytes(range(32)), b'{"skill":"SQL"}', b'{"source":"cli"}'
    at = datetime(2026, 3, 2, 9, 30, 0, 250, tzinfo=UTC)
    micros = 1772443800_000250
    header = struct.pack(
        ">QQIqIIQII",
        7,
        3,
        1,
        micros,
        len(b"me"),
        len(b"GapAdded"),
        len(data),
        len(b"e-1"),
        len(meta),
    )
    expected = hashlib.sha256(previous + header + b"me" + b"GapAdded" + data + b"e-1" + meta)
    row = StoredRow(7, "me", 3, "GapAdded", 1, data, at, b"", "e-1", meta)
    assert chain_hash(previous, row) == expected.digest()


def test_each_part_of_a_row_is_in_its_hash() -> None:
    """Changing any stored column of a row changes its hash (recorded_at, id and metadata too)."""
    at = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
    row = StoredRow(7, "me", 3, "GapAdded", 1, b"{}", at, b"", "e-1", b"{}")
    changes: dict[str, object] = {
        "position": 8,
        "stream": "you",
        "version": 4,
        "type": "GapClosed",
        "schema_version": 2,
        "data": b'{"a":1}',
        "recorded_at": at + timedelta(microseconds=1),
        "event_id": "e-2",
        "metadata": b'{"source":"x"}',
    }
    for field, value in changes.items():
        changed = attrs.evolve(row, **{field: value})
        assert chain_hash(GENESIS, changed) != chain_hash(GENESIS, row), field
