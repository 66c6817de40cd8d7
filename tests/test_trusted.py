"""The codec's trusted paths, derived from the event classes, give what the validated paths give."""

from __future__ import annotations

import array
import enum
import json
import math
import struct
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import attrs
import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jobsearch_core.codec import Codec, states, tables, trusted
from jobsearch_core.errors import CorruptEventError, InvalidEventError, ReadOnlyStateError
from jobsearch_core.events import (
    BUILTIN_EVENTS,
    ApplicationClosed,
    Event,
    FeedbackItem,
    GapAdded,
    InterviewScheduled,
    Outcome,
    ResumeSubmitted,
    event_type_of,
    fields,
)
from jobsearch_core.storage import StoredRow, stored_row
from jobsearch_core.testing import aware_datetimes, event_sequences, events, names, notes
from jobsearch_core.views import fold, gaps, history, pipeline, roles

AT = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)
VIEWS = (pipeline.VIEW, gaps.VIEW, roles.VIEW, history.VIEW)
FIXTURES = Path(__file__).parent / "fixtures"


def document(data: bytes) -> dict[str, Any]:
    """A tables snapshot's document, its packed columns as lists (as plain JSON, format 4
    reads them so too)."""
    found = tables.unpack(data)
    assert found is not None
    for columns in found["tables"]:
        columns[:] = [list(column) for column in columns]
    return found


def builtin_codec() -> Codec:
    return Codec({event_type_of(cls): cls for cls in BUILTIN_EVENTS})


def stored(type_name: str, data: bytes, *, schema_version: int = 1) -> StoredRow:
    return StoredRow(
        position=7,
        stream="me",
        version=3,
        type=type_name,
        schema_version=schema_version,
        data=data,
        recorded_at=AT,
    )


def validated(codec: Codec, row: StoredRow) -> Any:
    """What the validated path gives: the record, or the error it raises."""
    try:
        return codec.decode(row)
    except CorruptEventError:
        return CorruptEventError


def round_trips(codec: Codec, event: Event) -> None:
    """The event comes back equal, of the same class, by the fast and the validated path."""
    new = codec.encode(event)
    row = stored(new.type, new.data)
    [quick] = codec.decode_rows([row])
    assert quick == codec.decode(row)
    assert type(quick.event) is type(event)
    assert quick.event == event


def both_paths_agree(codec: Codec, damage: tuple[str, bytes]) -> None:
    """Whatever a stored payload holds, both paths give the same record or both refuse it."""
    row = stored(*damage)
    quick, slow = fast(codec, row), validated(codec, row)
    if quick is not CorruptEventError and b'"at"' not in row.data:
        # No `at` stored: the class default (now) fills it in, a moment apart.
        quick = attrs.evolve(quick, event=attrs.evolve(quick.event, at=AT))
        slow = attrs.evolve(slow, event=attrs.evolve(slow.event, at=AT))
    assert quick == slow


def fast(codec: Codec, row: StoredRow) -> Any:
    """What the fast path gives: the record, or the error it raises."""
    try:
        (record,) = codec.decode_rows([row])
    except CorruptEventError:
        return CorruptEventError
    return record


# Values that a damaged or hand-edited payload might hold in any field.
json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**70), 2**70)
    | st.floats(allow_nan=False)
    | st.text(max_size=8)
    | st.sampled_from(["", " ", "phone", "Phone", "punch_up", "rejected", "2026-03-01T09:30:00"]),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=6,
)


#: The changes any stored payload can suffer, whatever its event.
KEY_DAMAGE = ["keep", "drop", "add", "replace"]


def damage_keys(draw: st.DrawFn, payload: dict[str, Any], how: str) -> None:
    """Drops, adds or replaces one key of `payload`, as `how` says (else leaves it)."""
    if how == "drop":
        del payload[draw(st.sampled_from(sorted(payload)))]
    elif how == "add":
        payload[draw(st.text(max_size=12))] = draw(json_values)
    elif how == "replace":
        payload[draw(st.sampled_from(sorted(payload)))] = draw(json_values)


