"""Read-only view states that share what did not change: `freeze`, `thaw` and `own`.

The log keeps each view's latest state and folds only new events into it, so `view()`
cannot hand out a fresh copy of a large state per call. A view whose fold is
copy-on-write (`View.copy_on_write`) has its state frozen when it is handed out: every
attrs instance in it takes a read-only subclass of its class (the same fields, `==` to
the mutable original, `isinstance` of it), lists become `FrozenList`, dicts
`FrozenDict`; changing any of them raises `ReadOnlyStateError`. The fold then never
changes a frozen object: it `thaw`s a copy (the object and, one level down, its lists
and dicts) and puts the copy where the original was (`own`), so an answer handed out
earlier stays as it was and the next one shares everything the new events left alone.

Freezing stops at what is frozen already (all it reaches is frozen too), and a dict
that `thaw` made remembers the keys set since, so freezing after a few events costs
what those events changed, not the size of the state. ``copy.deepcopy`` of a frozen
state gives an ordinary, mutable one.
"""

from __future__ import annotations

import enum
import types
import typing
from collections.abc import Callable, MutableMapping
from datetime import date, datetime, time, timedelta
from typing import Any, NoReturn, TypeVar

import attrs

from jobsearch_core.errors import ReadOnlyStateError

__all__ = ["FrozenDict", "FrozenList", "freeze", "frozen_class", "is_frozen", "own", "thaw"]

T = TypeVar("T")
K = TypeVar("K")

#: Values that are immutable all the way down: frozen as they are.
_PLAIN: frozenset[type] = frozenset(
    {str, int, float, bool, bytes, complex, type(None), datetime, date, time, timedelta}
)

_HINT = "copy.deepcopy(state) gives a copy of your own to change"


def _refuse(what: str) -> NoReturn:
    raise ReadOnlyStateError(f"a view's state is read-only: {what}; {_HINT}")


class FrozenList(list[T]):
    """A list of a frozen state: reads as a list, refuses every change."""

    __slots__ = ("_set",)

    def _no(self, *args: Any, **kwargs: Any) -> NoReturn:
        _refuse("this list cannot be changed")

    append = extend = insert = remove = pop = clear = sort = reverse = _no
    __setitem__ = __delitem__ = __iadd__ = __imul__ = _no

    def __reduce_ex__(self, protocol: Any) -> tuple[Any, ...]:
        # Copied or pickled, it is an ordinary list again.
        return (list, (list(self),))

    def __copy__(self) -> list[T]:
        return list(self)


class FrozenDict(dict[K, T]):
    """A dict of a frozen state: reads as a dict, refuses every change."""

    __slots__ = ("_set",)

    def _no(self, *args: Any, **kwargs: Any) -> NoReturn:
        _refuse("this dict cannot be changed")

    __setitem__ = __delitem__ = clear = pop = popitem = setdefault = update = _no
    __ior__ = _no

    def __reduce_ex__(self, protocol: Any) -> tuple[Any, ...]:
        return (dict, (dict(self),))

    def __copy__(self) -> dict[K, T]:
        return dict(self)


class _ThawedList(list[T]):
    """A list that `thaw` copied from a `FrozenList`: becomes one again in place when frozen."""

    __slots__ = ("_set",)


class _ThawedDict(dict[K, T]):
    """A dict that `thaw` copied from a `FrozenDict`, noting the keys set since, so that
    freezing it looks at those values only."""

    __slots__ = ("_set",)
    _set: set[Any]

    def __setitem__(self, key: K, value: T) -> None:
        self._set.add(key)
        dict.__setitem__(self, key, value)

    def setdefault(self, key: K, default: T = None) -> T:  # type: ignore[assignment]
        self._set.add(key)
        return dict.setdefault(self, key, default)

    def update(self, *args: Any, **kwargs: Any) -> None:
        more = dict(*args, **kwargs)
        self._set.update(more)
        dict.update(self, more)

    def __ior__(self, other: Any) -> _ThawedDict[K, T]:  # type: ignore[override,misc]
        self.update(other)
        return self


