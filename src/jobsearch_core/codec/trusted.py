"""The trusted-replay path: builders and encoders generated from the event classes themselves.

Stored events were validated when they were appended, so reading them back need not go
through cattrs again: that is most of what a replay costs. For each event class this
generates a builder from its attrs fields. A field made by `jobsearch_core.events.fields`
is checked inline by the very expressions its validator was compiled from; any other
field of a plain type (text, whole numbers, booleans, datetimes, enums, optional ones)
is type-checked the way the codec's converter would, then handed to the field's own
converter and validator. The builder sets the slots directly.

A builder vouches only for values it is sure of (the stored form, spelled exactly) and
returns None for anything else: the codec then takes the validated path, which decides
(and raises `CorruptEventError` for a value the class refuses). So the trusted path
never gives what the validated path would not; tests/test_trusted.py holds the two equal
with Hypothesis, for the built-in events and for plugin-style classes alike.
"""

from __future__ import annotations

import enum
import types
import typing
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import attrs

from jobsearch_core._instances import setters
from jobsearch_core.events.fields import (
    Choice,
    Kind,
    Moment,
    Name,
    Names,
    Records,
    Shares,
    Text,
    Whole,
    kind_of,
)

__all__ = ["Builder", "Unstructure", "builder", "unstructurer"]

#: Builds an event from its decoded JSON object, or returns None: "take the validated path".
Builder = Callable[[Any], Any]
#: An event as the dict the codec stores (None fields left out at the top), but for UTC
#: datetimes, left for orjson to write (as the text cattrs would give).
Unstructure = Callable[[Any], dict[str, Any]]

_ABSENT = object()
#: Kinds whose checks say all there is to say about a JSON value of theirs.
_CHECKED = (Name, Text, Whole)
_PLAIN = (str, int, bool)


class _UnsupportedError(Exception):
    """A field of a sort the trusted path does not vouch for: the class goes the validated way."""


def _optional_of(type_: Any) -> tuple[Any, bool]:
    """``X | None`` -> (X, True); any other type -> (type, False)."""
    if typing.get_origin(type_) in (typing.Union, types.UnionType):
        rest = [arg for arg in typing.get_args(type_) if arg is not type(None)]
        if len(rest) == 1 and len(typing.get_args(type_)) == 2:
            return rest[0], True
    return type_, False


