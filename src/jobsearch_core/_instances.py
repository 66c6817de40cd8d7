"""Attrs instances made without running `__init__`, from values that were checked already.

A replay makes millions of `Recorded`s and rows whose values come from the log, where
they were checked when appended; attrs' `__init__` would check them again. This is the
one place that knows how to skip it: everything else asks for a `maker` or `setters`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import attrs

__all__ = ["maker", "setters"]

T = TypeVar("T")


def setters(cls: type[Any]) -> dict[str, Callable[[Any, Any], None]]:
    """Each field's slot setter, by field name (a slotted attrs class, frozen or not)."""
    if "__slots__" not in cls.__dict__:
        raise TypeError(f"{cls.__qualname__} is not a slotted attrs class")
    return {field.name: getattr(cls, field.name).__set__ for field in attrs.fields(cls)}


def maker(cls: type[T]) -> Callable[..., T]:
    """A function taking every field's value, in field order, that returns the instance.

    ``maker(Recorded)(position, stream, version, recorded_at, event)`` gives what
    ``Recorded(position=..., ...)`` would, minus the validators, converters and defaults.
    """
    names = [field.name for field in attrs.fields(cls)]  # type: ignore[arg-type]
    env: dict[str, Any] = {"_new": object.__new__, "_cls": cls}
    lines = [f"def make({', '.join(names)}):", "    o = _new(_cls)"]
    for name, setter in setters(cls).items():
        env[f"_set_{name}"] = setter
        lines.append(f"    _set_{name}(o, {name})")
    lines.append("    return o")
    exec(compile("\n".join(lines), f"<maker of {cls.__qualname__}>", "exec"), env)
    make: Callable[..., T] = env["make"]
    return make
