"""`jobsearch consumers`: the log's named consumers, as a table and as JSON."""

from __future__ import annotations

import json
from datetime import datetime

from jobsearch_core import open_log
from tests.conftest import Run


class TestConsumers:
    """Each consumer that has run, with its position and lag."""

    def test_none_yet(self, run: Run) -> None:
        """A log no consumer has run on says so."""
        run("gap", "add", "SQL")
        assert "no consumer has run" in run("consumers").output
        assert json.loads(run("consumers", "--json").output)["consumers"] == []

    def test_table_and_json(self, run: Run, url: str) -> None:
        """Names in order, each with its checkpoint, its lag and when it last moved."""
        for skill in ("SQL", "Go", "Rust"):
            run("gap", "add", skill)
        with open_log(url) as log:
            log.consumer("mailer").run(lambda recorded: None, idle_timeout=0)
            log.consumer("calendar", types="ResumeSubmitted").run(
                lambda recorded: None, idle_timeout=0
            )
        run("gap", "add", "dbt")
        out = run("consumers").output
        assert "Consumers (4 events)" in out
        rows = [
            [cell.strip() for cell in line.split("│") if cell.strip()][:3]
            for line in out.splitlines()
            if "mailer" in line or "calendar" in line
        ]
        assert rows == [["calendar", "3", "1"], ["mailer", "3", "1"]]
        shown = json.loads(run("consumers", "--json").output)
        assert shown["head"] == 4
        assert [(c["name"], c["position"], c["lag"]) for c in shown["consumers"]] == [
            ("calendar", 3, 1),
            ("mailer", 3, 1),
        ]
        assert all(datetime.fromisoformat(c["updated_at"]).tzinfo for c in shown["consumers"])
