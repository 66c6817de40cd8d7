"""The vocabulary of a job search: frozen, validated event classes and the envelope they come back in."""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime
from typing import Any, ClassVar, TypeVar

import attrs

from jobsearch_core.errors import InvalidEventError

__all__ = [
    "ApplicationClosed",
    "CareerGoalSet",
    "Event",
    "EventRetracted",
    "FeedbackItem",
    "FeedbackReceived",
    "GapAdded",
    "GapClosed",
    "GapPracticed",
    "GapPromoted",
    "Mark",
    "Outcome",
    "Recorded",
    "ResumeSubmitted",
    "RoleSuggested",
    "ScreenPassed",
    "Stage",
    "UnknownEvent",
    "event_type_of",
    "schema_version_of",
    "skill_key",
]


class Stage(enum.StrEnum):
    """How far an application got; `APPLIED` is where every application starts."""

    APPLIED = "applied"
    RESUME = "resume"
    PHONE = "phone"
    SECOND_INTERVIEW = "second_interview"
    FINAL = "final"

    @property
    def order(self) -> int:
        """0 for `applied`, 4 for `final`: compare stages by how far they are."""
        return _STAGE_ORDER[self]


_STAGE_ORDER = {stage: i for i, stage in enumerate(Stage)}
#: The stages a screen can be passed at, in order (everything but `applied`).
SCREENS = (Stage.RESUME, Stage.PHONE, Stage.SECOND_INTERVIEW, Stage.FINAL)


class Mark(enum.StrEnum):
    """What a feedback item asks for."""

    #: Already on the resume: make it stand out.
    PUNCH_UP = "punch_up"
    #: A real gap: learn it next.
    NEXT_FOCUS = "next_focus"


class Outcome(enum.StrEnum):
    """How an application ended."""

    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"
    NO_RESPONSE = "no_response"
    OFFER = "offer"
    ACCEPTED = "accepted"
    DECLINED = "declined"


def skill_key(skill: str) -> str:
    """The form skills are compared in: "  Machine   Learning " and "machine learning" match."""
    return " ".join(skill.split()).casefold()


def _now() -> datetime:
    return datetime.now(UTC)


# --- validation ------------------------------------------------------------------------------
#
# attrs runs converters before validators; both raise InvalidEventError naming the event
# type, the field and the value, so a caller (or the CLI) can show the message as it is.


def _refuse(
    instance: Any, field: attrs.Attribute[Any], problem: str, value: Any
) -> InvalidEventError:
    cls = type(instance).__name__
    shown = repr(value)
    if len(shown) > 80:
        shown = shown[:77] + "..."
    return InvalidEventError(
        f"{cls}.{field.name} {problem}, got {shown}", event_type=cls, field=field.name
    )


def _is_name(instance: Any, field: attrs.Attribute[Any], value: Any) -> None:
    if not isinstance(value, str):
        raise _refuse(instance, field, "must be text", value)
    if not value.strip():
        raise _refuse(instance, field, "must not be empty or blank", value)


def _is_optional_name(instance: Any, field: attrs.Attribute[Any], value: Any) -> None:
    if value is not None:
        _is_name(instance, field, value)


def _is_optional_text(instance: Any, field: attrs.Attribute[Any], value: Any) -> None:
    if value is not None and not isinstance(value, str):
        raise _refuse(instance, field, "must be text or None", value)


def _at_least(minimum: int) -> Callable[[Any, attrs.Attribute[Any], Any], None]:
    def check(instance: Any, field: attrs.Attribute[Any], value: Any) -> None:
        if isinstance(value, bool) or not isinstance(value, int):
            raise _refuse(instance, field, "must be a whole number", value)
        if value < minimum:
            raise _refuse(instance, field, f"must be at least {minimum}", value)

    return check


def _optional_at_least(minimum: int) -> Callable[[Any, attrs.Attribute[Any], Any], None]:
    check = _at_least(minimum)

    def optional(instance: Any, field: attrs.Attribute[Any], value: Any) -> None:
        if value is not None:
            check(instance, field, value)

    return optional


