"""A consumer killed with SIGKILL while writers append: restarted, it has handled every event."""

from __future__ import annotations

import itertools
import random
import subprocess
import sys
import time
from pathlib import Path

from jobsearch_core import GapPracticed, open_log

ROOT = Path(__file__).resolve().parents[2]
KILLS = 6
WRITERS = 2


def _process(module: str, *args: str, quiet: bool = False) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", f"tests.safety.{module}", *args],
        cwd=ROOT,
        stdout=subprocess.DEVNULL if quiet else subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _handled(output: str) -> list[int]:
    """The positions a consumer process said it took, in order (a line cut short by the
    kill has no newline, and is no acknowledgement)."""
    lines = output.split("\n")[:-1]
    return [int(line.split()[1]) for line in lines if line.startswith("handled ")]


class TestConsumerCrash:
    """At least once, none skipped: each restart resumes at the first unacknowledged event."""

    def test_sigkill_while_writers_append(self, durable_url: str) -> None:
        """6 kills at random moments, 2 writers appending all along: every event handled once
        at least, in order, none skipped."""
        url = durable_url
        rng = random.Random(20261201)
        with open_log(url) as log:
            log.append([GapPracticed(skill="before", minutes=i) for i in range(1, 41)])
        # Writers append a few events at a time until they are stopped (after the kills).
        writers = [_process("writer", "steady", url, str(n), quiet=True) for n in range(WRITERS)]
        runs: list[list[int]] = []
        try:
            for _ in range(KILLS):
                consumer = _process("consumer", url, "mailer", "none")
                assert consumer.stdout is not None
                assert consumer.stdout.readline() == "ready\n", consumer.stderr
                first = consumer.stdout.readline()  # it is handling events
                time.sleep(rng.uniform(0.0, 0.3))
                consumer.kill()
                # What the lines read so far left in the pipe's buffer (communicate() would
                # read past it), then the rest.
                rest = consumer.stdout.read()
                consumer.communicate()
                runs.append(_handled(first + rest))
        finally:
            for writer in writers:
                writer.kill()
                writer.communicate()
        last = _process("consumer", url, "mailer", "0.5")
        out, errors = last.communicate(timeout=120)
        assert last.returncode == 0, errors
        runs.append(_handled(out))

        with open_log(url) as log:
            head = log.head
            (status,) = log.consumers()
        assert head > 40 + KILLS  # the writers appended while the consumer was killed
        assert (status.name, status.position, status.lag) == ("mailer", head, 0)
        assert all(run == sorted(run) for run in runs)  # in order within each run
        handled = {position for run in runs for position in run}
        assert handled == set(range(1, head + 1)), "an event was skipped"
        # Each restart began at the first event the run before had not acknowledged: the
        # one it was handling when killed, or the one after its last.
        resumed = [
            (before[-1], after[0]) for before, after in itertools.pairwise(runs) if before and after
        ]
        assert resumed, "the kills landed while events were being handled"
        assert all(start in (end, end + 1) for end, start in resumed), resumed
        assert sum(len(run) for run in runs) < head + len(runs)  # at most one again per kill
