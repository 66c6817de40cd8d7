"""``python -m jobsearch_core.demo [URL]``: the sample job search, as ``jobsearch demo`` shows it."""

from __future__ import annotations

import sys
from collections.abc import Sequence

from jobsearch_core.cli import cli

__all__ = ["main"]


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m jobsearch_core.demo [URL]``: the same as ``jobsearch demo [--log URL]``."""
    args = list(sys.argv[1:] if argv is None else argv)
    if args and args[0] in ("-h", "--help"):
        command = ["demo", "--help"]
    else:
        command = ["demo", *(["--log", args[0]] if args else [])]
    try:
        cli.main(command, prog_name="jobsearch")
    except SystemExit as exit:
        return exit.code if isinstance(exit.code, int) else 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
