"""What every event shares: the `Event` base, the `Recorded` envelope, and stored type names."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from types import MappingProxyType
from typing import Any, ClassVar

import attrs

from jobsearch_core.events.fields import moment

__all__ = [
    "NO_METADATA",
    "Event",
    "Recorded",
    "UnknownEvent",
    "event_type_of",
    "schema_version_of",
    "skill_key",
]


def skill_key(skill: str) -> str:
    """The form skills are compared in: "  Machine   Learning " and "machine learning" match."""
    return " ".join(skill.split()).casefold()


@attrs.frozen(kw_only=True)
class Event:
    """Base of every event: `at` is when it happened (aware, stored in UTC; defaults to now).

    A subclass may set `__event_type__` (its stable stored name; the class name otherwise)
    and `__schema_version__` (bump it with an upcaster when the stored form changes).
    Build its fields with `jobsearch_core.events.fields`, so that each field's rule is
    written once and stored events of the class decode by the fast path.
    """

    __event_type__: ClassVar[str]
    __schema_version__: ClassVar[int] = 1

    at: datetime = moment(default_now=True)


@attrs.frozen(kw_only=True)
class UnknownEvent(Event):
    """A stored event whose type no installed plugin knows: kept as stored, skipped by views."""

    type_name: str
    schema_version: int
    data: bytes
    #: Why it could not be decoded (no such type, or a newer schema than installed).
    reason: str = "no installed plugin knows this event type"


def event_type_of(event: Event | type[Event]) -> str:
    """The stable name an event class is stored under: its own `__event_type__`, else its name."""
    if isinstance(event, UnknownEvent):
        return event.type_name
    cls = event if isinstance(event, type) else type(event)
    return str(cls.__dict__.get("__event_type__", cls.__name__))


def schema_version_of(event: Event | type[Event]) -> int:
    """The schema version an event class writes (its own `__schema_version__`, else 1)."""
    if isinstance(event, UnknownEvent):
        return event.schema_version
    cls = event if isinstance(event, type) else type(event)
    return int(cls.__dict__.get("__schema_version__", 1))


#: The metadata of an event recorded without any.
NO_METADATA: Mapping[str, Any] = MappingProxyType({})


@attrs.frozen(kw_only=True)
class Recorded:
    """An event as the log keeps it: where it stands, when it was written, its id and metadata."""

    #: Global position: 1, 2, 3 ... without gaps, in commit order.
    position: int
    #: The stream (a seeker's id) the event belongs to.
    stream: str
    #: Position within the stream: 1, 2, 3 ...
    version: int
    #: When the log committed it (UTC).
    recorded_at: datetime
    event: Event
    #: Unique in the log: appending an event with a stored id again is a no-op.
    event_id: str = ""
    #: A read-only JSON object: ``source`` (who appended it: ``cli``, ``import``, a tool's
    #: name), and ``correlation_id``, ``causation_id`` or anything else the caller gave.
    metadata: Mapping[str, Any] = NO_METADATA
