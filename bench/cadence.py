"""Choosing the snapshot cadence: ``python -m bench.cadence --events N --every 250 500 1000``.

For each cadence K, on one generated log: the first view of the main stream (which folds
it all and writes the snapshots), the snapshots' total size, time travel and catch-up.
"""

from __future__ import annotations

import argparse
import random
import shutil
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bench.generate import MAIN_STREAM, generate
from jobsearch_core import EventLog, GapPracticed, open_log

VIEWS = ("pipeline", "gaps", "roles", "history")


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.cadence", description=__doc__)
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--every", type=int, nargs="+", default=[250, 500, 1000, 2000, 4000])
    parser.add_argument("--samples", type=int, default=100)
    args = parser.parse_args()
    workload = generate(args.events)
    folder = Path(tempfile.mkdtemp(prefix="jobsearch-cadence-"))
    try:
        base = folder / "base.db"
        with open_log(f"sqlite://{base}?synchronous=off") as log:
            for stream, events in workload.batches:
                log.append(events, stream=stream)
        rng = random.Random(1)
        positions = [rng.randint(1, args.events) for _ in range(args.samples)]
        print(
            "| K | first view of all four (s) | snapshot MiB | time travel median / p95 (ms) |"
            " catch-up median / p95 (ms) |"
        )
        print("| --- | --- | --- | --- | --- |")
        for every in args.every:
            path = folder / f"k{every}.db"
            shutil.copy(base, path)
            log = EventLog(open_log(f"sqlite://{path}").backend, snapshot_every=every)
            start = time.perf_counter()
            log.views(VIEWS, stream=MAIN_STREAM)
            first = time.perf_counter() - start
            conn = log.backend._conn  # type: ignore[attr-defined]
            (size,) = conn.execute(
                "SELECT coalesce(sum(length(state)), 0) FROM snapshots"
            ).fetchone()
            travel = []
            for p in positions:
                start = time.perf_counter()
                log.view("gaps", stream=MAIN_STREAM, as_of=p)
                travel.append(time.perf_counter() - start)
            catch = []
            at = datetime(2026, 6, 1, tzinfo=UTC)
            for i in range(args.samples):
                log.append(
                    [GapPracticed(skill="SQL", minutes=5, at=at + timedelta(minutes=i))],
                    stream=MAIN_STREAM,
                )
                start = time.perf_counter()
                log.view("gaps", stream=MAIN_STREAM)
                catch.append(time.perf_counter() - start)
            log.close()

            def ms(values: list[float]) -> str:
                ordered = sorted(values)
                p95 = ordered[round(0.95 * (len(ordered) - 1))]
                return f"{statistics.median(ordered) * 1000:.2f} / {p95 * 1000:.2f}"

            print(
                f"| {every} | {first:.2f} | {size / 2**20:.1f} | {ms(travel)} | {ms(catch)} |",
                flush=True,
            )
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
