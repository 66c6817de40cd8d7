"""The plugin contract: both pluggy markers, and the hooks a `jobsearch_core` plugin may implement.

Each `register_*` hook receives a `register` callback owned by the host, so the host
can refuse a duplicate name with an error that names both plugins.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

import pluggy

if TYPE_CHECKING:
    from jobsearch_core.codec import Upcaster
    from jobsearch_core.events import Event, Recorded
    from jobsearch_core.report.sections import ReportSection
    from jobsearch_core.storage import BackendFactory
    from jobsearch_core.views import View

__all__ = [
    "PROJECT",
    "appended",
    "hookimpl",
    "hookspec",
    "register_backends",
    "register_commands",
    "register_event_types",
    "register_report_sections",
    "register_skill_aliases",
    "register_upcasters",
    "register_views",
]

#: One name everywhere: the markers', the entry-point group's and the import package's.
PROJECT = "jobsearch_core"

hookspec = pluggy.HookspecMarker(PROJECT)
#: Marks a plugin's hook implementations: ``@hookimpl def register_views(register): ...``.
hookimpl = pluggy.HookimplMarker(PROJECT)


@hookspec
def register_backends(register: Callable[[str, BackendFactory], None]) -> None:
    """Give storage backends: ``register(scheme, factory)``, where ``factory(url)`` opens one."""


@hookspec
def register_views(register: Callable[[View[Any]], None]) -> None:
    """Give views (named folds): ``register(view)`` with a `jobsearch_core.views.View`."""


@hookspec
def register_event_types(register: Callable[[type[Event]], None]) -> None:
    """Give event classes: ``register(cls)``; stored under ``cls.__event_type__`` or the class name."""


@hookspec
def register_upcasters(register: Callable[[str, int, Upcaster], None]) -> None:
    """Give migrations: ``register(type_name, from_version, upcast)``; ``upcast(dict) -> dict``."""


@hookspec
def register_commands(cli: Any) -> None:
    """Add subcommands to the ``jobsearch`` command: `cli` is its `click.Group`."""


@hookspec
def register_skill_aliases(register: Callable[[str, Mapping[str, str]], None]) -> None:
    """Give alias packs: ``register(pack, {"k8s": "Kubernetes", ...})``, alias -> skill.

    They are offered to the seeker as merge suggestions (`jobsearch gaps`), never applied
    silently: a merge is a `SkillsMerged` the seeker records.
    """


@hookspec
def register_report_sections(register: Callable[[ReportSection], None]) -> None:
    """Give sections of the HTML report (`jobsearch report`): ``register(section)`` with a
    `jobsearch_core.report.ReportSection`.

    Its `render` is called with the answers of the views it uses at every position the
    report's replay can show; the host escapes what it returns.
    """


@hookspec
def appended(log: Any, records: list[Recorded]) -> None:
    """Hear of events after their append has committed: `log` is the `EventLog` appended to.

    An exception here is logged, not raised: the append has committed already.
    """