def payload_bytes(payload: dict[str, Any]) -> bytes:
    """A payload as a backend holds it (lone surrogates kept, as a damaged file may hold)."""
    return json.dumps(payload, ensure_ascii=False).encode("utf-8", "surrogatepass")


@st.composite
def damaged(draw: st.DrawFn) -> tuple[str, bytes]:
    """A built-in event's stored payload, changed in one way or another (or not at all)."""
    event = draw(events())
    row = builtin_codec().encode(event)
    payload = json.loads(row.data)
    how = draw(st.sampled_from([*KEY_DAMAGE, "offset", "big", "item"]))
    damage_keys(draw, payload, how)
    if how == "offset":
        # `at`, or another moment field (an interview's `on`), at another offset or naive.
        field = draw(st.sampled_from([key for key in ("at", "on") if key in payload]))
        hours = draw(st.integers(-12, 14))
        moment = getattr(event, field).astimezone(timezone(timedelta(hours=hours)))
        payload[field] = draw(
            st.sampled_from([moment.isoformat(), moment.replace(tzinfo=None).isoformat()])
        )
    elif how == "big":
        payload[draw(st.sampled_from(sorted(payload)))] = draw(st.integers(2**63, 2**80))
    elif how == "item" and isinstance(payload.get("items"), list):
        payload["items"][0][draw(st.sampled_from(["skill", "mark", "comment", "extra"]))] = draw(
            json_values
        )
    return row.type, payload_bytes(payload)


class TestFastDecode:
    """`Codec.decode_rows` (no cattrs, no attrs converters) agrees with `Codec.decode`."""

    @settings(max_examples=200)
    @given(events())
    def test_stored_events_decode_the_same(self, event: Event) -> None:
        """Every valid built-in event comes back equal, of the same class, either way."""
        round_trips(builtin_codec(), event)

    @settings(max_examples=400)
    @given(damaged())
    def test_damaged_payloads_decode_the_same(self, damage: tuple[str, bytes]) -> None:
        """Whatever a payload holds, both paths give the same event or both refuse it."""
        both_paths_agree(builtin_codec(), damage)

    def test_the_fast_path_is_taken(self) -> None:
        """A stored built-in event is rebuilt by its builder, not by cattrs."""
        codec = builtin_codec()
        new = codec.encode(GapAdded(skill="SQL", rank=2, at=AT))
        builder = codec._builders["GapAdded"][1]
        assert builder(orjson.loads(new.data)) == GapAdded(skill="SQL", rank=2, at=AT)

    def test_every_builtin_event_has_a_fast_path(self) -> None:
        """Every built-in class (and the feedback item they hold) gets a builder and an encoder."""
        for cls in (*BUILTIN_EVENTS, FeedbackItem):
            assert trusted.builder(cls) is not None, cls
            assert trusted.unstructurer(cls) is not None, cls
        codec = builtin_codec()
        assert set(codec._builders) == {event_type_of(cls) for cls in BUILTIN_EVENTS}

    def test_a_moment_field_besides_at(self) -> None:
        """An interview's `on` is read by the fast path in UTC; at another offset it takes the
        validated path, which keeps the same moment; naive, both refuse it."""
        codec = builtin_codec()
        event = InterviewScheduled(
            application_id="a1", stage="phone", on=datetime(2026, 12, 3, 13, tzinfo=UTC), at=AT
        )
        payload = orjson.loads(codec.encode(event).data)
        assert payload["on"] == "2026-12-03T13:00:00+00:00"
        builder = codec._builders["InterviewScheduled"][1]
        assert builder(payload) == event
        shifted = {**payload, "on": "2026-12-03T14:00:00+01:00"}
        assert builder(shifted) is None
        [record] = codec.decode_rows([stored("InterviewScheduled", orjson.dumps(shifted))])
        assert record.event == event
        assert record.event.on.tzinfo is UTC
        naive = {**payload, "on": "2026-12-03T13:00:00"}
        with pytest.raises(CorruptEventError, match="on"):
            codec.decode_rows([stored("InterviewScheduled", orjson.dumps(naive))])

    def test_other_schema_versions_take_the_validated_path(self) -> None:
        """A stored form of another schema version is never rebuilt by the fast path."""
        codec = builtin_codec()
        data = codec.encode(GapAdded(skill="SQL", at=AT)).data
        [record] = codec.decode_rows([stored("GapAdded", data, schema_version=2)])
        assert type(record.event).__name__ == "UnknownEvent"

    def test_damage_is_named(self) -> None:
        """A row the fast path does not vouch for raises the validated path's error."""
        codec = builtin_codec()
        row = stored("GapAdded", b'{"at":"2026-03-01T09:30:00+00:00","skill":"  "}')
        with pytest.raises(CorruptEventError, match="position 7"):
            codec.decode_rows([row])


