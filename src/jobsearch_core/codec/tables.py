"""Snapshot states as tables: one table of columns per attrs class, each text and moment once.

The shape cattrs writes (`jobsearch_core.codec.states`) repeats every field name in every
object and every company name and timestamp where it occurs: a large state is mostly
that, and parsing it is most of loading it. Here a state is written as one table per
attrs class (a column per field, a row per instance, the root the first row of its
table), the text values as indexes into one list of distinct texts, and datetimes into
one list of distinct moments, enum members as numbers into each enum's list of values
and dictionaries as a list of keys and a list of values: a quarter of the bytes, parsed
as lists of small numbers, and each object made by a generated loop over its class's
columns. Every value is
checked for its type on the way back in, as there (a snapshot that does not fit raises,
and is then ignored). Only states of plain fields are written so; `table_functions`
says None for the rest.

A column of whole numbers only (most are: the indexes of texts, moments, members and
rows) is packed as binary after the JSON document (`pack`), so that parsing makes neither
an int object per value nor a list to hold them: a 25,000-application pipeline parses in
12 ms instead of 21, touching 60% of the memory.
"""

from __future__ import annotations

import array
import enum
import functools
import struct
import sys
import types
import typing
from collections.abc import Callable
from datetime import datetime
from typing import Any

import attrs
import orjson

from jobsearch_core._instances import setters
from jobsearch_core.codec.states import UnsupportedError, _finite, _is_key
from jobsearch_core.views.frozen import FrozenDict, FrozenList, frozen_class

__all__ = ["FORMAT", "MAGIC", "TableDump", "TableLoad", "pack", "table_functions", "unpack"]

#: The "format" a tables snapshot is marked with. Format 4 packs the columns of whole
#: numbers after the document (`pack`), a missing index written as -1; format 3 (every
#: column in the JSON, a missing index as null) and format 2 (dictionary keys as JSON
#: object keys, enum members by value) are still read.
FORMAT = 4
READ_FORMATS = (2, 3, 4)

#: Format 4's bytes: this, the JSON document's length (4 bytes, big-endian), the document,
#: then the packed columns (little-endian), each named in the document by a `_PACKED` object.
MAGIC = b"JTB4"
_LENGTH = struct.Struct(">I")
_PACKED = ("packed", "at", "count")
#: The array type codes of packed columns, narrowest first.
_CODES = ("i", "q")

#: A state and its corrections -> the JSON-ready document.
TableDump = Callable[[Any, list[tuple[int, int]]], dict[str, Any]]
#: The parsed document -> the state and its corrections.
TableLoad = Callable[[Any], tuple[Any, dict[int, int]]]


class _Writer:
    """What a dump gathers: the distinct texts and moments, and each class's columns."""

    __slots__ = ("columns", "moments", "rows", "texts")

    def __init__(self, tables: int) -> None:
        self.texts: dict[str, int] = {}
        self.moments: dict[tuple[datetime, Any], int] = {}
        self.columns: list[list[list[Any]] | None] = [None] * tables
        self.rows: list[dict[int, int]] = [{} for _ in range(tables)]


