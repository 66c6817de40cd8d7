"""``python -m jobsearch_core``: the ``jobsearch`` command."""

from __future__ import annotations

from jobsearch_core.cli import main

if __name__ == "__main__":
    main()