def _to_utc(value: Any, instance: Any, field: attrs.Attribute[Any]) -> Any:
    if not isinstance(value, datetime):
        raise _refuse(instance, field, "must be a datetime", value)
    if value.tzinfo is None or value.utcoffset() is None:
        raise _refuse(
            instance, field, "must be timezone-aware (naive datetimes are refused)", value
        )
    return value.astimezone(UTC)


E = TypeVar("E", bound=enum.StrEnum)


def _to_enum(enum_type: type[E], allowed: Iterable[E] | None = None) -> attrs.Converter[Any, E]:
    choices = tuple(enum_type) if allowed is None else tuple(allowed)

    def convert(value: Any, instance: Any, field: attrs.Attribute[Any]) -> E:
        if isinstance(value, str):
            spelled = value.strip().lower().replace("-", "_").replace(" ", "_")
            try:
                member = enum_type(spelled)
            except ValueError:
                pass
            else:
                if member in choices:
                    return member
        names = ", ".join(str(choice) for choice in choices)
        raise _refuse(instance, field, f"must be one of {names}", value)

    return attrs.Converter(convert, takes_self=True, takes_field=True)


def _to_names(value: Any, instance: Any, field: attrs.Attribute[Any]) -> tuple[str, ...]:
    if isinstance(value, str | bytes | Mapping) or not isinstance(value, Iterable):
        raise _refuse(instance, field, "must be a list of names", value)
    names = tuple(value)
    for name in names:
        if not isinstance(name, str) or not name.strip():
            raise _refuse(instance, field, "must hold only non-blank text", name)
    return names


def _to_feedback_items(
    value: Any, instance: Any, field: attrs.Attribute[Any]
) -> tuple[FeedbackItem, ...]:
    if isinstance(value, str | bytes | Mapping | FeedbackItem) or not isinstance(value, Iterable):
        raise _refuse(instance, field, "must be a list of feedback items", value)
    items = []
    for item in value:
        if isinstance(item, Mapping):
            try:
                item = FeedbackItem(**item)
            except TypeError as error:
                raise _refuse(instance, field, f"holds a malformed item ({error})", item) from None
        elif not isinstance(item, FeedbackItem):
            raise _refuse(instance, field, "must hold FeedbackItem objects or mappings", item)
        items.append(item)
    if not items:
        raise _refuse(instance, field, "must hold at least one feedback item", value)
    return tuple(items)


_utc = attrs.Converter(_to_utc, takes_self=True, takes_field=True)


def _name() -> Any:
    return attrs.field(validator=_is_name)


def _optional_name() -> Any:
    return attrs.field(default=None, validator=_is_optional_name)


def _text() -> Any:
    return attrs.field(default=None, validator=_is_optional_text)


# --- the events ------------------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class Event:
    """Base of every event: `at` is when it happened (aware, stored in UTC; defaults to now).

    A subclass may set `__event_type__` (its stable stored name; the class name otherwise)
    and `__schema_version__` (bump it with an upcaster when the stored form changes).
    """

    __event_type__: ClassVar[str]
    __schema_version__: ClassVar[int] = 1

    at: datetime = attrs.field(factory=_now, converter=_utc)  # type: ignore[misc]


def event_type_of(event: Event | type[Event]) -> str:
    """The stable name an event class is stored under: its own `__event_type__`, else its name."""
    cls = event if isinstance(event, type) else type(event)
    if isinstance(event, UnknownEvent):
        return event.type_name
    name = cls.__dict__.get("__event_type__", cls.__name__)
    return str(name)


def schema_version_of(event: Event | type[Event]) -> int:
    """The schema version an event class writes (its own `__schema_version__`, else 1)."""
    if isinstance(event, UnknownEvent):
        return event.schema_version
    cls = event if isinstance(event, type) else type(event)
    return int(cls.__dict__.get("__schema_version__", 1))


@attrs.frozen(kw_only=True)
class FeedbackItem:
    """One answer to "what would make me a better fit?": a skill and what to do about it."""

    skill: str = _name()
    mark: Mark = attrs.field(converter=_to_enum(Mark))  # type: ignore[misc]
    comment: str | None = _text()


@attrs.frozen(kw_only=True)
class ResumeSubmitted(Event):
    """Applied for a role."""

    application_id: str = _name()
    company: str = _name()
    role: str = _name()
    via: str | None = _optional_name()
    resume_version: str | None = _optional_name()
    note: str | None = _text()


