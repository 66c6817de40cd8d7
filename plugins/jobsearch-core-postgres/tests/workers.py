"""Processes for the concurrency tests: ``python workers.py ROLE URL ...``; each prints JSON lines.

Roles:
  write URL WRITER APPENDS START   append APPENDS batches from writer WRITER, from time START on
  follow URL TOTAL                 tail with EventLog.follow until TOTAL events were seen
  poll URL TOTAL                   tail with read(after=) in a tight loop until TOTAL were seen
  hear URL                         print "ready", then the first event follow() hears, and when
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Iterable, Iterator

from jobsearch_core import ConcurrencyError, EventLog, GapAdded, Recorded, open_log

#: Every fifth append of a writer also goes to this stream, guarded by expected_version.
SHARED = "shared"
DEADLINE = 60.0


def batch(writer: int, append: int) -> list[GapAdded]:
    """One to three events, each naming its writer and its place in that writer's sequence."""
    return [GapAdded(skill=f"w{writer}-{append}-{i}") for i in range(1 + append % 3)]


def write(log: EventLog, writer: int, appends: int, start: float) -> None:
    time.sleep(max(0.0, start - time.time()))  # all writers begin together
    for append in range(appends):
        log.append(batch(writer, append), stream=f"w{writer}")
        if append % 5 == 0:
            while True:  # optimistic concurrency across processes: re-read and retry
                version = log.stream_version(SHARED)
                try:
                    log.append(
                        [GapAdded(skill=f"w{writer}-{append}-shared")],
                        stream=SHARED,
                        expected_version=version,
                    )
                    break
                except ConcurrencyError:
                    continue
    print(json.dumps({"writer": writer, "done": True}), flush=True)


def show(total: int, records: Iterable[Recorded]) -> None:
    deadline = time.monotonic() + DEADLINE
    for seen, recorded in enumerate(records, start=1):
        print(
            json.dumps(
                [
                    recorded.position,
                    recorded.stream,
                    recorded.version,
                    getattr(recorded.event, "skill", None),
                ]
            ),
            flush=True,
        )
        if seen >= total or time.monotonic() > deadline:
            return


def poll(log: EventLog, total: int) -> Iterator[Recorded]:
    cursor = 0
    deadline = time.monotonic() + DEADLINE
    while cursor < total and time.monotonic() < deadline:
        for recorded in log.read(after=cursor):
            cursor = recorded.position
            yield recorded


def main(argv: list[str]) -> int:
    role, url, *rest = argv
    with open_log(url) as log:
        if role == "write":
            write(log, int(rest[0]), int(rest[1]), float(rest[2]))
        elif role == "follow":
            print(json.dumps("ready"), flush=True)
            show(int(rest[0]), log.follow(idle_timeout=DEADLINE, poll_interval=0.05))
        elif role == "poll":
            print(json.dumps("ready"), flush=True)
            show(int(rest[0]), poll(log, int(rest[0])))
        elif role == "hear":
            print(json.dumps("ready"), flush=True)
            # A poll interval far longer than the test allows: only a NOTIFY wakes it in time.
            for recorded in log.follow(after=log.head, idle_timeout=DEADLINE, poll_interval=60):
                print(json.dumps({"position": recorded.position, "at": time.time()}), flush=True)
                break
        else:
            print(f"unknown role {role!r}", file=sys.stderr)
            return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
