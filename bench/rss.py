"""Peak RSS of a full replay, in a process of its own: ``python -m bench.rss sqlite:///log.db``.

Prints one JSON line: the peak resident set size (MiB) once the library is imported,
and after replaying every stream of the log into the four views (no snapshots).
"""

from __future__ import annotations

import json
import resource
import sys
import time

from jobsearch_core import EventLog, open_log

VIEWS = ("pipeline", "gaps", "roles", "history")


def _peak_mib() -> float:
    # VmHWM is this process's own high-water mark; ru_maxrss would also count the
    # memory of the parent it was forked from (the harness, holding the workload).
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main(url: str) -> None:
    opened = open_log(url)
    log = EventLog(opened.backend, snapshot_every=0, max_cached_states=0)
    before = _peak_mib()
    start = time.perf_counter()
    for stream in log.streams():
        log.views(VIEWS, stream=stream)
    seconds = time.perf_counter() - start
    print(json.dumps({"peak_mib_before": before, "peak_mib": _peak_mib(), "seconds": seconds}))
    log.close()


if __name__ == "__main__":
    main(sys.argv[1])