_SQL = b'{"at":"2026-03-01T09:30:00+00:00","skill":"SQL"}'


class TestRawRows:
    """`Codec.decode_raw` takes the columns as a backend reads them: the same records."""

    @settings(max_examples=100)
    @given(
        st.lists(events(), min_size=1, max_size=6),
        st.lists(st.sampled_from(["text", "datetime", "other text"]), min_size=6, max_size=6),
    )
    def test_stamps_as_text_or_datetime(self, sequence: list[Event], kinds: list[str]) -> None:
        """recorded_at as ISO text or an aware datetime, mixed in one batch, decodes alike."""
        codec = builtin_codec()
        later = AT + timedelta(seconds=1)
        stamps = {"text": AT.isoformat(), "datetime": AT, "other text": later.isoformat()}
        raw = []
        for position, (event, kind) in enumerate(zip(sequence, kinds, strict=False), start=1):
            new = codec.encode(event)
            metadata = b'{"source":"test"}' if position % 2 else b'{"n":[1]}'
            raw.append(
                (
                    position,
                    "me",
                    position,
                    new.type,
                    new.schema_version,
                    new.data,
                    stamps[kind],
                    f"id-{position}",
                    metadata,
                )
            )
        decoded = codec.decode_raw(raw)
        assert [record.event for record in decoded] == sequence
        assert [record.recorded_at for record in decoded] == [
            later if kind == "other text" else AT for kind in kinds[: len(sequence)]
        ]
        assert decoded == [codec.decode(stored_row(row)) for row in raw]
        assert [record.event_id for record in decoded] == [row[7] for row in raw]
        assert [dict(record.metadata) for record in decoded] == [
            {"source": "test"} if row[0] % 2 else {"n": (1,)} for row in raw
        ]

    @pytest.mark.parametrize(
        ("row", "problem"),
        [
            (
                (7, "me", 3, "GapAdded", 1, b"{}", "yesterday", "i", b"{}"),
                "recorded_at 'yesterday'",
            ),
            ((7, "me", 3, "GapAdded", 1, b"{}", None, "i", b"{}"), "recorded_at None"),
            ((7, "me", 3, 12, 1, b"{}", AT.isoformat(), "i", b"{}"), "not a name and a number"),
            (
                (7, "me", 3, "GapAdded", "1", b"{}", AT.isoformat(), "i", b"{}"),
                "not a name and a number",
            ),
            ((7, "me", 3, "GapAdded", 1, "not json", AT.isoformat(), "i", b"{}"), "not valid JSON"),
            ((7, "me", 3, "GapAdded", 1, b"{}", AT.isoformat(), None, b"{}"), "event id None"),
            ((7, "me", 3, "GapAdded", 1, _SQL, AT.isoformat(), "i", b"[1]"), "metadata is not"),
            ((7, "me", 3, "GapAdded", 1, _SQL, AT.isoformat(), "i", b"{"), "metadata is not"),
        ],
    )
    def test_damaged_columns_are_named(self, row: Any, problem: str) -> None:
        """A column an edit behind the library's back spoiled raises, naming the position."""
        codec = builtin_codec()
        good = codec.encode(GapAdded(skill="SQL", at=AT))
        first = (6, "me", 2, good.type, good.schema_version, good.data, AT.isoformat(), "j", b"{}")
        with pytest.raises(CorruptEventError, match=problem) as raised:
            codec.decode_raw([first, row])
        assert raised.value.position == 7


