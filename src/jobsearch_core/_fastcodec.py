"""The codec's fast path for the built-in events: the validated path's checks, inlined.

Stored events were validated when they were appended, so reading them back need not
go through cattrs and the attrs converters again: that is most of what a replay costs.
Each built-in event class gets a generated builder that checks what the validated path
checks (types, blank names, ranges, enum values, missing and extra keys) and sets the
slots directly, and a generated unstructure function that writes what cattrs would.
Anything unusual (a plugin's event type, an older schema, another spelling of a stage,
a non-UTC offset, an integer too large for orjson) makes a builder return None, and the
codec takes the validated path, which decides. So the fast path only ever gives what
the validated path gives; tests/test_codec.py holds the two equal with Hypothesis.
"""

from __future__ import annotations

import enum
import functools
import types
import typing
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

import attrs

from jobsearch_core.events import (
    SCREENS,
    ApplicationClosed,
    CareerGoalSet,
    Event,
    EventRetracted,
    FeedbackItem,
    FeedbackReceived,
    GapAdded,
    GapClosed,
    GapPracticed,
    GapPromoted,
    Mark,
    Outcome,
    Recorded,
    ResumeSubmitted,
    RoleSuggested,
    ScreenPassed,
)
from jobsearch_core.storage import NewRow

__all__ = [
    "Builder",
    "Unstructure",
    "builders",
    "make_new_row",
    "make_record",
    "state_functions",
    "unstructurers",
]

#: Builds an event from its decoded JSON object, or returns None: "take the validated path".
Builder = Callable[[Any], Event | None]
#: An event as the dict cattrs would unstructure it to (None fields left out), but for UTC
#: datetimes, left for orjson to write (as the text cattrs would give).
Unstructure = Callable[[Any], dict[str, Any]]

# What each field of a built-in event holds, as the validators in events.py see it.
AT = "at"  # an aware datetime, stored as ISO text in UTC
NAME = "name"  # non-blank text
OPTIONAL_NAME = "optional name"  # None or non-blank text
TEXT = "text"  # None or any text
NAMES = "names"  # a list of non-blank texts, kept as a tuple
FEEDBACK = "feedback"  # a non-empty list of feedback items


@attrs.frozen
class Whole:
    """A whole number of at least `minimum` (None allowed when `optional`)."""

    minimum: int
    optional: bool = False


@attrs.frozen
class OneOf:
    """One of some enum members, stored as its value."""

    members: tuple[enum.StrEnum, ...]


_Kind = str | Whole | OneOf

#: Every built-in event's fields, in attrs order. A class whose fields no longer match is
#: left to the validated path (and a test fails), so this table cannot silently drift.
FIELDS: dict[type[Event], dict[str, _Kind]] = {
    ResumeSubmitted: {
        "at": AT,
        "application_id": NAME,
        "company": NAME,
        "role": NAME,
        "via": OPTIONAL_NAME,
        "resume_version": OPTIONAL_NAME,
        "note": TEXT,
    },
    ScreenPassed: {"at": AT, "application_id": NAME, "stage": OneOf(SCREENS), "note": TEXT},
    FeedbackReceived: {
        "at": AT,
        "application_id": NAME,
        "items": FEEDBACK,
        "source": OPTIONAL_NAME,
        "note": TEXT,
    },
    GapPromoted: {"at": AT, "skill": NAME, "to_rank": Whole(1), "reason": TEXT},
    RoleSuggested: {
        "at": AT,
        "company": NAME,
        "role": NAME,
        "skills": NAMES,
        "application_id": OPTIONAL_NAME,
        "suggested_by": OPTIONAL_NAME,
        "note": TEXT,
    },
    GapAdded: {"at": AT, "skill": NAME, "rank": Whole(1, optional=True), "note": TEXT},
    GapPracticed: {"at": AT, "skill": NAME, "minutes": Whole(0), "note": TEXT},
    GapClosed: {"at": AT, "skill": NAME, "note": TEXT},
    ApplicationClosed: {
        "at": AT,
        "application_id": NAME,
        "outcome": OneOf(tuple(Outcome)),
        "note": TEXT,
    },
    CareerGoalSet: {"at": AT, "goal": NAME, "horizon_years": Whole(1)},
    EventRetracted: {"at": AT, "position": Whole(1), "reason": TEXT},
}
_FEEDBACK_ITEM: dict[str, _Kind] = {"skill": NAME, "mark": OneOf(tuple(Mark)), "comment": TEXT}

