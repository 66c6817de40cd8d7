"""The contract every storage `Backend` must pass: subclass `BackendContract` in your tests."""

from __future__ import annotations

import contextlib
import time
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Literal, Protocol, cast

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jobsearch_core.errors import ConcurrencyError, DuplicateEventError
from jobsearch_core.storage import (
    GENESIS,
    Backend,
    KeepsCheckpoints,
    NewRow,
    Snapshot,
    StoredRow,
    chain_hash,
    stored_row,
)

if TYPE_CHECKING:
    from collections.abc import Iterator

from jobsearch_core.storage.capabilities import PrunesSnapshots, ReadsHead
from jobsearch_core.testing.strategies import new_rows, stream_names

__all__ = ["BackendContract"]


def _rows(count: int, *, tag: str = "n") -> list[NewRow]:
    return [
        NewRow(type="Noted", schema_version=1, data=f'{{"{tag}": {i}}}'.encode())
        for i in range(count)
    ]


def _same(row: StoredRow) -> NewRow:
    """A stored row as the row that stored it (a retry)."""
    return NewRow(row.type, row.schema_version, row.data, row.event_id, row.metadata)


def _positions(rows: Iterator[StoredRow] | list[StoredRow]) -> list[int]:
    return [row.position for row in rows]


_PAYLOADS = {
    "empty": b"",
    "nul": b"\x00",
    "nul inside": b'{"note": "a\x00b"}',
    "escaped nul": b'{"note": "a\\u0000b"}',
    "emoji": '{"note": "🎉 👩‍💻 🏳️‍🌈"}'.encode(),
    "right to left": '{"note": "مهندس بيانات \u202eabc\u202c"}'.encode(),
    "quotes": b'{"note": "it\'s \\"quoted\\""} \'; DROP TABLE events;--',
    "every byte": bytes(range(256)),
    "100 kB": b'{"note": "' + b"x\x00\xff" * 34_000 + b'"}',
}


@attrs.frozen
class _Step:
    stream: str
    rows: list[NewRow]
    expect: Literal["none", "correct", "wrong"]
    offset: int


@attrs.frozen
class _Plan:
    streams: list[str]
    steps: list[_Step]
    windows: list[tuple[int, int | None]]


@st.composite
def _plans(draw: st.DrawFn) -> _Plan:
    streams = draw(st.lists(stream_names(), min_size=1, max_size=3, unique=True))
    step = st.builds(
        _Step,
        stream=st.sampled_from(streams),
        rows=st.lists(new_rows(), max_size=4),
        expect=st.sampled_from(("none", "correct", "wrong")),
        offset=st.sampled_from((-2, -1, 1, 2, 5)),
    )
    steps = draw(st.lists(step, max_size=15))
    windows = draw(
        st.lists(st.tuples(st.integers(0, 65), st.none() | st.integers(0, 65)), max_size=3)
    )
    return _Plan(streams=streams, steps=steps, windows=windows)


class _Keeper(Backend, KeepsCheckpoints, Protocol):
    """A backend that keeps checkpoints."""


