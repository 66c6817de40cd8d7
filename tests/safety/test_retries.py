"""Retries racing each other: two processes appending the same ids store one copy."""

from __future__ import annotations

import multiprocessing
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest

from jobsearch_core import EventLog, GapAdded, open_log


@pytest.fixture
def log(durable_url: str) -> Iterator[EventLog]:
    """A fresh log that other processes can open too."""
    with open_log(durable_url) as opened:
        yield opened


def _race(url: str, ids: list[str], expected: int | None, start: Any, results: Any) -> None:
    with open_log(url) as log:
        start.wait()
        at = datetime(2026, 12, 1, 9, tzinfo=UTC)  # a retry sends the same events
        recorded = log.append(
            [GapAdded(skill=f"skill {i}", at=at) for i in range(len(ids))],
            expected_version=expected,
            ids=ids,
        )
        results.put([r.position for r in recorded])


class TestRacingRetries:
    """Two processes appending the same ids at once store exactly one copy."""

    def test_two_processes_one_copy(self, log: EventLog) -> None:
        """(A memory log lives in one process: the backend contract races threads on it.)"""
        context = multiprocessing.get_context("spawn")
        # Under expected_version the loser's version check finds the ids; without it, only
        # the unique index stands between the two and a second copy.
        for round, expected in enumerate([0, None, None]):
            ids = [f"race-{round}-{i}" for i in range(20)]
            start = context.Barrier(2)
            results = context.Queue()
            workers = [
                context.Process(target=_race, args=(log.url, ids, expected, start, results))
                for _ in range(2)
            ]
            for worker in workers:
                worker.start()
            for worker in workers:
                worker.join(60)
            assert [worker.exitcode for worker in workers] == [0, 0]
            positions = [results.get(timeout=5) for _ in workers]
            assert positions == [list(range(20 * round + 1, 20 * round + 21))] * 2
            assert log.head == 20 * (round + 1)
            assert [r.event_id for r in log.read(after=20 * round)] == ids
