"""Typed handles: a caller's type checker knows what `log.view(GAPS)` holds."""

from __future__ import annotations

import textwrap
from pathlib import Path

from mypy import api as mypy_api  # the lint extra, which `make test` installs

CALLER = """
from jobsearch_core import open_log
from jobsearch_core.views import GAPS, HISTORY, PIPELINE, ROLES, GapsState

log = open_log("memory://")
gaps: GapsState = log.view(GAPS)
first: str = log.view(GAPS).items[0].skill
stage: str = log.view(PIPELINE).applications["a1"].stage
covered: list[str] = log.view(ROLES).roles[0].covered
moves: int = len(log.view(HISTORY).ranks)
anything = log.view("gaps").whatever  # by name: not checked
"""


def check(tmp_path: Path, source: str) -> tuple[str, int]:
    script = tmp_path / "caller.py"
    script.write_text(textwrap.dedent(source))
    out, err, status = mypy_api.run(
        ["--strict", "--no-incremental", "--cache-dir", str(tmp_path / "cache"), str(script)]
    )
    return out + err, status


class TestTypedHandles:
    """mypy, run on a tool's code, checks what it reads from a view."""

    def test_a_correct_caller_passes(self, tmp_path: Path) -> None:
        """Reading real names through the handles type-checks."""
        output, status = check(tmp_path, CALLER)
        assert status == 0, output

    def test_a_typo_is_caught(self, tmp_path: Path) -> None:
        """`log.view(GAPS).items[0].skil` is a mypy error naming GapItem and the typo."""
        output, status = check(tmp_path, CALLER + "typo = log.view(GAPS).items[0].skil\n")
        assert status == 1
        assert '"GapItem" has no attribute "skil"' in output