class _TableCodegen:
    """Generates a state class's dump and load, and those of every class it holds."""

    def __init__(self, *, frozen: bool, version: int = FORMAT) -> None:
        self.frozen = frozen
        self.version = version
        #: The enum classes written as numbers (format 3), in the order listed.
        self.enums: list[type[enum.Enum]] = []
        #: Those the class whose loader is being made uses (`load_function`).
        self._enums_used: set[int] = set()
        self.env: dict[str, Any] = {
            "_new": object.__new__,
            "_finite": _finite,
            "_FrozenList": FrozenList,
            "_FrozenDict": FrozenDict,
            # Read-only, so one empty list and one empty dict serve every frozen row.
            "_NO_ITEMS": FrozenList(),
            "_NO_KEYS": FrozenDict(),
        }
        self.lines: list[str] = []
        #: The attrs classes, dependencies first (the order tables are written and read in).
        self.order: list[type[Any]] = []
        self.index: dict[type[Any], int] = {}
        self._visiting: set[type[Any]] = set()
        self.counter = 0

    def _enum(self, type_: type[enum.Enum]) -> int:
        """The number of an enum class among those written as numbers."""
        if type_ not in self.enums:
            self.enums.append(type_)
            number = len(self.enums) - 1
            self.env[f"_e{number}"] = {member: i for i, member in enumerate(type_)}
        return self.enums.index(type_)

    def _name(self, prefix: str) -> str:
        self.counter += 1
        return f"{prefix}{self.counter}"

    # --- the classes, dependencies first ------------------------------------------------------

    def _fields(self, cls: type[Any]) -> list[tuple[str, Any]]:
        if "__slots__" not in cls.__dict__ or hasattr(cls, "__attrs_post_init__"):
            raise UnsupportedError(cls)
        if not attrs.fields(cls):
            raise UnsupportedError(cls)  # a table of no columns has no rows to count
        hints = typing.get_type_hints(cls)
        return [(field.name, hints[field.name]) for field in attrs.fields(cls)]

    def visit(self, cls: type[Any]) -> None:
        """Number `cls` after the classes its fields hold (a class that holds itself is not
        supported)."""
        if cls in self.index:
            return
        if cls in self._visiting:
            raise UnsupportedError(cls)
        self._visiting.add(cls)
        for _, type_ in self._fields(cls):
            self._visit_type(type_)
        self._visiting.discard(cls)
        self.index[cls] = len(self.order)
        self.order.append(cls)

    def _visit_type(self, type_: Any) -> None:
        if isinstance(type_, type) and attrs.has(type_):
            self.visit(type_)
        for arg in typing.get_args(type_):
            self._visit_type(arg)

    # --- writing ------------------------------------------------------------------------------

    def dump_value(self, type_: Any, expr: str) -> str:
        """An expression for `expr` as a column holds it."""
        origin, args = typing.get_origin(type_), typing.get_args(type_)
        if origin in (typing.Union, types.UnionType):
            rest = [arg for arg in args if arg is not type(None)]
            if len(rest) != 1 or len(args) != 2:
                raise UnsupportedError(type_)
            inner = self.dump_value(rest[0], expr)
            if _is_index(rest[0]):  # an index, so none is -1: the column stays whole numbers
                return f"(-1 if {expr} is None else {inner})"
            return expr if inner == expr else f"(None if {expr} is None else {inner})"
        if type_ is str:
            return f"_t.setdefault({expr}, len(_t))"
        if type_ is datetime:
            # By the moment and its zone: equal moments in two zones are written apart.
            return f"_m.setdefault(({expr}, {expr}.tzinfo), len(_m))"
        if type_ is float:
            return f"_finite({expr})"
        if type_ in (int, bool):
            return expr
        if isinstance(type_, type) and issubclass(type_, enum.Enum):
            return f"_e{self._enum(type_)}[{expr}]"
        if isinstance(type_, type) and attrs.has(type_):
            return f"_dump{self.index[type_]}({expr}, w)"
        if origin is list and len(args) == 1:
            inner = self.dump_value(args[0], "_x")
            return expr if inner == "_x" else f"[{inner} for _x in {expr}]"
        if origin is dict and len(args) == 2 and _is_key(args[0]):
            # The keys and the values as two lists: the keys as numbers too.
            key = self.dump_value(args[0], "_k")
            inner = self.dump_value(args[1], "_x")
            values = (
                f"list({expr}.values())"
                if inner == "_x"
                else (f"[{inner} for _x in {expr}.values()]")
            )
            return f"[[{key} for _k in {expr}], {values}]"
        raise UnsupportedError(type_)

    def dump_function(self, cls: type[Any]) -> None:
        """``_dumpN(o, w)``: the row of `o` in its class's table (written once per object)."""
        number = self.index[cls]
        fields = self._fields(cls)
        body = [
            f"def _dump{number}(o, w):",
            f"    rows = w.rows[{number}]",
            "    found = rows.get(id(o))",
            "    if found is not None: return found",
            f"    columns = w.columns[{number}]",
            "    if columns is None:",
            f"        columns = w.columns[{number}] = [{', '.join(['[]'] * len(fields))}]",
            "    row = rows[id(o)] = len(columns[0])",
            "    _t, _m = w.texts, w.moments",
        ]
        for i, (field, type_) in enumerate(fields):
            body.append(f"    columns[{i}].append({self.dump_value(type_, f'o.{field}')})")
        body.append("    return row")
        self.lines += body

    # --- reading ------------------------------------------------------------------------------

    def load_value(self, type_: Any, expr: str, indent: str) -> tuple[list[str], str]:
        """Lines that check `expr` (as a column holds it) and the expression to keep."""
        origin, args = typing.get_origin(type_), typing.get_args(type_)
        if origin in (typing.Union, types.UnionType):
            rest = [arg for arg in args if arg is not type(None)]
            if len(rest) != 1 or len(args) != 2:
                raise UnsupportedError(type_)
            inner, kept = self.load_value(rest[0], expr, indent + "    ")
            if self.version >= 4 and _is_index(rest[0]):
                return inner, f"({kept} if {expr} >= 0 else None)"
            if not inner:
                return [], f"(None if {expr} is None else {kept})"
            var = self._name("_o")
            lines = [f"{indent}{var} = None", f"{indent}if {expr} is not None:", *inner]
            lines.append(f"{indent}    {var} = {kept}")
            return lines, var
        if type_ is str:
            return [], f"_t[{expr}]"
        if type_ is datetime:
            return [], f"_m[{expr}]"
        if type_ in (int, bool, float):
            check = f"type({expr}) is not {type_.__name__}"
            return [f"{indent}if {check}: raise ValueError({expr!r})"], expr
        if isinstance(type_, type) and issubclass(type_, enum.Enum):
            if self.version >= 3:  # a number, into the snapshot's list of the enum's values
                number = self._enum(type_)
                self._enums_used.add(number)
                return [], f"_E{number}[{expr}]"
            table = self._name("_members")
            self.env[table] = {member.value: member for member in type_}
            return [], f"{table}[{expr}]"
        if isinstance(type_, type) and attrs.has(type_):
            return [], f"_rows{self.index[type_]}[{expr}]"
        if origin is list and len(args) == 1:
            item = self._name("_x")
            inner, kept = self.load_value(args[0], item, indent + "    ")
            check = f"{indent}if type({expr}) is not list: raise ValueError({expr!r})"
            if not inner:
                made = expr if kept == item else f"[{kept} for {item} in {expr}]"
                return [check], self._frozen_list(made, expr)
            var = self._name("_l")
            lines = [check, f"{indent}{var} = []", f"{indent}for {item} in {expr}:", *inner]
            lines.append(f"{indent}    {var}.append({kept})")
            return lines, self._frozen_list(var, var)
        if origin is dict and len(args) == 2 and _is_key(args[0]) and self.version >= 3:
            key, item = self._name("_k"), self._name("_x")
            key_lines, kept_key = self.load_value(args[0], key, indent + "    ")
            inner, kept = self.load_value(args[1], item, indent + "    ")
            check = (
                f"{indent}if type({expr}) is not list or len({expr}) != 2"
                f" or type({expr}[0]) is not list or type({expr}[1]) is not list:"
                f" raise ValueError({expr!r})"
            )
            pairs = f"zip({expr}[0], {expr}[1], strict=True)"
            return self._dict_of(
                check, pairs, f"{expr}[0]", indent, (key, key_lines, kept_key), (item, inner, kept)
            )
        if origin is dict and len(args) == 2 and _is_key(args[0]):
            key, item = self._name("_k"), self._name("_x")
            inner, kept = self.load_value(args[1], item, indent + "    ")
            kept_key = key
            if args[0] is not str:
                table = self._name("_keys")
                self.env[table] = {member.value: member for member in args[0]}
                kept_key = f"{table}[{key}]"
            check = f"{indent}if type({expr}) is not dict: raise ValueError({expr!r})"
            return self._dict_of(
                check, f"{expr}.items()", expr, indent, (key, [], kept_key), (item, inner, kept)
            )
        raise UnsupportedError(type_)

    def _dict_of(
        self,
        check: str,
        pairs: str,
        column: str,
        indent: str,
        keys: tuple[str, list[str], str],
        values: tuple[str, list[str], str],
    ) -> tuple[list[str], str]:
        """Lines that make a dict from `pairs` (an expression of (key, value) pairs of the
        column `column`), and the expression to keep: each of `keys` and `values` is the
        loop variable, the lines that check it and the expression kept of it."""
        key, key_lines, kept_key = keys
        item, inner, kept = values
        if not key_lines and not inner:
            comprehension = f"{{{kept_key}: {kept} for {key}, {item} in {pairs}}}"
            return [check], self._frozen_dict(comprehension, column)
        var = self._name("_d")
        lines = [
            check,
            f"{indent}{var} = {{}}",
            f"{indent}for {key}, {item} in {pairs}:",
            *key_lines,
            *inner,
            f"{indent}    {var}[{kept_key}] = {kept}",
        ]
        return lines, self._frozen_dict(var, var)

    def _frozen_list(self, made: str, column: str) -> str:
        """The list `made` from a column as the loaded row keeps it (frozen: the shared
        empty one when the column is empty)."""
        if not self.frozen:
            return made
        return f"(_FrozenList({made}) if {column} else _NO_ITEMS)"

    def _frozen_dict(self, made: str, column: str) -> str:
        """The dict `made` from a column as the loaded row keeps it."""
        if not self.frozen:
            return made
        return f"(_FrozenDict({made}) if {column} else _NO_KEYS)"

    def load_function(self, cls: type[Any]) -> None:
        """``_loadN(columns, _t, _m, tables, _E)``: the rows of a class's table, in order
        (`_E`: each enum's members by the numbers the snapshot writes them as)."""
        number = self.index[cls]
        fields = self._fields(cls)
        self.env[f"_cls{number}"] = frozen_class(cls) if self.frozen else cls
        self.env[f"_base{number}"] = cls
        self._enums_used = set()
        # A class that sets its fields the plain way (no attrs hook, not frozen) is filled
        # by assignment and, when frozen, takes its read-only class after: three times
        # faster than a slot setter per field.
        plain = getattr(cls, "__setattr__", None) is object.__setattr__
        slots = setters(cls)
        names = [f"_c{i}" for i in range(len(fields))]
        body = [
            f"def _load{number}(columns, _t, _m, tables, _E):",
            f"    if type(columns) is not list or len(columns) != {len(fields)}:",
            "        raise ValueError(columns)",
        ]
        used = {self.index[t] for _, type_ in fields for t in _attrs_in(type_) if t in self.index}
        for other in sorted(used):
            body.append(f"    _rows{other} = tables[{other}]")
        enums_at = len(body)
        body.append("    out = []")
        body.append(f"    for {', '.join(names)}, in zip(*columns, strict=True):")
        body.append(f"        o = _new({'_base' if plain else '_cls'}{number})")
        for i, (field, type_) in enumerate(fields):
            lines, kept = self.load_value(type_, names[i], "        ")
            body += lines
            if plain:
                body.append(f"        o.{field} = {kept}")
            else:
                setter = f"_set{number}_{field}"
                self.env[setter] = slots[field]
                body.append(f"        {setter}(o, {kept})")
        if plain and self.frozen:
            body.append(f"        o.__class__ = _cls{number}")
        body += ["        out.append(o)", "    return out"]
        # The enums this class's columns use, each as the snapshot lists it.
        body[enums_at:enums_at] = [f"    _E{n} = _E[{n}]" for n in sorted(self._enums_used)]
        self.lines += body