class TestFastEncode:
    """`Codec.encode` by the generated functions and orjson writes what cattrs and json wrote."""

    @settings(max_examples=200)
    @given(events())
    def test_same_bytes(self, event: Event) -> None:
        """The stored bytes are the very bytes the cattrs + json path writes."""
        codec = builtin_codec()
        unstructured = codec.converter.unstructure(event)
        payload = {k: v for k, v in unstructured.items() if v is not None}
        expected = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()
        assert codec.encode(event).data == expected

    def test_huge_numbers_are_kept(self) -> None:
        """A number past 64 bits (orjson refuses it) is written by json and read back whole."""
        codec = builtin_codec()
        event = GapAdded(skill="SQL", rank=2**70, at=AT)
        row = stored("GapAdded", codec.encode(event).data)
        [record] = codec.decode_rows([row])
        assert record.event == event


@attrs.frozen
class Mark:
    """A state's part that refuses to be set."""

    name: str


@attrs.define
class Board:
    """A state that checks what is set."""

    marks: list[Mark]
    count: int = attrs.field(validator=attrs.validators.ge(0))


class TestStateCodec:
    """Snapshots of the built-in views, written and read by generated functions."""

    @settings(max_examples=100)
    @given(event_sequences(max_size=40))
    def test_states_round_trip(self, sequence: list[Event]) -> None:
        """Every view's state comes back equal (frozen too), written as tables, and reads
        cattrs' form and the generated functions' too (older snapshots)."""
        codec = builtin_codec()
        for view in VIEWS:
            state = fold(view, sequence)
            assert states.state_functions(view.state_type) is not None, view.name
            assert tables.table_functions(view.state_type) is not None, view.name
            data = codec.dump_snapshot(state, view.state_type, {3: 1})
            assert document(data)["format"] == tables.FORMAT
            assert codec.load_snapshot(data, view.state_type) == (state, {3: 1})
            assert codec.load_snapshot(data, view.state_type, frozen=True) == (state, {3: 1})
            by_cattrs = json.dumps(
                {"state": codec.converter.unstructure(state, view.state_type), "retractions": []}
            ).encode()
            assert codec.load_snapshot(by_cattrs, view.state_type) == (state, {})
            dump, _ = states.state_functions(view.state_type)  # type: ignore[misc]
            generated = orjson.dumps({"state": dump(state), "retractions": []})
            assert json.loads(generated)["state"] == json.loads(by_cattrs)["state"]

    @pytest.mark.parametrize(
        "damage",
        [
            lambda saved: saved["tables"][0][1].__setitem__(0, "first"),  # a GapItem's rank
            lambda saved: saved["tables"][-1][1].__setitem__(0, "SQL"),  # the order
            lambda saved: saved["texts"].__setitem__(0, 7),
            lambda saved: saved["moments"].append("2026-01-05T09:00:00"),  # no zone
            lambda saved: saved["tables"].pop(),
            lambda saved: saved["tables"][-1].pop(),
        ],
    )
    def test_a_state_that_does_not_fit_is_refused(self, damage: Any) -> None:
        """A snapshot whose values have the wrong types raises (so the log ignores it)."""
        codec = builtin_codec()
        state = fold(gaps.VIEW, [GapAdded(skill="SQL", at=AT), GapAdded(skill="Go", at=AT)])
        saved = document(codec.dump_snapshot(state, gaps.GapsState, {}))
        damage(saved)
        with pytest.raises((ValueError, TypeError, IndexError, KeyError)):
            codec.load_snapshot(json.dumps(saved).encode(), gaps.GapsState)

    @pytest.mark.parametrize("version", [2, 3])
    def test_older_formats_are_still_read(self, version: int) -> None:
        """Snapshots written in tables format 2 (before keys and enum members were written
        as numbers) and 3 (before columns of numbers were packed, and a missing text was
        null) load to the states they were made from, frozen or not."""
        codec = builtin_codec()
        saved = json.loads((FIXTURES / f"snapshots-tables-{version}.json").read_text())
        assert {view.name for view in VIEWS if view.state_type is not None} <= set(saved)
        for view in VIEWS:
            if view.state_type is None:
                continue
            data = saved[view.name]["snapshot"].encode()
            assert json.loads(data)["format"] == version
            expected = codec.converter.structure(saved[view.name]["state"], view.state_type)
            for frozen in (False, True):
                assert codec.load_snapshot(data, view.state_type, frozen=frozen) == (
                    expected,
                    {3: 1},
                ), view.name

    def test_enums_are_written_as_numbers_of_a_list(self) -> None:
        """Format 3 lists each enum's values once and writes members as numbers into it;
        a value the enum no longer has makes the snapshot unreadable (then ignored)."""
        codec = builtin_codec()
        state = fold(
            pipeline.VIEW, [ResumeSubmitted(application_id="a", company="A", role="R", at=AT)]
        )
        saved = document(codec.dump_snapshot(state, pipeline.PipelineState, {}))
        assert saved["format"] == tables.FORMAT == 4
        listed = [value for values in saved["enums"] for value in values]
        assert "applied" in listed
        for values in saved["enums"]:
            if "applied" in values:
                values[values.index("applied")] = "wishlist"
        with pytest.raises(KeyError):
            codec.load_snapshot(json.dumps(saved).encode(), pipeline.PipelineState)

    def test_columns_of_numbers_are_packed(self) -> None:
        """Format 4 packs each column of whole numbers after the JSON document (an
        application's missing outcome as -1, so its column packs too), and reads them back:
        the JSON holds only the texts, the moments and the columns of lists."""
        codec = builtin_codec()
        sequence: list[Event] = [
            ResumeSubmitted(application_id="a", company="A", role="R", at=AT),
            ResumeSubmitted(application_id="b", company="B", role="R", at=AT),
            ApplicationClosed(application_id="a", outcome=Outcome.REJECTED, at=AT),
        ]
        state = fold(pipeline.VIEW, sequence)
        data = codec.dump_snapshot(state, pipeline.PipelineState, {})
        assert data.startswith(tables.MAGIC)
        found = tables.unpack(data)
        assert found is not None
        application = found["tables"][2]  # the Application table: its columns by field
        fields_ = [field.name for field in attrs.fields(pipeline.Application)]
        outcomes = application[fields_.index("outcome")]
        assert isinstance(outcomes, array.array)
        assert sorted(outcomes) == [-1, 0]
        assert isinstance(application[fields_.index("stages")], list)
        assert codec.load_snapshot(data, pipeline.PipelineState) == (state, {})
        (length,) = struct.unpack(">I", data[4:8])
        assert b"[-1" not in data[8 : 8 + length]

    def test_numbers_past_32_bits_are_packed_wide(self) -> None:
        """A column that 32 bits do not hold is packed in 64 and loads back equal; past 64
        bits the snapshot is written the cattrs way (which orjson reads as a float, so it
        is refused, and the log ignores it, rather than misread)."""
        codec = builtin_codec()
        board = Board([Mark("a")], 2**40)
        data = codec.dump_snapshot(board, Board, {})
        found = tables.unpack(data)
        assert found is not None
        assert [getattr(c, "typecode", None) for c in found["tables"][-1]] == [None, "q"]
        assert codec.load_snapshot(data, Board) == (board, {})
        data = codec.dump_snapshot(Board([Mark("a")], 2**70), Board, {})
        assert not data.startswith(tables.MAGIC)
        with pytest.raises(ValueError, match="count"):
            codec.load_snapshot(data, Board)

    @pytest.mark.parametrize(
        "damage",
        [
            lambda named: named.__setitem__("at", 10**6),  # past the end
            lambda named: named.__setitem__("count", 10**6),
            lambda named: named.__setitem__("packed", "d"),  # floats
            lambda named: named.__setitem__("at", -4),
            lambda named: named.__setitem__("extra", 1),
        ],
    )
    def test_a_packed_column_that_does_not_hold_is_refused(self, damage: Any) -> None:
        codec = builtin_codec()
        state = fold(gaps.VIEW, [GapAdded(skill="SQL", at=AT), GapAdded(skill="Go", at=AT)])
        data = codec.dump_snapshot(state, gaps.GapsState, {})
        (length,) = struct.unpack(">I", data[4:8])
        saved = json.loads(data[8 : 8 + length])
        named = next(c for columns in saved["tables"] for c in columns if isinstance(c, dict))
        damage(named)
        text = json.dumps(saved).encode()
        damaged = tables.MAGIC + struct.pack(">I", len(text)) + text + data[8 + length :]
        with pytest.raises(ValueError, match="packed"):
            codec.load_snapshot(damaged, gaps.GapsState)
        with pytest.raises(ValueError, match="cut short"):
            codec.load_snapshot(data[: 8 + length - 1], gaps.GapsState)

    def test_frozen_tables_refuse_changes(self) -> None:
        """Loaded frozen, every object of a tables snapshot is read-only, its empty lists too,
        and a mutable load gives lists of its own."""
        codec = builtin_codec()
        sequence = [
            ResumeSubmitted(application_id="a", company="A", role="R", at=AT),
            ResumeSubmitted(application_id="b", company="B", role="R", at=AT),
        ]
        state = fold(pipeline.VIEW, sequence)
        data = codec.dump_snapshot(state, pipeline.PipelineState, {})
        frozen, _ = codec.load_snapshot(data, pipeline.PipelineState, frozen=True)
        first, second = frozen.applications["a"], frozen.applications["b"]
        with pytest.raises(ReadOnlyStateError):
            first.company = "Z"
        for empty in (first.stages, second.stages, first.interviews):
            with pytest.raises(ReadOnlyStateError):
                empty.append(None)
        mutable, _ = codec.load_snapshot(data, pipeline.PipelineState)
        mutable.applications["a"].stages.append(None)
        assert mutable.applications["b"].stages == []

    def test_classes_with_hooks_or_frozen_load_as_they_were(self) -> None:
        """A state class that checks what is set, or refuses to be set, loads the same."""
        assert tables.table_functions(Board) is not None
        codec = builtin_codec()
        board = Board([Mark("a"), Mark("b")], 2)
        data = codec.dump_snapshot(board, Board, {})
        assert document(data)["format"] == tables.FORMAT
        for frozen in (False, True):
            assert codec.load_snapshot(data, Board, frozen=frozen) == (board, {})

    def test_a_state_with_floats(self) -> None:
        """Floats are generated for; one orjson cannot write (NaN, infinity) goes the json way."""

        @attrs.define
        class Score:
            value: float = 0.0

        assert states.state_functions(Score) is not None
        codec = builtin_codec()
        for value in (0.25, 1.0, float("inf")):
            data = codec.dump_snapshot(Score(value), Score, {})
            assert codec.load_snapshot(data, Score) == (Score(value), {})
        (nan,) = codec.load_snapshot(codec.dump_snapshot(Score(float("nan")), Score, {}), Score)[:1]
        assert math.isnan(nan.value)


