"""The plain-table tracker: what a job-search tool without history would keep.

One row per application (company, role, stage reached, outcome), an INSERT when a resume
is sent and one UPDATE per status change (a screen passed, the application closed), in
the log's journal and synchronous settings: no events, no history, no time travel. Its
current-state read is the floor that `view("pipeline")` is measured against, so the
cost of keeping the history shows.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from jobsearch_core import ApplicationClosed, ResumeSubmitted, ScreenPassed
from jobsearch_core.events import Event

__all__ = ["Tracker"]

_TABLE = """CREATE TABLE applications (
    stream TEXT NOT NULL,
    id TEXT NOT NULL,
    company TEXT,
    role TEXT,
    stage TEXT NOT NULL,
    outcome TEXT,
    PRIMARY KEY (stream, id)
) WITHOUT ROWID"""


class Tracker:
    """Applications as rows updated in place, one statement per status change."""

    def __init__(self, path: Path, *, synchronous: str = "FULL") -> None:
        self.conn = sqlite3.connect(path, isolation_level=None)
        self.conn.execute("PRAGMA journal_mode=WAL")
        self.conn.execute(f"PRAGMA synchronous={synchronous}")
        self.conn.execute(_TABLE)

    def statements(self, stream: str, events: Iterable[Event]) -> list[tuple[str, tuple[Any, ...]]]:
        """The INSERTs and UPDATEs that a tracker makes of some events (others change nothing)."""
        found: list[tuple[str, tuple[Any, ...]]] = []
        for event in events:
            if isinstance(event, ResumeSubmitted):
                found.append(
                    (
                        "INSERT INTO applications VALUES (?, ?, ?, ?, 'applied', NULL)"
                        " ON CONFLICT (stream, id) DO UPDATE SET company = excluded.company,"
                        " role = excluded.role",
                        (stream, event.application_id, event.company, event.role),
                    )
                )
            elif isinstance(event, ScreenPassed):
                found.append(
                    (
                        "UPDATE applications SET stage = ? WHERE stream = ? AND id = ?",
                        (event.stage.value, stream, event.application_id),
                    )
                )
            elif isinstance(event, ApplicationClosed):
                found.append(
                    (
                        "UPDATE applications SET outcome = ? WHERE stream = ? AND id = ?",
                        (event.outcome.value, stream, event.application_id),
                    )
                )
        return found

    def apply(self, statements: Sequence[tuple[str, tuple[Any, ...]]]) -> None:
        """One transaction of statements (a batch of status changes)."""
        conn = self.conn
        conn.execute("BEGIN IMMEDIATE")
        for sql, args in statements:
            conn.execute(sql, args)
        conn.execute("COMMIT")

    def current(self, stream: str) -> dict[str, tuple[Any, ...]]:
        """The current state: every application of a stream, by id."""
        rows = self.conn.execute(
            "SELECT id, company, role, stage, outcome FROM applications WHERE stream = ?",
            (stream,),
        ).fetchall()
        return {row[0]: row for row in rows}

    def close(self) -> None:
        """Close the connection."""
        self.conn.close()