def _is_index(type_: Any) -> bool:
    """Whether a field of this type is written as a number into a list (of texts, moments,
    an enum's members, or a table's rows)."""
    if type_ in (str, datetime):
        return True
    return isinstance(type_, type) and (issubclass(type_, enum.Enum) or attrs.has(type_))


def pack(document: dict[str, Any]) -> bytes:
    """A tables document's bytes (format 4): its columns of whole numbers only packed
    after it. TypeError for what JSON (by orjson) cannot write, as `orjson.dumps`."""
    packed = bytearray()
    tables = []
    for columns in document["tables"]:
        kept: list[Any] = []
        for column in columns:
            numbers = _numbers(column)
            if numbers is None:
                kept.append(column)
                continue
            named = (numbers.typecode, len(packed), len(numbers))
            kept.append(dict(zip(_PACKED, named, strict=True)))
            if sys.byteorder == "big":
                numbers.byteswap()
            packed += numbers.tobytes()
        tables.append(kept)
    text = orjson.dumps({**document, "tables": tables})
    return b"".join((MAGIC, _LENGTH.pack(len(text)), text, packed))


def _numbers(column: list[Any]) -> array.array[int] | None:
    """The column as an array of the narrowest type code that holds it, if it is whole
    numbers only (not bools) that 64 bits hold."""
    if not column or not all(type(value) is int for value in column):
        return None
    for code in _CODES:
        try:
            return array.array(code, column)
        except OverflowError:
            continue
    return None


