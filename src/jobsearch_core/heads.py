"""Views kept at the head: each (view, stream)'s latest folded state, so `view()` folds only
what is new, within a bound on how many are kept (the least recently used go first)."""

from __future__ import annotations

import copy
from collections import OrderedDict
from collections.abc import Sequence
from typing import Any

import attrs

from jobsearch_core.views.frozen import freeze
from jobsearch_core.views.replay import Progress
from jobsearch_core.views.view import View

__all__ = ["MAX_CACHED_STATES", "Head", "Heads", "hand_out"]

#: How many (view, stream) states a log keeps at the head by default.
MAX_CACHED_STATES = 64


@attrs.define(eq=False)
class Head:
    """One view's state for one stream as of a position, and what was last made of it."""

    progress: Progress
    #: The chain hash at `progress.position`: a log rewritten up to there is not trusted.
    chain: bytes | None
    #: Events folded into it since its last snapshot was saved (or loaded).
    unsaved: int = 0
    #: The size of its last snapshot, which sets how long the next one waits.
    snapshot_size: int = 0
    #: The answer last handed out (a copy-on-write view's, frozen), and the objects it was
    #: made from (the state, then the used views' answers): the same ones give it again.
    answer: Any = None
    made_from: tuple[Any, ...] = ()


class Heads:
    """The states kept at the head, by (view name, stream), least recently used first."""

    def __init__(self, limit: int = MAX_CACHED_STATES) -> None:
        self.limit = limit
        self._kept: OrderedDict[tuple[str, str], Head] = OrderedDict()

    def __len__(self) -> int:
        return len(self._kept)

    def items(self) -> list[tuple[tuple[str, str], Head]]:
        """Every head kept, by (view name, stream), least recently used first."""
        return list(self._kept.items())

    def get(self, view: str, stream: str) -> Head | None:
        """The head kept for a view and stream (now the most recently used), or None."""
        key = (view, stream)
        found = self._kept.get(key)
        if found is not None:
            self._kept.move_to_end(key)
        return found

    def put(self, view: str, stream: str, head: Head) -> None:
        """Keep a head, forgetting the least recently used beyond the limit."""
        if self.limit <= 0:
            return
        key = (view, stream)
        self._kept[key] = head
        self._kept.move_to_end(key)
        self.trim()

    def trim(self) -> None:
        """Forget the least recently used beyond the limit."""
        while len(self._kept) > max(self.limit, 0):
            self._kept.popitem(last=False)

    def drop(self, view: str, stream: str) -> None:
        """Forget a view's head for a stream."""
        self._kept.pop((view, stream), None)

    def clear(self) -> None:
        """Forget every head."""
        self._kept.clear()


def hand_out(views: Sequence[View[Any]], heads: Sequence[Head]) -> list[Any]:
    """What `view()` hands out for each view (in dependency order) from its head: `finish`
    applied with the used views' answers; a copy-on-write view's answer frozen and shared
    (made again only when what it is made from changed), any other's a deep copy."""
    from jobsearch_core.views.replay import answers  # the one place `finish` is applied

    done: dict[str, Any] = {}
    found = []
    for view, head in zip(views, heads, strict=True):
        state = head.progress.state
        if view.copy_on_write:
            state = head.progress.state = freeze(state)
            made_from = (state, *(done[name] for name in view.uses))
            if len(made_from) != len(head.made_from) or any(
                a is not b for a, b in zip(made_from, head.made_from, strict=True)
            ):
                (answer,) = answers([view], [state], given=done)
                head.answer, head.made_from = freeze(answer), made_from
            answer = head.answer
        else:
            (answer,) = answers([view], [state], given=done)
            answer = copy.deepcopy(answer)
        done[view.name] = answer
        found.append(answer)
    return found
