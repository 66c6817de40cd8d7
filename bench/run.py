"""The benchmark harness: `make bench` (or ``python -m bench --events N``).

Generates one seeded job-search log, then measures on that same data, in one run: appends,
a full replay, time travel, catch-up and peak memory, for jobsearch-core through its
public API beside raw sqlite3 (+ orjson) and the eventsourcing library. Prints a markdown
table whose key figures are ratios against the baselines measured in this run, and writes
the same (with every raw figure) to ``bench/results/latest.json``.
"""

from __future__ import annotations

import argparse
import gc
import itertools
import json
import math
import os
import platform
import random
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from importlib.metadata import version
from pathlib import Path
from typing import Any, TypeVar

from bench import heads
from bench.baselines import (
    EventsourcingApplication,
    EventsourcingStore,
    RawPostgres,
    RawSQLite,
    encoded_rows,
    postgres_rows,
)
from bench.generate import BATCH, MAIN_STREAM, Workload, generate
from jobsearch_core import EventLog, GapPracticed, open_log
from jobsearch_core.snapshots import SNAPSHOT_EVERY

__all__ = ["main"]

VIEWS = ("pipeline", "gaps", "roles", "history")
T = TypeVar("T")
RESULTS = Path(__file__).parent / "results"


def _ms(seconds: float) -> float:
    return round(seconds * 1000, 3)


def _quantiles(samples: Sequence[float]) -> dict[str, float]:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return {
        "median_ms": _ms(statistics.median(ordered)),
        "p95_ms": _ms(p95),
        "samples": len(ordered),
    }


