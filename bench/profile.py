"""Where a full replay spends its time: ``python -m bench.profile --events N``.

Writes a generated log, then profiles replaying every stream into the four views (no
snapshots) with pyinstrument (a call tree) or, with ``--cprofile``, with cProfile (the
functions by their own time). Also prints the replay cut into its layers, timed apart:
reading rows, decoding them, and folding them into each view.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import shutil
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from bench.generate import generate
from jobsearch_core import EventLog, open_log
from jobsearch_core.views.replay import Replay

VIEWS = ("pipeline", "gaps", "roles", "history")


def _best(call: Callable[[], object], repeats: int = 3) -> float:
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        call()
        best = min(best, time.perf_counter() - start)
    return best


def layers(log: EventLog, events: int) -> None:
    """Microseconds per event for each layer of the replay, timed on its own."""
    backend, codec, catalog = log.backend, log.catalog.codec, log.catalog
    streams = log.streams()
    read_raw = backend.read_raw  # type: ignore[attr-defined]

    def read() -> None:
        for stream in streams:
            for _ in read_raw(stream=stream):
                pass

    def decode() -> None:
        for stream in streams:
            for rows in read_raw(stream=stream):
                codec.decode_raw(rows)

    decoded = {
        stream: [codec.decode_raw(rows) for rows in read_raw(stream=stream)] for stream in streams
    }

    def fold(names: tuple[str, ...]) -> Callable[[], None]:
        chosen = catalog.in_order(names)  # with the views they use

        def run() -> None:
            for stream in streams:
                batches = decoded[stream]
                Replay(chosen, lambda after, until, b=batches: b).run([None] * len(chosen), 1 << 62)

        return run

    per = 1e6 / events
    print("| layer | us per event |")
    print("| --- | --- |")
    reading = _best(read)
    print(f"| read rows (SQLite) | {reading * per:.2f} |")
    print(
        f"| decode (recorded_at, orjson, fast builders, Recorded) | {(_best(decode) - reading) * per:.2f} |"
    )
    for name in VIEWS:
        print(f"| fold into {name} alone | {_best(fold((name,))) * per:.2f} |")
    print(f"| fold into all four in one pass | {_best(fold(VIEWS)) * per:.2f} |")
    whole = _best(lambda: [log.views(VIEWS, stream=s) for s in streams])
    print(f"| the whole replay (views()) | {whole * per:.2f} |")


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.profile", description=__doc__)
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--cprofile", action="store_true", help="cProfile instead of pyinstrument")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="jobsearch-profile-"))
    try:
        url = f"sqlite://{folder / 'log.db'}?synchronous=off"
        with open_log(url) as log:
            for stream, events in generate(args.events).batches:
                log.append(events, stream=stream)
        log = EventLog(open_log(url).backend, snapshot_every=0, max_cached_states=0)
        layers(log, args.events)
        streams = log.streams()
        if args.cprofile:
            profiler = cProfile.Profile()
            profiler.enable()
            for stream in streams:
                log.views(VIEWS, stream=stream)
            profiler.disable()
            pstats.Stats(profiler).sort_stats("tottime").print_stats(25)
        else:
            from pyinstrument import Profiler

            with Profiler(interval=0.0005) as profiler:
                for stream in streams:
                    log.views(VIEWS, stream=stream)
            print(profiler.output_text(unicode=False, color=False, show_all=False))
        log.close()
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