def unpack(data: bytes | memoryview) -> dict[str, Any] | None:
    """The document of `pack`'s bytes, its packed columns as arrays; None for bytes that
    are not format 4's; ValueError for ones that do not hold together."""
    if bytes(data[: len(MAGIC)]) != MAGIC:
        return None
    view = memoryview(data)
    start = len(MAGIC) + _LENGTH.size
    if len(view) < start:
        raise ValueError("a tables snapshot cut short")
    (length,) = _LENGTH.unpack(view[len(MAGIC) : start])
    if len(view) < start + length:
        raise ValueError("a tables snapshot cut short")
    document: Any = orjson.loads(view[start : start + length])
    packed = view[start + length :]
    tables = document.get("tables") if type(document) is dict else None
    if type(tables) is not list:
        raise ValueError("not a tables snapshot")
    for columns in tables:
        if type(columns) is not list:
            raise ValueError("not a tables snapshot")
        for i, column in enumerate(columns):
            if type(column) is dict:
                columns[i] = _unpacked(column, packed)
    found: dict[str, Any] = document
    return found


def _unpacked(named: dict[str, Any], packed: memoryview) -> array.array[int]:
    if list(named) != list(_PACKED) or named["packed"] not in _CODES:
        raise ValueError(f"not a packed column: {named!r}")
    numbers = array.array(named["packed"])
    at, count = named["at"], named["count"]
    if type(at) is not int or type(count) is not int or at < 0 or count < 1:
        raise ValueError(f"not a packed column: {named!r}")
    end = at + count * numbers.itemsize
    if end > len(packed):
        raise ValueError("a packed column past the end of the snapshot")
    numbers.frombytes(packed[at:end])
    if sys.byteorder == "big":
        numbers.byteswap()
    return numbers


