"""Files that are what they say: a log is marked as ours, another program's file is left
alone, and a log made through a symlink is owner-only."""

from __future__ import annotations

import os
import sqlite3
import stat
from pathlib import Path

import pytest

from jobsearch_core import BackendError, GapAdded, open_log
from jobsearch_core.storage.sqlite import APPLICATION_ID


def _files(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


class TestOurFiles:
    """A log file is marked as a jobsearch log; an old one is marked when next opened."""

    def test_a_new_log_is_marked(self, tmp_path: Path) -> None:
        with open_log(tmp_path / "log.db") as log:
            log.append([GapAdded(skill="SQL")])
        with sqlite3.connect(tmp_path / "log.db") as raw:
            assert raw.execute("PRAGMA application_id").fetchone() == (APPLICATION_ID,)

    def test_an_unmarked_log_of_ours_is_marked(self, tmp_path: Path) -> None:
        """A log written before files were marked opens, and is marked then."""
        path = tmp_path / "log.db"
        with open_log(path) as log:
            log.append([GapAdded(skill="SQL")])
        with sqlite3.connect(path) as raw:
            raw.execute("PRAGMA application_id=0")
        with open_log(path) as log:
            assert log.head == 1
        with sqlite3.connect(path) as raw:
            assert raw.execute("PRAGMA application_id").fetchone() == (APPLICATION_ID,)


class TestForeignFiles:
    """Another program's SQLite file is refused before anything in it changes."""

    @pytest.mark.parametrize(
        ("setup", "message"),
        [
            (["CREATE TABLE notes (x)"], r"not a jobsearch log \(it holds notes\)"),
            (
                ["CREATE TABLE notes (x)", "PRAGMA user_version=1"],
                "has not a jobsearch log's tables",
            ),
            (
                ["CREATE TABLE notes (x)", "PRAGMA user_version=2"],
                "has not a jobsearch log's tables",
            ),
            (["CREATE TABLE notes (x)", "PRAGMA application_id=42"], "of another program"),
            (["PRAGMA user_version=99"], "newer than this jobsearch-core"),
        ],
    )
    def test_refused_and_left_as_it_was(
        self, tmp_path: Path, setup: list[str], message: str
    ) -> None:
        path = tmp_path / "other.db"
        with sqlite3.connect(path) as raw:
            for statement in setup:
                raw.execute(statement)
        before = path.read_bytes()
        with pytest.raises(BackendError, match=message):
            open_log(path)
        assert path.read_bytes() == before  # not even switched to WAL
        assert _files(tmp_path) == ["other.db"]  # no -wal or -shm left behind


class TestSymlinks:
    """A dangling symlink as the log path: the file it names is created owner-only."""

    def test_created_owner_only(self, tmp_path: Path) -> None:
        target = tmp_path / "real.db"
        link = tmp_path / "log.db"
        link.symlink_to(target)
        old = os.umask(0o022)
        try:
            with open_log(link) as log:
                log.append([GapAdded(skill="SQL")])
        finally:
            os.umask(old)
        assert target.is_file()
        assert stat.S_IMODE(target.stat().st_mode) == 0o600
        for extra in tmp_path.glob("real.db-*"):
            assert stat.S_IMODE(extra.stat().st_mode) == 0o600