# --- event classes as a plugin writes them ---------------------------------------------------


class Level(enum.StrEnum):
    LOW = "low"
    HIGH = "high"


@attrs.frozen(kw_only=True)
class Drill(Event):
    """A plugin's event built from the field kinds, with a bound of its own."""

    __event_type__ = "acme.Drill"
    skill: str = fields.name()
    reps: int = fields.whole(3)
    level: Level = fields.choice(Level)
    tags: tuple[str, ...] = fields.names()
    coach: str | None = fields.optional_name()
    rounds: int | None = fields.optional_whole(1)
    note: str | None = fields.text()


def _even(instance: Any, attribute: Any, value: int) -> None:
    if value % 2:
        raise InvalidEventError(f"Tally.count must be even, got {value}", field="count")


@attrs.frozen(kw_only=True)
class Tally(Event):
    """A plugin's event of plain attrs fields: a validator and a converter of its own."""

    __event_type__ = "acme.Tally"
    count: int = attrs.field(validator=_even)
    label: str = attrs.field(converter=str.strip)
    flag: bool = False
    when: datetime | None = None
    level: Level | None = None


@attrs.frozen(kw_only=True)
class Scored(Event):
    """A float: the trusted path leaves the class to the validated one."""

    __event_type__ = "acme.Scored"
    score: float


