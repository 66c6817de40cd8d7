"""Tamper evidence: the hash chain finds rows changed behind the library's back."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import attrs
import pytest

from jobsearch_core import CorruptEventError, GapAdded, open_log
from jobsearch_core.storage import GENESIS, chain_hash
from jobsearch_core.storage.sqlite import SQLiteBackend


def _log(path: Path, count: int = 5) -> None:
    with open_log(path) as log:
        log.append([GapAdded(skill=f"skill {i}") for i in range(count)])


def _edit(path: Path, sql: str, *params: object) -> None:
    with sqlite3.connect(path) as raw:
        raw.execute(sql, params)


def _positions(path: Path) -> list[int]:
    with open_log(path) as log:
        return [p.position for p in log.verify() if "hash chain" in p.message]


class TestChain:
    """Each stored event's hash covers it and the hash before it."""

    def test_a_sound_log_verifies(self, tmp_path: Path) -> None:
        """An untouched log has a whole chain and a head hash."""
        path = tmp_path / "log.db"
        _log(path)
        with open_log(path) as log:
            assert log.verify() == []
            rows = list(log.backend.read())
            assert log.head_hash() == rows[-1].hash.hex()

    def test_an_edited_payload_is_found(self, tmp_path: Path) -> None:
        """A payload rewritten to other valid JSON still decodes, but breaks the chain there."""
        path = tmp_path / "log.db"
        _log(path)
        forged = json.dumps({"at": "2026-01-01T00:00:00+00:00", "skill": "forged"}).encode()
        _edit(path, "UPDATE events SET data = ? WHERE position = 3", forged)
        assert _positions(path) == [3]

    @pytest.mark.parametrize(
        ("column", "value"),
        [
            ("stream", "mallory"),
            ("type", "GapClosed"),
            ("schema_version", 2),
            ("version", 9),
            ("recorded_at", "2020-01-01T00:00:00+00:00"),
            ("event_id", "forged-id"),
            ("metadata", b'{"source":"forged"}'),
        ],
    )
    def test_other_columns_are_covered(self, tmp_path: Path, column: str, value: object) -> None:
        """Stream, type, schema version, version, recorded_at, event id and metadata are all
        under the hash."""
        path = tmp_path / "log.db"
        _log(path)
        _edit(path, f"UPDATE events SET {column} = ? WHERE position = 2", value)
        assert 2 in _positions(path)

    def test_a_rehashed_row_breaks_the_next_link(self, tmp_path: Path) -> None:
        """Recomputing the edited row's own hash moves the break to the row after it."""
        path = tmp_path / "log.db"
        _log(path)
        with open_log(path) as log:
            previous, row = list(log.backend.read())[1:3]
        data = json.dumps({"at": "2026-01-01T00:00:00+00:00", "skill": "forged"}).encode()
        rehashed = chain_hash(previous.hash, attrs.evolve(row, data=data))
        _edit(path, "UPDATE events SET data = ?, hash = ? WHERE position = 3", data, rehashed)
        assert _positions(path) == [4]

    def test_a_removed_hash_is_found(self, tmp_path: Path) -> None:
        """Clearing one row's hash does not hide it."""
        path = tmp_path / "log.db"
        _log(path)
        _edit(path, "UPDATE events SET hash = NULL WHERE position = 4")
        with open_log(path) as log:
            assert [p.position for p in log.verify()] == [4]
            assert "no hash" in log.verify()[0].message

    def test_nulling_every_hash_does_not_switch_the_chain_off(self, tmp_path: Path) -> None:
        """A row forged, then every hash cleared: every row is listed, none vouched for."""
        path = tmp_path / "log.db"
        _log(path)
        forged = json.dumps({"at": "2026-01-01T00:00:00+00:00", "skill": "forged"}).encode()
        _edit(path, "UPDATE events SET data = ? WHERE position = 3", forged)
        _edit(path, "UPDATE events SET hash = NULL")
        with open_log(path) as log:
            assert [p.position for p in log.verify()] == [1, 2, 3, 4, 5]

    def test_verify_command_names_the_break(self, tmp_path: Path) -> None:
        """jobsearch verify lists the break and exits 1."""
        from click.testing import CliRunner

        from jobsearch_core.cli import cli

        path = tmp_path / "log.db"
        _log(path)
        runner = CliRunner()
        sound = runner.invoke(cli, ["--log", f"sqlite://{path}", "verify"])
        assert sound.exit_code == 0
        assert "head hash" in sound.output
        forged = json.dumps({"at": "2026-01-01T00:00:00+00:00", "skill": "forged"}).encode()
        _edit(path, "UPDATE events SET data = ? WHERE position = 5", forged)
        broken = runner.invoke(cli, ["--log", f"sqlite://{path}", "verify"])
        assert broken.exit_code == 1
        assert "position 5" in broken.output
        assert "hash chain breaks here" in broken.output


