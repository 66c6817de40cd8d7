"""The codec: events to stored rows (type name, schema version, JSON bytes) and back, with upcasting."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any, TypeVar

import cattrs
from cattrs.v import format_exception

from jobsearch_core.errors import CorruptEventError, InvalidEventError
from jobsearch_core.events import (
    Event,
    Recorded,
    UnknownEvent,
    schema_version_of,
)
from jobsearch_core.storage import NewRow, StoredRow

__all__ = ["Codec", "Upcaster", "make_converter"]

T = TypeVar("T")

#: Migrates the stored dict of one event type from schema version n to n + 1.
Upcaster = Callable[[dict[str, Any]], dict[str, Any]]


def _structure_str(value: Any, type_: type) -> str:
    if not isinstance(value, str):
        raise TypeError(f"expected text, got {value!r}")
    # The hook also catches subclasses of str, such as a StrEnum.
    return value if type_ is str else type_(value)


def _structure_int(value: Any, type_: type) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"expected a whole number, got {value!r}")
    return value if type_ is int else type_(value)


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
    converter.register_unstructure_hook(bytes, lambda v: v.decode("latin-1"))
    converter.register_structure_hook(bytes, _structure_bytes)
    return converter


def _dumps(obj: Any) -> bytes:
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


class Codec:
    """Encodes events for storage and decodes stored rows; built once the plugins have loaded."""

    def __init__(
        self,
        event_types: Mapping[str, type[Event]],
        upcasters: Mapping[tuple[str, int], Upcaster] | None = None,
    ) -> None:
        self.event_types = dict(event_types)
        self.upcasters = dict(upcasters or {})
        self._names = {cls: name for name, cls in self.event_types.items()}
        self.converter = make_converter()
        # Snapshots made with another set of event types (a plugin added or removed) may
        # have folded differently: the fingerprint goes into every snapshot key.
        described = sorted(f"{n}:{schema_version_of(c)}" for n, c in self.event_types.items())
        self.fingerprint = hashlib.sha256("\n".join(described).encode()).hexdigest()[:16]

    # --- events -----------------------------------------------------------------------------

    def encode(self, event: Event) -> NewRow:
        """The stored form of an event; refuses an event class no plugin registered."""
        if isinstance(event, UnknownEvent):
            return NewRow(
                type=event.type_name, schema_version=event.schema_version, data=event.data
            )
        name = self._names.get(type(event))
        if name is None:
            raise InvalidEventError(
                f"{type(event).__qualname__} is not a registered event type; "
                "register it through the register_event_types hook before appending it",
                event_type=type(event).__qualname__,
            )
        payload = {k: v for k, v in self.converter.unstructure(event).items() if v is not None}
        try:
            data = _dumps(payload)
        except UnicodeEncodeError as error:
            raise InvalidEventError(
                f"{name} holds text that is not valid Unicode ({error.reason}: a lone surrogate?)",
                event_type=name,
            ) from None
        return NewRow(type=name, schema_version=schema_version_of(type(event)), data=data)

    def decode(self, row: StoredRow) -> Recorded:
        """A stored row as a `Recorded`; a row that does not fit its type raises `CorruptEventError`."""
        event = self.decode_event(
            row.type,
            row.schema_version,
            row.data,
            position=row.position,
            stream=row.stream,
            fallback_at=row.recorded_at,
        )
        return Recorded(
            position=row.position,
            stream=row.stream,
            version=row.version,
            recorded_at=row.recorded_at,
            event=event,
        )

    def decode_event(
        self,
        type_name: str,
        schema_version: int,
        data: bytes,
        *,
        position: int = 0,
        stream: str | None = None,
        fallback_at: datetime | None = None,
    ) -> Event:
        """Decode one stored payload: upcast, then structure (validators run)."""

        def corrupt(message: str) -> CorruptEventError:
            return CorruptEventError(message, position=position, stream=stream, type_name=type_name)

        try:
            payload = json.loads(data)
        except (ValueError, UnicodeDecodeError) as error:
            raise corrupt(f"the payload is not valid JSON ({error})") from None
        if not isinstance(payload, dict):
            raise corrupt(f"the payload is a JSON {type(payload).__name__}, not an object")
        cls = self.event_types.get(type_name)
        if cls is None:
            return self._unknown(type_name, schema_version, data, payload, fallback_at, None)
        current = schema_version_of(cls)
        if schema_version > current:
            reason = (
                f"stored with schema version {schema_version}, newer than the installed {current}"
            )
            return self._unknown(type_name, schema_version, data, payload, fallback_at, reason)
        for version in range(schema_version, current):
            upcast = self.upcasters.get((type_name, version))
            if upcast is None:
                reason = f"no upcaster from schema version {version} to {version + 1}"
                return self._unknown(type_name, schema_version, data, payload, fallback_at, reason)
            try:
                payload = upcast(dict(payload))
            except Exception as error:
                raise corrupt(
                    f"the upcaster from schema version {version} failed: {error!r}"
                ) from None
        try:
            event: Event = self.converter.structure(payload, cls)
        except Exception as error:
            raise corrupt(f"the payload does not fit {type_name}: {_explain(error)}") from None
        return event

    def _unknown(
        self,
        type_name: str,
        schema_version: int,
        data: bytes,
        payload: dict[str, Any],
        fallback_at: datetime | None,
        reason: str | None,
    ) -> UnknownEvent:
        at: datetime | None = None
        raw_at = payload.get("at")
        if isinstance(raw_at, str):
            try:
                at = datetime.fromisoformat(raw_at)
            except ValueError:
                at = None
            if at is not None and at.tzinfo is None:
                at = None
        at = at or fallback_at
        extra: dict[str, Any] = {"reason": reason} if reason else {}
        if at is None:
            return UnknownEvent(
                type_name=type_name, schema_version=schema_version, data=data, **extra
            )
        return UnknownEvent(
            at=at, type_name=type_name, schema_version=schema_version, data=data, **extra
        )

    # --- view states (snapshots) ------------------------------------------------------------

    def dump_state(self, state: Any) -> bytes:
        """A view state as JSON bytes, for a snapshot."""
        return _dumps(self.converter.unstructure(state))

    def load_state(self, data: bytes, state_type: type[T]) -> T:
        """A view state back from a snapshot's bytes."""
        return self.converter.structure(json.loads(data), state_type)


def _explain(error: Exception) -> str:
    if isinstance(error, cattrs.BaseValidationError):
        return "; ".join(cattrs.transform_error(error, format_exception=_format_exception))
    return str(error) or type(error).__name__


def _format_exception(error: BaseException, type_: type | None) -> str:
    if isinstance(error, InvalidEventError):
        return str(error)  # already names the field and the value
    return format_exception(error, type_)
