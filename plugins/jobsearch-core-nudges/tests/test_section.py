"""The nudges' section of the core's HTML report: registered through the hook, and replayed."""

from __future__ import annotations

import json
import re
from typing import Any

from jobsearch_core import EventLog
from jobsearch_core.plugins import load_catalog
from jobsearch_core.report import report_html
from jobsearch_core.report.frames import frames

from jobsearch_core_nudges import VIEW
from jobsearch_core_nudges.section import SECTION
from tests.conftest import NOW


def _rows(blocks: list[dict[str, Any]]) -> list[list[Any]]:
    (table,) = blocks
    return [table["rows"][i] for i in table["order"]]


class TestSection:
    """ "What to do next" in `jobsearch report`."""

    def test_registered_through_the_hook(self) -> None:
        """The catalog holds the section, owned by the plugin, after the core's."""
        catalog = load_catalog()
        assert catalog.report_sections["nudges"] is SECTION
        assert catalog.owners[("report section", "nudges")] == "nudges"
        assert list(catalog.report_sections)[-1] == "nudges"

    def test_on_the_page(self, demo_log: EventLog) -> None:
        """The page has the section, and the nudges are in its data."""
        page = report_html(demo_log, now=NOW)
        assert '<section id="section-nudges"' in page
        (data,) = re.findall(r'id="report-data">(.*?)</script>', page, re.S)
        assert "a follow-up is due" in json.dumps(json.loads(data))

    def test_replayed_as_the_view_says(self, demo_log: EventLog) -> None:
        """At every position, the rows are the nudges `due` gives for that moment."""
        for frame in frames(demo_log, [SECTION], stream="me", now=NOW):
            state = demo_log.view(VIEW, as_of=frame.position)
            expected = [n.message for n in state.due(now=frame.now)]
            assert [row[3] for row in _rows(frame.sections["nudges"])] == expected
