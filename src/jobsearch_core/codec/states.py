"""Snapshot states: a fast pair of functions per view state class, the shape cattrs writes.

cattrs walks a state through its hooks one value at a time; a snapshot of a long search
holds thousands of values, and loading it is most of a catch-up. For an attrs state
whose fields are all plain (text, numbers, datetimes, enums, lists and dicts of those,
other such attrs classes) this makes a pair of functions instead: the same JSON shape
cattrs writes, every value checked for its type on the way back in (a snapshot that
does not fit raises, and is then ignored), and orjson writing datetimes and enums.
"""

from __future__ import annotations

import enum
import functools
import math
import types
import typing
from collections.abc import Callable
from datetime import datetime
from typing import Any

import attrs

from jobsearch_core._instances import setters
from jobsearch_core.views.frozen import FrozenDict, FrozenList, frozen_class

__all__ = ["StateDump", "StateLoad", "UnsupportedError", "state_functions"]


class UnsupportedError(Exception):
    """The state holds a type the fast state codec does not know: cattrs does it."""


def _finite(value: float) -> float:
    """The value, when orjson can write it as it is (not NaN or infinite)."""
    if not math.isfinite(value):
        raise TypeError(f"{value!r} is written the json way")
    return value


def _is_key(type_: Any) -> bool:
    """Text, or a text enum (stored as its members' values): what a JSON object's keys hold."""
    return type_ is str or (isinstance(type_, type) and issubclass(type_, enum.StrEnum))


