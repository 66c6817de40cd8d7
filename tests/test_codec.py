"""Tests for the codec: exact round trips, upcasting, unknown types and corrupt payloads."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import attrs
import pytest
from hypothesis import given

from jobsearch_core.codec import Codec
from jobsearch_core.errors import CorruptEventError, InvalidEventError
from jobsearch_core.events import (
    BUILTIN_EVENTS,
    Event,
    FeedbackReceived,
    GapAdded,
    GapClosed,
    UnknownEvent,
    event_type_of,
)
from jobsearch_core.storage import StoredRow
from jobsearch_core.testing import events

AT = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)


def builtin_codec(**extra: type[Event]) -> Codec:
    types = {event_type_of(cls): cls for cls in BUILTIN_EVENTS}
    return Codec({**types, **extra})


def row(type_name: str, data: bytes, *, schema_version: int = 1, position: int = 7) -> StoredRow:
    return StoredRow(
        position=position,
        stream="me",
        version=1,
        type=type_name,
        schema_version=schema_version,
        data=data,
        recorded_at=AT,
    )


@attrs.frozen(kw_only=True)
class SkillRenamed(Event):
    """A plugin event at schema version 2: version 1 called the field `name`."""

    __event_type__ = "acme.SkillRenamed"
    __schema_version__ = 2

    skill: str


class TestRoundTrip:
    """Every event decodes to exactly what was encoded."""

    @given(events())
    def test_every_builtin_round_trips(self, event: Event) -> None:
        """decode(encode(e)) == e for any valid built-in event."""
        codec = builtin_codec()
        stored = codec.encode(event)
        assert stored.type == event_type_of(event)
        assert stored.schema_version == 1
        assert codec.decode(row(stored.type, stored.data)).event == event

    def test_payload_is_compact_json_without_nones(self) -> None:
        """The stored payload is a JSON object; fields left at None are not written."""
        stored = builtin_codec().encode(GapClosed(skill="SQL", at=AT))
        assert json.loads(stored.data) == {"at": "2026-03-01T09:30:00+00:00", "skill": "SQL"}

    def test_unregistered_class_refused(self) -> None:
        """An event class no plugin registered cannot be encoded (it could not be read back)."""
        with pytest.raises(InvalidEventError, match="not a registered event type"):
            builtin_codec().encode(SkillRenamed(skill="SQL"))

    def test_lone_surrogate_refused(self) -> None:
        """Text that is not valid Unicode is refused rather than stored mangled."""
        with pytest.raises(InvalidEventError, match="GapClosed"):
            builtin_codec().encode(GapClosed(skill="bad \ud800 text"))

    def test_fingerprint_follows_the_event_types(self) -> None:
        """Adding an event type changes the fingerprint that keys snapshots."""
        assert builtin_codec().fingerprint == builtin_codec().fingerprint
        assert (
            builtin_codec().fingerprint
            != builtin_codec(**{"acme.SkillRenamed": SkillRenamed}).fingerprint
        )


class TestUpcasting:
    """Upcasters migrate old stored forms before structuring."""

    def test_old_version_upcast(self) -> None:
        """A version-1 payload is upcast to version 2 and decodes."""

        def rename(data: dict[str, Any]) -> dict[str, Any]:
            data["skill"] = data.pop("name")
            return data

        codec = Codec({"acme.SkillRenamed": SkillRenamed}, {("acme.SkillRenamed", 1): rename})
        old = b'{"at": "2026-03-01T09:30:00+00:00", "name": "SQL"}'
        event = codec.decode(row("acme.SkillRenamed", old, schema_version=1)).event
        assert event == SkillRenamed(skill="SQL", at=AT)

    def test_missing_upcaster_keeps_event_as_unknown(self) -> None:
        """Without an upcaster the event is kept as unknown, with the reason, not dropped."""
        codec = Codec({"acme.SkillRenamed": SkillRenamed})
        old = b'{"at": "2026-03-01T09:30:00+00:00", "name": "SQL"}'
        event = codec.decode(row("acme.SkillRenamed", old, schema_version=1)).event
        assert isinstance(event, UnknownEvent)
        assert event.data == old
        assert "no upcaster from schema version 1" in event.reason

    def test_newer_schema_kept_as_unknown(self) -> None:
        """A payload written by a newer schema than installed is kept as unknown."""
        data = b'{"at": "2026-03-01T09:30:00+00:00", "skill": "SQL"}'
        event = builtin_codec().decode(row("GapClosed", data, schema_version=9)).event
        assert isinstance(event, UnknownEvent)
        assert "newer" in event.reason


class TestUnknownTypes:
    """A type no plugin knows is kept exactly as stored."""

    def test_unknown_type_keeps_everything(self) -> None:
        """Type name, schema version, raw bytes and `at` survive."""
        data = b'{"at":"2026-03-01T09:30:00+00:00","mood":"\\u00e9lan"}'
        event = builtin_codec().decode(row("acme.Mood", data, schema_version=4)).event
        assert isinstance(event, UnknownEvent)
        assert (event.type_name, event.schema_version, event.data, event.at) == (
            "acme.Mood",
            4,
            data,
            AT,
        )

    def test_unknown_event_encodes_byte_for_byte(self) -> None:
        """Appending an unknown event again writes the very same row."""
        data = b'{"at":"2026-03-01T09:30:00+00:00","x":[1,2]}'
        event = builtin_codec().decode(row("acme.Mood", data, schema_version=4)).event
        stored = builtin_codec().encode(event)
        assert (stored.type, stored.schema_version, stored.data) == ("acme.Mood", 4, data)

    def test_unknown_without_at_uses_recorded_at(self) -> None:
        """An unknown payload without a readable `at` takes the moment it was recorded."""
        event = builtin_codec().decode(row("acme.Mood", b"{}")).event
        assert event.at == AT


class TestCorruption:
    """A row that cannot be decoded raises CorruptEventError naming position, stream and type."""

    @pytest.mark.parametrize(
        ("type_name", "data", "why"),
        [
            ("GapClosed", b"{not json", "not valid JSON"),
            ("GapClosed", b"\xff\xfe", "not valid JSON"),
            ("GapClosed", b"[1, 2]", "not an object"),
            ("GapClosed", b'{"at": "2026-03-01T09:30:00+00:00", "skill": 5}', "does not fit"),
            ("GapClosed", b'{"at": "2026-03-01T09:30:00+00:00"}', "does not fit"),
            ("GapClosed", b'{"at": "2026-03-01T09:30:00+00:00", "skill": "x", "y": 1}', "extra"),
            ("GapClosed", b'{"at": "2026-03-01T09:30:00+00:00", "skill": " "}', "blank"),
            ("GapAdded", b'{"at": "2026-03-01T09:30:00+00:00", "skill": "x", "rank": "1"}', "rank"),
            ("GapClosed", b'{"at": "yesterday", "skill": "x"}', "does not fit"),
            (
                "FeedbackReceived",
                b'{"at": "2026-03-01T09:30:00+00:00", "application_id": "a", "items": []}',
                "items",
            ),
        ],
    )
    def test_corrupt_rows_are_loud(self, type_name: str, data: bytes, why: str) -> None:
        """Each kind of damage is reported, never skipped."""
        with pytest.raises(CorruptEventError, match=why) as caught:
            builtin_codec().decode(row(type_name, data, position=42))
        assert caught.value.position == 42
        assert caught.value.stream == "me"
        assert caught.value.type_name == type_name
        assert "position 42" in str(caught.value)

    def test_failing_upcaster_is_corruption(self) -> None:
        """An upcaster that raises on a payload makes the row corrupt, not unknown."""
        codec = Codec(
            {"acme.SkillRenamed": SkillRenamed}, {("acme.SkillRenamed", 1): lambda d: d["nope"]}
        )
        with pytest.raises(CorruptEventError, match="upcaster"):
            codec.decode(row("acme.SkillRenamed", b'{"at": "2026-03-01T09:30:00+00:00"}'))


class TestStates:
    """View states go to JSON and back for snapshots."""

    def test_state_round_trip(self) -> None:
        """An attrs state with datetimes, enums and nested classes survives a dump and load."""
        from jobsearch_core.views import fold
        from jobsearch_core.views.gaps import VIEW

        state = fold(
            VIEW,
            [
                GapAdded(skill="SQL", at=AT),
                FeedbackReceived(
                    application_id="a", items=[{"skill": "Python", "mark": "next_focus"}], at=AT
                ),
            ],
        )
        codec = builtin_codec()
        loaded = codec.load_state(codec.dump_state(state), type(state))
        assert loaded == state
        # A StrEnum equals its text, so check the type: a plain str would fail `is` tests.
        assert all(type(item.status) is type(state.items[0].status) for item in loaded.items)
        assert type(loaded.items[0].status) is not str