class _Generator:
    """Writes the source of one class's builder or encoder, and the names it needs."""

    def __init__(self, cls: type[Any]) -> None:
        self.cls = cls
        try:
            self.hints = typing.get_type_hints(cls)
        except Exception as error:
            raise _UnsupportedError(
                f"cannot resolve the annotations of {cls.__qualname__}"
            ) from error
        self.fields = list(attrs.fields(cls))
        for field in self.fields:
            if not field.init or field.alias != field.name:
                raise _UnsupportedError(f"{field.name} is not set by name through __init__")
        self.env: dict[str, Any] = {
            "_new": object.__new__,
            "_cls": cls,
            "_fromisoformat": datetime.fromisoformat,
            "_UTC": UTC,
            "_ABSENT": _ABSENT,
        }

    # --- decoding ---------------------------------------------------------------------------

    def decode_field(self, field: attrs.Attribute[Any], v: str) -> tuple[list[str], list[str]]:
        """Lines that vouch for local `v` before the instance exists, and after (validators)."""
        kind = kind_of(field)
        if kind is not None:
            return self._decode_kind(field, kind, v), self._foreign_validator(field, kind, v)
        return self._decode_plain(field, v)

    def _decode_kind(self, field: attrs.Attribute[Any], kind: Kind, v: str) -> list[str]:
        converter = field.converter
        if converter is not None and getattr(converter, "converter", None) != kind.convert:
            raise _UnsupportedError(f"{field.name} has a converter of its own")
        if isinstance(kind, _CHECKED):
            return [f"if not ({kind.test(v)}): return None"]
        if isinstance(kind, Choice):
            self.env[f"_members_{field.name}"] = kind.members
            return [
                f"if type({v}) is not str: return None",
                f"{v} = _members_{field.name}.get({v})",
                f"if {v} is None: return None",
            ]
        if isinstance(kind, Moment):
            # Kept (and so stored) in UTC: any other offset is left to the validated path.
            return [
                f"if type({v}) is not str: return None",
                f"{v} = _fromisoformat({v})",
                f"if {v}.tzinfo is not _UTC: return None",
            ]
        if isinstance(kind, Names):
            return [
                f"if type({v}) is not list: return None",
                f"for _x in {v}:",
                f"    if not ({kind.item.test('_x')}): return None",
                f"{v} = tuple({v})",
            ]
        if isinstance(kind, Records):
            nested = builder(kind.cls)
            if nested is None:
                raise _UnsupportedError(f"{field.name} holds {kind.cls.__qualname__} records")
            self.env[f"_build_{field.name}"] = nested
            return [
                f"if type({v}) is not list or not {v}: return None",
                "_items = []",
                f"for _x in {v}:",
                f"    _item = _build_{field.name}(_x)",
                "    if _item is None: return None",
                "    _items.append(_item)",
                f"{v} = tuple(_items)",
            ]
        if isinstance(kind, Shares):
            self.env[f"_members_{field.name}"] = kind.keys.members
            return [
                f"if type({v}) is not dict or not {v}: return None",
                "_shares = {}",
                f"for _k, _x in {v}.items():",
                f"    _m = _members_{field.name}.get(_k)",
                "    if _m is None or type(_x) is not float or not 0.0 <= _x <= 1.0: return None",
                "    _shares[_m] = _x",
                f"{v} = _shares",
            ]
        if type(kind).convert is Kind.convert:  # a plugin's own kind, without a converter
            return [f"if not ({kind.test(v)}): return None"]
        raise _UnsupportedError(f"{field.name} is of a kind the trusted path does not know")

    def _foreign_validator(self, field: attrs.Attribute[Any], kind: Kind, v: str) -> list[str]:
        """A validator the kind did not make (a plugin added one) is called as it is."""
        validator = field.validator
        if validator is None or getattr(validator, "__kind__", None) is kind:
            return []
        return self._call_validator(field, v)

    def _decode_plain(self, field: attrs.Attribute[Any], v: str) -> tuple[list[str], list[str]]:
        """A field not made from a kind: read as the codec's converter would, then its own rules."""
        type_, optional = _optional_of(self.hints[field.name])
        lines: list[str] = []
        if type_ in _PLAIN:
            lines.append(f"if type({v}) is not {type_.__name__}: return None")
        elif type_ is datetime:
            lines += [f"if type({v}) is not str: return None", f"{v} = _fromisoformat({v})"]
        elif isinstance(type_, type) and issubclass(type_, enum.Enum):
            self.env[f"_members_{field.name}"] = {member.value: member for member in type_}
            lines += [
                f"if type({v}) is not str: return None",
                f"{v} = _members_{field.name}.get({v}, _ABSENT)",
                f"if {v} is _ABSENT: return None",
            ]
        else:
            raise _UnsupportedError(f"{field.name} is a {type_!r}")
        if optional:
            lines = [f"if {v} is not None:", *(f"    {line}" for line in lines)]
        converter = field.converter
        if converter is not None:
            function = getattr(converter, "converter", converter)
            self.env[f"_convert_{field.name}"] = function
            takes_self = getattr(converter, "takes_self", False)
            takes_field = getattr(converter, "takes_field", False)
            if takes_field:
                self.env[f"_field_{field.name}"] = field
            args = [v, "e" if takes_self else None, f"_field_{field.name}" if takes_field else None]
            # A converter that needs the instance sees it before its fields are all set,
            # as in attrs' own __init__; one that refuses leaves the value to the validated path.
            lines += [
                "try:",
                f"    {v} = _convert_{field.name}({', '.join(a for a in args if a)})",
                "except Exception:",
                "    return None",
            ]
        return lines, self._call_validator(field, v) if field.validator is not None else []

    def _call_validator(self, field: attrs.Attribute[Any], v: str) -> list[str]:
        self.env[f"_validate_{field.name}"] = field.validator
        self.env[f"_field_{field.name}"] = field
        return [
            "try:",
            f"    _validate_{field.name}(e, _field_{field.name}, {v})",
            "except Exception:",
            "    return None",
        ]

    def builder_source(self) -> str:
        if "__slots__" not in self.cls.__dict__:
            raise _UnsupportedError(f"{self.cls.__qualname__} is not slotted")
        variables = {field.name: f"f_{field.name}" for field in self.fields}
        required = [
            field
            for field in self.fields
            # A default made by a factory (`at`: now) is for new events; a stored one
            # without the value is left to the validated path, which decides.
            if field.default is attrs.NOTHING or isinstance(field.default, attrs.Factory)  # type: ignore[arg-type]
        ]
        lines = ["def build(p, /):", "    if type(p) is not dict: return None", "    try:"]
        say = lines.append
        for field in required:
            say(f"        {variables[field.name]} = p[{field.name!r}]")
        say("    except KeyError:")
        say("        return None")
        # Counting the keys found finds one the class has no field for: the validated
        # path refuses such a payload, and says why.
        say(f"    _known = {len(required)}")
        for field in self.fields:
            if field in required:
                continue
            v = variables[field.name]
            self.env[f"_default_{field.name}"] = field.default
            say(f"    {v} = p.get({field.name!r}, _ABSENT)")
            say(f"    if {v} is _ABSENT: {v} = _default_{field.name}")
            say("    else: _known += 1")
        say("    if len(p) != _known: return None")
        say("    e = _new(_cls)")
        after: list[str] = []
        for field in self.fields:
            before, checks = self.decode_field(field, variables[field.name])
            lines += [f"    {line}" for line in before]
            after += checks
        for name, setter in setters(self.cls).items():
            self.env[f"_set_{name}"] = setter
            say(f"    _set_{name}(e, {variables[name]})")
        lines += [f"    {line}" for line in after]
        if hasattr(self.cls, "__attrs_post_init__"):
            say("    e.__attrs_post_init__()")
        say("    return e")
        return "\n".join(lines)

    # --- encoding ---------------------------------------------------------------------------

    def encode_value(self, field: attrs.Attribute[Any], value: str) -> tuple[str, bool]:
        """An expression for the field's stored form, and whether it may be None."""
        kind = kind_of(field)
        if isinstance(kind, Moment):
            # orjson writes a UTC datetime as isoformat() does, in a fifth of the time.
            return f"({value} if {value}.tzinfo is _UTC else {value}.isoformat())", False
        if isinstance(kind, Choice):
            return f"{value}.value", False
        if isinstance(kind, Names):
            return value, False
        if isinstance(kind, Shares):
            return f"{{_k.value: _x for _k, _x in {value}.items()}}", False
        if isinstance(kind, Records):
            nested = _nested_unstructurer(kind.cls)
            if nested is None:
                raise _UnsupportedError(f"{field.name} holds {kind.cls.__qualname__} records")
            self.env[f"_dump_{field.name}"] = nested
            return f"[_dump_{field.name}(_i) for _i in {value}]", False
        if kind is not None and not isinstance(kind, _CHECKED):
            raise _UnsupportedError(f"{field.name} is of a kind the trusted path does not know")
        type_, optional = _optional_of(self.hints[field.name])
        if kind is not None:
            return value, kind.optional
        if type_ in _PLAIN:
            return value, optional
        if isinstance(type_, type) and issubclass(type_, enum.Enum):
            shown = f"{value}.value"
            return (f"(None if {value} is None else {shown})" if optional else shown), optional
        if type_ is datetime:
            shown = f"({value} if {value}.tzinfo is _UTC else {value}.isoformat())"
            return (f"(None if {value} is None else {shown})" if optional else shown), optional
        raise _UnsupportedError(f"{field.name} is a {type_!r}")

    def unstructure_source(self, *, keep_none: bool) -> str:
        lines = ["def unstructure(o, /):", "    d = {}"]
        for field in self.fields:
            expression, may_be_none = self.encode_value(field, "v")
            lines.append(f"    v = o.{field.name}")
            if may_be_none and not keep_none:
                lines.append(f"    if v is not None: d[{field.name!r}] = {expression}")
            else:
                lines.append(f"    d[{field.name!r}] = {expression}")
        lines.append("    return d")
        return "\n".join(lines)


