"""The first view in a fresh process: ``python -m bench.cold URL VIEW [STREAM]``.

Prints one JSON line: how long the first `view()` took (loading the newest snapshot and
folding the events after it), the second (nothing new), and the peak resident set size
before and after (VmHWM: this process's own high-water mark).
"""

from __future__ import annotations

import json
import sys
import time

from bench.rss import _peak_mib
from jobsearch_core import open_log


def main(url: str, view: str, stream: str = "me") -> None:
    log = open_log(url)
    _ = log.head  # the connection opened and the schema read: not the view's cost
    before = _peak_mib()
    start = time.perf_counter()
    log.view(view, stream=stream)
    first = time.perf_counter() - start
    start = time.perf_counter()
    log.view(view, stream=stream)
    second = time.perf_counter() - start
    print(
        json.dumps(
            {
                "first_ms": first * 1000,
                "again_ms": second * 1000,
                "peak_mib_before": before,
                "peak_mib": _peak_mib(),
            }
        )
    )
    log.close()


if __name__ == "__main__":
    main(*sys.argv[1:])
