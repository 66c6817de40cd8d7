"""`View`: a named, versioned fold of a stream's events, which may build on other views."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any, Generic, TypeVar

import attrs

from jobsearch_core.errors import PluginError
from jobsearch_core.events.base import Event, Recorded

__all__ = ["Apply", "ApplyWithInputs", "Finish", "View"]

S = TypeVar("S")

#: Folds one record into the state (in place or not) and returns the state.
Apply = Callable[[S, Recorded], S]
#: The same, for a view with `uses`: the third argument maps each used view's name to its
#: state after it folded the same record.
ApplyWithInputs = Callable[[S, Recorded, Mapping[str, Any]], S]
#: Makes the answer `view()` hands out from the folded state and the used views' answers.
Finish = Callable[[S, Mapping[str, Any]], S]


def _names(value: Iterable[str]) -> tuple[str, ...]:
    if isinstance(value, str) or not isinstance(value, Iterable):
        raise PluginError(f"a view's uses must be a list of view names, got {value!r}")
    found = tuple(value)
    for name in found:
        if not isinstance(name, str) or not name.strip():
            raise PluginError(f"a view's uses must hold view names, got {name!r}")
    return found


@attrs.frozen(kw_only=True)
class View(Generic[S]):
    """A named fold: `initial()` makes the empty state, `apply` folds one event into it.

    `apply(state, recorded)` may change the state in place and must return it. It must
    be total: any sequence of valid events folds without an exception. A view that needs
    another view's answer names it in `uses` instead of folding its own copy; its
    `apply(state, recorded, inputs)` then gets, in `inputs`, each used view's state after
    that view folded the same record (every view is folded once per pass, the used ones
    first). Bump `version` whenever the fold or the state's shape changes: snapshots are
    keyed by it and by the versions of every view it uses, so none made by another fold
    is ever applied.

    `state_type` is the attrs class of the state; snapshots are taken only when it is set.
    `events`, when given, names the event classes `apply` folds (their subclasses too):
    the replay engine skips calling it for the rest. `finish(state, inputs)`, when given,
    makes the answer that `view()` hands out from the folded state and the used views'
    answers (a derived figure, say); it is never part of a snapshot.

    `copy_on_write` says the fold never changes a frozen object in place: it changes a
    `jobsearch_core.views.frozen.thaw`-ed copy instead (`own` puts one in its place). The
    log then hands out this view's states frozen (read-only, sharing what did not change
    since the last answer) instead of a deep copy per call.
    """

    name: str
    version: int
    initial: Callable[[], S]
    apply: Apply[S] | ApplyWithInputs[S]
    state_type: type[S] | None = None
    description: str = ""
    events: tuple[type[Event], ...] | None = None
    uses: tuple[str, ...] = attrs.field(default=(), converter=_names)
    finish: Finish[S] | None = None
    copy_on_write: bool = False

    def __attrs_post_init__(self) -> None:
        if self.name in self.uses:
            raise PluginError(f"view {self.name!r} uses itself")
