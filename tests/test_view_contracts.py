"""The built-in views keep the view contract of `jobsearch_core.testing.ViewContract`."""

from __future__ import annotations

from jobsearch_core.testing import ViewContract
from jobsearch_core.views import GAPS, HISTORY, PIPELINE, ROLES


class TestPipeline(ViewContract):
    """The pipeline."""

    view = PIPELINE


class TestGaps(ViewContract):
    """The gap list."""

    view = GAPS


class TestRoles(ViewContract):
    """The suggested roles (they use the gap list)."""

    view = ROLES


class TestHistory(ViewContract):
    """The history of ranks (it uses the gap list)."""

    view = HISTORY
