"""The measures of views kept at the head: warm and cold catch-up per view, time travel per
view against the same view replayed without snapshots, the snapshots' bytes against the
events', and the plain-table tracker's current-state read beside `view("pipeline")`.

Each function takes the harness (`bench.run.Bench`) after the appends and the replay,
and leaves its figures in ``bench.figures``; `rows` makes their lines of the table.
"""

from __future__ import annotations

import json
import random
import shutil
import sqlite3
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bench.generate import MAIN_STREAM
from bench.tracker import Tracker
from jobsearch_core import EventLog, GapPracticed, ScreenPassed, open_log
from jobsearch_core.events import Stage

if TYPE_CHECKING:
    from bench.run import Bench

__all__ = ["catch_up_warm", "cold_starts", "rows", "snapshot_bytes", "time_travel_views", "tracker"]

VIEWS = ("pipeline", "gaps", "roles", "history", "plan")
#: The targets of the measures, as the table states them.
WARM_MS = 1.0
COLD_MS = 100.0
COLD_MB = 100.0
TRAVEL_MS = {"gaps": 20.0, "pipeline": 50.0}


def _time(call: Callable[[], object]) -> float:
    start = time.perf_counter()
    call()
    return time.perf_counter() - start


def _quantiles(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return {
        "median_ms": round(statistics.median(ordered) * 1000, 3),
        "p95_ms": round(p95 * 1000, 3),
        "samples": len(ordered),
    }


def _url(path: Path) -> str:
    return f"sqlite://{path.as_posix()}"


def catch_up_warm(bench: Bench, samples: int) -> None:
    """Each view (plan too) right after one more event, in a process that viewed it before;
    and again with nothing new."""
    log = open_log(_url(bench.folder / "ours.db"))
    at = datetime(2026, 7, 1, 9, tzinfo=UTC)
    found: dict[str, Any] = {}
    for hour, name in enumerate(VIEWS):
        log.view(name, stream=MAIN_STREAM)
        after, same = [], []
        for i in range(samples):
            moment = at + timedelta(hours=hour, minutes=i)
            log.append([GapPracticed(skill="SQL", minutes=20, at=moment)], stream=MAIN_STREAM)
            after.append(_time(lambda n=name: log.view(n, stream=MAIN_STREAM)))
            same.append(_time(lambda n=name: log.view(n, stream=MAIN_STREAM)))
        found[name] = {"after_one_append": _quantiles(after), "nothing_new": _quantiles(same)}
    log.close()
    bench.figures["catch_up_warm"] = {"log_events": bench.workload.events, "views": found}


def cold_starts(bench: Bench) -> None:
    """The first view of each in a fresh process (`python -m bench.cold`), and its peak RSS."""
    url = _url(bench.folder / "ours.db")
    found: dict[str, Any] = {}
    for name in VIEWS:
        runs = [
            json.loads(
                subprocess.run(
                    [sys.executable, "-m", "bench.cold", url, name, MAIN_STREAM],
                    check=True,
                    capture_output=True,
                    text=True,
                    cwd=Path(__file__).parent.parent,
                ).stdout
            )
            for _ in range(3)
        ]
        best = min(runs, key=lambda run: run["first_ms"])
        found[name] = {
            "first_ms": round(best["first_ms"], 1),
            "first_ms_runs": [round(run["first_ms"], 1) for run in runs],
            "peak_mib": max(run["peak_mib"] for run in runs),
            "peak_mib_before": best["peak_mib_before"],
        }
    bench.figures["cold_start"] = {"stream": MAIN_STREAM, "views": found}


def time_travel_views(bench: Bench, samples: int, plain_samples: int) -> None:
    """view(name, as_of=P) at random positions for each view, against the same view
    replayed to the same P without snapshots."""
    rng = random.Random(bench.rng.random())
    head = bench.workload.events
    positions = [rng.randint(1, head) for _ in range(samples)]
    opened = open_log(_url(bench.folder / "ours.db"))
    plain = EventLog(opened.backend, snapshot_every=0, max_cached_states=0)
    found: dict[str, Any] = {}
    for name in ("gaps", "roles", "pipeline", "history"):
        with_snapshots = [
            _time(lambda p=p, n=name: opened.view(n, stream=MAIN_STREAM, as_of=p))
            for p in positions
        ]
        without = [
            _time(lambda p=p, n=name: plain.view(n, stream=MAIN_STREAM, as_of=p))
            for p in positions[:plain_samples]
        ]
        found[name] = {
            "with_snapshots": _quantiles(with_snapshots),
            "replayed_to_p": _quantiles(without),
            "times_faster": statistics.median(without)
            / statistics.median(with_snapshots[:plain_samples]),
        }
    opened.close()
    bench.figures["time_travel_views"] = {
        "stream": MAIN_STREAM,
        "stream_events": bench.workload.sizes[MAIN_STREAM],
        "views": found,
    }


def snapshot_bytes(bench: Bench) -> None:
    """Every stream viewed once (the four views) on a copy of the log: the snapshots' bytes
    against the events' (the stored columns of each, summed)."""
    path = bench.folder / "snapshots.db"
    with sqlite3.connect(bench.folder / "ours.db") as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    shutil.copy(bench.folder / "ours.db", path)
    log = open_log(_url(path))
    with sqlite3.connect(path) as conn:
        conn.execute("DELETE FROM snapshots")
    seconds = _time(
        lambda: [
            log.views(("pipeline", "gaps", "roles", "history"), stream=s) for s in log.streams()
        ]
    )
    log.close()
    with sqlite3.connect(path) as conn:
        (events,) = conn.execute(
            "SELECT sum(length(data) + length(metadata) + length(event_id) + length(type)"
            " + length(stream) + length(recorded_at) + coalesce(length(hash), 0) + 24)"
            " FROM events"
        ).fetchone()
        snapshots, count = conn.execute(
            "SELECT coalesce(sum(length(state) + length(view) + length(key) + length(stream)"
            " + 8), 0), count(*) FROM snapshots"
        ).fetchone()
    path.unlink()
    bench.figures["snapshot_bytes"] = {
        "event_bytes": events,
        "snapshot_bytes": snapshots,
        "snapshots": count,
        "ratio": snapshots / events,
        "first_view_of_every_stream_s": round(seconds, 1),
    }


def tracker(bench: Bench, samples: int) -> None:
    """The plain-table tracker beside the log: its current-state read of the main stream,
    after one more status change, against view("pipeline") after one more event."""
    table = Tracker(bench.folder / "tracker.db")
    for stream, events in bench.workload.batches:
        table.apply(table.statements(stream, events))
    log = open_log(_url(bench.folder / "ours.db"))
    log.view("pipeline", stream=MAIN_STREAM)
    ids = sorted(log.view("pipeline", stream=MAIN_STREAM).applications)
    at = datetime(2026, 8, 1, 9, tzinfo=UTC)
    ours, plain = [], []
    for i in range(samples):
        event = ScreenPassed(application_id=ids[i % len(ids)], stage=Stage.RESUME, at=at)
        change = table.statements(MAIN_STREAM, [event])
        plain.append(_time(lambda c=change: (table.apply(c), table.current(MAIN_STREAM))))
        ours.append(
            _time(
                lambda e=event: (
                    log.append([e], stream=MAIN_STREAM),
                    log.view("pipeline", stream=MAIN_STREAM),
                )
            )
        )
    read_only = [_time(lambda: table.current(MAIN_STREAM)) for _ in range(samples)]
    ours_read = [_time(lambda: log.view("pipeline", stream=MAIN_STREAM)) for _ in range(samples)]
    log.close()
    table.close()
    bench.figures["tracker"] = {
        "applications": len(ids),
        "tracker_change_and_read": _quantiles(plain),
        "ours_append_and_view": _quantiles(ours),
        "tracker_read": _quantiles(read_only),
        "ours_view_nothing_new": _quantiles(ours_read),
    }


def rows(figures: dict[str, Any]) -> list[dict[str, str | bool]]:
    """The lines of the table these measures make (none for a report without them)."""
    out: list[dict[str, str | bool]] = []

    def line(measure: str, ours: str, ratio: str = "", target: str = "", met: Any = "") -> None:
        out.append(
            {
                "measure": measure,
                "ours": ours,
                "raw sqlite3": "",
                "eventsourcing": "",
                "ratio": ratio,
                "target": target,
                "met": met,
            }
        )

    warm = figures.get("catch_up_warm")
    if warm is not None:
        for name, found in warm["views"].items():
            after, same = found["after_one_append"], found["nothing_new"]
            line(
                f'warm: one more event, then view("{name}") ({warm["log_events"]:,}-event log)',
                f"{after['median_ms']} ms median, {after['p95_ms']} ms p95",
                f"nothing new: {same['median_ms']} ms",
                f"< {WARM_MS:g} ms",
                after["median_ms"] < WARM_MS,
            )
    cold = figures.get("cold_start")
    if cold is not None:
        for name, found in cold["views"].items():
            line(
                f'cold: first view("{name}") in a fresh process',
                f"{found['first_ms']} ms (best of 3), peak RSS {found['peak_mib']:.0f} MiB",
                f"{found['peak_mib_before']:.0f} MiB before it",
                f"< {COLD_MS:g} ms, < {COLD_MB:g} MB",
                found["first_ms"] < COLD_MS and found["peak_mib"] * 1.048576 < COLD_MB,
            )
    travel = figures.get("time_travel_views")
    if travel is not None:
        for name, found in travel["views"].items():
            with_snapshots, plain = found["with_snapshots"], found["replayed_to_p"]
            target = TRAVEL_MS.get(name)
            line(
                f'time travel: view("{name}", as_of=P), stream "{travel["stream"]}"'
                f" ({travel['stream_events']:,} events)",
                f"{with_snapshots['median_ms']} ms median, {with_snapshots['p95_ms']} ms p95",
                f"{found['times_faster']:,.1f}x faster than replaying it to P without snapshots"
                f" ({plain['median_ms']} ms)",
                "" if target is None else f"median < {target:g} ms",
                "" if target is None else with_snapshots["median_ms"] < target,
            )
    size = figures.get("snapshot_bytes")
    if size is not None:
        line(
            "snapshot bytes, every stream viewed once, against the events' bytes",
            f"{size['snapshot_bytes'] / 2**20:,.1f} MiB in {size['snapshots']:,} snapshots",
            f"{size['ratio']:.2f}x the events' {size['event_bytes'] / 2**20:,.1f} MiB",
            "<= 1x",
            size["ratio"] <= 1,
        )
    table = figures.get("tracker")
    if table is not None:
        ours, plain = table["ours_append_and_view"], table["tracker_change_and_read"]
        line(
            "one status change, then the current state: plain-table tracker (no history)",
            f"ours {ours['median_ms']} ms median (append + view), tracker"
            f" {plain['median_ms']} ms (UPDATE + SELECT of {table['applications']:,} rows)",
            f"{ours['median_ms'] / plain['median_ms']:.2f}x the tracker; reading alone:"
            f" ours {table['ours_view_nothing_new']['median_ms']} ms,"
            f" tracker {table['tracker_read']['median_ms']} ms",
        )
    return out


def main(argv: list[str] | None = None) -> int:
    """The measures above alone, on a generated log (``python -m bench.heads --events N``):
    for the 1,000,000-event figures without the rest of `make bench`."""
    import argparse
    import tempfile

    from bench.generate import generate
    from bench.run import RESULTS, Bench, markdown

    parser = argparse.ArgumentParser(prog="python -m bench.heads", description=main.__doc__)
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=20260301)
    parser.add_argument("--log", type=Path, help="a log written from the same workload")
    parser.add_argument("--samples", type=int, default=50)
    parser.add_argument("--out", type=Path, default=RESULTS / "heads.json")
    args = parser.parse_args(argv)
    workload = generate(args.events, seed=args.seed)
    folder = Path(tempfile.mkdtemp(prefix="jobsearch-heads-"))
    try:
        if args.log is not None:
            shutil.copy(args.log, folder / "ours.db")
        else:
            with open_log(_url(folder / "ours.db")) as log:
                for stream, events in workload.batches:
                    log.append(events, stream=stream)
        bench = Bench(workload, folder, per_call=0, seed=args.seed)
        with open_log(_url(folder / "ours.db")) as log:  # the first views leave snapshots
            bench.figures["first_views_s"] = _time(
                lambda: log.views(("pipeline", "gaps", "roles", "history"), stream=MAIN_STREAM)
            )
        catch_up_warm(bench, args.samples)
        cold_starts(bench)
        time_travel_views(bench, args.samples, plain_samples=5)
        tracker(bench, args.samples)
        snapshot_bytes(bench)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    table = rows(bench.figures)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(
        json.dumps({"events": args.events, "figures": bench.figures, "table": table}, indent=2)
        + "\n"
    )
    print(markdown(table))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
