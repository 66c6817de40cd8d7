"""Test helpers for plugin authors: Hypothesis strategies and the backend and view contracts.

Needs pytest and Hypothesis (``pip install jobsearch-core[test]``).
"""

from __future__ import annotations

from jobsearch_core.testing.backends import BackendContract
from jobsearch_core.testing.strategies import (
    HOSTILE_TEXTS,
    application_closed,
    application_ids,
    aware_datetimes,
    base_rates_set,
    career_goal_set,
    event_retracted,
    event_sequences,
    events,
    feedback_items,
    feedback_received,
    gap_added,
    gap_closed,
    gap_practiced,
    gap_promoted,
    hostile_texts,
    interview_scheduled,
    names,
    new_rows,
    notes,
    resume_submitted,
    resume_updated,
    role_suggested,
    screen_passed,
    skills,
    skills_merged,
    stream_names,
)
from jobsearch_core.testing.views import ViewContract, replayable

__all__ = [
    "HOSTILE_TEXTS",
    "BackendContract",
    "ViewContract",
    "application_closed",
    "application_ids",
    "aware_datetimes",
    "base_rates_set",
    "career_goal_set",
    "event_retracted",
    "event_sequences",
    "events",
    "feedback_items",
    "feedback_received",
    "gap_added",
    "gap_closed",
    "gap_practiced",
    "gap_promoted",
    "hostile_texts",
    "interview_scheduled",
    "names",
    "new_rows",
    "notes",
    "replayable",
    "resume_submitted",
    "resume_updated",
    "role_suggested",
    "screen_passed",
    "skills",
    "skills_merged",
    "stream_names",
]