def _thawed_dict(items: dict[K, T]) -> _ThawedDict[K, T]:
    found: _ThawedDict[K, T] = _ThawedDict(items)
    found._set = set()
    return found


#: attrs class -> its read-only subclass, and each read-only subclass -> its class.
_FROZEN: dict[type, type] = {}
_BASE: dict[type, type] = {}
#: The types whose values are frozen as they are: immutable ones, and the frozen ones.
_DONE: set[type] = {*_PLAIN, FrozenList, FrozenDict}
#: Each attrs class's freezer: freezes the fields that may hold something mutable, then
#: gives the instance its read-only class.
_FREEZERS: dict[type, Callable[[Any], None]] = {}


def _rebuilt(cls: Any, values: tuple[Any, ...]) -> Any:
    """An instance of `cls` with these field values (how a frozen instance is copied)."""
    found = object.__new__(cls)
    for field, value in zip(attrs.fields(cls), values, strict=True):
        object.__setattr__(found, field.name, value)
    return found


def frozen_class(cls: Any) -> Any:
    """The read-only subclass of an attrs class: what `freeze` turns its instances into."""
    found = _FROZEN.get(cls)
    if found is not None:
        return found
    if cls in _BASE:
        return cls
    fields = attrs.fields(cls)
    names = tuple(field.name for field in fields)
    compared = tuple(field for field in fields if field.eq)

    def refuse_set(self: Any, name: str, value: Any) -> NoReturn:
        _refuse(f"{cls.__qualname__}.{name} cannot be set")

    def refuse_delete(self: Any, name: str) -> NoReturn:
        _refuse(f"{cls.__qualname__}.{name} cannot be deleted")

    def init(self: Any, *args: Any, **kwargs: Any) -> None:
        # attrs.evolve of a frozen instance: made and checked as the class makes it,
        # then frozen.
        made = cls(*args, **kwargs)
        for name in names:
            object.__setattr__(self, name, freeze(getattr(made, name)))

    def equal(self: Any, other: object) -> Any:
        if not isinstance(other, cls) or _BASE.get(type(other), type(other)) is not cls:
            return NotImplemented
        for field in compared:
            mine, theirs = getattr(self, field.name), getattr(other, field.name)
            if field.eq_key is not None:
                mine, theirs = field.eq_key(mine), field.eq_key(theirs)
            if mine != theirs:
                return False
        return True

    def reduce(self: Any, protocol: Any) -> tuple[Any, ...]:
        # Copied or pickled, it is an instance of its own, mutable class again.
        return (_rebuilt, (cls, tuple(getattr(self, name) for name in names)))

    namespace: dict[str, Any] = {
        "__slots__": (),
        "__setattr__": refuse_set,
        "__delattr__": refuse_delete,
        "__init__": init,
        "__reduce_ex__": reduce,
        "__qualname__": cls.__qualname__,
        "__module__": cls.__module__,
        "__doc__": cls.__doc__,
    }
    if compared or cls.__eq__ is not object.__eq__:
        namespace["__eq__"] = equal
        namespace["__ne__"] = lambda self, other: (
            NotImplemented if (same := equal(self, other)) is NotImplemented else not same
        )
        namespace["__hash__"] = cls.__hash__
    found = type(cls.__name__, (cls,), namespace)
    _FROZEN[cls] = found
    _BASE[found] = cls
    _DONE.add(found)
    return found


def is_frozen(value: object) -> bool:
    """Whether a value is a frozen state's (the fold must `thaw` it before a change)."""
    kind = type(value)
    return kind in _BASE or kind is FrozenList or kind is FrozenDict


def freeze(value: T) -> T:
    """Make a state read-only in place, and return it (a list or dict becomes a frozen copy,
    unless `thaw` made it). What is frozen already is not walked again."""
    found: T = _frozen(value)
    return found


def _immutable(hint: Any) -> bool:
    """Whether a field of this annotation holds only values frozen as they are."""
    if hint in _PLAIN or (isinstance(hint, type) and issubclass(hint, enum.Enum)):
        return True
    if typing.get_origin(hint) in (typing.Union, types.UnionType):
        return all(_immutable(arg) for arg in typing.get_args(hint))
    return False


