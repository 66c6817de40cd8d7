"""The event log: append (atomic, optimistic concurrency), read, views and time travel."""

from __future__ import annotations

import itertools
import logging
import sys
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar, overload
from urllib.parse import urlsplit

import attrs

from jobsearch_core import following
from jobsearch_core.audit import Anchor, Problem, hash_at, head_hash, verify
from jobsearch_core.catalog import Catalog
from jobsearch_core.codec import make_record
from jobsearch_core.codec.metadata import decode_metadata, encode_metadata
from jobsearch_core.consumers import Consumer, ConsumerStatus, check_consumer_name, statuses
from jobsearch_core.errors import (
    BackendError,
    ConcurrencyError,
    CorruptEventError,
    DuplicateEventError,
    InvalidInputError,
)
from jobsearch_core.events.base import Event, Recorded
from jobsearch_core.events.vocabulary import EventRetracted
from jobsearch_core.folding import Folding
from jobsearch_core.following import Source
from jobsearch_core.heads import MAX_CACHED_STATES
from jobsearch_core.snapshots import SNAPSHOT_EVERY
from jobsearch_core.storage.backend import Backend, row_at
from jobsearch_core.storage.capabilities import (
    KeepsCheckpoints,
    ReadsBatches,
    ReadsRaw,
    WakesOnAppend,
)
from jobsearch_core.storage.rows import NewRow, StoredRow, new_event_ids
from jobsearch_core.views.replay import (
    retracted_by,
    skipped_positions,
)
from jobsearch_core.views.view import View

__all__ = [
    "DEFAULT_STREAM",
    "Batch",
    "EventLog",
    "check_event_id",
    "check_stream",
    "default_source",
    "shown_url",
]

logger = logging.getLogger("jobsearch_core")

S = TypeVar("S")

DEFAULT_STREAM = "me"
#: Rows decoded at a time from a backend that does not offer batches of its own.
READ_BATCH = 1000
MAX_STREAM_NAME = 256
MAX_EVENT_ID = 256