_ABSENT = object()


def _matches(cls: type[Any], fields: Mapping[str, _Kind]) -> bool:
    return [a.name for a in attrs.fields(cls)] == list(fields)


def _check(kind: _Kind, name: str, env: dict[str, Any], lines: list[str], indent: str) -> None:
    """Lines that check (and convert) local `name`, returning None when it does not fit."""
    say = lines.append
    if kind == AT:
        say(f"{indent}if type({name}) is not str: return None")
        say(f"{indent}{name} = _fromisoformat({name})")
        say(f"{indent}if {name}.tzinfo is not _UTC: return None")
    elif kind == NAME:
        say(f"{indent}if type({name}) is not str or not {name}.strip(): return None")
    elif kind == OPTIONAL_NAME:
        say(
            f"{indent}if {name} is not None and (type({name}) is not str or not {name}.strip()):"
            " return None"
        )
    elif kind == TEXT:
        say(f"{indent}if {name} is not None and type({name}) is not str: return None")
    elif kind == NAMES:
        say(f"{indent}if type({name}) is not list: return None")
        say(f"{indent}for _x in {name}:")
        say(f"{indent}    if type(_x) is not str or not _x.strip(): return None")
        say(f"{indent}{name} = tuple({name})")
    elif kind == FEEDBACK:
        say(f"{indent}if type({name}) is not list or not {name}: return None")
        say(f"{indent}_items = []")
        say(f"{indent}for _x in {name}:")
        say(f"{indent}    _item = _feedback_item(_x)")
        say(f"{indent}    if _item is None: return None")
        say(f"{indent}    _items.append(_item)")
        say(f"{indent}{name} = tuple(_items)")
    elif isinstance(kind, Whole):
        test = f"type({name}) is not int or {name} < {kind.minimum}"
        if kind.optional:
            test = f"{name} is not None and ({test})"
        say(f"{indent}if {test}: return None")
    elif isinstance(kind, OneOf):
        table = f"_members_{name}"
        env[table] = {member.value: member for member in kind.members}
        say(f"{indent}{name} = {table}.get({name})")
        say(f"{indent}if {name} is None: return None")
    else:  # pragma: no cover - the table above names only these kinds
        raise AssertionError(kind)


def _builder_source(cls: type[Any], fields: Mapping[str, _Kind], env: dict[str, Any]) -> str:
    required = {
        name: kind
        for name, kind in fields.items()
        if attrs.fields_dict(cls)[name].default is attrs.NOTHING or kind == AT
    }
    lines = ["def build(p, /):", "    if type(p) is not dict: return None"]
    say = lines.append
    # `at` has a default (now) in the class, but the codec always writes it: a payload
    # without one is left to the validated path, which decides what it means.
    say("    try:")
    for name in required:
        say(f"        {name} = p[{name!r}]")
    say("    except KeyError:")
    say("        return None")
    say(f"    _known = {len(required)}")
    for name in fields:
        if name in required:
            continue
        default = attrs.fields_dict(cls)[name].default
        env[f"_default_{name}"] = default
        say(f"    {name} = p.get({name!r}, _ABSENT)")
        say(f"    if {name} is _ABSENT: {name} = _default_{name}")
        say("    else: _known += 1")
    say("    if len(p) != _known: return None")
    for name, kind in fields.items():
        _check(kind, name, env, lines, "    ")
    say("    e = _new(_cls)")
    for name in fields:
        env[f"_set_{name}"] = getattr(cls, name).__set__
        say(f"    _set_{name}(e, {name})")
    say("    return e")
    return "\n".join(lines)


