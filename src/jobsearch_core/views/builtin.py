"""The built-in views, in the order they are listed: each module holds its fold and state."""

from __future__ import annotations

from typing import Any

from jobsearch_core.views import gaps, history, pipeline, plan, roles
from jobsearch_core.views.view import View

__all__ = ["VIEWS"]

#: pipeline, gaps, roles, history and plan.
VIEWS: tuple[View[Any], ...] = (pipeline.VIEW, gaps.VIEW, roles.VIEW, history.VIEW, plan.VIEW)
