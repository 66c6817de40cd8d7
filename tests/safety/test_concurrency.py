"""Several processes appending at once: every append lands exactly once, in order."""

from __future__ import annotations

import subprocess
import sys
from collections import Counter
from pathlib import Path

from jobsearch_core import GapPracticed, open_log

ROOT = Path(__file__).resolve().parents[2]
EACH = 30


class TestConcurrentWriters:
    """Four writers race on one stream with expected_version; four more write their own streams."""

    def test_racing_writers(self, durable_url: str) -> None:
        """Versions 1..n per stream, positions 1..n overall, each event exactly once."""
        url = durable_url
        open_log(url).close()  # create the file before the race
        writers = [
            subprocess.Popen(
                [sys.executable, "-m", "tests.safety.writer", kind, url, str(n), str(EACH)],
                cwd=ROOT,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for kind in ("shared", "own")
            for n in range(4)
        ]
        outputs = [w.communicate(timeout=120) for w in writers]
        assert [w.returncode for w in writers] == [0] * 8, [err for _, err in outputs]
        with open_log(url) as log:
            records = list(log.read())
            assert log.verify() == []
        assert [r.position for r in records] == list(range(1, 8 * EACH + 1))
        by_stream: dict[str, list[int]] = {}
        for r in records:
            by_stream.setdefault(r.stream, []).append(r.version)
        assert set(by_stream) == {"team"} | {f"writer-{n}" for n in range(4)}
        for versions in by_stream.values():
            assert versions == list(range(1, len(versions) + 1))
        team = Counter(
            (r.event.skill, r.event.minutes)
            for r in records
            if r.stream == "team" and isinstance(r.event, GapPracticed)
        )
        assert team == Counter({(f"w{n}", i): 1 for n in range(4) for i in range(EACH)})