PLUGIN_EVENTS: tuple[type[Event], ...] = (Drill, Tally, Scored)


def plugin_codec() -> Codec:
    return Codec({event_type_of(cls): cls for cls in (*BUILTIN_EVENTS, *PLUGIN_EVENTS)})


plugin_events = st.one_of(
    st.builds(
        Drill,
        skill=names(),
        reps=st.integers(3, 2**70),
        level=st.sampled_from(Level),
        tags=st.lists(names(), max_size=3),
        coach=st.none() | names(),
        rounds=st.none() | st.integers(1, 9),
        note=notes(),
        at=aware_datetimes(),
    ),
    st.builds(
        Tally,
        count=st.integers(-50, 50).map(lambda n: 2 * n),
        label=st.text(max_size=6),
        flag=st.booleans(),
        when=st.none() | aware_datetimes(),
        level=st.none() | st.sampled_from(Level),
        at=aware_datetimes(),
    ),
    st.builds(Scored, score=st.floats(allow_nan=False), at=aware_datetimes()),
)


@st.composite
def damaged_plugin_rows(draw: st.DrawFn) -> tuple[str, bytes]:
    """A plugin event's stored payload, changed in one way or another (or not at all)."""
    row = plugin_codec().encode(draw(plugin_events))
    payload = json.loads(row.data)
    damage_keys(draw, payload, draw(st.sampled_from(KEY_DAMAGE)))
    return row.type, payload_bytes(payload)