def _attrs_in(type_: Any) -> list[type[Any]]:
    found: list[type[Any]] = []
    if isinstance(type_, type) and attrs.has(type_):
        found.append(type_)
    for arg in typing.get_args(type_):
        found += _attrs_in(arg)
    return found


def _moments(texts: list[Any]) -> list[datetime]:
    """The moments written as ISO texts, each with its zone (else ValueError)."""
    if not all(type(text) is str for text in texts):
        raise ValueError("a moment that is not a text")
    parse = datetime.fromisoformat
    found = [parse(text) for text in texts]
    if not all(moment.tzinfo is not None for moment in found):
        raise ValueError("a moment without its zone")
    return found


@functools.cache
def _generated(state_type: type[Any], frozen: bool, version: int, dumps: bool) -> _TableCodegen:
    """The generated code of a state class: its loaders of one format, or (`dumps`) its
    dumpers of `FORMAT`; UnsupportedError (or the NameError or TypeError of annotations that
    do not resolve) when its fields are not plain."""
    codegen = _TableCodegen(frozen=frozen, version=version)
    codegen.visit(state_type)
    for cls in codegen.order:
        if dumps:
            codegen.dump_function(cls)
        else:
            codegen.load_function(cls)
    what = "dump" if dumps else f"load, format {version}"
    source = "\n".join(codegen.lines)
    exec(compile(source, f"<table codec for {state_type.__name__}: {what}>", "exec"), codegen.env)
    return codegen


