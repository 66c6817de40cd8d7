"""Nothing lost, nothing half-written: a writer killed with SIGKILL at random moments, 50 times."""

from __future__ import annotations

import random
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

from jobsearch_core import GapPracticed, open_log

ROOT = Path(__file__).resolve().parents[2]
KILLS = 50


def _writer(*args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "tests.safety.writer", *args],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )


class TestCrashSafety:
    """Every acknowledged append survives a kill; no append is ever partial."""

    def test_sigkill_during_appends(self, durable_url: str) -> None:
        """50 kills at random moments: acknowledged batches complete, none partial, positions 1..n."""
        url = durable_url
        rng = random.Random(20261125)
        acknowledged: dict[str, tuple[int, int]] = {}
        for kill in range(KILLS):
            writer = _writer("crash", url, str(kill))
            assert writer.stdout is not None
            first = writer.stdout.readline()  # it is up and appending
            time.sleep(rng.uniform(0.0, 0.08))
            writer.kill()
            writer.wait()
            rest = writer.stdout.read()
            writer.stdout.close()
            # A line cut short by the kill has no newline: only whole lines are acknowledgements.
            lines = (first + rest).split("\n")[:-1]
            for line in lines:
                _, batch, position, size = line.split()
                acknowledged[batch] = (int(position), int(size))
            self._check(url, acknowledged)
        assert len(acknowledged) > KILLS  # the kills landed while appends were going on

    @staticmethod
    def _check(url: str, acknowledged: dict[str, tuple[int, int]]) -> None:
        with open_log(url) as log:
            records = list(log.read())
            assert log.verify() == []
        assert [r.position for r in records] == list(range(1, len(records) + 1))
        batches: dict[str, list[tuple[int, str]]] = {}
        for r in records:
            event = r.event
            assert isinstance(event, GapPracticed)
            batches.setdefault(event.skill.removeprefix("batch "), []).append(
                (r.position, event.note or "")
            )
        for batch, rows in batches.items():
            size = int(rows[0][1].split("/")[1])
            assert [note for _, note in rows] == [f"{i}/{size}" for i in range(1, size + 1)], batch
            positions = [p for p, _ in rows]
            assert positions == list(range(positions[0], positions[0] + size))  # one transaction
        for batch, (position, size) in acknowledged.items():
            assert batch in batches, f"acknowledged batch {batch} was lost"
            assert batches[batch][0][0] == position
            assert len(batches[batch]) == size
        counts = Counter(r.stream for r in records)
        assert sum(counts.values()) == len(records)