class BackendContract:
    """What every `Backend` must do; subclass it as ``TestMyBackend`` and implement `make_backend`.

    The suite closes every backend it makes after each test. A file-based backend can make its
    files in ``self.tmp_path_factory.mktemp("log")``::

        from jobsearch_core.testing import BackendContract

        class TestMyBackend(BackendContract):
            def make_backend(self):
                return MyBackend(self.tmp_path_factory.mktemp("log") / "log.db")
    """

    tmp_path_factory: pytest.TempPathFactory
    _opened: contextlib.ExitStack

    def make_backend(self) -> Backend:
        """Return a fresh, empty backend."""
        raise NotImplementedError("a BackendContract subclass must implement make_backend()")

    @pytest.fixture(autouse=True)
    def _backend_contract_setup(self, tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
        self.tmp_path_factory = tmp_path_factory
        with contextlib.ExitStack() as self._opened:
            yield

    def open_backend(self) -> Backend:
        """A fresh backend from `make_backend`, closed when the test ends."""
        backend = self.make_backend()
        self._opened.callback(backend.close)
        return backend

    # --- append --------------------------------------------------------------------------------

    def test_satisfies_the_protocol(self) -> None:
        """The backend is a `Backend` and names its URL."""
        backend = self.open_backend()
        assert isinstance(backend, Backend)
        assert isinstance(backend.url, str)

    def test_new_backend_is_empty(self) -> None:
        """A fresh backend has no rows, no streams, head 0 and version 0."""
        backend = self.open_backend()
        assert list(backend.read()) == []
        assert backend.head() == 0
        assert backend.streams() == []
        assert backend.stream_version("me") == 0

    def test_append_returns_stored_rows(self) -> None:
        """Append returns one StoredRow per row, positions and versions 1..n, data intact."""
        backend = self.open_backend()
        rows = _rows(3)
        stored = backend.append("me", rows)
        assert [(r.position, r.stream, r.version) for r in stored] == [
            (1, "me", 1),
            (2, "me", 2),
            (3, "me", 3),
        ]
        assert [(r.type, r.schema_version, r.data) for r in stored] == [
            (r.type, r.schema_version, r.data) for r in rows
        ]

    def test_positions_are_global_and_versions_per_stream(self) -> None:
        """Across interleaved streams, positions run 1..n globally and versions 1..n per stream."""
        backend = self.open_backend()
        stored = []
        for stream, count in [("a", 2), ("b", 1), ("a", 1), ("c", 3), ("b", 2)]:
            stored += backend.append(stream, _rows(count))
        assert _positions(stored) == list(range(1, 10))
        versions = [f"{r.stream}{r.version}" for r in stored]
        assert versions == ["a1", "a2", "b1", "a3", "c1", "c2", "c3", "b2", "b3"]
        assert list(backend.read()) == stored

    def test_rows_of_one_append_share_an_aware_utc_recorded_at(self) -> None:
        """All rows of one append share recorded_at, which is timezone-aware UTC."""
        backend = self.open_backend()
        stored = backend.append("me", _rows(4))
        moments = {row.recorded_at for row in stored}
        assert len(moments) == 1
        (moment,) = moments
        assert moment.tzinfo is not None
        assert moment.utcoffset() == timedelta(0)
        assert {row.recorded_at for row in backend.read()} == moments

    def test_append_of_no_rows_stores_nothing(self) -> None:
        """Appending zero rows returns [] and leaves the log, its head and its streams alone."""
        backend = self.open_backend()
        assert backend.append("me", []) == []
        assert backend.head() == 0
        assert backend.streams() == []
        backend.append("me", _rows(1))
        assert backend.append("me", []) == []
        assert backend.head() == 1
        assert backend.stream_version("me") == 1

    # --- event ids and metadata ----------------------------------------------------------------

    def test_event_ids_and_metadata_round_trip(self) -> None:
        """Each row keeps the id and the metadata bytes it was appended with; `lookup` finds
        rows by id, and leaves out ids the log does not hold."""
        backend = self.open_backend()
        rows = [
            NewRow("Noted", 1, b'{"n":1}', "first", b'{"source":"test","correlation_id":"c-1"}'),
            NewRow("Noted", 1, b'{"n":2}', "zweite \u00fc 🦄", b"{}"),
        ]
        stored = backend.append("me", rows)
        assert [(r.event_id, r.metadata) for r in stored] == [
            (r.event_id, r.metadata) for r in rows
        ]
        assert list(backend.read()) == stored
        found = backend.lookup(["zweite \u00fc 🦄", "nobody", "first"])
        assert found == {"first": stored[0], "zweite \u00fc 🦄": stored[1]}
        assert backend.lookup([]) == {}

    def test_generated_ids_are_distinct(self) -> None:
        """Rows made without an id get distinct ones."""
        backend = self.open_backend()
        stored = backend.append("me", _rows(50))
        assert len({row.event_id for row in stored}) == 50

    def test_appending_stored_rows_again_is_a_no_op(self) -> None:
        """A retry (the same ids, stream, types and payloads) stores nothing and returns [],
        even when `expected_version` no longer matches."""
        backend = self.open_backend()
        rows = _rows(3)
        first = backend.append("me", rows, expected_version=0)
        assert backend.append("me", rows) == []
        assert backend.append("me", rows, expected_version=0) == []
        assert backend.append("me", rows[1:2], expected_version=0) == []
        assert list(backend.read()) == first
        assert backend.head() == 3
        assert backend.stream_version("me") == 3

    def test_a_retry_with_new_rows_stores_only_the_new(self) -> None:
        """Rows already stored are left out; the others are appended, in order."""
        backend = self.open_backend()
        old = backend.append("me", _rows(2))
        new = _rows(2, tag="m")
        rows = [_same(old[0]), new[0], _same(old[1]), new[1]]
        stored = backend.append("me", rows)
        assert [(r.event_id, r.position, r.version) for r in stored] == [
            (new[0].event_id, 3, 3),
            (new[1].event_id, 4, 4),
        ]
        assert list(backend.read()) == [*old, *stored]

    def test_a_retry_with_new_rows_still_checks_the_version(self) -> None:
        """Under `expected_version`, a call with any new row must match the version."""
        backend = self.open_backend()
        old = backend.append("me", _rows(2))
        with pytest.raises(ConcurrencyError):
            backend.append("me", [_same(old[0]), *_rows(1, tag="m")], expected_version=0)
        assert backend.head() == 2

    @pytest.mark.parametrize("change", ["type", "schema_version", "data", "stream"])
    def test_an_id_stored_with_other_content_is_refused(self, change: str) -> None:
        """The same id with another type, schema version, payload or stream raises
        `DuplicateEventError` naming it, and nothing of that call is stored."""
        backend = self.open_backend()
        (old,) = backend.append("me", _rows(1))
        other = {
            "type": NewRow("Other", 1, old.data, old.event_id),
            "schema_version": NewRow(old.type, 2, old.data, old.event_id),
            "data": NewRow(old.type, 1, b'{"n": 99}', old.event_id),
            "stream": _same(old),
        }[change]
        stream = "you" if change == "stream" else "me"
        fresh = _rows(1, tag="fresh")
        with pytest.raises(DuplicateEventError) as caught:
            backend.append(stream, [*fresh, other])
        assert caught.value.event_id == old.event_id
        assert caught.value.position == 1
        assert list(backend.read()) == [old]
        assert backend.lookup([fresh[0].event_id]) == {}
        assert backend.streams() == ["me"]

    def test_metadata_may_differ_in_a_retry(self) -> None:
        """A retry whose metadata differs is still a retry: the stored metadata stays."""
        backend = self.open_backend()
        (old,) = backend.append("me", [NewRow("Noted", 1, b"{}", "x", b'{"source":"a"}')])
        assert backend.append("me", [NewRow("Noted", 1, b"{}", "x", b'{"source":"b"}')]) == []
        assert list(backend.read()) == [old]

    def test_an_id_given_twice_in_one_call_is_refused(self) -> None:
        """Two rows of one call with one id raise `DuplicateEventError`; nothing is stored."""
        backend = self.open_backend()
        rows = [NewRow("Noted", 1, b"{}", "twice"), NewRow("Noted", 1, b"{}", "twice")]
        with pytest.raises(DuplicateEventError):
            backend.append("me", rows)
        assert backend.head() == 0

    def test_threads_retrying_one_append_store_it_once(self) -> None:
        """Several threads appending the same rows at once: exactly one copy is stored."""
        import threading

        backend = self.open_backend()
        rows = _rows(5)
        results: list[list[StoredRow]] = []
        errors: list[BaseException] = []
        start = threading.Barrier(4)

        def retry() -> None:
            start.wait()
            try:
                results.append(backend.append("me", rows))
            except BaseException as error:  # pragma: no cover - reported below
                errors.append(error)

        threads = [threading.Thread(target=retry) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert errors == []
        assert sorted(len(result) for result in results) == [0, 0, 0, 5]
        assert [row.event_id for row in backend.read()] == [row.event_id for row in rows]

    # --- several streams in one transaction ----------------------------------------------------

    def test_append_many_stores_batches_in_order(self) -> None:
        """Batches of several streams (one of them twice) take consecutive positions, each
        stream's versions continue, one recorded_at, and the chain runs on across them."""
        backend = self.open_backend()
        backend.append("a", _rows(1))
        stored = backend.append_many(
            [("a", _rows(2), None), ("b", _rows(1, tag="b"), 0), ("a", _rows(1, tag="c"), 3)]
        )
        assert [[(r.position, r.stream, r.version) for r in rows] for rows in stored] == [
            [(2, "a", 2), (3, "a", 3)],
            [(4, "b", 1)],
            [(5, "a", 4)],
        ]
        assert len({r.recorded_at for rows in stored for r in rows}) == 1
        everything = list(backend.read())
        assert everything[1:] == [r for rows in stored for r in rows]
        previous = GENESIS
        for row in everything:
            previous = chain_hash(previous, row)
            assert row.hash == previous

    def test_append_many_of_nothing_stores_nothing(self) -> None:
        backend = self.open_backend()
        assert backend.append_many([]) == []
        assert backend.append_many([("a", [], None)]) == [[]]
        assert backend.head() == 0
        assert backend.streams() == []

    @pytest.mark.parametrize("failing", ["version", "head", "duplicate", "repeated"])
    def test_append_many_is_all_or_nothing(self, failing: str) -> None:
        """A later batch that cannot be stored (a wrong version, a moved head, an id stored
        as another event, an id given twice) leaves out the earlier batches too."""
        backend = self.open_backend()
        (old,) = backend.append("a", _rows(1))
        first = ("b", _rows(2, tag="b"), None)
        second: tuple[str, list[NewRow], int | None] = {
            "version": ("a", _rows(1, tag="x"), 0),
            "head": ("a", _rows(1, tag="x"), None),
            "duplicate": ("a", [NewRow("Other", 1, b"{}", old.event_id)], None),
            "repeated": ("c", [NewRow("Noted", 1, b"{}", first[1][0].event_id)], None),
        }[failing]
        expected = DuplicateEventError if failing in ("duplicate", "repeated") else ConcurrencyError
        with pytest.raises(expected) as caught:
            backend.append_many([first, second], expected_head=7 if failing == "head" else None)
        if failing == "head":
            assert isinstance(caught.value, ConcurrencyError)
            assert (caught.value.stream, caught.value.expected, caught.value.actual) == (None, 7, 1)
        assert list(backend.read()) == [old]
        assert backend.streams() == ["a"]
        assert backend.lookup([first[1][0].event_id]) == {}

    def test_append_many_with_the_head_expected_appends(self) -> None:
        backend = self.open_backend()
        backend.append("a", _rows(2))
        (stored,) = backend.append_many([("b", _rows(1), None)], expected_head=2)
        assert [row.position for row in stored] == [3]

    def test_append_many_leaves_out_retries(self) -> None:
        """Rows already stored are left out of every batch; a call of nothing but retries
        stores nothing, even when the head and versions moved on."""
        backend = self.open_backend()
        a, b = _rows(2), _rows(1, tag="b")
        first = backend.append_many([("a", a, 0), ("b", b, 0)], expected_head=0)
        backend.append("c", _rows(1, tag="c"))
        assert backend.append_many([("a", a, 0), ("b", b, 0)], expected_head=0) == [[], []]
        new = _rows(1, tag="new")
        again = backend.append_many([("a", [*a, *new], None), ("b", b, None)])
        assert [[r.position for r in rows] for rows in again] == [[5], []]
        assert backend.head() == 5
        assert [r for rows in first for r in rows] == list(backend.read())[:3]

    # --- read ----------------------------------------------------------------------------------

    def _three_streams(self) -> tuple[Backend, list[StoredRow]]:
        backend = self.open_backend()
        stored = []
        for stream in ["a", "b", "a", "c", "a", "b"]:
            stored += backend.append(stream, _rows(2, tag=stream))
        return backend, stored

    def test_read_after(self) -> None:
        """read(after=k) gives the rows past position k, in order."""
        backend, stored = self._three_streams()
        for after in range(len(stored) + 2):
            assert list(backend.read(after=after)) == stored[after:]

    def test_read_until(self) -> None:
        """read(until=k) gives the rows up to and including position k."""
        backend, stored = self._three_streams()
        for until in range(len(stored) + 2):
            assert list(backend.read(until=until)) == stored[:until]

    def test_read_stream(self) -> None:
        """read(stream=s) gives only that stream's rows, in position order."""
        backend, stored = self._three_streams()
        for stream in ["a", "b", "c", "d"]:
            assert list(backend.read(stream=stream)) == [r for r in stored if r.stream == stream]

    def test_read_after_until_and_stream_combined(self) -> None:
        """after, until and stream narrow the rows together."""
        backend, stored = self._three_streams()
        for stream in [None, "a", "b"]:
            for after in range(0, 14, 3):
                for until in [None, 0, 2, 5, 9, 12, 20]:
                    want = [
                        r
                        for r in stored
                        if r.position > after
                        and (until is None or r.position <= until)
                        and (stream is None or r.stream == stream)
                    ]
                    got = list(backend.read(after=after, until=until, stream=stream))
                    assert got == want, (after, until, stream)

    def test_read_until_before_after_is_empty(self) -> None:
        """A window whose end is before its start holds nothing."""
        backend, _ = self._three_streams()
        assert list(backend.read(after=5, until=3)) == []
        assert list(backend.read(after=5, until=5)) == []

    def test_stream_filter_is_exact(self) -> None:
        """A stream name matches itself only: no case folding, trimming or LIKE wildcards."""
        backend = self.open_backend()
        names = ["me", "Me", "ME", "me ", " me", "m_", "m%", "%", "_e", "me\\"]
        for name in names:
            backend.append(name, _rows(1, tag=name))
        for name in names:
            rows = list(backend.read(stream=name))
            assert [r.stream for r in rows] == [name]
            assert backend.stream_version(name) == 1
        assert backend.stream_version("m") == 0

    def test_stream_names_round_trip(self) -> None:
        """Stream names with quotes, emoji and right-to-left text come back as written."""
        backend = self.open_backend()
        names = ["o'brien", '"quoted"', "🦄 seeker", "עדי", "Robert'); DROP TABLE events;--"]
        for name in names:
            backend.append(name, _rows(1))
        assert [r.stream for r in backend.read()] == names
        assert backend.streams() == sorted(names)

    def test_head_and_stream_version(self) -> None:
        """head() is the last position; stream_version() the stream's last version, 0 if none."""
        backend = self.open_backend()
        backend.append("a", _rows(2))
        backend.append("b", _rows(3))
        backend.append("a", _rows(1))
        assert backend.head() == 6
        assert backend.stream_version("a") == 3
        assert backend.stream_version("b") == 3
        assert backend.stream_version("nobody") == 0

    def test_streams_are_sorted(self) -> None:
        """streams() lists the streams that hold events, in code-point order like sorted()."""
        backend = self.open_backend()
        names = ["me", "B", "a", "é", "Z", "10", "9", "🦄"]
        for name in names:
            backend.append(name, _rows(1))
        assert backend.streams() == sorted(names)

    # --- expected_version ----------------------------------------------------------------------

    def test_expected_version_that_matches_appends(self) -> None:
        """An append whose expected_version is the stream's version goes through."""
        backend = self.open_backend()
        backend.append("me", _rows(2), expected_version=0)
        backend.append("other", _rows(1))
        stored = backend.append("me", _rows(1), expected_version=2)
        assert [(r.position, r.version) for r in stored] == [(4, 3)]

    def test_expected_version_mismatch_raises_and_stores_nothing(self) -> None:
        """A wrong expected_version raises ConcurrencyError with the numbers; nothing is stored."""
        backend = self.open_backend()
        backend.append("me", _rows(2))
        backend.append("other", _rows(1))
        before = list(backend.read())
        for expected in [0, 1, 3, 10]:
            with pytest.raises(ConcurrencyError) as caught:
                backend.append("me", _rows(3), expected_version=expected)
            assert (caught.value.stream, caught.value.expected, caught.value.actual) == (
                "me",
                expected,
                2,
            )
        assert list(backend.read()) == before
        assert backend.head() == 3
        assert backend.stream_version("me") == 2

    def test_expected_version_zero_requires_an_empty_stream(self) -> None:
        """expected_version=0 appends to an empty stream only."""
        backend = self.open_backend()
        backend.append("other", _rows(2))
        backend.append("me", _rows(1), expected_version=0)
        with pytest.raises(ConcurrencyError) as caught:
            backend.append("me", _rows(1), expected_version=0)
        assert (caught.value.expected, caught.value.actual) == (0, 1)
        assert backend.head() == 3

    def test_failed_append_creates_no_stream(self) -> None:
        """An append refused for its expected_version leaves no trace of a new stream."""
        backend = self.open_backend()
        with pytest.raises(ConcurrencyError):
            backend.append("ghost", _rows(1), expected_version=4)
        assert backend.streams() == []
        assert backend.stream_version("ghost") == 0
        assert backend.append("me", _rows(1))[0].position == 1

    # --- payloads ------------------------------------------------------------------------------

    @pytest.mark.parametrize("data", list(_PAYLOADS.values()), ids=list(_PAYLOADS))
    def test_payload_bytes_round_trip(self, data: bytes) -> None:
        """Payload bytes come back exactly: the backend treats them as opaque."""
        backend = self.open_backend()
        backend.append("me", [NewRow(type="Noted", schema_version=1, data=data)])
        (row,) = backend.read()
        assert row.data == data
        assert type(row.data) is bytes

    def test_type_names_and_schema_versions_round_trip(self) -> None:
        """Type names and schema versions come back as written."""
        backend = self.open_backend()
        rows = [
            NewRow(type="ResumeSubmitted", schema_version=1, data=b"{}"),
            NewRow(type="acme_plugin.SalaryNoted", schema_version=2, data=b"{}"),
            NewRow(type="type 'with' \"quotes\" 🦄", schema_version=7, data=b"{}"),
            NewRow(type="نوع", schema_version=1000, data=b"{}"),
        ]
        backend.append("me", rows)
        assert [(r.type, r.schema_version) for r in backend.read()] == [
            (r.type, r.schema_version) for r in rows
        ]

    def test_read_gives_what_append_returned(self) -> None:
        """Rows read back equal the rows append returned, recorded_at included."""
        backend = self.open_backend()
        stored = backend.append("me", _rows(2)) + backend.append("you", _rows(3))
        assert list(backend.read()) == stored

    # --- reading while appending ---------------------------------------------------------------

    def test_appending_while_a_read_is_half_done(self) -> None:
        """A read left half-way survives appends in between and still gives rows in order."""
        backend = self.open_backend()
        first = backend.append("me", _rows(2500))
        reader = backend.read()
        head = [next(reader) for _ in range(10)]
        added = backend.append("me", _rows(5)) + backend.append("you", _rows(5))
        rest = list(reader)
        got = head + rest
        assert got[: len(first)] == first
        assert got[len(first) :] in (added, [])
        assert list(backend.read()) == first + added

    def test_appending_while_a_stream_read_is_half_done(self) -> None:
        """A stream-filtered read survives appends to its own and other streams."""
        backend = self.open_backend()
        first = backend.append("me", _rows(1200)) + backend.append("you", _rows(10))
        reader = backend.read(stream="me")
        head = [next(reader) for _ in range(3)]
        backend.append("me", _rows(2))
        backend.append("you", _rows(2))
        got = _positions(head + list(reader))
        assert got[:1200] == list(range(1, 1201))
        assert got[1200:] in ([], [1211, 1212])
        assert first == list(backend.read(until=1210))

    def test_abandoned_readers_do_not_block_appends(self) -> None:
        """Read generators left open or closed half-way do not stop later appends."""
        backend = self.open_backend()
        backend.append("me", _rows(1500))
        left_open = backend.read()
        next(left_open)
        closed = backend.read(after=3)
        next(closed)
        close = getattr(closed, "close", None)  # a generator has one; a plain iterator may not
        if close is not None:
            close()
        stored = backend.append("me", _rows(1))
        assert stored[0].position == 1501
        assert backend.head() == 1501

    # --- snapshots -----------------------------------------------------------------------------

    @staticmethod
    def _snapshot(
        position: int,
        *,
        view: str = "gaps",
        key: str = "gaps:1",
        stream: str = "me",
        state: bytes = b"s",
    ) -> Snapshot:
        return Snapshot(view=view, key=key, stream=stream, position=position, state=state)

    def test_no_snapshot_loads_as_none(self) -> None:
        """load_snapshot gives None when nothing was saved."""
        backend = self.open_backend()
        assert backend.load_snapshot("gaps", "gaps:1", "me", at_or_before=100) is None

    def test_snapshot_round_trips(self) -> None:
        """A saved snapshot loads back equal, its state bytes exact."""
        backend = self.open_backend()
        backend.append("me", _rows(5))
        saved = self._snapshot(5, state=_PAYLOADS["every byte"] + _PAYLOADS["100 kB"])
        backend.save_snapshot(saved)
        assert backend.load_snapshot("gaps", "gaps:1", "me", at_or_before=5) == saved

    def test_nearest_snapshot_at_or_before(self) -> None:
        """load_snapshot gives the snapshot nearest at or before the position asked for."""
        backend = self.open_backend()
        backend.append("me", _rows(12))
        for position in [7, 3, 10]:
            backend.save_snapshot(self._snapshot(position))
        found = {
            at: backend.load_snapshot("gaps", "gaps:1", "me", at_or_before=at)
            for at in [0, 2, 3, 6, 7, 9, 10, 11, 1000]
        }
        assert {at: s.position if s else None for at, s in found.items()} == {
            0: None, 2: None, 3: 3, 6: 3, 7: 7, 9: 7, 10: 10, 11: 10, 1000: 10,
        }  # fmt: skip

    def test_snapshot_of_another_view_key_or_stream_is_never_returned(self) -> None:
        """Only a snapshot with the same view, key and stream is returned."""
        backend = self.open_backend()
        backend.append("me", _rows(10))
        backend.append("you", _rows(10))
        backend.save_snapshot(self._snapshot(4))
        backend.save_snapshot(self._snapshot(8, view="pipeline", key="pipeline:1"))
        backend.save_snapshot(self._snapshot(9, key="gaps:2"))
        backend.save_snapshot(self._snapshot(10, stream="you"))
        loaded = backend.load_snapshot("gaps", "gaps:1", "me", at_or_before=20)
        assert loaded == self._snapshot(4)
        assert backend.load_snapshot("roles", "gaps:1", "me", at_or_before=20) is None
        assert backend.load_snapshot("gaps", "gaps:3", "me", at_or_before=20) is None
        assert backend.load_snapshot("gaps", "gaps:1", "them", at_or_before=20) is None
        assert backend.load_snapshot("gaps", "gaps:1", "Me", at_or_before=20) is None
        pipeline = backend.load_snapshot("pipeline", "pipeline:1", "me", at_or_before=20)
        assert pipeline == self._snapshot(8, view="pipeline", key="pipeline:1")

    def test_saving_the_same_snapshot_again_replaces_it(self) -> None:
        """A second save with the same view, key, stream and position replaces the first."""
        backend = self.open_backend()
        backend.append("me", _rows(5))
        backend.save_snapshot(self._snapshot(5, state=b"old"))
        backend.save_snapshot(self._snapshot(5, state=b"new"))
        loaded = backend.load_snapshot("gaps", "gaps:1", "me", at_or_before=5)
        assert loaded == self._snapshot(5, state=b"new")

    def test_pruning_snapshots(self) -> None:
        """A backend that prunes (`PrunesSnapshots`) lists one view's snapshots of a stream,
        with their sizes, and deletes those it is told to, and only those."""
        backend = self.open_backend()
        if not isinstance(backend, PrunesSnapshots):
            pytest.skip("this backend does not prune snapshots")
        backend.append("me", _rows(10))
        for position in (2, 5, 9):
            backend.save_snapshot(self._snapshot(position, state=b"x" * position))
        backend.save_snapshot(self._snapshot(5, stream="you"))
        assert backend.snapshot_sizes("gaps", "gaps:1", "me") == [(2, 2), (5, 5), (9, 9)]
        backend.delete_snapshots("gaps", "gaps:1", "me", [5, 7])
        assert backend.snapshot_sizes("gaps", "gaps:1", "me") == [(2, 2), (9, 9)]
        assert backend.load_snapshot("gaps", "gaps:1", "you", at_or_before=9) is not None
        assert backend.snapshot_sizes("gaps", "gaps:1", "them") == []

    def test_head_and_hash(self) -> None:
        """A backend that reads both at once (`ReadsHead`) gives the head and its row's hash."""
        backend = self.open_backend()
        if not isinstance(backend, ReadsHead):
            pytest.skip("this backend reads no head and hash at once")
        assert backend.head_and_hash() == (0, None)
        stored = backend.append("me", _rows(3))
        assert backend.head_and_hash() == (3, stored[-1].hash)

    # --- the hash chain -------------------------------------------------------------------------

    def test_rows_carry_a_hash_chain(self) -> None:
        """Each row's hash chains from the one before (GENESIS first), across streams and appends."""
        backend = self.open_backend()
        backend.append("me", _rows(2))
        backend.append("ann", _rows(1, tag="a"))
        backend.append("me", [NewRow(type="X", schema_version=3, data=b"\x00\xff")])
        previous = GENESIS
        rows = list(backend.read())
        for row in rows:
            assert row.hash == chain_hash(previous, row), row.position
            previous = row.hash
        assert len({row.hash for row in rows}) == len(rows)
        assert [r.hash for r in backend.read(stream="me")] == [
            r.hash for r in rows if r.stream == "me"
        ]

    # --- following ------------------------------------------------------------------------------

    def test_follow_hears_an_append_from_another_thread(self) -> None:
        """EventLog.follow over this backend yields an append made while it waits."""
        import threading

        from jobsearch_core.log import EventLog

        backend = self.open_backend()
        backend.append("me", _rows(1))
        log = EventLog(backend)
        writer = threading.Timer(0.3, lambda: backend.append("me", _rows(1, tag="late")))
        writer.start()
        try:
            seen = [r.position for r in log.follow(idle_timeout=1.0, poll_interval=0.05)]
        finally:
            writer.join()
        assert seen == [1, 2]

    def test_wait_for_append_returns_when_the_head_is_past(self) -> None:
        """The optional wait_for_append returns at once when the head is already past `after`."""
        backend = self.open_backend()
        wait = getattr(backend, "wait_for_append", None)
        backend.append("me", _rows(2))
        if wait is None:
            assert backend.head() == 2  # polled instead: follow() covers this backend
            return
        started = time.monotonic()
        wait(1, 10.0)
        assert time.monotonic() - started < 5.0  # did not sit out the timeout
        started = time.monotonic()
        wait(2, 0.2)  # nothing new: returns after the timeout
        assert time.monotonic() - started >= 0.1

    def test_raw_rows_are_what_read_gives(self) -> None:
        """The optional read_raw hands over read's rows (without hashes) as `RawRow` batches."""
        backend = self.open_backend()
        for i in range(6):
            backend.append("me" if i % 2 else "you", _rows(3))
        read_raw = getattr(backend, "read_raw", None)
        if read_raw is None:  # reading and replays decode `read`'s rows instead
            from jobsearch_core.log import EventLog

            read = [(r.position, r.stream, r.version) for r in backend.read()]
            assert [(r.position, r.stream, r.version) for r in EventLog(backend).read()] == read
            return
        for after, until, stream in [
            (0, None, None),
            (2, 11, None),
            (0, None, "me"),
            (4, 9, "you"),
        ]:
            expected = [
                attrs.evolve(row, hash=b"")
                for row in backend.read(after=after, until=until, stream=stream)
            ]
            batches = list(read_raw(after=after, until=until, stream=stream))
            assert all(batches), "no empty batches"
            raw = [stored_row(row) for batch in batches for row in batch]
            assert raw == expected
            assert all(row.recorded_at.utcoffset() == timedelta(0) for row in raw)
        assert list(read_raw(after=18)) == []

    # --- checkpoints ----------------------------------------------------------------------------

    def _keeper(self) -> _Keeper:
        """A fresh backend that keeps checkpoints; the test is skipped for one that does not
        (`EventLog.consumer` refuses it)."""
        backend = self.open_backend()
        if not isinstance(backend, KeepsCheckpoints):
            pytest.skip("the backend keeps no checkpoints (KeepsCheckpoints)")
        return cast("_Keeper", backend)

    def test_no_checkpoint_loads_as_none(self) -> None:
        """A fresh backend has no checkpoints."""
        backend = self._keeper()
        assert backend.load_checkpoint("mailer") is None
        assert backend.read_checkpoints() == []

    def test_checkpoint_round_trips(self) -> None:
        """A saved checkpoint loads back with its name, position and an aware UTC moment."""
        backend = self._keeper()
        before = datetime.now(UTC) - timedelta(seconds=5)
        backend.save_checkpoint("mailer", 7)
        found = backend.load_checkpoint("mailer")
        assert found is not None
        assert (found.name, found.position) == ("mailer", 7)
        assert found.updated_at.utcoffset() == timedelta(0)
        assert before <= found.updated_at <= datetime.now(UTC) + timedelta(seconds=5)

    def test_saving_a_checkpoint_again_replaces_it(self) -> None:
        """One checkpoint per name; saving moves it, forward or back."""
        backend = self._keeper()
        backend.save_checkpoint("mailer", 7)
        backend.save_checkpoint("mailer", 9)
        backend.save_checkpoint("mailer", 3)
        found = backend.load_checkpoint("mailer")
        assert found is not None
        assert found.position == 3
        assert [c.position for c in backend.read_checkpoints()] == [3]

    def test_checkpoints_are_listed_by_name_and_kept_apart(self) -> None:
        """Each name has its own checkpoint, compared exactly; the list is sorted by name."""
        backend = self._keeper()
        names = ["mailer", "Mailer", "mailer ", "calendar 📅", 'it\'s "quoted"', "مهندس"]
        for position, name in enumerate(names, start=1):
            backend.save_checkpoint(name, position)
        listed = backend.read_checkpoints()
        assert [c.name for c in listed] == sorted(names)
        assert {c.name: c.position for c in listed} == {
            name: position for position, name in enumerate(names, start=1)
        }
        found = backend.load_checkpoint("Mailer")
        assert found is not None
        assert found.position == 2

    def test_checkpoints_are_not_events(self) -> None:
        """Saving checkpoints appends nothing and leaves the events as they were."""
        backend = self._keeper()
        stored = backend.append("me", _rows(2))
        backend.save_checkpoint("mailer", 2)
        assert list(backend.read()) == stored
        assert backend.head() == 2
        assert backend.streams() == ["me"]

    # --- a property against a model ------------------------------------------------------------

    # Every subclass runs this one test function with its own `self` (differing executors);
    # that is safe because each example makes, and closes, its own backend.
    @settings(
        max_examples=30,
        deadline=None,
        suppress_health_check=[
            HealthCheck.function_scoped_fixture,
            HealthCheck.differing_executors,
        ],
    )
    @given(plan=_plans())
    def test_random_appends_read_back_like_a_list(self, plan: _Plan) -> None:
        """Random appends, some with wrong expected versions, read back exactly like a list."""
        backend = self.make_backend()
        try:
            self._check_against_model(backend, plan)
        finally:
            backend.close()

    def _check_against_model(self, backend: Backend, plan: _Plan) -> None:
        log: list[StoredRow] = []
        for step in plan.steps:
            actual = sum(1 for row in log if row.stream == step.stream)
            expected: int | None = None
            if step.expect == "correct":
                expected = actual
            elif step.expect == "wrong" and step.rows:
                expected = (
                    actual + step.offset if actual + step.offset >= 0 else actual - step.offset
                )
            if expected is not None and expected != actual:
                with pytest.raises(ConcurrencyError) as caught:
                    backend.append(step.stream, step.rows, expected_version=expected)
                assert (caught.value.stream, caught.value.expected, caught.value.actual) == (
                    step.stream,
                    expected,
                    actual,
                )
                continue
            stored = backend.append(step.stream, step.rows, expected_version=expected)
            assert len({row.recorded_at for row in stored}) <= 1
            assert all(row.recorded_at.utcoffset() == timedelta(0) for row in stored)
            previous = log[-1].hash if log else GENESIS
            expected_rows = []
            for i, new in enumerate(step.rows, start=1):
                position, version = len(log) + i, actual + i
                row = StoredRow(
                    position=position,
                    stream=step.stream,
                    version=version,
                    type=new.type,
                    schema_version=new.schema_version,
                    data=new.data,
                    recorded_at=stored[0].recorded_at,
                    event_id=new.event_id,
                    metadata=new.metadata,
                )
                previous = chain_hash(previous, row)
                expected_rows.append(attrs.evolve(row, hash=previous))
            assert stored == expected_rows
            log += stored

        assert list(backend.read()) == log
        assert backend.head() == len(log)
        assert backend.streams() == sorted({row.stream for row in log})
        for stream in plan.streams:
            mine = [row for row in log if row.stream == stream]
            assert list(backend.read(stream=stream)) == mine
            assert backend.stream_version(stream) == len(mine)
        for after, until in plan.windows:
            window = [
                r for r in log if r.position > after and (until is None or r.position <= until)
            ]
            assert list(backend.read(after=after, until=until)) == window
            stream = plan.streams[0]
            assert list(backend.read(after=after, until=until, stream=stream)) == [
                r for r in window if r.stream == stream
            ]
