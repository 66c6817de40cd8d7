"""Each kind of event field and its rule, written once.

A field made here (`name()`, `whole(minimum=1)`, `choice(Stage)` ...) carries its `Kind`
in its attrs metadata. A kind's rule is a short list of `Check`s, each a Python
expression over the value and what a refusal says. The class's validator is compiled
from those checks, and so is the trusted decoder's inline test
(`jobsearch_core.codec.trusted`): change a bound here and both follow, because there is
nothing else to change. Plugins build their own event classes from the same functions,
and get the same fast decoding.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime
from typing import Any, TypeVar

import attrs

from jobsearch_core.errors import InvalidEventError

__all__ = [
    "KIND",
    "Check",
    "Choice",
    "Kind",
    "Moment",
    "Name",
    "Names",
    "Records",
    "Shares",
    "Text",
    "Whole",
    "choice",
    "kind_of",
    "moment",
    "name",
    "names",
    "optional_name",
    "optional_whole",
    "records",
    "refuse",
    "text",
    "whole",
]

#: The attrs metadata key under which a field made here keeps its `Kind`.
KIND = "jobsearch_core.kind"

E = TypeVar("E", bound=enum.StrEnum)
Validator = Callable[[Any, "attrs.Attribute[Any]", Any], None]


def refuse(
    instance: Any, field: attrs.Attribute[Any], problem: str, value: Any
) -> InvalidEventError:
    """The error for a refused value: it names the class, the field and the value."""
    cls = type(instance).__name__
    shown = repr(value)
    if len(shown) > 80:
        shown = shown[:77] + "..."
    return InvalidEventError(
        f"{cls}.{field.name} {problem}, got {shown}", event_type=cls, field=field.name
    )


@attrs.frozen
class Check:
    """One condition a value must meet: `test` is an expression over ``{v}``; `problem` says why not."""

    test: str
    problem: str

    def on(self, value: str) -> str:
        """The test as an expression over the variable named `value`."""
        return self.test.format(v=value)


class Kind:
    """One kind of field: the checks every value it keeps must pass.

    `optional` lets None through as well. A kind with a converter (`convert`) reads
    looser input into the kept form, which the checks then hold for.
    """

    checks: tuple[Check, ...] = ()
    optional: bool = False

    def test(self, value: str) -> str:
        """One expression over the variable `value`: true when it passes every check."""
        joined = " and ".join(f"({check.on(value)})" for check in self.checks) or "True"
        return f"({value} is None or ({joined}))" if self.optional else joined

    def predicate(self) -> Callable[[Any], bool]:
        """`test` as a function of the value."""
        source = f"def passes(v):\n    return bool({self.test('v')})"
        env: dict[str, Any] = {}
        exec(compile(source, f"<test of {type(self).__name__}>", "exec"), env)
        passes: Callable[[Any], bool] = env["passes"]
        return passes

    def validator(self) -> Validator | None:
        """The attrs validator, compiled from `checks`: it raises naming the first one failed."""
        if not self.checks:
            return None
        lines = ["def check(instance, field, v):"]
        if self.optional:
            lines.append("    if v is None: return")
        env: dict[str, Any] = {"_refuse": refuse}
        for i, condition in enumerate(self.checks):
            env[f"_problem{i}"] = condition.problem
            lines.append(
                f"    if not ({condition.on('v')}): raise _refuse(instance, field, _problem{i}, v)"
            )
        exec(compile("\n".join(lines), f"<checks of {type(self).__name__}>", "exec"), env)
        validator: Validator = env["check"]
        return validator

    def convert(self, value: Any, instance: Any, field: attrs.Attribute[Any]) -> Any:
        """The value as kept (kinds without a converter keep it as given)."""
        return value

    @property
    def converter(self) -> attrs.Converter[Any, Any]:
        """`convert` as an attrs converter (it names the class and field when it refuses)."""
        return attrs.Converter(self.convert, takes_self=True, takes_field=True)

    @property
    def metadata(self) -> dict[str, Kind]:
        """The attrs metadata that marks a field as of this kind.

        A field that converts looser input (a `Choice`, `Names`, `Records`) is written
        ``attrs.field(converter=kind.converter, metadata=kind.metadata)`` where a type
        checker should accept that input (text for a choice, a list for names):
        mypy's attrs plugin reads the converter only from a literal `attrs.field`.
        """
        return {KIND: self}


_IS_TEXT = Check("type({v}) is str", "must be text")


class Text(Kind):
    """Free text (blank included), or None."""

    checks = (Check("type({v}) is str", "must be text or None"),)
    optional = True


class Name(Kind):
    """Non-blank text: a company, a role, a skill; None too when `optional`."""

    checks = (_IS_TEXT, Check("{v}.strip()", "must not be empty or blank"))

    def __init__(self, *, optional: bool = False) -> None:
        self.optional = optional


class Whole(Kind):
    """A whole number of at least `minimum`; None too when `optional`."""

    def __init__(self, minimum: int, *, optional: bool = False) -> None:
        self.minimum = minimum
        self.optional = optional
        # type() and not isinstance(): True and False are ints, but not whole numbers here.
        self.checks = (
            Check("type({v}) is int", "must be a whole number"),
            Check(f"{{v}} >= {minimum}", f"must be at least {minimum}"),
        )


class Choice(Kind):
    """One member of a `StrEnum` (of the `allowed` members only, when given).

    Text is read loosely ("Second interview", "second-interview"); the stored form is
    the member's value, read back through the same table.
    """

    def __init__(self, enum_type: type[E], allowed: Iterable[E] | None = None) -> None:
        self.enum_type = enum_type
        #: Each allowed member by its value: the one table both directions use.
        self.members: dict[str, enum.StrEnum] = {
            member.value: member for member in (enum_type if allowed is None else allowed)
        }

    def convert(self, value: Any, instance: Any, field: attrs.Attribute[Any]) -> Any:
        """The member `value` names, or `InvalidEventError` listing the choices."""
        if isinstance(value, str):
            member = self.members.get(value.strip().lower().replace("-", "_").replace(" ", "_"))
            if member is not None:
                return member
        raise refuse(instance, field, f"must be one of {', '.join(self.members)}", value)


class Moment(Kind):
    """A timezone-aware datetime, kept in UTC; naive datetimes are refused."""

    def convert(self, value: Any, instance: Any, field: attrs.Attribute[Any]) -> datetime:
        """`value` in UTC, or `InvalidEventError` naming what is wrong with it."""
        if not isinstance(value, datetime):
            raise refuse(instance, field, "must be a datetime", value)
        if value.tzinfo is None or value.utcoffset() is None:
            raise refuse(
                instance, field, "must be timezone-aware (naive datetimes are refused)", value
            )
        try:
            return value.astimezone(UTC)
        except OverflowError:
            raise refuse(instance, field, "is out of range once put in UTC", value) from None


class Names(Kind):
    """A list of names (any iterable but text or a mapping), kept as a tuple."""

    #: What each name must be.
    item = Name()

    def __init__(self) -> None:
        self._item_passes = self.item.predicate()

    def convert(self, value: Any, instance: Any, field: attrs.Attribute[Any]) -> tuple[str, ...]:
        """`value` as a tuple of names, or `InvalidEventError` naming the first bad one."""
        if isinstance(value, str | bytes | Mapping) or not isinstance(value, Iterable):
            raise refuse(instance, field, "must be a list of names", value)
        found = tuple(value)
        for item in found:
            if not self._item_passes(item):
                raise refuse(instance, field, "must hold only non-blank text", item)
        return found


class Records(Kind):
    """A non-empty list of `cls` records (an attrs class), each given as one or as a mapping."""

    def __init__(self, cls: type[Any], *, what: str = "items") -> None:
        self.cls = cls
        self.what = what

    def convert(self, value: Any, instance: Any, field: attrs.Attribute[Any]) -> tuple[Any, ...]:
        """`value` as a tuple of `cls`, or `InvalidEventError` naming what does not fit."""
        cls, what = self.cls, self.what
        if isinstance(value, str | bytes | Mapping | cls) or not isinstance(value, Iterable):
            raise refuse(instance, field, f"must be a list of {what}", value)
        items = []
        for item in value:
            if isinstance(item, Mapping):
                try:
                    item = cls(**item)
                except TypeError as error:
                    raise refuse(
                        instance, field, f"holds a malformed item ({error})", item
                    ) from None
            elif not isinstance(item, cls):
                raise refuse(instance, field, f"must hold {cls.__name__} objects or mappings", item)
            items.append(item)
        if not items:
            raise refuse(instance, field, f"must hold at least one {what.removesuffix('s')}", value)
        return tuple(items)


class Shares(Kind):
    """A share (a number from 0 to 1) for some of an enum's members, kept as a dict.

    Given as a mapping of members (or their names, read loosely) to numbers; at least one.
    """

    def __init__(self, keys: Choice, *, what: str = "shares") -> None:
        self.keys = keys
        self.what = what

    def convert(
        self, value: Any, instance: Any, field: attrs.Attribute[Any]
    ) -> dict[enum.StrEnum, float]:
        """`value` as {member: share}, or `InvalidEventError` naming the first bad entry."""
        if not isinstance(value, Mapping):
            raise refuse(instance, field, f"must be a mapping of {self.what}", value)
        shares: dict[enum.StrEnum, float] = {}
        for key, share in value.items():
            member = self.keys.convert(key, instance, field)
            if isinstance(share, bool) or not isinstance(share, int | float):
                raise refuse(instance, field, f"must map {member} to a number", share)
            if not 0.0 <= float(share) <= 1.0:  # NaN fails this too
                raise refuse(instance, field, f"must map {member} to a share from 0 to 1", share)
            shares[member] = float(share)
        if not shares:
            raise refuse(instance, field, f"must hold at least one of the {self.what}", value)
        return shares


def kind_of(field: attrs.Attribute[Any]) -> Kind | None:
    """The kind a field was made with here, or None for any other attrs field."""
    found = field.metadata.get(KIND)
    return found if isinstance(found, Kind) else None


# --- the fields, for event classes ------------------------------------------------------------


def _field(kind: Kind, *, converts: bool = False, **kwargs: Any) -> Any:
    extra: dict[str, Any] = {}
    validator = kind.validator()
    if validator is not None:
        validator.__kind__ = kind  # type: ignore[attr-defined]  # the trusted decoder inlines it
        extra["validator"] = validator
    if converts:
        extra["converter"] = kind.converter
    return attrs.field(metadata=kind.metadata, **extra, **kwargs)


_NAME = Name()
_OPTIONAL_NAME = Name(optional=True)
_TEXT = Text()


def name() -> Any:
    """A required name: non-blank text."""
    return _field(_NAME)


def optional_name() -> Any:
    """A name that may be left out (None, the default)."""
    return _field(_OPTIONAL_NAME, default=None)


def text() -> Any:
    """Free text that may be left out: any text, blank included, or None (the default)."""
    return _field(_TEXT, default=None)


def whole(minimum: int = 0, *, default: int | None = None) -> Any:
    """A whole number of at least `minimum` (required unless a `default` is given)."""
    if default is None:
        return _field(Whole(minimum))
    return _field(Whole(minimum), default=default)


def optional_whole(minimum: int = 0) -> Any:
    """A whole number of at least `minimum`, or None (the default)."""
    return _field(Whole(minimum, optional=True), default=None)


def choice(enum_type: type[E], allowed: Iterable[E] | None = None) -> Any:
    """One of an enum's members (or of the `allowed` ones), read loosely from text."""
    return _field(Choice(enum_type, allowed), converts=True)


def moment(*, default_now: bool = False) -> Any:
    """A timezone-aware datetime kept in UTC; with `default_now`, optional (now)."""
    if default_now:
        return _field(Moment(), converts=True, factory=_now)
    return _field(Moment(), converts=True)


def names() -> Any:
    """A list of names, kept as a tuple."""
    return _field(Names(), converts=True)


def records(cls: type[Any], *, what: str = "items") -> Any:
    """A non-empty list of `cls` records (objects or mappings), kept as a tuple."""
    return _field(Records(cls, what=what), converts=True)


def _now() -> datetime:
    return datetime.now(UTC)