def shown_url(url: str) -> str:
    """A URL with any password hidden."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    return parts._replace(netloc=parts.netloc.replace(f":{parts.password}@", ":***@")).geturl()


def default_source() -> str:
    """Who appends, when the caller does not say: the running program's name (``python``
    when there is none to tell)."""
    main = sys.modules.get("__main__")
    spec = getattr(main, "__spec__", None)
    name = getattr(spec, "name", None)
    if isinstance(name, str) and name and name != "__main__":
        return name.removesuffix(".__main__")  # python -m tool
    program = Path(sys.argv[0]).stem if sys.argv and sys.argv[0] else ""
    return program if program and program not in ("-c", "-") else "python"


@attrs.frozen
class Batch:
    """One stream's events for `EventLog.append_many`, with what `EventLog.append` takes
    beside them."""

    stream: str
    events: Iterable[Event] | Event
    expected_version: int | None = None
    ids: Sequence[str] | None = None
    metadata: Mapping[str, Any] | Sequence[Mapping[str, Any]] | None = None


def _installed() -> Catalog:
    # The composition root: the built-ins and the installed plugins, as of now.
    from jobsearch_core.plugins import load_catalog

    return load_catalog()


class EventLog:
    """An append-only log of job-search events, folded into views on demand.

    It keeps the `catalog` (event types, views, codec, listeners) it was opened with:
    by default the plugins installed when it is made.
    """

    def __init__(
        self,
        backend: Backend,
        *,
        catalog: Catalog | None = None,
        snapshot_every: int = SNAPSHOT_EVERY,
        source: str | None = None,
        max_cached_states: int = MAX_CACHED_STATES,
    ) -> None:
        self.backend = backend
        self.catalog = catalog if catalog is not None else _installed()
        if source is not None and (not isinstance(source, str) or not source.strip()):
            raise InvalidInputError(f"source must be a non-blank name, got {source!r}")
        #: The ``source`` put in the metadata of what this log appends, unless the caller's
        #: metadata names one.
        self.source = source if source is not None else default_source()
        self._own_metadata = encode_metadata({"source": self.source})
        self._last_metadata: tuple[bytes, Mapping[str, Any]] = (
            self._own_metadata,
            decode_metadata(self._own_metadata),
        )
        self._codec = self.catalog.codec
        #: The views' folding: the states kept at the head, the snapshots, time travel.
        self._folding = Folding(backend, self.catalog, self._decoded)
        self.snapshot_every = snapshot_every
        self.max_cached_states = max_cached_states
        # What the backend can do besides the protocol, asked once.
        self._read_raw = backend.read_raw if isinstance(backend, ReadsRaw) else None
        self._read_batches = backend.read_batches if isinstance(backend, ReadsBatches) else None
        self._wait = backend.wait_for_append if isinstance(backend, WakesOnAppend) else None
        self._checkpoints = backend if isinstance(backend, KeepsCheckpoints) else None
        #: The stored names of the retraction types, and each stream's corrections read so
        #: far: stream (None: all) -> (the head read to, position -> position retracted).
        self._retraction_types = self._type_names(EventRetracted)
        self._corrections: dict[str | None, tuple[int, dict[int, int]]] = {}

    def __repr__(self) -> str:
        return f"<EventLog {shown_url(self.url)}>"

    def __enter__(self) -> EventLog:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    @property
    def url(self) -> str:
        """Where the log is kept."""
        return self.backend.url

    def close(self) -> None:
        """Release the backend, once each state kept at the head that folded at least
        `snapshot_every` events since its last snapshot is saved as one (a large state
        waits longer between snapshots while the log is open): the next process to open
        the log starts from there."""
        try:
            with self._folding.lock:
                self._folding.save_kept()
                self._folding.heads.clear()
        except BackendError as error:  # a cache not saved: the log is closed all the same
            logger.debug("snapshots not saved on closing: %s", error)
        finally:
            self.backend.close()

    # --- writing ----------------------------------------------------------------------------

    def append(
        self,
        events: Iterable[Event] | Event,
        *,
        stream: str = DEFAULT_STREAM,
        expected_version: int | None = None,
        ids: Sequence[str] | None = None,
        metadata: Mapping[str, Any] | Sequence[Mapping[str, Any]] | None = None,
    ) -> list[Recorded]:
        """Append events to `stream` all or nothing, and return them as recorded.

        With `expected_version`, the stream must be at that version (0: still empty),
        else `ConcurrencyError` and nothing is appended.

        `ids` gives each event its id (a new UUID each, when None). An event whose id is
        stored already as the same event (stream, type and payload) is not appended
        again: its stored record is returned in its place, so retrying an append whose
        acknowledgement was lost adds nothing, even under `expected_version`. An id stored
        with other content raises `DuplicateEventError`, and nothing is appended.

        `metadata` is stored with every event of the call (or one mapping per event);
        ``source`` is filled in with the log's `source` unless it is given.
        """
        prepared = self._prepared(stream, events, expected_version, ids, metadata)
        _, batch, rows, _ = prepared
        if self._check_retractions([prepared]) is not None:
            (records,) = self._append_prepared([prepared], None)  # positions worked out
            return records
        # One batch, its ids distinct already (given ones are checked, new ones are new).
        stored = self.backend.append(stream, rows, expected_version=expected_version)
        if len(stored) < len(rows):  # some are retries
            return self._mixed(prepared, stored)
        records = self._records(stored, batch)
        if records:
            self.catalog.announce(self, records)
        return records

    def append_many(
        self,
        batches: Iterable[Batch | tuple[str, Iterable[Event] | Event]],
        *,
        expected_head: int | None = None,
    ) -> list[list[Recorded]]:
        """Append batches for several streams in one transaction, all or nothing, and return
        each batch's events as recorded.

        A batch is a `Batch` (stream, events, and as `append` takes them, its
        `expected_version`, `ids` and `metadata`) or a ``(stream, events)`` pair; the
        batches are stored one after another, as `append` stores each. A retraction may
        point at an event of an earlier batch of the call by the position it will take
        (the log's last position, plus its place among the call's new events); the call
        then holds only if nothing else is appended first (else `ConcurrencyError`: work
        the positions out again). With `expected_head`, the log's last position must be
        that before the call, else `ConcurrencyError` and nothing is appended.
        """
        if expected_head is not None:
            _check_position("expected_head", expected_head)
        if isinstance(batches, Batch | str) or not isinstance(batches, Iterable):
            raise InvalidInputError(f"append_many takes a list of batches, got {batches!r:.80}")
        prepared = [self._prepared(*_batch_fields(batch)) for batch in batches]
        return self._append_prepared(prepared, expected_head)

    def _append_prepared(
        self, prepared: list[_Prepared], expected_head: int | None
    ) -> list[list[Recorded]]:
        """Append checked and encoded batches (see `append_many`)."""
        if expected_head is not None:
            # Checked again, atomically, by the backend: this only keeps positions worked
            # out for an older head from being judged against the new one.
            head = self.backend.head()
            if head != expected_head:
                raise ConcurrencyError(None, expected_head, head)
        seen: set[str] = set()
        count = 0
        for _, _, rows, _ in prepared:
            seen.update(row.event_id for row in rows)
            count += len(rows)
        if len(seen) < count:  # an id given to two events of the call
            met: set[str] = set()
            for _, _, rows, _ in prepared:
                for row in rows:
                    if row.event_id in met:
                        raise DuplicateEventError(row.event_id)
                    met.add(row.event_id)
        predicted = self._check_retractions(prepared)
        if expected_head is None:
            expected_head = predicted
        stored = self.backend.append_many(
            [(stream, rows, expected) for stream, _, rows, expected in prepared],
            expected_head=expected_head,
        )
        results: list[list[Recorded]] = []
        fresh: list[Recorded] = []
        for batch, mine in zip(prepared, stored, strict=True):
            if len(mine) == len(batch[2]):
                records = self._records(mine, batch[1])
                fresh += records
            else:  # some are retries
                records = self._mixed(batch, mine, announce=False)
                stored_now = {row.event_id for row in mine}
                fresh += [r for r in records if r.event_id in stored_now]
            results.append(records)
        if fresh:
            self.catalog.announce(self, fresh)
        return results

    def _mixed(
        self, batch: _Prepared, stored: list[StoredRow], *, announce: bool = True
    ) -> list[Recorded]:
        """A batch's records when some of its events were stored already (retries): those
        come back as they were stored, and only the others are news (announced)."""
        _, events, rows, _ = batch
        new = {row.event_id: row for row in stored}
        earlier = self.lookup([row.event_id for row in rows if row.event_id not in new])
        records = []
        fresh = []
        for row, event in zip(rows, events, strict=True):
            if row.event_id in new:
                (recorded,) = self._records([new[row.event_id]], [event])
                fresh.append(recorded)
            else:
                recorded = earlier[row.event_id]
            records.append(recorded)
        if announce and fresh:
            self.catalog.announce(self, fresh)
        return records

    def _prepared(
        self,
        stream: str,
        events: Iterable[Event] | Event,
        expected: int | None,
        ids: Sequence[str] | None,
        metadata: Mapping[str, Any] | Sequence[Mapping[str, Any]] | None,
    ) -> _Prepared:
        """A batch checked and encoded: (stream, events, rows, expected_version)."""
        check_stream(stream)
        batch = _events(events)
        if expected is not None and (
            isinstance(expected, bool) or not isinstance(expected, int) or expected < 0
        ):
            raise InvalidInputError(
                f"expected_version must be a whole number from 0 or None, got {expected!r}"
            )
        given = new_event_ids(len(batch)) if ids is None else _event_ids(ids, len(batch))
        encoded = self._metadata(metadata, len(batch))
        encode = self._codec.encode
        rows = [
            encode(event, event_id, meta)
            for event, event_id, meta in zip(batch, given, encoded, strict=True)
        ]
        return stream, batch, rows, expected

    def _records(self, stored: list[StoredRow], batch: list[Event]) -> list[Recorded]:
        record = make_record
        # The events of a call share their metadata, and the calls of a log mostly do too.
        last, metadata = self._last_metadata
        records = []
        for row, event in zip(stored, batch, strict=True):
            if row.metadata != last:
                last, metadata = row.metadata, decode_metadata(row.metadata)
                self._last_metadata = (last, metadata)
            records.append(
                record(
                    row.position,
                    row.stream,
                    row.version,
                    row.recorded_at,
                    event,
                    row.event_id,
                    metadata,
                )
            )
        return records

    def _metadata(
        self, metadata: Mapping[str, Any] | Sequence[Mapping[str, Any]] | None, count: int
    ) -> list[bytes]:
        """Each event's encoded metadata, ``source`` filled in where it is not given."""
        if metadata is None or isinstance(metadata, Mapping):
            return [self._encoded_metadata(metadata)] * count
        if isinstance(metadata, str | bytes) or not isinstance(metadata, Sequence):
            raise InvalidInputError(
                f"metadata is a mapping, or one mapping per event, got {metadata!r:.80}"
            )
        if len(metadata) != count:
            raise InvalidInputError(
                f"metadata holds {len(metadata)} mappings for {count} events; nothing was appended"
            )
        return [self._encoded_metadata(each) for each in metadata]

    def _encoded_metadata(self, metadata: Mapping[str, Any] | None) -> bytes:
        if metadata is None:
            return self._own_metadata
        if not isinstance(metadata, Mapping):
            raise InvalidInputError(f"metadata must be a mapping, got {metadata!r:.80}")
        source = metadata.get("source", self.source)
        if not isinstance(source, str) or not source.strip():
            raise InvalidInputError(f"metadata's source must be a non-blank name, got {source!r}")
        return encode_metadata({"source": source, **metadata})

    def _check_retractions(
        self, prepared: list[tuple[str, list[Event], list[NewRow], int | None]]
    ) -> int | None:
        """Refuse a retraction of a position not in the log (nor among the call's new
        events), of another stream's event, or of one retracted already. Return the head
        the call's positions were worked out from, when a retraction points into the call."""
        head: int | None = None
        #: Where the call's new events will stand (position -> stream, id -> position),
        #: worked out once a retraction points past the head.
        ahead: tuple[dict[int, str], dict[str, int]] | None = None
        retractions: dict[str, dict[int, int]] = {}
        predicted = False
        offset = 0  # the call's rows up to this one
        for stream, events, rows, _ in prepared:
            for event, row in zip(events, rows, strict=True):
                offset += 1
                if not isinstance(event, EventRetracted):
                    continue
                if head is None:
                    head = self.backend.head()
                target = event.position
                if target > head:
                    if ahead is None:
                        ahead = self._positions_ahead(prepared, head)
                    owner = ahead[0].get(target)
                    mine = ahead[1].get(row.event_id, 0)
                    if owner is None or target >= mine:
                        raise InvalidInputError(
                            f"EventRetracted.position {target} is not in the log (the last "
                            f"position is {head}), nor an earlier event of this call; "
                            "nothing was appended"
                        )
                    predicted = True
                else:
                    found = row_at(self.backend, target)
                    if found is None:
                        raise InvalidInputError(
                            f"EventRetracted.position {target} is missing from the log; "
                            "nothing was appended"
                        )
                    owner = found.stream
                if owner != stream:
                    raise InvalidInputError(
                        f"EventRetracted.position {target} belongs to stream {owner!r}, not "
                        f"{stream!r}; a stream can only correct itself"
                    )
                if stream not in retractions:
                    retractions[stream] = self.retractions(stream=stream)
                by = retracted_by(retractions[stream]).get(target)
                if by is not None:
                    if self.backend.lookup([row.event_id]).get(row.event_id) is not None:
                        continue  # this very retraction, appended again: the backend says which
                    raise InvalidInputError(
                        f"EventRetracted.position {target} is already retracted (by "
                        f"#{by}); nothing was appended"
                    )
                # Where this one will stand (a guess when rows before it are retries; it
                # matters only for a second retraction of the same event in this call).
                retractions[stream][head + offset] = target
        return head if predicted else None

    def _positions_ahead(
        self, prepared: list[tuple[str, list[Event], list[NewRow], int | None]], head: int
    ) -> tuple[dict[int, str], dict[str, int]]:
        """Where the call's new events will stand if nothing is appended first: each
        position's stream, and each new event's position (retries take none)."""
        stored = self.backend.lookup([row.event_id for _, _, rows, _ in prepared for row in rows])
        streams: dict[int, str] = {}
        positions: dict[str, int] = {}
        position = head
        for stream, _, rows, _ in prepared:
            for row in rows:
                if row.event_id not in stored:
                    position += 1
                    streams[position] = stream
                    positions[row.event_id] = position
        return streams, positions

    # --- reading ----------------------------------------------------------------------------

    def read(
        self,
        *,
        stream: str | None = None,
        after: int = 0,
        types: Iterable[type[Event] | str] | type[Event] | str | None = None,
        include_retracted: bool = True,
    ) -> Iterator[Recorded]:
        """Recorded events after a position, in global order (one stream's, when given).

        `types`: the event classes (their subclasses too) or stored type names to keep;
        rows of other types are not even decoded. With ``include_retracted=False`` the
        events retracted as of the head when reading starts are left out, and so are the
        retractions themselves (a retracted retraction's event is back in).
        """
        if stream is not None:
            check_stream(stream)
        _check_position("after", after)
        wanted = None if types is None else self._type_names(types)
        if include_retracted:
            for records in self._decoded(after=after, until=None, stream=stream, types=wanted):
                yield from records
            return
        retractions = self.retractions(stream=stream)
        skipped = skipped_positions(retractions)
        for records in self._decoded(after=after, until=None, stream=stream, types=wanted):
            for recorded in records:
                if recorded.position not in skipped and recorded.position not in retractions:
                    yield recorded

    def lookup(self, event_ids: Iterable[str]) -> dict[str, Recorded]:
        """The recorded events with these ids, by id; ids the log does not hold are left out."""
        if isinstance(event_ids, str | bytes):
            raise InvalidInputError(f"lookup takes a list of event ids, got {event_ids!r:.80}")
        wanted = list(event_ids)
        if not all(isinstance(event_id, str) for event_id in wanted):
            raise InvalidInputError("event ids are text")
        decode = self._codec.decode
        found = self.backend.lookup(wanted) if wanted else {}
        return {event_id: decode(found[event_id]) for event_id in wanted if event_id in found}

    def retractions(self, *, stream: str | None = None) -> dict[int, int]:
        """Every correction in the log (one stream's, when given): the position of each
        `EventRetracted` -> the position it retracts (only those that point back).

        `skipped_positions` of it is what views leave out as of now. Only the rows of
        retraction types are decoded, and each log remembers what it has read: asking
        again reads only the rows appended since (by any process).
        """
        reached, found = self._corrections.get(stream, (0, {}))
        head = self.backend.head()
        if head > reached:
            found = dict(found)
            for records in self._decoded(
                after=reached, until=head, stream=stream, types=self._retraction_types
            ):
                for recorded in records:
                    event = recorded.event
                    if isinstance(event, EventRetracted) and event.position < recorded.position:
                        found[recorded.position] = event.position
            self._corrections[stream] = (head, found)
        return dict(found)

    def _type_names(self, types: Iterable[type[Event] | str] | type[Event] | str) -> frozenset[str]:
        """The stored type names that `types` (classes, names, or one of either) stands for."""
        given = [types] if isinstance(types, str | type) else list(types)
        names: set[str] = set()
        for kind in given:
            if isinstance(kind, str):
                names.add(kind)
            elif isinstance(kind, type) and issubclass(kind, Event):
                names.update(
                    name for name, cls in self.catalog.event_types.items() if issubclass(cls, kind)
                )
            else:
                raise InvalidInputError(f"types holds event classes or type names, got {kind!r}")
        return frozenset(names)

    def follow(
        self,
        *,
        after: int = 0,
        stream: str | None = None,
        idle_timeout: float | None = None,
        poll_interval: float = 0.2,
    ) -> Iterator[Recorded]:
        """Events after a position as they commit: those already there, then each new one.

        Runs until the caller stops iterating, or `idle_timeout` seconds pass without a new
        event. A backend that can wake a reader (`WakesOnAppend`; PostgreSQL, through
        LISTEN/NOTIFY) is waited on; any other is polled every `poll_interval` seconds.
        """
        _check_position("after", after)
        if poll_interval <= 0:
            raise InvalidInputError(f"poll_interval must be positive, got {poll_interval!r}")
        source = Source(
            read=lambda cursor: self.read(stream=stream, after=cursor),
            head=self.backend.head,
            wait=self._wait,
        )
        yield from following.follow(
            source, after=after, idle_timeout=idle_timeout, poll_interval=poll_interval
        )

    # --- consumers --------------------------------------------------------------------------

    def consumer(
        self,
        name: str,
        *,
        stream: str | None = None,
        types: Iterable[type[Event] | str] | type[Event] | str | None = None,
    ) -> Consumer:
        """A named reader whose checkpoint the backend keeps (see `Consumer`): its `run`
        hands a handler each event after the checkpoint, at least once, in order.

        `stream` and `types` (as `read` takes them) choose the events it is handed; the
        checkpoint moves past the others too. The same name is the same checkpoint, in
        any process that opens this log.
        """
        check_consumer_name(name)
        if stream is not None:
            check_stream(stream)
        wanted = None if types is None else self._type_names(types)
        source = Source(
            read=lambda after: self.read(stream=stream, after=after, types=wanted),
            head=self.backend.head,
            wait=self._wait,
        )
        return Consumer(name, source, self._keeper(), stream=stream, types=wanted)

    def consumers(self) -> list[ConsumerStatus]:
        """Every named consumer that has run on this log, by name: its checkpoint, and its
        lag (how many events lie past it)."""
        checkpoints = self._keeper().read_checkpoints()
        return statuses(checkpoints, self.backend.head())

    def _keeper(self) -> KeepsCheckpoints:
        if self._checkpoints is None:
            raise BackendError(
                f"the backend of {shown_url(self.url)} keeps no checkpoints "
                "(KeepsCheckpoints), so it has no named consumers"
            )
        return self._checkpoints

    @property
    def snapshot_every(self) -> int:
        """A replay saves a snapshot of a view after this many events folded since its
        last one (more for a large state); 0 saves and uses none."""
        return self._folding.snapshot_every

    @snapshot_every.setter
    def snapshot_every(self, every: int) -> None:
        _check_whole("snapshot_every", every)
        self._folding.snapshot_every = every

    @property
    def max_cached_states(self) -> int:
        """How many (view, stream) states the log keeps at the head at most (0: none)."""
        return self._folding.heads.limit

    @max_cached_states.setter
    def max_cached_states(self, limit: int) -> None:
        _check_whole("max_cached_states", limit)
        self._folding.heads.limit = limit
        self._folding.heads.trim()

    @property
    def cached_states(self) -> int:
        """How many (view, stream) states the log keeps at the head now (at most the
        `max_cached_states` it was opened with)."""
        return len(self._folding.heads)

    @property
    def head(self) -> int:
        """The position of the last event (0 for an empty log)."""
        return self.backend.head()

    def stream_version(self, stream: str = DEFAULT_STREAM) -> int:
        """The version of a stream's last event (0 for an empty stream)."""
        check_stream(stream)
        return self.backend.stream_version(stream)

    def streams(self) -> list[str]:
        """The streams that hold events, sorted."""
        return self.backend.streams()

    # --- views ------------------------------------------------------------------------------

    @overload
    def view(
        self,
        view: View[S],
        *,
        stream: str = ...,
        as_of: int | datetime | None = ...,
        progress: Callable[[int], None] | None = ...,
    ) -> S: ...

    @overload
    def view(
        self,
        view: str,
        *,
        stream: str = ...,
        as_of: int | datetime | None = ...,
        progress: Callable[[int], None] | None = ...,
    ) -> Any: ...

    def view(
        self,
        view: str | View[Any],
        *,
        stream: str = DEFAULT_STREAM,
        as_of: int | datetime | None = None,
        progress: Callable[[int], None] | None = None,
    ) -> Any:
        """The state of a view for `stream`: now, or as of a position or a moment.

        `view` is a name (``"gaps"``) or a typed handle (`jobsearch_core.views.GAPS`),
        looked up by its name among the log's views. As of a position: the events at or
        before it. As of a moment (an aware datetime): the events whose `at` is not later,
        applied in log order. `progress`, when given, hears the position reached every
        thousand events read (for a progress bar).
        """
        name = self._name_of(view)
        (state,) = self._answers([name], stream, as_of, progress).values()
        return state

    def views(
        self,
        names: Iterable[str | View[Any]] | None = None,
        *,
        stream: str = DEFAULT_STREAM,
        as_of: int | datetime | None = None,
        progress: Callable[[int], None] | None = None,
    ) -> dict[str, Any]:
        """Several views of `stream` (all installed ones when `names` is None), in one read.

        The same states as `view` gives for each, by name, for the price of one replay.
        """
        if isinstance(names, str | View):
            raise InvalidInputError(f"views takes a list of views, got {names!r}")
        chosen = (
            sorted(self.catalog.views)
            if names is None
            else list(dict.fromkeys(self._name_of(name) for name in names))
        )
        if not chosen:
            check_stream(stream)
            self._until(as_of, self.backend.head())
            return {}
        return self._answers(chosen, stream, as_of, progress)

    def _name_of(self, view: str | View[Any]) -> str:
        name = view.name if isinstance(view, View) else view
        if not isinstance(name, str):
            raise InvalidInputError(f"a view is a name or a View, got {view!r}")
        self.catalog.view(name)  # UnknownViewError, naming the installed ones
        return name

    def _answers(
        self,
        names: list[str],
        stream: str,
        as_of: int | datetime | None,
        progress: Callable[[int], None] | None,
    ) -> dict[str, Any]:
        check_stream(stream)
        head, chain = self._folding.head_and_hash()
        until, moment = self._until(as_of, head)
        return self._folding.answer(
            names, stream, head=head, chain=chain, until=until, moment=moment, progress=progress
        )

    def _until(self, as_of: int | datetime | None, head: int) -> tuple[int, datetime | None]:
        """The position to replay up to, and the moment to filter by (for `as_of`)."""
        if isinstance(as_of, datetime):
            if as_of.tzinfo is None or as_of.utcoffset() is None:
                raise InvalidInputError(f"as_of must be timezone-aware, got {as_of!r}")
            return head, as_of
        if as_of is not None:
            _check_position("as_of", as_of)
            if as_of > head:
                raise InvalidInputError(
                    f"as_of={as_of} is past the end of the log (position {head})"
                )
            return as_of, None
        return head, None

    def _decoded(
        self,
        *,
        after: int,
        until: int | None,
        stream: str | None,
        types: frozenset[str] | None = None,
    ) -> Iterator[list[Recorded]]:
        """Recorded events a batch at a time, from the backend's raw rows when it offers them.

        Only rows of the stored `types` are decoded, when given. A damaged row raises
        `CorruptEventError` after the events before it.
        """
        batches, decode = self._batches(after=after, until=until, stream=stream)
        raw = self._read_raw is not None
        for batch in batches:
            if types is not None:
                batch = [row for row in batch if (row[3] if raw else row.type) in types]
                if not batch:
                    continue
            try:
                records = decode(batch)
            except CorruptEventError:
                # One at a time, so the events before the damaged one still come first
                # (and the damaged one raises again).
                for row in batch:
                    yield decode([row])
                raise
            yield records

    def _batches(
        self, *, after: int, until: int | None, stream: str | None
    ) -> tuple[Iterator[Sequence[Any]], Callable[[Sequence[Any]], list[Recorded]]]:
        """The backend's rows in batches, and the codec function that decodes a batch."""
        if self._read_raw is not None:
            return self._read_raw(after=after, until=until, stream=stream), self._codec.decode_raw
        if self._read_batches is not None:
            found = self._read_batches(after=after, until=until, stream=stream)
            return found, self._codec.decode_rows
        rows = self.backend.read(after=after, until=until, stream=stream)
        return iter(lambda: list(itertools.islice(rows, READ_BATCH)), []), self._codec.decode_rows

    # --- checking ---------------------------------------------------------------------------

    def verify(self, anchor: Anchor | None = None) -> list[Problem]:
        """Check the whole log and list every problem found (empty when the log is sound).

        Positions 1..n without gaps, versions 1..n per stream, every row decodable, and
        the hash chain: each row's hash must be `chain_hash` of the hash before it and
        the row (all of it: position, stream, version, recorded_at, type, payload, id and
        metadata), so a row changed behind the library's back shows where it was changed.
        `anchor`, a ``(position, hash)`` noted earlier from `hash_at`, must still hold: a
        history rewritten and rehashed up to there, or cut short, is found too. Snapshots
        that replays would pass over (edited, made from another history, not fitting their
        state) are listed as well.
        """
        problems = verify(self.backend, self._codec, anchor)
        problems += [
            Problem(
                snapshot.position,
                snapshot.stream,
                f"the {snapshot.view} snapshot here is not used: {why}",
            )
            for snapshot, why in self._folding.snapshots.problems()
        ]
        return sorted(problems, key=lambda problem: problem.position)

    def hash_at(self, position: int) -> str:
        """The chain hash at a position, in hex: note it (with the position) anywhere the
        log's writers cannot reach, and `verify(anchor=(position, hash))` later tells a log
        that only grew from one rewritten up to there."""
        _check_position("position", position)
        found = hash_at(self.backend, position)
        if found is None:
            raise CorruptEventError("the row has no hash", position=position)
        return found

    def head_hash(self) -> str | None:
        """The last event's chain hash in hex: note it elsewhere to notice a rewritten history."""
        return head_hash(self.backend)


