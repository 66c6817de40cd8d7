"""Hard conditions: a read-only log, a full disk, a file locked past the busy timeout."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from jobsearch_core import BackendError, GapAdded, GapPracticed, InvalidInputError, open_log
from jobsearch_core.log import EventLog
from jobsearch_core.storage.sqlite import SQLiteBackend


def _filled(path: Path, count: int = 3) -> list[tuple[int, str, bytes]]:
    with open_log(path) as log:
        log.append([GapAdded(skill=f"skill {i}") for i in range(count)])
    return _rows(path)


def _rows(path: Path) -> list[tuple[int, str, bytes]]:
    with sqlite3.connect(path) as raw:
        return raw.execute("SELECT position, stream, data FROM events ORDER BY position").fetchall()


class TestReadOnly:
    """A log opened read-only answers reads and refuses writes clearly."""

    def test_reads_work_writes_refused(self, tmp_path: Path) -> None:
        """Views and reads work; an append is a BackendError saying read-only; nothing changes."""
        path = tmp_path / "log.db"
        before = _filled(path)
        with open_log(f"sqlite://{path}?mode=ro") as log:
            assert [i.skill for i in log.view("gaps").items] == ["skill 0", "skill 1", "skill 2"]
            with pytest.raises(BackendError, match="read-only"):
                log.append([GapAdded(skill="more")])
            assert log.head == 3
        assert _rows(path) == before

    def test_missing_file(self, tmp_path: Path) -> None:
        """Read-only never creates a log."""
        with pytest.raises(BackendError, match="no log there"):
            open_log(f"sqlite://{tmp_path / 'none.db'}?mode=ro")
        assert not (tmp_path / "none.db").exists()

    def test_bad_mode(self, tmp_path: Path) -> None:
        """mode is ro or rw."""
        with pytest.raises(InvalidInputError, match="mode"):
            open_log(f"sqlite://{tmp_path / 'x.db'}?mode=wo")


class TestFullDisk:
    """A full disk (SQLite's max_page_count) fails the append and keeps the log as it was."""

    def test_full(self, tmp_path: Path) -> None:
        """The append raises a BackendError naming the full disk; earlier events are intact."""
        path = tmp_path / "log.db"
        before = _filled(path)
        backend = SQLiteBackend(path)
        (pages,) = backend._conn.execute("PRAGMA page_count").fetchone()
        backend._conn.execute(f"PRAGMA max_page_count = {pages + 1}")
        log = EventLog(backend)
        big = [GapPracticed(skill="x" * 2000, minutes=i) for i in range(200)]
        with pytest.raises(BackendError, match="full"):
            log.append(big)
        assert log.head == 3
        assert log.verify() == []
        log.close()
        assert _rows(path) == before
        with open_log(path) as again:  # and the log takes appends once there is room
            again.append([GapAdded(skill="after")])
            assert again.head == 4


class TestLocked:
    """A file held by another process longer than the busy timeout."""

    def test_locked_past_the_timeout(self, tmp_path: Path) -> None:
        """The append fails with a BackendError naming the lock; it works once the lock goes."""
        path = tmp_path / "log.db"
        before = _filled(path)
        holder = sqlite3.connect(path, isolation_level=None)
        holder.execute("BEGIN EXCLUSIVE")
        try:
            with open_log(f"sqlite://{path}?busy_timeout=0.2") as log:
                with pytest.raises(BackendError, match="locked by another process"):
                    log.append([GapAdded(skill="blocked")])
                holder.execute("ROLLBACK")
                log.append([GapAdded(skill="free")])
                assert log.head == 4
        finally:
            holder.close()
        assert _rows(path)[:3] == before
