"""The codec: events to stored rows (type name, schema version, JSON bytes) and back, with upcasting."""

from __future__ import annotations

import enum
import hashlib
import json
import types
import typing
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from typing import Any, TypeVar

import attrs
import cattrs
import orjson
from cattrs.v import format_exception

from jobsearch_core._instances import maker
from jobsearch_core.codec.converter import make_converter
from jobsearch_core.codec.metadata import decode_metadata
from jobsearch_core.codec.states import state_functions
from jobsearch_core.codec.tables import pack, table_functions, unpack
from jobsearch_core.codec.trusted import Builder, Unstructure, builder, unstructurer
from jobsearch_core.errors import CorruptEventError, InvalidEventError
from jobsearch_core.events.base import (
    NO_METADATA,
    Event,
    Recorded,
    UnknownEvent,
    schema_version_of,
)
from jobsearch_core.events.fields import Shares
from jobsearch_core.storage.rows import (
    NO_METADATA as NO_STORED_METADATA,
)
from jobsearch_core.storage.rows import (
    NewRow,
    RawRow,
    StoredRow,
    make_new_row,
    new_event_id,
    stored_row,
)
from jobsearch_core.views.frozen import freeze

__all__ = ["Codec", "Upcaster", "make_record"]

T = TypeVar("T")

#: Migrates the stored dict of one event type from schema version n to n + 1.
Upcaster = Callable[[dict[str, Any]], dict[str, Any]]

#: ``Recorded(position, stream, version, recorded_at, event, event_id, metadata)`` for
#: values from the log.
make_record = maker(Recorded)


def _dumps(obj: Any) -> bytes:
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"), default=_isoformat).encode(
        "utf-8"
    )


def _isoformat(value: Any) -> str:
    # The fast encoders leave datetimes for orjson; json needs them as text.
    if isinstance(value, datetime):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


def _holds_shares(cls: type[Any]) -> bool:
    """Whether an event class has a field of shares (floats)."""
    return any(
        isinstance(kind, Shares) for field in attrs.fields(cls) for kind in field.metadata.values()
    )


def _fast_dumps(obj: Any) -> bytes:
    """`_dumps` by orjson, for data that holds no floats (orjson writes NaN as null).

    orjson refuses integers past 64 bits and lone surrogates: those go the json way
    (which writes the first, and refuses the second when encoding to UTF-8, as before).
    """
    try:
        return orjson.dumps(obj)
    except TypeError:
        return _dumps(obj)