class _StateCodegen:
    """Generates the dump and load functions of one attrs state class and those it holds."""

    def __init__(self, *, frozen: bool = False) -> None:
        #: Whether loading makes frozen states (`jobsearch_core.views.frozen`).
        self.frozen = frozen
        self.env: dict[str, Any] = {
            "_new": object.__new__,
            "_fromisoformat": datetime.fromisoformat,
            "_datetime": datetime,
            "_FrozenList": FrozenList,
            "_FrozenDict": FrozenDict,
        }
        self.lines: list[str] = []
        self.done: dict[tuple[str, type[Any]], str] = {}
        self.counter = 0

    def _name(self, prefix: str) -> str:
        self.counter += 1
        return f"{prefix}{self.counter}"

    def value_load(self, type_: Any, expr: str, indent: str) -> tuple[list[str], str]:
        """Lines that check `expr` (a JSON value) against `type_`; the expression to keep."""
        origin, args = typing.get_origin(type_), typing.get_args(type_)
        if origin in (typing.Union, types.UnionType):
            rest = [arg for arg in args if arg is not type(None)]
            if len(rest) != 1 or len(args) != 2:
                raise UnsupportedError(type_)
            var = self._name("_o")
            inner, kept = self.value_load(rest[0], var, indent + "    ")
            lines = [f"{indent}{var} = {expr}", f"{indent}if {var} is not None:"]
            lines += inner or [f"{indent}    pass"]
            lines += [f"{indent}    {var} = {kept}"]
            return lines, var
        if type_ in (str, int, bool, float):
            # A float is stored as one (0.0, not 0): anything else does not fit.
            check = f"type({expr}) is not {type_.__name__}"
            return [f"{indent}if {check}: raise ValueError({expr!r})"], expr
        if type_ is datetime:
            var = self._name("_d")
            return [
                f"{indent}if type({expr}) is not str: raise ValueError({expr!r})",
                f"{indent}{var} = _fromisoformat({expr})",
                f"{indent}if {var}.tzinfo is None: raise ValueError({expr!r})",
            ], var
        if isinstance(type_, type) and issubclass(type_, enum.Enum):
            table = self._name("_members")
            self.env[table] = {member.value: member for member in type_}
            return [], f"{table}[{expr}]"
        if isinstance(type_, type) and attrs.has(type_):
            return [], f"{self.load_function(type_)}({expr})"
        if origin is list and len(args) == 1:
            var, item = self._name("_l"), self._name("_x")
            inner, kept = self.value_load(args[0], item, indent + "    ")
            check = f"{indent}if type({expr}) is not list: raise ValueError({expr!r})"
            if not inner and kept == item:
                return [check], f"_FrozenList({expr})" if self.frozen else expr
            lines = [
                check,
                f"{indent}{var} = []",
                f"{indent}for {item} in {expr}:",
                *inner,
                f"{indent}    {var}.append({kept})",
            ]
            return lines, f"_FrozenList({var})" if self.frozen else var
        if origin is dict and len(args) == 2 and _is_key(args[0]):
            var, key, item = self._name("_m"), self._name("_k"), self._name("_x")
            inner, kept = self.value_load(args[1], item, indent + "    ")
            kept_key = key
            if args[0] is not str:  # an enum's members, by their values
                table = self._name("_keys")
                self.env[table] = {member.value: member for member in args[0]}
                kept_key = f"{table}[{key}]"
            lines = [
                f"{indent}if type({expr}) is not dict: raise ValueError({expr!r})",
                f"{indent}{var} = {{}}",
                f"{indent}for {key}, {item} in {expr}.items():",
                *inner,
                f"{indent}    {var}[{kept_key}] = {kept}",
            ]
            return lines, f"_FrozenDict({var})" if self.frozen else var
        raise UnsupportedError(type_)

    def value_dump(self, type_: Any, expr: str) -> str:
        """An expression for `expr` as orjson should write it (the shape cattrs writes)."""
        origin, args = typing.get_origin(type_), typing.get_args(type_)
        if origin in (typing.Union, types.UnionType):
            rest = [arg for arg in args if arg is not type(None)]
            if len(rest) != 1 or len(args) != 2:
                raise UnsupportedError(type_)
            inner = self.value_dump(rest[0], "_v")
            if inner == "_v":
                return expr
            function = self._name("_optional")
            self.lines += [f"def {function}(_v):", f"    return None if _v is None else {inner}"]
            return f"{function}({expr})"
        if type_ is float:
            # orjson writes NaN and infinities as null: refuse them, for the json way.
            self.env["_finite"] = _finite
            return f"_finite({expr})"
        if type_ in (str, int, bool, datetime) or (
            isinstance(type_, type) and issubclass(type_, enum.Enum)
        ):
            return expr  # orjson writes text, numbers, aware datetimes and enum values
        if isinstance(type_, type) and attrs.has(type_):
            return f"{self.dump_function(type_)}({expr})"
        if origin is list and len(args) == 1:
            inner = self.value_dump(args[0], "_x")
            return expr if inner == "_x" else f"[{inner} for _x in {expr}]"
        if origin is dict and len(args) == 2 and _is_key(args[0]):
            inner = self.value_dump(args[1], "_x")
            key = "_k" if args[0] is str else "_k.value"
            if inner == "_x" and key == "_k":
                return expr
            return f"{{{key}: {inner} for _k, _x in {expr}.items()}}"
        raise UnsupportedError(type_)

    def _fields(self, cls: type[Any]) -> list[tuple[str, Any]]:
        if "__slots__" not in cls.__dict__ or hasattr(cls, "__attrs_post_init__"):
            raise UnsupportedError(cls)
        hints = typing.get_type_hints(cls)
        return [(field.name, hints[field.name]) for field in attrs.fields(cls)]

    def load_function(self, cls: type[Any]) -> str:
        key = ("load", cls)
        if key in self.done:
            return self.done[key]
        name = self.done[key] = f"_load_{cls.__name__}_{self._name('')}"
        fields = self._fields(cls)
        self.env[f"{name}_cls"] = frozen_class(cls) if self.frozen else cls
        body = [
            f"def {name}(d):",
            f"    if type(d) is not dict or len(d) != {len(fields)}: raise ValueError(d)",
            f"    o = _new({name}_cls)",
        ]
        slots = setters(cls)
        for field, type_ in fields:
            setter = f"{name}_set_{field}"
            self.env[setter] = slots[field]
            lines, kept = self.value_load(type_, f"d[{field!r}]", "    ")
            body += lines
            body.append(f"    {setter}(o, {kept})")
        body.append("    return o")
        self.lines += body
        return name

    def dump_function(self, cls: type[Any]) -> str:
        key = ("dump", cls)
        if key in self.done:
            return self.done[key]
        name = self.done[key] = f"_dump_{cls.__name__}_{self._name('')}"
        fields = self._fields(cls)
        parts = [f"{field!r}: {self.value_dump(type_, f'o.{field}')}" for field, type_ in fields]
        self.lines += [f"def {name}(o):", "    return {" + ", ".join(parts) + "}"]
        return name


StateDump = Callable[[Any], Any]
StateLoad = Callable[[Any], Any]


@functools.cache
def state_functions(
    state_type: type[Any], *, frozen: bool = False
) -> tuple[StateDump, StateLoad] | None:
    """Fast (dump, load) for an attrs state class of plain fields; None when it is not one.

    With `frozen`, load makes the state frozen (`jobsearch_core.views.frozen.freeze`), as
    a copy-on-write view's states are handed out.
    """
    if not (isinstance(state_type, type) and attrs.has(state_type)):
        return None
    codegen = _StateCodegen(frozen=frozen)
    try:
        dump = codegen.dump_function(state_type)
        load = codegen.load_function(state_type)
    except (UnsupportedError, NameError, TypeError):
        return None
    source = "\n".join(codegen.lines)
    exec(compile(source, f"<state codec for {state_type.__name__}>", "exec"), codegen.env)
    return codegen.env[dump], codegen.env[load]
