"""Positions stay gap-free and in commit order while several processes append at once."""

from __future__ import annotations

import itertools
import json
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from jobsearch_core import open_log
from jobsearch_core.storage import NewRow

from jobsearch_core_postgres.backend import PostgresBackend

WORKERS = Path(__file__).with_name("workers.py")
WRITERS = 4
APPENDS = 60  # per writer; each append holds one to three events


def expected_total() -> int:
    """How many events the writers append in all, the shared stream included."""
    per_writer = sum(1 + a % 3 for a in range(APPENDS)) + len(range(0, APPENDS, 5))
    return WRITERS * per_writer


def start(*args: str) -> subprocess.Popen[str]:
    """A worker process (see workers.py), its stdout a pipe of JSON lines."""
    return subprocess.Popen(
        [sys.executable, str(WORKERS), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def lines(process: subprocess.Popen[str], timeout: float = 90) -> list[Any]:
    """Every JSON line the process printed, once it has finished well."""
    out, err = process.communicate(timeout=timeout)
    assert process.returncode == 0, err
    return [json.loads(line) for line in out.splitlines()]


def wait_ready(process: subprocess.Popen[str]) -> None:
    """Block until the worker says it has opened the log."""
    assert process.stdout is not None
    assert json.loads(process.stdout.readline()) == "ready"


@pytest.fixture
def processes() -> Iterator[list[subprocess.Popen[str]]]:
    """Worker processes started by the test; any still running at the end are killed."""
    started: list[subprocess.Popen[str]] = []
    yield started
    for process in started:
        if process.poll() is None:
            process.kill()
            process.communicate()


class TestSeveralWriterProcesses:
    """Writers in separate processes, readers tailing the log by position as they write."""

    def test_tailing_readers_see_every_event_once_in_order(
        self, url: str, processes: list[subprocess.Popen[str]]
    ) -> None:
        """Four writers append at once; a follow() tailer and a read(after=) poller see 1..n once, in order."""
        PostgresBackend(url).close()  # create the schema before the race starts
        total = expected_total()
        tailers = [start("follow", url, str(total)), start("poll", url, str(total))]
        processes.extend(tailers)
        for tailer in tailers:
            wait_ready(tailer)
        begin = time.time() + 1.0  # after every writer has started up
        writers = [start("write", url, str(w), str(APPENDS), str(begin)) for w in range(WRITERS)]
        processes.extend(writers)
        for number, writer in enumerate(writers):
            assert lines(writer) == [{"writer": number, "done": True}]

        with open_log(url) as log:
            stored = [
                [r.position, r.stream, r.version, r.event.skill]  # type: ignore[attr-defined]
                for r in log.read()
            ]
        assert [row[0] for row in stored] == list(range(1, total + 1))
        writers_in_order = [row[3].split("-")[0] for row in stored]
        switches = sum(a != b for a, b in itertools.pairwise(writers_in_order))
        assert switches > 10 * WRITERS  # the writers really did append at the same time
        for tailer in tailers:
            assert lines(tailer) == stored  # exactly once each, in position order
        for writer in range(WRITERS):
            own = [row[3] for row in stored if row[1] == f"w{writer}"]
            assert own == [
                f"w{writer}-{a}-{i}" for a in range(APPENDS) for i in range(1 + a % 3)
            ]  # a writer's appends keep their order
        streams: dict[str, list[int]] = {}
        for _, stream, version, _ in stored:
            streams.setdefault(stream, []).append(version)
        assert all(versions == list(range(1, len(versions) + 1)) for versions in streams.values())
        assert len(streams["shared"]) == WRITERS * len(range(0, APPENDS, 5))

    def test_positions_follow_commit_order(self, backend: PostgresBackend) -> None:
        """An append that waits for the lock gets the next position only after the first commits."""
        order: list[int] = []
        barrier = threading.Barrier(8)

        def append() -> None:
            row = [NewRow(type="Noted", schema_version=1, data=b"{}")]
            barrier.wait()
            (stored,) = backend.append("me", row)
            order.append(stored.position)

        threads = [threading.Thread(target=append) for _ in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert sorted(order) == list(range(1, 9))
        assert [r.position for r in backend.read()] == list(range(1, 9))
        stamps = [r.recorded_at for r in backend.read()]
        assert stamps == sorted(stamps)  # the server's clock, read under the lock