@attrs.frozen(kw_only=True)
class ScreenPassed(Event):
    """An application moved past a stage: `resume`, `phone`, `second_interview` or `final`."""

    application_id: str = _name()
    stage: Stage = attrs.field(converter=_to_enum(Stage, SCREENS))  # type: ignore[misc]
    note: str | None = _text()


@attrs.frozen(kw_only=True)
class FeedbackReceived(Event):
    """What an interviewer said would make the seeker a better fit next time."""

    application_id: str = _name()
    items: tuple[FeedbackItem, ...] = attrs.field(
        converter=attrs.Converter(_to_feedback_items, takes_self=True, takes_field=True)  # type: ignore[misc]
    )
    source: str | None = _optional_name()
    note: str | None = _text()


@attrs.frozen(kw_only=True)
class GapPromoted(Event):
    """A gap item moved to a new rank (1 is the top); the others shift to make room."""

    skill: str = _name()
    to_rank: int = attrs.field(validator=_at_least(1))
    reason: str | None = _text()


@attrs.frozen(kw_only=True)
class RoleSuggested(Event):
    """Another role that might fit, and the skills it needs."""

    company: str = _name()
    role: str = _name()
    skills: tuple[str, ...] = attrs.field(
        converter=attrs.Converter(_to_names, takes_self=True, takes_field=True)  # type: ignore[misc]
    )
    application_id: str | None = _optional_name()
    suggested_by: str | None = _optional_name()
    note: str | None = _text()


@attrs.frozen(kw_only=True)
class GapAdded(Event):
    """The seeker wrote a skill onto the gap list, at the bottom or at `rank`."""

    skill: str = _name()
    rank: int | None = attrs.field(default=None, validator=_optional_at_least(1))
    note: str | None = _text()


@attrs.frozen(kw_only=True)
class GapPracticed(Event):
    """Time spent on a gap item."""

    skill: str = _name()
    minutes: int = attrs.field(validator=_at_least(0))
    note: str | None = _text()


@attrs.frozen(kw_only=True)
class GapClosed(Event):
    """A gap item is done (learned, certified) and leaves the open list."""

    skill: str = _name()
    note: str | None = _text()


@attrs.frozen(kw_only=True)
class ApplicationClosed(Event):
    """The end of an application."""

    application_id: str = _name()
    outcome: Outcome = attrs.field(converter=_to_enum(Outcome))  # type: ignore[misc]
    note: str | None = _text()


@attrs.frozen(kw_only=True)
class CareerGoalSet(Event):
    """The goal the gap list serves, usually five years out."""

    goal: str = _name()
    horizon_years: int = attrs.field(default=5, validator=_at_least(1))


@attrs.frozen(kw_only=True)
class EventRetracted(Event):
    """A correction: views skip the event at `position` from here on; nothing is deleted."""

    position: int = attrs.field(validator=_at_least(1))
    reason: str | None = _text()


@attrs.frozen(kw_only=True)
class UnknownEvent(Event):
    """A stored event whose type no installed plugin knows: kept as stored, skipped by views."""

    type_name: str
    schema_version: int
    data: bytes
    #: Why it could not be decoded (no such type, or a newer schema than installed).
    reason: str = "no installed plugin knows this event type"


#: The built-in event classes, in the order the design names them.
BUILTIN_EVENTS: tuple[type[Event], ...] = (
    ResumeSubmitted,
    ScreenPassed,
    FeedbackReceived,
    GapPromoted,
    RoleSuggested,
    GapAdded,
    GapPracticed,
    GapClosed,
    ApplicationClosed,
    CareerGoalSet,
    EventRetracted,
)


@attrs.frozen(kw_only=True)
class Recorded:
    """An event as the log keeps it: where it stands and when it was written."""

    #: Global position: 1, 2, 3 ... without gaps, in commit order.
    position: int
    #: The stream (a seeker's id) the event belongs to.
    stream: str
    #: Position within the stream: 1, 2, 3 ...
    version: int
    #: When the log committed it (UTC).
    recorded_at: datetime
    event: Event
