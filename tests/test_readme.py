"""The README's Python examples run, in order, as a newcomer would paste them."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

README = Path(__file__).resolve().parent.parent / "README.md"


def python_blocks(text: str) -> list[str]:
    return re.findall(r"```python\n(.*?)```", text, flags=re.DOTALL)


class TestReadme:
    """Every ```python block in README.md runs."""

    def test_has_examples(self) -> None:
        """The README shows the library in use (a Quick start alone is not enough)."""
        assert len(python_blocks(README.read_text())) >= 2

    def test_quick_start_is_the_two_commands(self) -> None:
        """The Quick start is make demo and make test, in that order."""
        quick = README.read_text().split("## Quick start", 1)[1].split("```", 2)[1]
        assert re.findall(r"^make (\w+)", quick, flags=re.MULTILINE) == ["demo", "test"]

    @pytest.mark.parametrize("index", range(len(python_blocks(README.read_text()))))
    def test_block_runs(self, index: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        """Each block runs without error (their asserts check the results they show)."""
        monkeypatch.chdir(tmp_path)
        monkeypatch.setenv("JOBSEARCH_LOG", f"sqlite://{tmp_path / 'log.db'}")
        code = python_blocks(README.read_text())[index]
        exec(compile(code, f"README.md block {index + 1}", "exec"), {"__name__": "readme"})
