"""The nudges view keeps the core's view contract."""

from __future__ import annotations

from jobsearch_core.testing import ViewContract

from jobsearch_core_nudges import VIEW


class TestNudgesView(ViewContract):
    """The nudges view: it uses the pipeline, the gap list and the roles."""

    view = VIEW
