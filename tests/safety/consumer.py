"""A consumer process for the consumer crash test: runs a named consumer, and says what it handled.

python -m tests.safety.consumer URL NAME IDLE_TIMEOUT
    runs the consumer NAME (IDLE_TIMEOUT seconds, or "none": until killed); its handler
    prints "handled POSITION" (flushed) for each event as it takes it, then works on it
    for a moment, so that a kill lands while an event is being handled as often as not.
"""

from __future__ import annotations

import sys
import time

from jobsearch_core import Recorded, open_log


def handle(recorded: Recorded) -> None:
    print(f"handled {recorded.position}", flush=True)
    time.sleep(0.0005)


if __name__ == "__main__":
    url, name, idle = sys.argv[1:]
    with open_log(url) as log:
        print("ready", flush=True)
        log.consumer(name).run(handle, idle_timeout=None if idle == "none" else float(idle))