def _compile(source: str, env: dict[str, Any], name: str, label: str) -> Any:
    exec(compile(source, f"<{label}>", "exec"), env)
    return env[name]


def builder(cls: type[Any]) -> Builder | None:
    """The trusted builder of an attrs class (an event, or a record one holds); None when
    one of its fields is of a sort this path does not vouch for. Made once per class."""
    if cls in _BUILDERS:
        return _BUILDERS[cls]
    built: Builder | None = None
    if isinstance(cls, type) and attrs.has(cls):
        try:
            generator = _Generator(cls)
            source = generator.builder_source()
        except _UnsupportedError:
            pass
        else:
            label = f"trusted builder of {cls.__qualname__}"
            built = _compile(source, generator.env, "build", label)
    _BUILDERS[cls] = built
    return built


def _unstructurer(cls: type[Any], *, keep_none: bool) -> Unstructure | None:
    if not (isinstance(cls, type) and attrs.has(cls)):
        return None
    try:
        generator = _Generator(cls)
        source = generator.unstructure_source(keep_none=keep_none)
    except _UnsupportedError:
        return None
    made: Unstructure = _compile(
        source, generator.env, "unstructure", f"encoder of {cls.__qualname__}"
    )
    return made


def unstructurer(cls: type[Any]) -> Unstructure | None:
    """A fast encoder of an event class: the dict the codec stores, its None fields left out."""
    if cls not in _ENCODERS:
        _ENCODERS[cls] = _unstructurer(cls, keep_none=False)
    return _ENCODERS[cls]


def _nested_unstructurer(cls: type[Any]) -> Unstructure | None:
    # A record inside an event keeps its None fields, as cattrs writes them.
    if cls not in _RECORD_ENCODERS:
        _RECORD_ENCODERS[cls] = _unstructurer(cls, keep_none=True)
    return _RECORD_ENCODERS[cls]


# Made once per class: the classes are few, and live as long as the process.
_BUILDERS: dict[type[Any], Builder | None] = {}
_ENCODERS: dict[type[Any], Unstructure | None] = {}
_RECORD_ENCODERS: dict[type[Any], Unstructure | None] = {}