#: A batch checked and encoded: (stream, events, rows, expected_version).
_Prepared = tuple[str, list[Event], list[NewRow], int | None]


def _batch_fields(
    batch: Batch | tuple[str, Iterable[Event] | Event],
) -> tuple[
    str,
    Iterable[Event] | Event,
    int | None,
    Sequence[str] | None,
    Mapping[str, Any] | Sequence[Mapping[str, Any]] | None,
]:
    """What `append` takes, from a `Batch` or a ``(stream, events)`` pair."""
    if isinstance(batch, Batch):
        return batch.stream, batch.events, batch.expected_version, batch.ids, batch.metadata
    if not isinstance(batch, tuple) or len(batch) != 2:
        raise InvalidInputError(f"a batch is a Batch or a (stream, events) pair, got {batch!r:.80}")
    return batch[0], batch[1], None, None, None


def _event_ids(ids: Sequence[str], count: int) -> list[str]:
    """The ids given for `count` events, checked."""
    if isinstance(ids, str | bytes) or not isinstance(ids, Iterable):
        raise InvalidInputError(f"ids is a list of event ids, one per event, got {ids!r:.80}")
    given = list(ids)
    if len(given) != count:
        raise InvalidInputError(
            f"ids holds {len(given)} ids for {count} events; nothing was appended"
        )
    seen: set[str] = set()
    for event_id in given:
        check_event_id(event_id)
        if event_id in seen:
            raise DuplicateEventError(event_id)
        seen.add(event_id)
    return list(given)


