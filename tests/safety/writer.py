"""A writer process for the crash and concurrency tests: appends, and says what was acknowledged.

python -m tests.safety.writer crash URL SEED
    appends batches of 1-20 events for ever; after each committed append prints
    "ack BATCH FIRST_POSITION SIZE" (flushed), so the parent knows what must survive.
python -m tests.safety.writer steady URL WRITER
    appends a batch of 1-5 events to its own stream every 50 ms or so, until killed.
python -m tests.safety.writer shared URL WRITER COUNT
    appends COUNT events one at a time to the shared stream "team" with
    expected_version and a retry loop, then prints "done RETRIES".
python -m tests.safety.writer own URL WRITER COUNT
    appends COUNT events one at a time to its own stream "writer-WRITER".
"""

from __future__ import annotations

import random
import sys
import time

from jobsearch_core import ConcurrencyError, GapPracticed, open_log


def crash(url: str, seed: int) -> None:
    rng = random.Random(seed)
    log = open_log(url)
    batch = 0
    while True:
        batch += 1
        size = rng.randint(1, 20)
        events = [
            GapPracticed(skill=f"batch {seed}-{batch}", minutes=size, note=f"{i + 1}/{size}")
            for i in range(size)
        ]
        (first, *_) = log.append(events, stream=f"s{batch % 3}")
        print(f"ack {seed}-{batch} {first.position} {size}", flush=True)


def steady(url: str, writer: int) -> None:
    rng = random.Random(writer)
    log = open_log(url)
    while True:
        size = rng.randint(1, 5)
        log.append(
            [GapPracticed(skill=f"steady {writer}", minutes=i + 1) for i in range(size)],
            stream=f"steady-{writer}",
        )
        time.sleep(rng.uniform(0.02, 0.08))


def shared(url: str, writer: int, count: int) -> None:
    log = open_log(url)
    retries = 0
    for i in range(count):
        event = GapPracticed(skill=f"w{writer}", minutes=i)
        while True:
            version = log.stream_version("team")
            try:
                log.append([event], stream="team", expected_version=version)
                break
            except ConcurrencyError:
                retries += 1
    print(f"done {retries}", flush=True)


def own(url: str, writer: int, count: int) -> None:
    log = open_log(url)
    for i in range(count):
        log.append([GapPracticed(skill=f"w{writer}", minutes=i)], stream=f"writer-{writer}")
    print("done 0", flush=True)


if __name__ == "__main__":
    kind, url, *rest = sys.argv[1:]
    if kind == "crash":
        crash(url, int(rest[0]))
    elif kind == "steady":
        steady(url, int(rest[0]))
    elif kind == "shared":
        shared(url, int(rest[0]), int(rest[1]))
    else:
        own(url, int(rest[0]), int(rest[1]))
