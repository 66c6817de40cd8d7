"""jobsearch-core-nudges: tells a job seeker what to do next, from their jobsearch-core log.

Installed, it adds the view ``nudges`` and the command ``jobsearch nudges`` through the
entry point group ``jobsearch_core``:

>>> from datetime import UTC, datetime
>>> from jobsearch_core import ResumeSubmitted, open_log
>>> log = open_log("memory://")
>>> _ = log.append([ResumeSubmitted(application_id="acme-1", company="Acme", role="Analyst",
...                                 at=datetime(2026, 3, 1, tzinfo=UTC))])
>>> [n.message for n in log.view("nudges").due(now=datetime(2026, 3, 20, tzinfo=UTC))]
['Analyst at Acme (acme-1): no news for 19 days; a follow-up is due (or mark it no_response)']
"""

from __future__ import annotations

from jobsearch_core_nudges.rules import Nudge, NudgeKind, due
from jobsearch_core_nudges.thresholds import Thresholds
from jobsearch_core_nudges.view import VIEW, NudgesState, ResumeVersion

__all__ = [
    "VIEW",
    "Nudge",
    "NudgeKind",
    "NudgesState",
    "ResumeVersion",
    "Thresholds",
    "__version__",
    "due",
]

__version__ = "0.1.0"