class TestDerivedFromTheClass:
    """The trusted path is made from each class's own fields: plugins' classes get it too."""

    def test_plugin_classes_get_a_builder(self) -> None:
        """Classes of field kinds and of plain fields get one; a float field goes without."""
        assert trusted.builder(Drill) is not None
        assert trusted.builder(Tally) is not None
        assert trusted.builder(Scored) is None
        assert trusted.unstructurer(Scored) is None

    @settings(max_examples=200)
    @given(plugin_events)
    def test_plugin_events_round_trip(self, event: Event) -> None:
        """A plugin's event comes back equal, by either path."""
        round_trips(plugin_codec(), event)

    @settings(max_examples=300)
    @given(damaged_plugin_rows())
    def test_damaged_plugin_payloads_decode_the_same(self, damage: tuple[str, bytes]) -> None:
        """Whatever a plugin event's payload holds, both paths agree, or both refuse it."""
        both_paths_agree(plugin_codec(), damage)

    def test_a_bound_of_the_class_is_the_bound_checked(self) -> None:
        """`whole(3)` on the class: the builder refuses 2, and reading names the position."""
        codec = plugin_codec()
        payload = orjson.loads(
            codec.encode(Drill(skill="SQL", reps=3, level="low", tags=[], at=AT)).data
        )
        build = codec._builders["acme.Drill"][1]
        assert build(payload) is not None
        payload["reps"] = 2
        assert build(payload) is None
        with pytest.raises(CorruptEventError, match="reps must be at least 3") as raised:
            codec.decode_rows([stored("acme.Drill", orjson.dumps(payload))])
        assert raised.value.position == 7

    def test_a_validator_of_the_class_is_called(self) -> None:
        """A plain field's own validator runs on the trusted path too."""
        codec = plugin_codec()
        row = stored("acme.Tally", b'{"at":"2026-03-01T09:30:00+00:00","count":3,"label":"x"}')
        assert codec._builders["acme.Tally"][1](orjson.loads(row.data)) is None
        with pytest.raises(CorruptEventError, match="must be even"):
            codec.decode_rows([row])


class TestKinds:
    """A kind's validator and the trusted path's test are one expression: they cannot disagree."""

    @pytest.mark.parametrize(
        "kind",
        [
            fields.Name(),
            fields.Name(optional=True),
            fields.Text(),
            fields.Whole(0),
            fields.Whole(5, optional=True),
        ],
        ids=repr,
    )
    @given(value=json_values)
    def test_validator_and_test_agree(self, kind: fields.Kind, value: Any) -> None:
        """For any value, the validator refuses exactly what the test is false for."""
        validator = kind.validator()
        assert validator is not None
        try:
            validator(Drill.__new__(Drill), attrs.fields(Drill).skill, value)
        except InvalidEventError:
            refused = True
        else:
            refused = False
        assert refused is not kind.predicate()(value)
