"""The plugin is found through its entry point and registers the postgresql:// scheme."""

from __future__ import annotations

import os
import subprocess
import sys
from importlib.metadata import entry_points

from jobsearch_core import GapAdded, open_log
from jobsearch_core.plugins import load_catalog

from jobsearch_core_postgres import PostgresBackend, plugin

OPEN = """
import sys
from jobsearch_core import GapAdded, open_log
with open_log(sys.argv[1]) as log:
    log.append([GapAdded(skill="SQL")])
    print(type(log.backend).__module__, log.head)
"""


def run(code: str, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """Run `code` in a fresh interpreter, so only the entry point can bring the plugin in."""
    return subprocess.run(
        [sys.executable, "-c", code, *args],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, **env},
        check=False,
    )


class TestEntryPoint:
    """The installed package declares the plugin where jobsearch-core looks for it."""

    def test_declared_in_the_jobsearch_core_group(self) -> None:
        """An entry point named postgresql in group jobsearch_core points at the plugin module."""
        (found,) = [ep for ep in entry_points(group="jobsearch_core") if ep.name == "postgresql"]
        assert found.value == "jobsearch_core_postgres.plugin"
        assert found.load() is plugin

    def test_registers_both_schemes(self, url: str) -> None:
        """postgresql:// and postgres:// open a PostgresBackend, owned by the plugin."""
        backends = load_catalog().backends
        assert backends["postgresql"] is plugin.open_backend
        assert backends["postgres"] is plugin.open_backend
        with open_log(url) as log:
            assert isinstance(log.backend, PostgresBackend)
        assert load_catalog().owners[("backend", "postgresql")] == "postgresql"

    def test_fresh_process_finds_it(self, url: str) -> None:
        """A process that never imports the plugin opens a postgresql:// log all the same."""
        done = run(OPEN, url)
        assert done.returncode == 0, done.stderr
        assert done.stdout.split() == ["jobsearch_core_postgres.backend", "1"]

    def test_psycopg_loads_only_when_a_postgresql_log_is_opened(self, url: str) -> None:
        """A program that opens only other logs never imports psycopg or the backend."""
        code = (
            "import sys\n"
            "from jobsearch_core import open_log\n"
            "from jobsearch_core.plugins import load_catalog\n"
            "assert 'postgresql' in load_catalog().backends\n"
            "open_log('memory://').close()\n"
            "print(sorted(m for m in sys.modules if m.startswith(('psycopg', 'jobsearch_core_postgres.'))))\n"
            "open_log(sys.argv[1]).close()\n"
            "print('psycopg' in sys.modules)\n"
        )
        done = run(code, url)
        assert done.returncode == 0, done.stderr
        assert done.stdout.split("\n")[:2] == ["['jobsearch_core_postgres.plugin']", "True"]

    def test_switched_off_by_the_environment(self, url: str) -> None:
        """With JOBSEARCH_CORE_PLUGINS empty, no external plugin loads: the scheme is unknown."""
        done = run(OPEN, url, JOBSEARCH_CORE_PLUGINS="")
        assert done.returncode != 0
        assert "no backend for postgresql://" in done.stderr

    def test_alias_opens_the_same_log(self, url: str) -> None:
        """postgres:// reaches the same log as postgresql://."""
        with open_log(url) as log:
            log.append([GapAdded(skill="SQL")])
        with open_log(url.replace("postgresql://", "postgres://", 1)) as log:
            assert log.head == 1
            assert log.url.startswith("postgres://")