def _float_free(type_: Any, seen: set[Any] | None = None) -> bool:
    """True when values of `type_` cannot hold a float (an attrs class is looked into)."""
    seen = set() if seen is None else seen
    if type_ in seen:
        return True
    seen.add(type_)
    if type_ in (str, int, bool, bytes, datetime, type(None)):
        return True
    if isinstance(type_, type) and issubclass(type_, enum.Enum):
        return all(not isinstance(member.value, float) for member in type_)
    if isinstance(type_, type) and attrs.has(type_):
        try:
            hints = typing.get_type_hints(type_)
        except Exception:
            return False
        return all(_float_free(hints[a.name], seen) for a in attrs.fields(type_))
    origin = typing.get_origin(type_)
    if origin in (list, tuple, dict, set, frozenset, typing.Union, types.UnionType):
        args = [arg for arg in typing.get_args(type_) if arg is not Ellipsis]
        return bool(args) and all(_float_free(arg, seen) for arg in args)
    return False


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
        # Snapshots made with another set of event types (a plugin added or removed), or
        # other upcasters (one installed late turns skipped rows into events), may have
        # folded differently: the fingerprint goes into every snapshot key.
        described = sorted(f"{n}:{schema_version_of(c)}" for n, c in self.event_types.items())
        described += sorted(
            f"upcast {name}:{version}:{getattr(up, '__module__', '')}."
            f"{getattr(up, '__qualname__', type(up).__qualname__)}"
            for (name, version), up in self.upcasters.items()
        )
        self.fingerprint = hashlib.sha256("\n".join(described).encode()).hexdigest()[:16]
        # The trusted path serves every class whose fields it can vouch for, at its
        # current schema (older rows are upcast first, the validated way).
        self._builders: dict[str, tuple[int, Builder]] = {}
        for name, cls in self.event_types.items():
            build = builder(cls)
            if build is not None:
                self._builders[name] = (schema_version_of(cls), build)
        #: The last recorded_at text `decode_raw` parsed, and what it parsed to; the same for
        #: metadata (the events of one append share theirs).
        self._stamp: tuple[object, datetime | None] = (None, None)
        self._metadata: tuple[bytes, Mapping[str, Any]] = (NO_STORED_METADATA, NO_METADATA)
        self._float_free: dict[Any, bool] = {}
        self._fast_encoders: dict[type[Event], tuple[str, int, Unstructure]] = {}
        for cls, name in self._names.items():
            unstructure = unstructurer(cls)
            # orjson writes some floats otherwise than json (1e-5 for 1e-05): a class with a
            # field of shares goes the json way, so its stored bytes never depend on the path.
            if unstructure is not None and not _holds_shares(cls):
                self._fast_encoders[cls] = (name, schema_version_of(cls), unstructure)

    # --- events -----------------------------------------------------------------------------

    def encode(
        self, event: Event, event_id: str | None = None, metadata: bytes = NO_STORED_METADATA
    ) -> NewRow:
        """The stored form of an event, with its id (a new one when None) and its encoded
        metadata; refuses an event class no plugin registered."""
        if event_id is None:
            event_id = new_event_id()
        fast = self._fast_encoders.get(type(event))
        if fast is not None:
            # An event the trusted path encodes holds no floats: orjson writes it as json would.
            fast_name, schema_version, unstructure = fast
            try:
                data = _fast_dumps(unstructure(event))
            except UnicodeEncodeError as error:
                raise InvalidEventError(
                    f"{fast_name} holds text that is not valid Unicode ({error.reason}: a lone surrogate?)",
                    event_type=fast_name,
                ) from None
            return make_new_row(fast_name, schema_version, data, event_id, metadata)
        if isinstance(event, UnknownEvent):
            return make_new_row(
                event.type_name, event.schema_version, event.data, event_id, metadata
            )
        name = self._names.get(type(event))
        if name is None:
            raise InvalidEventError(
                f"{type(event).__qualname__} is not a registered event type; "
                "register it through the register_event_types hook before appending it",
                event_type=type(event).__qualname__,
            )
        # A plugin's event might hold floats (orjson would write NaN as null): json writes it.
        unstructured = self.converter.unstructure(event)
        payload = {k: v for k, v in unstructured.items() if v is not None}
        try:
            data = _dumps(payload)
        except UnicodeEncodeError as error:
            raise InvalidEventError(
                f"{name} holds text that is not valid Unicode ({error.reason}: a lone surrogate?)",
                event_type=name,
            ) from None
        return make_new_row(name, schema_version_of(type(event)), data, event_id, metadata)

    def decode_rows(self, rows: Iterable[StoredRow]) -> list[Recorded]:
        """Stored rows as `Recorded`s, the same as `decode` gives (see `decode_raw`)."""
        return self.decode_raw(
            [
                (
                    r.position,
                    r.stream,
                    r.version,
                    r.type,
                    r.schema_version,
                    r.data,
                    r.recorded_at,
                    r.event_id,
                    r.metadata,
                )
                for r in rows
            ]
        )

    def decode_raw(self, rows: Iterable[RawRow]) -> list[Recorded]:
        """Raw rows as `Recorded`s, the same as `decode` gives, by the fast path where it can.

        The rows were validated when appended: a built-in event is rebuilt by a builder
        that checks what the validated path checks without its machinery, and any row it
        does not vouch for goes through `decode` (and raises `CorruptEventError` there).
        """
        builders = self._builders
        loads = orjson.loads
        record = make_record
        decoded: list[Recorded] = []
        append = decoded.append
        # One append shares one recorded_at and one metadata: decode each once.
        stamp, recorded_at = self._stamp
        last_metadata, metadata = self._metadata
        try:
            for raw in rows:
                position, stream, version, type_name, schema_version, data, at, event_id, meta = raw
                found = builders.get(type_name)
                if (
                    found is not None
                    and found[0] == schema_version
                    and type(data) is bytes
                    and type(version) is int
                    and type(stream) is str
                    and type(event_id) is str
                    and type(meta) is bytes
                ):
                    if meta != last_metadata:
                        try:
                            metadata = decode_metadata(meta)
                        except ValueError:
                            append(self.decode(stored_row(raw)))  # raises, naming the row
                            continue
                        last_metadata = meta
                    if type(at) is datetime:
                        stamp = recorded_at = at
                    elif at != stamp:
                        try:
                            recorded_at = datetime.fromisoformat(at)  # type: ignore[arg-type]
                        except (TypeError, ValueError):
                            recorded_at = None
                        stamp = at
                    if recorded_at is not None:
                        try:
                            event = found[1](loads(data))
                        except Exception:
                            event = None  # let the validated path say what is wrong
                        if event is not None:
                            append(
                                record(
                                    position,
                                    stream,
                                    version,
                                    recorded_at,
                                    event,
                                    event_id,
                                    metadata,
                                )
                            )
                            continue
                append(self.decode(stored_row(raw)))
        finally:
            self._stamp = (stamp, recorded_at)
            self._metadata = (last_metadata, metadata)
        return decoded

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
        try:
            metadata = decode_metadata(row.metadata)
        except ValueError as error:
            raise CorruptEventError(
                f"the metadata is not a JSON object ({error})",
                position=row.position,
                stream=row.stream,
                type_name=row.type,
            ) from None
        return Recorded(
            position=row.position,
            stream=row.stream,
            version=row.version,
            recorded_at=row.recorded_at,
            event=event,
            event_id=row.event_id,
            metadata=metadata,
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

    def dump_state(self, state: Any, state_type: Any = None) -> bytes:
        """A view state as JSON bytes, for a snapshot."""
        return self._dump_plain(
            self.converter.unstructure(state, state_type), state_type or type(state)
        )

    def load_state(self, data: bytes, state_type: type[T]) -> T:
        """A view state back from `dump_state`'s bytes."""
        return self.converter.structure(self._load_plain(data, state_type), state_type)

    def dump_snapshot(self, state: Any, state_type: Any, retractions: Mapping[int, int]) -> bytes:
        """A snapshot's bytes: the view state and the corrections seen up to it.

        A state of plain fields is written as tables (`jobsearch_core.codec.tables`): a
        table of columns per class, each text and moment once, the columns of numbers
        packed; any other in the shape cattrs writes.
        """
        tables = table_functions(state_type)
        if tables is not None:
            try:
                return pack(tables[0](state, sorted(retractions.items())))
            except TypeError:  # NaN, or an integer past 64 bits: the json way writes it
                pass
        payload = {
            "state": self.converter.unstructure(state, state_type),
            "retractions": sorted(retractions.items()),
        }
        return self._dump_plain(payload, state_type)

    def load_snapshot(
        self, data: bytes | memoryview, state_type: type[T], *, frozen: bool = False
    ) -> tuple[T, dict[int, int]]:
        """The view state and corrections from `dump_snapshot`'s bytes; with `frozen`, the
        state is frozen (`jobsearch_core.views.frozen`)."""
        saved = unpack(data)
        if saved is None:
            saved = self._load_plain(data, state_type)
        kind: Any = state_type  # a class is hashable, as the generated functions' cache needs
        if type(saved) is dict and "format" in saved:
            tables = table_functions(kind, frozen=frozen)
            if tables is None:
                raise ValueError(
                    f"{getattr(state_type, '__name__', state_type)} has no tables form"
                )
            found: tuple[T, dict[int, int]] = tables[1](saved)
            return found
        fast = state_functions(kind, frozen=frozen)
        if fast is not None:
            state: T = fast[1](saved["state"])
        else:
            state = self.converter.structure(saved["state"], state_type)
            if frozen:
                state = freeze(state)
        return state, {int(p): int(t) for p, t in saved["retractions"]}

    def _is_float_free(self, state_type: Any) -> bool:
        free = self._float_free.get(state_type)
        if free is None:
            free = self._float_free[state_type] = _float_free(state_type)
        return free

    def _dump_plain(self, payload: Any, state_type: Any) -> bytes:
        return _fast_dumps(payload) if self._is_float_free(state_type) else _dumps(payload)

    def _load_plain(self, data: bytes | memoryview, state_type: Any) -> Any:
        # orjson first: an integer past 64 bits comes back a float, which no whole-number
        # field accepts (and a float field is always written with a point), so such a
        # snapshot is found unreadable and ignored, never misread. What orjson cannot read
        # (NaN or Infinity, written by the json way) is read by json.
        try:
            return orjson.loads(data)
        except orjson.JSONDecodeError:
            return json.loads(bytes(data))


def _explain(error: Exception) -> str:
    if isinstance(error, cattrs.BaseValidationError):
        text = "; ".join(cattrs.transform_error(error, format_exception=_format_exception))
    else:
        text = str(error) or type(error).__name__
    # A stored key or value may hold a line break or another control character: shown
    # escaped, the message stays one line (what the CLI prints as one error line).
    return "".join(c if c.isprintable() or c == " " else repr(c)[1:-1] for c in text)


def _format_exception(error: BaseException, type_: type | None) -> str:
    if isinstance(error, InvalidEventError):
        return str(error)  # already names the field and the value
    return format_exception(error, type_)