def _freezer(kind: type) -> Callable[[Any], None]:
    """The function that freezes an instance of an attrs class in place: only the fields
    whose annotations allow something mutable are looked at (all of them when the
    annotations cannot be read)."""
    names = [field.name for field in attrs.fields(kind)]
    try:
        hints = typing.get_type_hints(kind)
    except Exception:  # a forward reference that does not resolve: look at every field
        hints = {}
    looked_at = [name for name in names if not _immutable(hints.get(name, Any))]
    # A class that sets its fields the plain way is set by assignment (the faster way).
    plain = getattr(kind, "__setattr__", None) is object.__setattr__
    lines = ["def freeze(value):"]
    for name in looked_at:
        lines += [f"    item = value.{name}", "    if type(item) not in _DONE:"]
        if plain:
            lines.append(f"        value.{name} = _frozen(item)")
        else:
            lines.append(f"        _set(value, {name!r}, _frozen(item))")
    lines.append("    value.__class__ = _F" if plain else "    _set(value, '__class__', _F)")
    env: dict[str, Any] = {
        "_DONE": _DONE,
        "_frozen": _frozen,
        "_set": object.__setattr__,
        "_F": frozen_class(kind),
    }
    exec(compile("\n".join(lines), f"<freezer of {kind.__qualname__}>", "exec"), env)
    found: Callable[[Any], None] = env["freeze"]
    return found


def _frozen(value: Any) -> Any:
    kind = type(value)
    if kind in _DONE:
        return value
    freezer = _FREEZERS.get(kind)
    if freezer is not None:
        freezer(value)
        return value
    if kind is _ThawedDict:
        found = value
        for key in found._set:
            if key in found:
                item = dict.__getitem__(found, key)
                if type(item) not in _DONE:
                    dict.__setitem__(found, key, _frozen(item))
        found._set = None
        found.__class__ = FrozenDict
        return value
    if kind is _ThawedList:
        items = value
        done = _DONE
        for index, item in enumerate(items):
            if type(item) not in done:
                list.__setitem__(items, index, _frozen(item))
        items.__class__ = FrozenList
        return value
    if kind is list:
        done = _DONE
        for item in value:
            if type(item) not in done:
                return FrozenList([_frozen(item) for item in value])
        return FrozenList(value)
    if kind is dict:
        done = _DONE
        for item in value.values():
            if type(item) not in done:
                return FrozenDict({key: _frozen(item) for key, item in value.items()})
        return FrozenDict(value)
    if kind is tuple:
        return tuple([_frozen(item) for item in value])
    if kind is set:
        return frozenset(value)
    if isinstance(value, enum.Enum) or kind is frozenset:
        _DONE.add(kind)  # immutable: enum members, and sets that cannot change
        return value
    if attrs.has(kind):
        freezer = _FREEZERS[kind] = _freezer(kind)
        freezer(value)
    return value


def thaw(value: T) -> T:
    """A mutable copy of a frozen object: an attrs instance of its own class, its lists and
    dicts copied one level down (what they hold stays frozen); a list or dict copied. A
    value that is not frozen is returned as it is."""
    found: T = _thawed(value)
    return found


def _thawed(value: Any) -> Any:
    kind = type(value)
    base = _BASE.get(kind)
    if base is not None:
        found: Any = object.__new__(base)
        for field in attrs.fields(base):
            item = getattr(value, field.name)
            kind_of = type(item)
            if kind_of is FrozenList:
                item = _ThawedList(item)
            elif kind_of is FrozenDict:
                item = _thawed_dict(item)
            object.__setattr__(found, field.name, item)
        return found
    if kind is FrozenList:
        return _ThawedList(value)
    if kind is FrozenDict:
        return _thawed_dict(value)
    return value


def own(container: MutableMapping[K, T] | list[T], key: Any) -> T:
    """The item at `key` of a (thawed) dict or list, thawed and put back if it was frozen:
    the fold's way to change an item in place."""
    item = container[key]
    if is_frozen(item):
        item = container[key] = thaw(item)
    return item