def _compile(cls: type[Any], fields: Mapping[str, _Kind], extra: dict[str, Any]) -> Builder:
    env: dict[str, Any] = {
        "_cls": cls,
        "_new": object.__new__,
        "_fromisoformat": datetime.fromisoformat,
        "_UTC": UTC,
        "_ABSENT": _ABSENT,
        **extra,
    }
    source = _builder_source(cls, fields, env)
    exec(compile(source, f"<fast builder for {cls.__name__}>", "exec"), env)
    build: Builder = env["build"]
    return build


def _unstructure_source(fields: Mapping[str, _Kind]) -> str:
    # cattrs writes attrs fields in order, datetimes as isoformat(), enums as their
    # values and tuples as lists; the codec then leaves out the None values.
    lines = ["def unstructure(e, /):", "    d = {}"]
    say = lines.append
    for name, kind in fields.items():
        value = f"e.{name}"
        if kind == AT:
            # orjson writes a UTC datetime as isoformat() does, in a fifth of the time.
            say(f"    v = {value}")
            say(f"    d[{name!r}] = v if v.tzinfo is _UTC else v.isoformat()")
        elif kind in (NAME,) or (isinstance(kind, Whole) and not kind.optional):
            say(f"    d[{name!r}] = {value}")
        elif isinstance(kind, OneOf):
            say(f"    d[{name!r}] = {value}.value")
        elif kind == NAMES:
            say(f"    d[{name!r}] = {value}")
        elif kind == FEEDBACK:
            say(f"    d[{name!r}] = [")
            say("        {'skill': i.skill, 'mark': i.mark.value, 'comment': i.comment}")
            say(f"        for i in {value}")
            say("    ]")
        else:
            say(f"    v = {value}")
            say(f"    if v is not None: d[{name!r}] = v")
    say("    return d")
    return "\n".join(lines)


@functools.cache
def builders() -> dict[type[Event], Builder]:
    """A fast builder for each built-in event class whose fields match the table."""
    if not _matches(FeedbackItem, _FEEDBACK_ITEM):  # pragma: no cover - caught by the tests
        return {}
    feedback_item = _compile(FeedbackItem, _FEEDBACK_ITEM, {})
    made: dict[type[Event], Builder] = {}
    for cls, fields in FIELDS.items():
        if _matches(cls, fields):
            made[cls] = _compile(cls, fields, {"_feedback_item": feedback_item})
    return made


@functools.cache
def unstructurers() -> dict[type[Event], Unstructure]:
    """A fast unstructure function for each built-in event class whose fields match the table."""
    made: dict[type[Event], Unstructure] = {}
    for cls, fields in FIELDS.items():
        if _matches(cls, fields) and _matches(FeedbackItem, _FEEDBACK_ITEM):
            env: dict[str, Any] = {"_UTC": UTC}
            exec(compile(_unstructure_source(fields), f"<unstructure {cls.__name__}>", "exec"), env)
            made[cls] = env["unstructure"]
    return made


_set_position = Recorded.position.__set__  # type: ignore[attr-defined]
_set_stream = Recorded.stream.__set__  # type: ignore[attr-defined]
_set_version = Recorded.version.__set__  # type: ignore[attr-defined]
_set_recorded_at = Recorded.recorded_at.__set__  # type: ignore[attr-defined]
_set_event = Recorded.event.__set__  # type: ignore[attr-defined]
_new = object.__new__


def make_record(
    position: int, stream: str, version: int, recorded_at: datetime, event: Event
) -> Recorded:
    """A `Recorded` without attrs' __init__: the values come from the log, already checked."""
    record: Recorded = _new(Recorded)
    _set_position(record, position)
    _set_stream(record, stream)
    _set_version(record, version)
    _set_recorded_at(record, recorded_at)
    _set_event(record, event)
    return record


_set_type = NewRow.type.__set__  # type: ignore[attr-defined]
_set_schema_version = NewRow.schema_version.__set__  # type: ignore[attr-defined]
_set_data = NewRow.data.__set__  # type: ignore[attr-defined]