def _events(events: Iterable[Event] | Event) -> list[Event]:
    if type(events) is list and all(isinstance(event, Event) for event in events):
        return list(events)  # the common case, without the checks of an Iterable ABC
    if isinstance(events, Event):
        return [events]
    if isinstance(events, str | bytes) or not isinstance(events, Iterable):
        raise InvalidInputError(
            f"append takes a list of events, got {events!r}; nothing was appended"
        )
    batch = list(events)
    for index, event in enumerate(batch):
        if not isinstance(event, Event):
            raise InvalidInputError(
                f"item {index} of the events to append is {type(event).__name__} {event!r:.60}, "
                "not an Event; nothing was appended"
            )
    return batch


def check_event_id(event_id: object) -> None:
    """Refuse an event id that is not non-blank, printable text of at most 256 characters."""
    if not isinstance(event_id, str) or not event_id.strip() or not event_id.isprintable():
        raise InvalidInputError(
            f"an event id must be non-blank printable text, got {event_id!r:.80}"
        )
    if len(event_id) > MAX_EVENT_ID:
        raise InvalidInputError(
            f"an event id must be at most {MAX_EVENT_ID} characters, got {len(event_id)}"
        )


def check_stream(stream: object) -> None:
    """Refuse a stream name that is not non-blank, printable text of at most 256 characters."""
    if not isinstance(stream, str):
        raise InvalidInputError(f"a stream name must be text, got {stream!r}")
    if not stream.strip():
        raise InvalidInputError(f"a stream name must not be empty or blank, got {stream!r}")
    if not stream.isprintable():
        raise InvalidInputError(f"a stream name must be printable text, got {stream!r}")
    if len(stream) > MAX_STREAM_NAME:
        raise InvalidInputError(
            f"a stream name must be at most {MAX_STREAM_NAME} characters, got {len(stream)}"
        )


#: The largest position a backend can hold (a signed 64-bit integer).
MAX_POSITION = 2**63 - 1


def _check_whole(name: str, value: object) -> None:
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidInputError(f"{name} must be a whole number, got {value!r}")


def _check_position(name: str, value: object) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise InvalidInputError(f"{name} must be a position (a whole number from 0), got {value!r}")
    if value > MAX_POSITION:
        raise InvalidInputError(
            f"{name} must be a position a log can hold (at most {MAX_POSITION}), got {value}"
        )
