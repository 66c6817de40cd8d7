"""How views depend on each other: checked once, folded in order, keyed by what they use."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from typing import Any

from jobsearch_core.errors import PluginError
from jobsearch_core.views.view import View

__all__ = ["check", "connected", "fingerprint", "in_order"]


def check(views: Mapping[str, View[Any]]) -> None:
    """Refuse (`PluginError`) a view that uses one no plugin registered, or views in a cycle."""
    for view in views.values():
        unknown = [name for name in view.uses if name not in views]
        if unknown:
            known = ", ".join(sorted(views))
            raise PluginError(
                f"view {view.name!r} uses {', '.join(map(repr, unknown))}, which no plugin "
                f"registers (views: {known})"
            )
    done: set[str] = set()
    for name in sorted(views):
        _visit(views, name, [], done)


def _visit(views: Mapping[str, View[Any]], name: str, path: list[str], done: set[str]) -> None:
    if name in done:
        return
    if name in path:
        cycle = [*path[path.index(name) :], name]
        raise PluginError(f"views use each other in a cycle: {' -> '.join(cycle)}")
    path.append(name)
    for used in views[name].uses:
        _visit(views, used, path, done)
    path.pop()
    done.add(name)


def in_order(views: Mapping[str, View[Any]], names: Iterable[str]) -> list[View[Any]]:
    """The named views and every view they use (transitively), each after the ones it uses."""
    ordered: list[View[Any]] = []
    seen: set[str] = set()

    def add(name: str) -> None:
        if name in seen:
            return
        seen.add(name)
        view = views[name]
        for used in view.uses:
            add(used)
        ordered.append(view)

    for name in names:
        add(name)
    return ordered


def connected(views: list[View[Any]], indexes: Iterable[int]) -> set[int]:
    """The indexes of `views` linked to the given ones by `uses`, in either direction."""
    position = {view.name: i for i, view in enumerate(views)}
    links: dict[int, set[int]] = {i: set() for i in range(len(views))}
    for i, view in enumerate(views):
        for name in view.uses:
            j = position[name]
            links[i].add(j)
            links[j].add(i)
    found = set(indexes)
    todo = list(found)
    while todo:
        for j in links[todo.pop()] - found:
            found.add(j)
            todo.append(j)
    return found


def fingerprint(views: Mapping[str, View[Any]], name: str) -> str:
    """What a view's snapshots are keyed by: its version and, transitively, its uses'.

    "roles" at version 2 using "gaps" at version 1 gives the text ``roles:2(gaps:1)``,
    hashed; a change of version anywhere below a view changes its fingerprint.
    """

    def spelled(name: str) -> str:
        view = views[name]
        inner = ",".join(spelled(used) for used in view.uses)
        return f"{name}:{view.version}" + (f"({inner})" if inner else "")

    return hashlib.sha256(spelled(name).encode()).hexdigest()[:16]