@functools.cache
def table_functions(
    state_type: type[Any], *, frozen: bool = False
) -> tuple[TableDump, TableLoad] | None:
    """(dump, load) of an attrs state class of plain fields as tables; None when it is not
    one. With `frozen`, load makes the state frozen (`jobsearch_core.views.frozen`).
    Dump writes `FORMAT`; load reads every one of `READ_FORMATS`.

    Each is generated when first called (a process that only loads a view of the current
    format generates nothing else); the loaders of `FORMAT` are made here, as the test of
    whether the class has a tables form at all. Dumping and loading walk the fields in the
    same order, so both number the enums alike.
    """
    if not (isinstance(state_type, type) and attrs.has(state_type)):
        return None
    try:
        current = _generated(state_type, frozen, FORMAT, False)
    except (UnsupportedError, NameError, TypeError):
        return None
    count = len(current.order)
    root = current.index[state_type]

    def dump(state: Any, retractions: list[tuple[int, int]]) -> dict[str, Any]:
        writing = _generated(state_type, frozen, FORMAT, True)
        writer = _Writer(count)
        writing.env[f"_dump{root}"](state, writer)
        return {
            "format": FORMAT,
            "enums": [[member.value for member in kind] for kind in writing.enums],
            "texts": list(writer.texts),
            "moments": [moment.isoformat() for moment, _ in writer.moments],
            "tables": [columns if columns is not None else [] for columns in writer.columns],
            "retractions": retractions,
        }

    def load(saved: Any) -> tuple[Any, dict[int, int]]:
        version = saved.get("format") if type(saved) is dict else None
        if version not in READ_FORMATS:
            raise ValueError("not a tables snapshot")
        texts, moments, tables = saved["texts"], saved["moments"], saved["tables"]
        if type(texts) is not list or type(moments) is not list or type(tables) is not list:
            raise ValueError("not a tables snapshot")
        if len(tables) != count:
            raise ValueError(f"{len(tables)} tables for {count} classes")
        if not all(type(text) is str for text in texts):
            raise ValueError("a text that is not one")
        reading = _generated(state_type, frozen, version, False)  # `current` for FORMAT
        parsed = _moments(moments)
        members = _members(reading.enums, saved.get("enums", []))
        loaders = [reading.env[f"_load{i}"] for i in range(count)]
        rows: list[list[Any]] = []
        for loader, columns in zip(loaders, tables, strict=True):
            rows.append(loader(columns, texts, parsed, rows, members) if columns else [])
        found = rows[root]
        if len(found) < 1:
            raise ValueError("no root row")
        return found[0], {int(p): int(t) for p, t in saved["retractions"]}

    return dump, load


def _members(kinds: list[type[enum.Enum]], listed: Any) -> list[dict[int, enum.Enum]]:
    """Each enum's members by the numbers a snapshot wrote them as (its list of values,
    looked up among the members the enum has now; one it no longer has raises)."""
    if type(listed) is not list or len(listed) != len(kinds):
        raise ValueError(f"{len(listed)} enums listed for {len(kinds)}")
    found = []
    for kind, values in zip(kinds, listed, strict=True):
        if type(values) is not list:
            raise ValueError(values)
        by_value = {member.value: member for member in kind}
        found.append({number: by_value[value] for number, value in enumerate(values)})
    return found
