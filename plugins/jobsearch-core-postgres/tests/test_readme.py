"""The README's examples and the core's demo run against a real server, as a newcomer would."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from jobsearch_core.demo.__main__ import main as demo

README = Path(__file__).resolve().parent.parent / "README.md"
#: The URL the README's examples use; each run swaps in a scratch schema of the test server.
README_URL = "postgresql://postgres@127.0.0.1:5432/test?schema=my_search"


def python_blocks(text: str) -> list[str]:
    """The ```python blocks of a Markdown text."""
    return re.findall(r"```python\n(.*?)```", text, flags=re.DOTALL)


class TestReadme:
    """Every ```python block in the plugin's README runs."""

    def test_has_examples(self) -> None:
        """The README shows the plugin in use and how a benchmark finds a server."""
        assert len(python_blocks(README.read_text())) >= 2

    @pytest.mark.parametrize("index", range(len(python_blocks(README.read_text()))))
    def test_block_runs(
        self, index: int, url: str, dsn: str, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """Each block runs without error against the test server (its asserts check results)."""
        monkeypatch.setenv("JOBSEARCH_TEST_POSTGRES", dsn)
        code = python_blocks(README.read_text())[index].replace(README_URL, url)
        exec(compile(code, f"README.md block {index + 1}", "exec"), {"__name__": "readme"})


class TestDemo:
    """The core's newcomer demo (`python -m jobsearch_core.demo URL`) on a postgresql:// URL."""

    def test_demo_writes_and_shows_views(
        self, url: str, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """The demo fills a fresh PostgreSQL log and prints its views; a second run refuses."""
        with_password = url.replace("postgresql://postgres@", "postgresql://postgres:s3cret@", 1)
        assert demo([with_password]) == 0
        out = capsys.readouterr().out
        assert "Wrote" in out
        assert "postgresql://" in out
        assert "s3cret" not in out
        assert demo([url]) == 2
        assert "already holds events" in capsys.readouterr().err