def _say(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def _sqlite_url(path: Path) -> str:
    return f"sqlite://{path.as_posix()}"


def _rotate(items: list[T], turn: int) -> list[T]:
    """`items`, starting `turn` places along: who goes first changes every round."""
    shift = turn % len(items)
    return items[shift:] + items[:shift]


class Bench:
    """One run: the workload, a scratch folder, and the figures gathered so far."""

    def __init__(self, workload: Workload, folder: Path, *, per_call: int, seed: int) -> None:
        self.workload = workload
        self.folder = folder
        self.per_call = per_call
        self.rng = random.Random(seed)
        self.figures: dict[str, Any] = {}

    # --- appends ------------------------------------------------------------------------------
    #
    # The three stores take turns, a slice of the work each, so that whatever else the disk
    # is doing (flushing what the last one wrote, say) falls on all of them alike.

    def append_batches(self, rounds: int = 5) -> None:
        """Events/s appending every batch of 100: ours, raw sqlite3, eventsourcing."""
        batches = self.workload.batches
        n = self.workload.events
        log = open_log(_sqlite_url(self.folder / "ours.db"))
        raw = RawSQLite(self.folder / "raw.db")
        es = EventsourcingStore(self.folder / "es.db")
        app = self.application = EventsourcingApplication(self.folder / "es-app.db")
        rows = encoded_rows(batches)
        spent = {"ours": 0.0, "raw": 0.0, "es": 0.0, "app": 0.0}
        size = -(-len(batches) // rounds)
        for turn, first in enumerate(range(0, len(batches), size)):
            part = batches[first : first + size]
            raw_rows = [next(rows) for _ in part]  # encoded by our codec: not timed for raw
            domain = [es.domain_events(stream, events) for stream, events in part]  # not timed
            triggers = [(stream, app.fields(events)) for stream, events in part]  # not timed

            def ours(part: list[tuple[str, tuple[Any, ...]]] = part) -> None:
                for stream, events in part:
                    log.append(events, stream=stream)

            def plain(raw_rows: list[list[Any]] = raw_rows) -> None:
                for chunk in raw_rows:
                    raw.append_batch(chunk)

            def library(domain: list[list[Any]] = domain) -> None:
                for events in domain:
                    es.append(events)

            def application(triggers: list[Any] = triggers) -> None:
                for stream, events in triggers:
                    app.append(stream, events)

            contenders = [("ours", ours), ("raw", plain), ("es", library), ("app", application)]
            for name, call in _rotate(contenders, turn):
                spent[name] += self._time(call)
        log.close()
        raw.close()
        es.close()
        figures = {
            "events": n,
            "batch": BATCH,
            "ours_per_s": n / spent["ours"],
            "raw_sqlite3_per_s": n / spent["raw"],
            "eventsourcing_per_s": n / spent["es"],
            "eventsourcing_application_per_s": n / spent["app"],
        }
        _say(
            "append, batches: ours {ours_per_s:,.0f}/s, raw {raw_sqlite3_per_s:,.0f}/s,"
            " eventsourcing {eventsourcing_per_s:,.0f}/s"
            " (application {eventsourcing_application_per_s:,.0f}/s)".format(**figures)
        )
        self.figures["append_batch"] = figures

    def append_one_by_one(self, rounds: int = 5) -> None:
        """Events/s appending the first `per_call` events one per call, each store a fresh file."""
        sample = list(itertools.islice(self.workload.flat(), self.per_call))
        n = len(sample)
        log = open_log(_sqlite_url(self.folder / "ours-one.db"))
        raw = RawSQLite(self.folder / "raw-one.db")
        es = EventsourcingStore(self.folder / "es-one.db")
        rows = [row for chunk in encoded_rows([(s, [e]) for s, e in sample]) for row in chunk]
        domain = [es.domain_events(stream, [event]) for stream, event in sample]
        spent = {"ours": 0.0, "raw": 0.0, "es": 0.0}
        size = -(-n // rounds)
        for turn, first in enumerate(range(0, n, size)):
            last = first + size

            def ours(first: int = first, last: int = last) -> None:
                for stream, event in sample[first:last]:
                    log.append([event], stream=stream)

            def plain(first: int = first, last: int = last) -> None:
                for row in rows[first:last]:
                    raw.append_one(row)

            def library(first: int = first, last: int = last) -> None:
                for one in domain[first:last]:
                    es.append(one)

            for name, call in _rotate([("ours", ours), ("raw", plain), ("es", library)], turn):
                spent[name] += self._time(call)
        log.close()
        raw.close()
        es.close()
        figures = {
            "events": n,
            "ours_per_s": n / spent["ours"],
            "raw_sqlite3_per_s": n / spent["raw"],
            "eventsourcing_per_s": n / spent["es"],
        }
        _say(
            "append, one per call: ours {ours_per_s:,.0f}/s, raw {raw_sqlite3_per_s:,.0f}/s,"
            " eventsourcing {eventsourcing_per_s:,.0f}/s".format(**figures)
        )
        self.figures["append_one"] = figures

    # --- reading ------------------------------------------------------------------------------

    def replay(self, repeats: int = 3) -> None:
        """Events/s of a full replay: every stream into the four views, without snapshots.

        Each store is read `repeats` times, taking turns; the best time of each counts.
        """
        n = self.workload.events
        for name in ("ours.db", "raw.db", "es.db", "es-app.db"):  # all read from the main file
            with sqlite3.connect(self.folder / name) as conn:
                conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        log = self._log(snapshots=False)
        streams = log.streams()

        def ours() -> None:
            for stream in streams:
                log.views(VIEWS, stream=stream)

        def separately() -> None:
            for stream in streams:
                for name in VIEWS:
                    log.view(name, stream=stream)

        raw = RawSQLite.reopen(self.folder / "raw.db")
        es = EventsourcingStore(self.folder / "es.db", create=False)

        def plain() -> None:
            assert raw.read_all() == n

        def library() -> None:
            assert es.read_all() == n

        app = self.application

        def application() -> None:  # each aggregate's own creation event too
            assert app.read_all() == n + len(app.seekers)

        best = {"ours": math.inf, "raw": math.inf, "es": math.inf, "app": math.inf}
        contenders = [("ours", ours), ("raw", plain), ("es", library), ("app", application)]
        for turn in range(repeats):
            for name, call in _rotate(contenders, turn):
                best[name] = min(best[name], self._time(call))
        four_calls = self._time(separately)
        log.close()
        raw.close()
        es.close()
        app.close()
        figures = {
            "events": n,
            "streams": len(streams),
            "ours_seconds": best["ours"],
            "ours_per_s": n / best["ours"],
            "ours_four_view_calls_per_s": n / four_calls,
            "raw_sqlite3_orjson_per_s": n / best["raw"],
            "eventsourcing_per_s": n / best["es"],
            "eventsourcing_application_per_s": (n + len(app.seekers)) / best["app"],
        }
        _say(
            "replay: ours {ours_per_s:,.0f}/s ({ours_four_view_calls_per_s:,.0f}/s as four"
            " view() calls), raw {raw_sqlite3_orjson_per_s:,.0f}/s,"
            " eventsourcing {eventsourcing_per_s:,.0f}/s"
            " (application {eventsourcing_application_per_s:,.0f}/s)".format(**figures)
        )
        self.figures["replay"] = figures

    def postgres(self, rounds: int = 5) -> None:
        """The same appends and replay on PostgreSQL, beside raw psycopg doing BEGIN / INSERT /
        COMMIT of the same rows, when the plugin is installed and a server answers.

        Ours and raw psycopg take turns, a slice of the work each, as on SQLite; each has
        a scratch schema of its own for the batches and another for one event per call.
        """
        try:
            from jobsearch_core_postgres.testing import configured_dsn, scratch_url_if_reachable
        except ImportError:
            _say("postgresql: the plugin is not installed; no PostgreSQL column")
            return
        with (
            scratch_url_if_reachable(prefix="bench") as url,
            scratch_url_if_reachable(prefix="bench_one") as one_url,
        ):
            if url is None or one_url is None:
                _say("postgresql: no server answers; no PostgreSQL column")
                return
            n = self.workload.events
            batches = self.workload.batches
            # One per call goes to a log of its own, as on SQLite: the sample's positions
            # are then the same as in the whole log, so its retractions name their targets.
            sample = list(itertools.islice(self.workload.flat(), self.per_call))
            suffix = os.urandom(6).hex()
            raw = RawPostgres(configured_dsn(), f"bench_raw_{suffix}")
            raw_one = RawPostgres(configured_dsn(), f"bench_raw_one_{suffix}")
            raw_rows = list(postgres_rows(encoded_rows(batches)))  # not timed
            one_rows = [
                row
                for chunk in postgres_rows(encoded_rows([(s, [e]) for s, e in sample]))
                for row in chunk
            ]
            spent = {"ours": 0.0, "raw": 0.0, "ours_one": 0.0, "raw_one": 0.0}
            log = open_log(url)
            one_log = open_log(one_url)
            try:
                size = -(-len(batches) // rounds)
                for turn, first in enumerate(range(0, len(batches), size)):
                    last = first + size

                    def ours(first: int = first, last: int = last) -> None:
                        for stream, events in batches[first:last]:
                            log.append(events, stream=stream)

                    def plain(first: int = first, last: int = last) -> None:
                        for rows in raw_rows[first:last]:
                            raw.append_batch(rows)

                    for name, call in _rotate([("ours", ours), ("raw", plain)], turn):
                        spent[name] += self._time(call)
                size = -(-len(sample) // rounds)
                for turn, first in enumerate(range(0, len(sample), size)):
                    last = first + size

                    def ours_one(first: int = first, last: int = last) -> None:
                        for stream, event in sample[first:last]:
                            one_log.append([event], stream=stream)

                    def plain_one(first: int = first, last: int = last) -> None:
                        for row in one_rows[first:last]:
                            raw_one.append_one(row)

                    contenders = [("ours_one", ours_one), ("raw_one", plain_one)]
                    for name, call in _rotate(contenders, turn):
                        spent[name] += self._time(call)
                streams = log.streams()
                log.snapshot_every = 0
                log.max_cached_states = 0
                replay = min(
                    self._time(lambda: [log.views(VIEWS, stream=s) for s in streams])
                    for _ in range(2)
                )
            finally:
                log.close()
                one_log.close()
                raw.close()
                raw_one.close()
        figures = {
            "append_batch_per_s": n / spent["ours"],
            "raw_psycopg_batch_per_s": n / spent["raw"],
            "append_one_per_s": len(sample) / spent["ours_one"],
            "raw_psycopg_one_per_s": len(sample) / spent["raw_one"],
            "append_one_events": len(sample),
            "replay_per_s": n / replay,
        }
        _say(
            "postgresql: append batches {append_batch_per_s:,.0f}/s (raw psycopg"
            " {raw_psycopg_batch_per_s:,.0f}/s), one per call {append_one_per_s:,.0f}/s"
            " (raw psycopg {raw_psycopg_one_per_s:,.0f}/s), replay {replay_per_s:,.0f}/s".format(
                **figures
            )
        )
        self.figures["postgresql"] = figures

    def memory(self) -> None:
        """Peak RSS of a full replay, measured in a fresh process."""
        url = _sqlite_url(self.folder / "ours.db")
        done = subprocess.run(
            [sys.executable, "-m", "bench.rss", url],
            check=True,
            capture_output=True,
            text=True,
            cwd=Path(__file__).parent.parent,
        )
        figures = json.loads(done.stdout)
        _say(f"memory: peak RSS {figures['peak_mib']:.0f} MiB")
        self.figures["memory"] = figures

    # --- snapshots ----------------------------------------------------------------------------

    def time_travel(self, samples: int, plain_samples: int) -> None:
        """Latency of view("gaps", as_of=P) at random positions, with and without snapshots."""
        head = self.workload.events
        positions = [self.rng.randint(1, head) for _ in range(samples)]
        plain = self._log(snapshots=False)
        without = [
            self._time(lambda p=p: plain.view("gaps", stream=MAIN_STREAM, as_of=p))
            for p in positions[:plain_samples]
        ]
        plain.close()
        log = self._log(snapshots=True)
        # The first view of the stream folds it all and leaves snapshots behind.
        first = self._time(lambda: log.views(VIEWS, stream=MAIN_STREAM))
        with_snapshots = [
            self._time(lambda p=p: log.view("gaps", stream=MAIN_STREAM, as_of=p)) for p in positions
        ]
        log.close()
        full = self.figures["replay"]["ours_seconds"]
        found = _quantiles(with_snapshots)
        _say(f"time travel: {found['median_ms']} ms median with snapshots")
        self.figures["time_travel"] = {
            "stream": MAIN_STREAM,
            "stream_events": self.workload.sizes[MAIN_STREAM],
            "snapshot_every": SNAPSHOT_EVERY,
            "first_view_writing_snapshots_ms": _ms(first),
            "with_snapshots": found,
            "without_snapshots": _quantiles(without),
            "full_replay_ms": _ms(full),
            "times_faster_than_full_replay": full / statistics.median(with_snapshots),
            "times_faster_than_without_snapshots": statistics.median(without)
            / statistics.median(with_snapshots[:plain_samples]),
        }

    def catch_up(self, samples: int) -> None:
        """Latency of each view right after one more event is appended to the large log."""
        log = self._log(snapshots=True)
        at = datetime(2026, 6, 1, 9, tzinfo=UTC)
        each: dict[str, list[float]] = {name: [] for name in VIEWS}
        four, appends = [], []
        for hour, name in enumerate(("gaps", "roles", "pipeline", "history")):
            log.view(name, stream=MAIN_STREAM)  # its snapshots, as a reader would have left
            for i in range(samples):
                event = GapPracticed(
                    skill="SQL", minutes=30, at=at + timedelta(hours=hour, minutes=i)
                )
                appends.append(self._time(lambda e=event: log.append([e], stream=MAIN_STREAM)))
                each[name].append(self._time(lambda n=name: log.view(n, stream=MAIN_STREAM)))
        for i in range(samples):
            event = GapPracticed(skill="SQL", minutes=30, at=at + timedelta(hours=9, minutes=i))
            log.append([event], stream=MAIN_STREAM)
            four.append(self._time(lambda: log.views(VIEWS, stream=MAIN_STREAM)))
        log.close()
        found = {name: _quantiles(times) for name, times in each.items()}
        _say(
            "catch-up: "
            + ", ".join(f"{name} {found[name]['median_ms']} ms" for name in VIEWS)
            + " (medians)"
        )
        self.figures["catch_up"] = {
            "log_events": self.workload.events,
            "view_gaps": found["gaps"],
            "views": found,
            "views_all_four": _quantiles(four),
            "append_one": _quantiles(appends),
        }

    # --- helpers ------------------------------------------------------------------------------

    def _log(self, *, snapshots: bool) -> EventLog:
        opened = open_log(_sqlite_url(self.folder / "ours.db"))
        if snapshots:
            return opened
        # Nothing kept at the head either: each replay is a replay.
        return EventLog(opened.backend, snapshot_every=0, max_cached_states=0)

    @staticmethod
    def _time(call: Callable[[], object]) -> float:
        start = time.perf_counter()
        call()
        return time.perf_counter() - start


# --- the report ------------------------------------------------------------------------------


def _ratio(value: float) -> str:
    return f"{value:.2f}x"


def _rate(value: float) -> str:
    return f"{value:,.0f}/s"


def rows(figures: dict[str, Any]) -> list[dict[str, str | bool]]:
    """The table: one row per measure, with its ratios and whether its target is met."""
    out: list[dict[str, str | bool]] = []
    a = figures["append_batch"]
    vs_raw, vs_es = (
        a["ours_per_s"] / a["raw_sqlite3_per_s"],
        a["ours_per_s"] / a["eventsourcing_per_s"],
    )
    vs_app = a["ours_per_s"] / a["eventsourcing_application_per_s"]
    out.append(
        {
            "measure": f"append, batches of {a['batch']} (events/s)",
            "ours": _rate(a["ours_per_s"]),
            "raw sqlite3": _rate(a["raw_sqlite3_per_s"]),
            "eventsourcing": f"{_rate(a['eventsourcing_per_s'])} recorder;"
            f" {_rate(a['eventsourcing_application_per_s'])} application",
            "ratio": f"{_ratio(vs_raw)} raw, {_ratio(vs_es)} es recorder,"
            f" {_ratio(vs_app)} es application",
            "target": ">= 0.6x raw, >= 3x es",
            "met": vs_raw >= 0.6 and vs_es >= 3,
        }
    )
    o = figures["append_one"]
    vs_raw, vs_es = (
        o["ours_per_s"] / o["raw_sqlite3_per_s"],
        o["ours_per_s"] / o["eventsourcing_per_s"],
    )
    out.append(
        {
            "measure": f"append, one event per call (events/s, first {o['events']:,})",
            "ours": _rate(o["ours_per_s"]),
            "raw sqlite3": _rate(o["raw_sqlite3_per_s"]),
            "eventsourcing": _rate(o["eventsourcing_per_s"]),
            "ratio": f"{_ratio(vs_raw)} raw, {_ratio(vs_es)} es",
            "target": ">= 0.8x raw",
            "met": vs_raw >= 0.8,
        }
    )
    r = figures["replay"]
    vs_raw = r["ours_per_s"] / r["raw_sqlite3_orjson_per_s"]
    vs_es = r["ours_per_s"] / r["eventsourcing_per_s"]
    vs_app = r["ours_per_s"] / r["eventsourcing_application_per_s"]
    out.append(
        {
            "measure": f"full replay into all four views (events/s, {r['streams']} streams)",
            "ours": _rate(r["ours_per_s"]),
            "raw sqlite3": _rate(r["raw_sqlite3_orjson_per_s"]) + " (SELECT + orjson.loads)",
            "eventsourcing": f"{_rate(r['eventsourcing_per_s'])} recorder read + decode;"
            f" {_rate(r['eventsourcing_application_per_s'])} aggregates rebuilt",
            "ratio": f"{_ratio(vs_raw)} raw, {_ratio(vs_es)} es recorder,"
            f" {_ratio(vs_app)} es application",
            "target": ">= 0.30x raw, >= 3.5x es application",
            "met": vs_raw >= 0.30 and vs_app >= 3.5,
        }
    )
    out.append(
        {
            "measure": "(the same as four view() calls per stream)",
            "ours": _rate(r["ours_four_view_calls_per_s"]),
            "raw sqlite3": "",
            "eventsourcing": "",
            "ratio": f"{_ratio(r['ours_four_view_calls_per_s'] / r['raw_sqlite3_orjson_per_s'])} raw",
            "target": "",
            "met": "",
        }
    )
    t = figures["time_travel"]
    w, p = t["with_snapshots"], t["without_snapshots"]
    out.append(
        {
            "measure": (
                f'time travel: view("gaps", as_of=P), stream "{t["stream"]}" '
                f"({t['stream_events']:,} events), snapshots every {t['snapshot_every']}"
            ),
            "ours": f"{w['median_ms']} ms median, {w['p95_ms']} ms p95",
            "raw sqlite3": "",
            "eventsourcing": "",
            # Against the same view replayed to the same P without snapshots: what the
            # snapshots save (the whole log's replay folds every stream, not this one).
            "ratio": (
                f"{t['times_faster_than_without_snapshots']:,.1f}x faster than replaying"
                " it to P without snapshots"
            ),
            "target": "median < 20 ms",
            "met": w["median_ms"] < 20,
        }
    )
    out.append(
        {
            "measure": "time travel without snapshots (replayed to P)",
            "ours": f"{p['median_ms']} ms median, {p['p95_ms']} ms p95",
            "raw sqlite3": "",
            "eventsourcing": "",
            "ratio": "",
            "target": "",
            "met": "",
        }
    )
    c = figures["catch_up"]
    g, f = c["view_gaps"], c["views_all_four"]
    out.append(
        {
            "measure": f'one more event, then view("gaps") ({c["log_events"]:,}-event log)',
            "ours": f"{g['median_ms']} ms median, {g['p95_ms']} ms p95",
            "raw sqlite3": "",
            "eventsourcing": "",
            "ratio": f"all four views: {f['median_ms']} ms median",
            "target": "< 5 ms",
            "met": g["median_ms"] < 5,
        }
    )
    for name in ("roles", "pipeline", "history"):
        v = c.get("views", {}).get(name)
        if v is None:
            continue  # a report written before each view was timed
        out.append(
            {
                "measure": f'one more event, then view("{name}")',
                "ours": f"{v['median_ms']} ms median, {v['p95_ms']} ms p95",
                "raw sqlite3": "",
                "eventsourcing": "",
                "ratio": "",
                "target": "< 5 ms",
                "met": v["median_ms"] < 5,
            }
        )
    pg = figures.get("postgresql")
    if pg is not None:
        for row, key in zip(
            out[:3], ("append_batch_per_s", "append_one_per_s", "replay_per_s"), strict=True
        ):
            row["postgresql"] = _rate(pg[key])
        if "raw_psycopg_batch_per_s" in pg:  # a report written before raw psycopg was timed
            for measure, ours, raw in (
                (
                    f"postgresql: append, batches of {figures['append_batch']['batch']} (events/s)",
                    "append_batch_per_s",
                    "raw_psycopg_batch_per_s",
                ),
                (
                    "postgresql: append, one event per call (events/s, first"
                    f" {pg['append_one_events']:,})",
                    "append_one_per_s",
                    "raw_psycopg_one_per_s",
                ),
            ):
                vs_raw = pg[ours] / pg[raw]
                out.append(
                    {
                        "measure": measure,
                        "ours": "",
                        "postgresql": _rate(pg[ours]),
                        "raw sqlite3": "",
                        "eventsourcing": "",
                        "ratio": f"{_ratio(vs_raw)} raw psycopg ({_rate(pg[raw])})",
                        "target": ">= 0.7x raw psycopg",
                        "met": vs_raw >= 0.7,
                    }
                )
    m = figures["memory"]
    out.append(
        {
            "measure": "peak RSS, full replay",
            "ours": f"{m['peak_mib']:.0f} MiB",
            "raw sqlite3": "",
            "eventsourcing": "",
            "ratio": f"{m['peak_mib_before']:.0f} MiB before the replay",
            "target": "< 150 MB",
            "met": m["peak_mib"] * 1.048576 < 150,
        }
    )
    out += heads.rows(figures)
    return out


def markdown(table: list[dict[str, str | bool]]) -> str:
    """The rows as a markdown table."""
    head = ["measure", "ours", "raw sqlite3", "eventsourcing", "ratio", "target", "met"]
    if any("postgresql" in row for row in table):
        head.insert(2, "postgresql")  # ours on the PostgreSQL plugin
    lines = ["| " + " | ".join(head) + " |", "|" + " --- |" * len(head)]
    for row in table:
        met = row["met"]
        shown = {**row, "met": "" if met == "" else ("yes" if met else "**no**")}
        lines.append("| " + " | ".join(str(shown.get(h, "")) for h in head) + " |")
    return "\n".join(lines)


def environment() -> dict[str, Any]:
    """What the figures were measured on."""
    return {
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "sqlite": sqlite3.sqlite_version,
        "packages": {
            name: version(name)
            for name in ("jobsearch-core", "eventsourcing", "orjson", "attrs", "cattrs")
        },
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
    }


def main(argv: Sequence[str] | None = None) -> int:
    """Run every measure once on one generated log and report."""
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--events", type=int, default=100_000, help="log size (default 100,000)")
    parser.add_argument("--seed", type=int, default=20260301, help="generator seed")
    parser.add_argument("--per-call", type=int, default=2000, help="events appended one per call")
    parser.add_argument("--travels", type=int, default=200, help="time-travel samples")
    parser.add_argument("--catch-ups", type=int, default=50, help="catch-up samples")
    parser.add_argument("--out", type=Path, default=RESULTS / "latest.json", help="JSON report")
    parser.add_argument("--keep", action="store_true", help="keep the scratch databases")
    args = parser.parse_args(argv)

    started = time.perf_counter()
    _say(f"generating {args.events:,} events (seed {args.seed})")
    workload = generate(args.events, seed=args.seed)
    # The workload is the harness's, not the stores': keep the cycle collector from walking
    # its million objects whenever a store under test allocates (it did, unevenly).
    gc.collect()
    gc.freeze()
    folder = Path(tempfile.mkdtemp(prefix="jobsearch-bench-"))
    bench = Bench(workload, folder, per_call=min(args.per_call, args.events), seed=args.seed)
    try:
        bench.append_batches()
        bench.append_one_by_one()
        bench.replay()
        bench.memory()
        bench.time_travel(args.travels, plain_samples=max(5, min(30, 3_000_000 // args.events)))
        bench.catch_up(args.catch_ups)
        heads.catch_up_warm(bench, args.catch_ups)
        heads.cold_starts(bench)
        heads.time_travel_views(
            bench, args.travels // 4, plain_samples=max(3, min(10, 1_000_000 // args.events))
        )
        heads.tracker(bench, args.catch_ups)
        heads.snapshot_bytes(bench)
        bench.postgres()
    finally:
        if args.keep:
            _say(f"databases kept in {folder}")
        else:
            shutil.rmtree(folder, ignore_errors=True)
    table = rows(bench.figures)
    report = {
        "events": workload.events,
        "seed": workload.seed,
        "streams": len(workload.sizes),
        "event_types": workload.counts(),
        "figures": bench.figures,
        "table": table,
        "markdown": markdown(table),
        "environment": environment(),
        "seconds": round(time.perf_counter() - started, 1),
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2) + "\n")
    print(markdown(table))
    print(
        f"\n{workload.events:,} events, {len(workload.sizes)} streams, seed {workload.seed}; "
        f"{report['seconds']} s; written to {args.out}"
    )
    return 0
