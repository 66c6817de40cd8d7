"""The cattrs converter for events and view states: ISO datetimes, strict text and numbers."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import cattrs

__all__ = ["make_converter"]


def _structure_str(value: Any, type_: type) -> str:
    if not isinstance(value, str):
        raise TypeError(f"expected text, got {value!r}")
    # The hook also catches subclasses of str, such as a StrEnum.
    return value if type_ is str else type_(value)


def _structure_int(value: Any, type_: type) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"expected a whole number, got {value!r}")
    return value if type_ is int else type_(value)


def _structure_bool(value: Any, _: type) -> bool:
    # Registered apart: the int hook would otherwise catch bool (a subclass of int).
    if type(value) is not bool:
        raise TypeError(f"expected true or false, got {value!r}")
    return value


def _structure_bytes(value: Any, _: type) -> bytes:
    if not isinstance(value, str):
        raise TypeError(f"expected text holding bytes, got {value!r}")
    return value.encode("latin-1")


def make_converter() -> cattrs.Converter:
    """A cattrs converter for events and view states: ISO datetimes, strict text and numbers.

    Unlike cattrs' defaults, a number where text belongs (or text where a number
    belongs) is refused, so a stored payload that does not fit its type is found out.
    """
    converter = cattrs.Converter(forbid_extra_keys=True)
    converter.register_unstructure_hook(datetime, datetime.isoformat)
    converter.register_structure_hook(datetime, lambda v, _: datetime.fromisoformat(v))
    converter.register_structure_hook(str, _structure_str)
    converter.register_structure_hook(int, _structure_int)
    converter.register_structure_hook(bool, _structure_bool)
    converter.register_unstructure_hook(bytes, lambda v: v.decode("latin-1"))
    converter.register_structure_hook(bytes, _structure_bytes)
    return converter
