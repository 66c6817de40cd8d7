"""Anchors: a hash noted once tells, at any later time, growth from a rewritten history."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import attrs
import pytest
from click.testing import CliRunner

from jobsearch_core import EventLog, GapAdded, InvalidInputError, open_log
from jobsearch_core.cli import cli
from jobsearch_core.storage import GENESIS, chain_hash


@pytest.fixture
def log(durable_url: str) -> Iterator[EventLog]:
    """A fresh log that the command line opens too."""
    with open_log(durable_url) as opened:
        opened.append([GapAdded(skill=f"skill {i}") for i in range(3)])
        yield opened


def cli_run(log: EventLog, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["--log", log.url, *args])
    return result.exit_code, result.output + result.stderr


def _rewrite(log: EventLog, position: int, data: bytes, digest: bytes) -> None:
    """Change a stored row and its hash straight in the database, as its owner could."""
    if log.url.startswith("sqlite:"):
        with sqlite3.connect(log.url.removeprefix("sqlite://")) as raw:
            raw.execute(
                "UPDATE events SET data = ?, hash = ? WHERE position = ?", (data, digest, position)
            )
        return
    import psycopg
    from psycopg import sql

    from tests.conftest import postgres

    assert postgres is not None
    schema = log.backend.schema  # type: ignore[attr-defined]
    with psycopg.connect(postgres.configured_dsn(), autocommit=True) as conn:
        conn.execute(
            sql.SQL("UPDATE {}.events SET data = %b, hash = %b WHERE position = %s").format(
                sql.Identifier(schema)
            ),
            (data, digest, position),
        )


class TestAnchors:
    def test_an_anchor_holds_while_the_log_grows(self, log: EventLog) -> None:
        noted = (3, log.hash_at(3))
        log.append([GapAdded(skill="later")])
        assert log.verify(anchor=noted) == []
        assert log.hash_at(0) == GENESIS.hex()

    def test_a_history_rewritten_and_rehashed_is_found(self, log: EventLog, tmp_path: Path) -> None:
        """The forger rehashes every row from the edit on: the chain is whole, the anchor
        is not."""
        noted = (3, log.hash_at(3))
        rows = list(log.backend.read())
        forged = attrs.evolve(rows[1], data=b'{"at":"2026-01-01T00:00:00+00:00","skill":"x"}')
        previous = rows[0].hash
        for row in [forged, rows[2]]:
            previous = chain_hash(previous, attrs.evolve(row, hash=b""))
            _rewrite(log, row.position, row.data, previous)
        assert log.verify() == []  # the chain alone cannot tell
        (problem,) = log.verify(anchor=noted)
        assert problem.position == 3
        assert "rewritten" in problem.message

    def test_a_cut_tail_is_found(self, log: EventLog) -> None:
        noted = (3, log.hash_at(3))
        assert log.verify(anchor=(5, noted[1]))[0].message.startswith("the log ends at position 3")

    @pytest.mark.parametrize(
        "bad", [(3, "abc"), ("3", "0" * 64), (-1, "0" * 64), 3, (True, "0" * 64)]
    )
    def test_bad_anchors_are_refused(self, log: EventLog, bad: object) -> None:
        with pytest.raises(InvalidInputError, match="an anchor is"):
            log.verify(anchor=bad)  # type: ignore[arg-type]

    def test_the_command_line(self, log: EventLog) -> None:
        code, shown = cli_run(log, "anchor")
        assert code == 0
        position, digest = shown.strip().split(":")
        assert (int(position), digest) == (3, log.hash_at(3))
        code, shown = cli_run(log, "anchor", "--json")
        assert json.loads(shown) == {"position": 3, "hash": digest}
        log.append([GapAdded(skill="later")])
        code, shown = cli_run(log, "verify", "--anchor", f"3:{digest}")
        assert code == 0
        assert "the anchor at 3 holds" in shown
        code, shown = cli_run(log, "verify", "--anchor", f"3:{'0' * 64}")
        assert code == 1
        assert "position 3" in shown
        assert "rewritten" in shown
        code, shown = cli_run(log, "verify", "--anchor", "three")
        assert code == 2
        assert "POSITION:HASH" in shown