def make_new_row(type_name: str, schema_version: int, data: bytes) -> NewRow:
    """A `NewRow` without attrs' __init__ (the codec made the values)."""
    row: NewRow = _new(NewRow)
    _set_type(row, type_name)
    _set_schema_version(row, schema_version)
    _set_data(row, data)
    return row


# --- view states (snapshots) ---------------------------------------------------------------
#
# cattrs walks a state through its hooks one value at a time; a snapshot of a long search
# holds thousands of values, and loading it is most of a catch-up. For an attrs state
# whose fields are all plain (text, numbers, datetimes, enums, lists and dicts of those,
# other such attrs classes) this makes a pair of functions instead: the same JSON shape
# cattrs writes, every value checked for its type on the way back in (a snapshot that
# does not fit raises, and is then ignored), and orjson writing datetimes and enums.


class UnsupportedError(Exception):
    """The state holds a type the fast state codec does not know: cattrs does it."""


class _StateCodegen:
    """Generates the dump and load functions of one attrs state class and those it holds."""

    def __init__(self) -> None:
        self.env: dict[str, Any] = {
            "_new": object.__new__,
            "_fromisoformat": datetime.fromisoformat,
            "_datetime": datetime,
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
        if type_ in (str, int, bool):
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
            if not inner and kept == item:
                return [f"{indent}if type({expr}) is not list: raise ValueError({expr!r})"], expr
            lines = [
                f"{indent}if type({expr}) is not list: raise ValueError({expr!r})",
                f"{indent}{var} = []",
                f"{indent}for {item} in {expr}:",
                *inner,
                f"{indent}    {var}.append({kept})",
            ]
            return lines, var
        if origin is dict and len(args) == 2 and args[0] is str:
            var, key, item = self._name("_m"), self._name("_k"), self._name("_x")
            inner, kept = self.value_load(args[1], item, indent + "    ")
            lines = [
                f"{indent}if type({expr}) is not dict: raise ValueError({expr!r})",
                f"{indent}{var} = {{}}",
                f"{indent}for {key}, {item} in {expr}.items():",
                *inner,
                f"{indent}    {var}[{key}] = {kept}",
            ]
            return lines, var
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
        if type_ in (str, int, bool, datetime) or (
            isinstance(type_, type) and issubclass(type_, enum.Enum)
        ):
            return expr  # orjson writes text, numbers, aware datetimes and enum values
        if isinstance(type_, type) and attrs.has(type_):
            return f"{self.dump_function(type_)}({expr})"
        if origin is list and len(args) == 1:
            inner = self.value_dump(args[0], "_x")
            return expr if inner == "_x" else f"[{inner} for _x in {expr}]"
        if origin is dict and len(args) == 2 and args[0] is str:
            inner = self.value_dump(args[1], "_x")
            return expr if inner == "_x" else f"{{_k: {inner} for _k, _x in {expr}.items()}}"
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
        self.env[f"{name}_cls"] = cls
        body = [
            f"def {name}(d):",
            f"    if type(d) is not dict or len(d) != {len(fields)}: raise ValueError(d)",
            f"    o = _new({name}_cls)",
        ]
        for field, type_ in fields:
            setter = f"{name}_set_{field}"
            self.env[setter] = getattr(cls, field).__set__
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
def state_functions(state_type: type[Any]) -> tuple[StateDump, StateLoad] | None:
    """Fast (dump, load) for an attrs state class of plain fields; None when it is not one."""
    if not (isinstance(state_type, type) and attrs.has(state_type)):
        return None
    codegen = _StateCodegen()
    try:
        dump = codegen.dump_function(state_type)
        load = codegen.load_function(state_type)
    except (UnsupportedError, NameError, TypeError):
        return None
    source = "\n".join(codegen.lines)
    exec(compile(source, f"<state codec for {state_type.__name__}>", "exec"), codegen.env)
    return codegen.env[dump], codegen.env[load]