class TestMigration:
    """A SQLite log written before the chain gains it when first opened."""

    def test_schema_1_gains_the_chain(self, tmp_path: Path) -> None:
        """Hashes are filled in along the log, and new appends chain on from them."""
        path = tmp_path / "log.db"
        _log(path, count=3)
        with sqlite3.connect(path) as raw:  # back to schema 1: no hash, no ids, no metadata
            _downgrade_to_schema_1(raw)
        with open_log(path) as log:
            log.append([GapAdded(skill="after")])
            rows = list(log.backend.read())
            assert log.verify() == []
        previous = GENESIS
        for row in rows:
            previous = chain_hash(previous, row)
            assert row.hash == previous
        assert SQLiteBackend(path).read_only is False

    def test_read_only_asks_for_an_upgrade(self, tmp_path: Path) -> None:
        """An old log opened read-only says to open it read-write once."""
        from jobsearch_core import BackendError

        path = tmp_path / "log.db"
        _log(path, count=1)
        with sqlite3.connect(path) as raw:
            _downgrade_to_schema_1(raw)
        with pytest.raises(BackendError, match="open it once read-write"):
            open_log(f"sqlite://{path}?mode=ro")


def _downgrade_to_schema_1(raw: sqlite3.Connection) -> None:
    raw.execute("DROP INDEX events_event_id")
    raw.execute("DROP TABLE settings")
    raw.execute("DROP TABLE checkpoints")
    for column in ("hash", "event_id", "metadata"):
        raw.execute(f"ALTER TABLE events DROP COLUMN {column}")
    raw.execute("PRAGMA user_version = 1")


def _forge(url: str, log_schema: str | None, position: int, data: bytes) -> None:
    """Rewrite one row's payload straight in the database, as someone with its password could."""
    if url.startswith("sqlite:"):
        _edit(
            Path(url.removeprefix("sqlite://")),
            "UPDATE events SET data = ? WHERE position = ?",
            data,
            position,
        )
        return
    import psycopg
    from psycopg import sql

    from tests.conftest import postgres

    assert postgres is not None
    assert log_schema is not None
    with psycopg.connect(postgres.configured_dsn(), autocommit=True) as conn:
        conn.execute(
            sql.SQL("UPDATE {}.events SET data = %b WHERE position = %s").format(
                sql.Identifier(log_schema)
            ),
            (data, position),
        )


class TestEveryDurableBackend:
    """The chain is kept, and checked, on SQLite and on PostgreSQL alike."""

    def test_forged_row_found(self, durable_url: str) -> None:
        """A payload rewritten in the database is reported at its position."""
        with open_log(durable_url) as log:
            log.append([GapAdded(skill=f"skill {i}") for i in range(5)])
            schema = getattr(log.backend, "schema", None)
            assert log.verify() == []
        forged = json.dumps({"at": "2026-01-01T00:00:00+00:00", "skill": "forged"}).encode()
        _forge(durable_url, schema, 3, forged)
        with open_log(durable_url) as log:
            broken = [p.position for p in log.verify() if "hash chain" in p.message]
            assert broken == [3]
            assert [r.event.skill for r in log.read()][
                2
            ] == "forged"  # it decodes: only the chain tells


class TestDamagedColumns:
    """Damage the backend itself cannot read past is listed too, not only the first."""

    def test_every_damaged_row_listed(self, tmp_path: Path) -> None:
        """Two rows with unreadable recorded_at columns: verify names both and goes on."""
        path = tmp_path / "log.db"
        _log(path)
        _edit(path, "UPDATE events SET recorded_at = 'yesterday' WHERE position IN (2, 4)")
        with open_log(path) as log:
            problems = log.verify()
        assert [p.position for p in problems if "recorded_at" in p.message] == [2, 4]
        assert not [p for p in problems if "missing" in p.message]  # damaged, not missing
        # The rows after them are whole: their hashes cannot be checked against the
        # unreadable rows', but they are not named as where the chain was changed.
        assert [p.position for p in problems] == [2, 4]

    def test_a_changed_row_after_an_unreadable_one_is_still_found(self, tmp_path: Path) -> None:
        """The chain check resumes after an unreadable row: a later change is named."""
        path = tmp_path / "log.db"
        _log(path)
        _edit(path, "UPDATE events SET recorded_at = 'yesterday' WHERE position = 2")
        _edit(
            path,
            "UPDATE events SET data = CAST(replace(data, 'skill 3', 'skill 9') AS BLOB) WHERE position = 4",
        )
        with open_log(path) as log:
            problems = log.verify()
        assert [p.position for p in problems] == [2, 4]
        assert "hash chain breaks" in problems[1].message

    @pytest.mark.parametrize(
        ("sql", "shown"),
        [
            ("UPDATE events SET version = 'two' WHERE position = 2", "version 'two'"),
            ("UPDATE events SET stream = X'00ff' WHERE position = 2", "stream b'"),
        ],
    )
    def test_a_column_of_the_wrong_type(self, tmp_path: Path, sql: str, shown: str) -> None:
        """A version that is text, or a stream that is a blob: `read()` refuses the row as
        corrupt, naming its position, and `verify()` lists it (no crash on the way)."""
        path = tmp_path / "log.db"
        _log(path)
        _edit(path, sql)
        with open_log(path) as log:
            with pytest.raises(CorruptEventError, match=shown) as raised:
                list(log.read())
            assert raised.value.position == 2
            problems = log.verify()
        assert [p.position for p in problems] == [2]
        assert shown in problems[0].message
