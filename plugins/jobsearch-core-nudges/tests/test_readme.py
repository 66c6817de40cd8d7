"""The README's Python examples and the package docstring's example run."""

from __future__ import annotations

import doctest
import re
from pathlib import Path

import pytest

import jobsearch_core_nudges

README = Path(__file__).resolve().parent.parent / "README.md"


def python_blocks() -> list[str]:
    """The ```python blocks of the README, in order."""
    return re.findall(r"```python\n(.*?)```", README.read_text(), flags=re.DOTALL)


class TestReadme:
    """What the README shows works as shown."""

    def test_has_an_example(self) -> None:
        """The README shows the view in use from Python."""
        assert python_blocks()

    def test_blocks_run(self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        """The blocks run in order, in one namespace, in an empty folder."""
        monkeypatch.chdir(tmp_path)
        namespace: dict[str, object] = {"__name__": "readme"}
        for number, code in enumerate(python_blocks(), start=1):
            exec(compile(code, f"README.md block {number}", "exec"), namespace)

    def test_documents_every_option(self) -> None:
        """Each option of `jobsearch nudges` appears in the README's table."""
        from jobsearch_core_nudges.command import nudges_command

        text = README.read_text()
        for param in nudges_command.params:
            for option in getattr(param, "opts", []):
                assert f"`{option}" in text, option

    def test_package_docstring(self) -> None:
        """The example in the package docstring passes as a doctest."""
        failed, tried = doctest.testmod(jobsearch_core_nudges)
        assert (failed, tried > 0) == (0, True)
