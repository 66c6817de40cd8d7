"""What a section of the HTML report is: a heading, and tables and lists made from views.

A section is given by a plugin through the `register_report_sections` hook (the
built-in ones too). Its `render` is called with the answers of the views it `uses`
and the moment shown, at every position the report's replay can show; the host
escapes every value, lays the blocks out and replays them.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

import attrs

__all__ = ["Block", "Column", "Lines", "Render", "ReportSection", "Row", "Table"]

_NAME = re.compile(r"[a-z][a-z0-9-]*")


def _name(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, str) or not _NAME.fullmatch(value):
        raise ValueError(
            f"{attribute.name} must be lower-case letters, digits and dashes, starting with "
            f"a letter (it names a page element), got {value!r}"
        )


def _optional_name(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if value is not None:
        _name(instance, attribute, value)


def _texts(values: Iterable[object]) -> tuple[str, ...]:
    return tuple(str(value) for value in values)


@attrs.frozen
class Column:
    """A table's column: its heading, and whether it holds numbers (aligned right)."""

    title: str
    numeric: bool = False


@attrs.frozen(kw_only=True)
class Row:
    """A table row: its cells as text, in column order."""

    cells: tuple[str, ...] = attrs.field(converter=_texts)
    #: What the row is about (a skill, an application id): the row's ``data-`` attribute
    #: when the table names one, and what follows the row from one moment to the next.
    key: str | None = None
    #: Shown in bold: a focus item, say.
    strong: bool = False


def _columns(values: Iterable[Column | str]) -> tuple[Column, ...]:
    return tuple(value if isinstance(value, Column) else Column(value) for value in values)


def _rows(values: Iterable[Row]) -> tuple[Row, ...]:
    return tuple(values)


@attrs.frozen(kw_only=True)
class Table:
    """A table with real column headings; `empty` is said when it has no rows."""

    caption: str
    columns: tuple[Column, ...] = attrs.field(converter=_columns)
    rows: tuple[Row, ...] = attrs.field(converter=_rows, default=())
    #: Each row's `key` goes in the attribute ``data-<data>`` (``data="skill"``:
    #: ``<tr data-skill="SQL">``), so that a script or a test can find it.
    data: str | None = attrs.field(default=None, validator=_optional_name)
    empty: str = "Nothing yet."

    def __attrs_post_init__(self) -> None:
        for row in self.rows:
            if len(row.cells) != len(self.columns):
                raise ValueError(
                    f"table {self.caption!r} has {len(self.columns)} columns but a row with "
                    f"{len(row.cells)} cells: {row.cells!r}"
                )


@attrs.frozen(kw_only=True)
class Lines:
    """A list of sentences under a small heading; nothing is shown when it is empty."""

    title: str
    lines: tuple[str, ...] = attrs.field(converter=_texts, default=())


Block = Table | Lines
#: ``render(states, now)``: the blocks of a section, from the answers of the views it
#: uses (by name) as of one position, and the moment that position stands for.
Render = Callable[[Mapping[str, Any], datetime], Sequence[Block]]


@attrs.frozen(kw_only=True)
class ReportSection:
    """A section of the HTML report: a heading over what `render` makes of some views."""

    #: Unique among the installed sections; the page element is ``section-<name>``.
    name: str = attrs.field(validator=_name)
    title: str
    render: Render
    #: The views whose answers `render` is handed, by name.
    uses: tuple[str, ...] = attrs.field(converter=_texts, default=())
    #: A sentence under the heading, the same at every moment.
    intro: str | None = None
