"""The event log: append (atomic, optimistic concurrency), read, views and time travel."""

from __future__ import annotations

import itertools
import logging
import os
import sys
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import attrs

from jobsearch_core._fastcodec import make_record
from jobsearch_core.errors import (
    BackendError,
    CorruptEventError,
    InvalidInputError,
    JobsearchError,
    UnknownViewError,
)
from jobsearch_core.events import Event, EventRetracted, Recorded
from jobsearch_core.plugins import pm, registry
from jobsearch_core.storage import GENESIS, Backend, Snapshot, StoredRow, chain_hash
from jobsearch_core.views import View
from jobsearch_core.views._replay import Progress, Replay

__all__ = ["DEFAULT_STREAM", "EventLog", "Problem", "default_url", "open_log"]

logger = logging.getLogger("jobsearch_core")

DEFAULT_STREAM = "me"
#: A view replay saves a snapshot after this many events folded since the last one (per
#: view and stream), or more for a large state: see `SNAPSHOT_BYTES_PER_EVENT`.
SNAPSHOT_EVERY = 500
#: The next snapshot of a view waits at least (size of its last one) / this many events,
#: so snapshots cost a bounded share of a replay whatever the size of the state.
SNAPSHOT_BYTES_PER_EVENT = 256
#: Rows decoded at a time from a backend that does not offer batches of its own.
READ_BATCH = 1000
MAX_STREAM_NAME = 256
#: How long follow() waits at a time on a backend that wakes it (wait_for_append).
WAKEABLE_WAIT = 30.0


def default_url() -> str:
    """``$JOBSEARCH_LOG``, else a SQLite file in the user's data folder."""
    from_env = os.environ.get("JOBSEARCH_LOG")
    if from_env:
        return from_env
    return f"sqlite://{_data_dir().joinpath('log.db').as_posix()}"


def _data_dir() -> Path:
    if sys.platform == "win32":
        base = Path(os.environ.get("LOCALAPPDATA") or Path.home() / "AppData" / "Local")
    elif sys.platform == "darwin":
        base = Path.home() / "Library" / "Application Support"
    else:
        base = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
    return base / "jobsearch"


def open_log(url: str | os.PathLike[str] | None = None) -> EventLog:
    """Open the log at `url`: ``sqlite:///path``, ``memory://`` or a scheme a plugin registers.

    With no URL: ``$JOBSEARCH_LOG``, else ``log.db`` in the user's data folder. A plain
    file path (or `pathlib.Path`) opens a SQLite file.
    """
    if url is None:
        text = default_url()
        if text.startswith("sqlite:") and not os.environ.get("JOBSEARCH_LOG"):
            _data_dir().mkdir(mode=0o700, parents=True, exist_ok=True)
    elif isinstance(url, os.PathLike):
        text = f"sqlite://{Path(url).absolute().as_posix()}"
    elif isinstance(url, str):
        text = url
    else:
        raise InvalidInputError(f"a log URL must be text or a path, got {url!r}")
    if not text.strip():
        raise InvalidInputError("the log URL is empty")
    scheme = urlsplit(text).scheme
    if len(scheme) <= 1:  # no scheme (or a Windows drive letter): a file path
        text = f"sqlite://{Path(text).absolute().as_posix()}"
        scheme = "sqlite"
    backends = registry().backends
    factory = backends.get(scheme)
    if factory is None:
        known = ", ".join(f"{s}://" for s in sorted(backends))
        raise InvalidInputError(
            f"no backend for {scheme}:// in {_shown(text)!r} (installed: {known}); "
            "is its plugin installed?"
        )
    return EventLog(factory(text))


def _shown(url: str) -> str:
    """A URL with any password hidden."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    return parts._replace(netloc=parts.netloc.replace(f":{parts.password}@", ":***@")).geturl()


@attrs.frozen
class Problem:
    """One thing `EventLog.verify` found wrong, and where."""

    position: int
    stream: str | None
    message: str

    def __str__(self) -> str:
        where = f"position {self.position}"
        if self.stream is not None:
            where += f" (stream {self.stream!r})"
        return f"{where}: {self.message}"


class EventLog:
    """An append-only log of job-search events, folded into views on demand."""

    def __init__(self, backend: Backend, *, snapshot_every: int = SNAPSHOT_EVERY) -> None:
        self.backend = backend
        self.snapshot_every = snapshot_every

    def __repr__(self) -> str:
        return f"<EventLog {_shown(self.url)}>"

    def __enter__(self) -> EventLog:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    @property
    def url(self) -> str:
        """Where the log is kept."""
        return self.backend.url

    def close(self) -> None:
        """Release the backend."""
        self.backend.close()

    # --- writing ----------------------------------------------------------------------------

    def append(
        self,
        events: Iterable[Event] | Event,
        *,
        stream: str = DEFAULT_STREAM,
        expected_version: int | None = None,
    ) -> list[Recorded]:
        """Append events to `stream` all or nothing, and return them as recorded.

        With `expected_version`, the stream must be at that version (0: still empty),
        else `ConcurrencyError` and nothing is appended.
        """
        _check_stream(stream)
        batch = _events(events)
        if expected_version is not None and (
            isinstance(expected_version, bool)
            or not isinstance(expected_version, int)
            or expected_version < 0
        ):
            raise InvalidInputError(
                f"expected_version must be a whole number from 0 or None, got {expected_version!r}"
            )
        codec = registry().codec
        rows = [codec.encode(event) for event in batch]
        self._check_retractions(stream, batch)
        stored = self.backend.append(stream, rows, expected_version=expected_version)
        record = make_record
        records = [
            record(row.position, row.stream, row.version, row.recorded_at, event)
            for row, event in zip(stored, batch, strict=True)
        ]
        if records:
            self._announce(records)
        return records

    def _check_retractions(self, stream: str, batch: list[Event]) -> None:
        head: int | None = None
        for event in batch:
            if not isinstance(event, EventRetracted):
                continue
            head = self.backend.head() if head is None else head
            if event.position > head:
                raise InvalidInputError(
                    f"EventRetracted.position {event.position} is not in the log "
                    f"(the last position is {head}); nothing was appended"
                )
            target = next(self.backend.read(after=event.position - 1, until=event.position), None)
            if target is None:
                raise InvalidInputError(
                    f"EventRetracted.position {event.position} is missing from the log; "
                    "nothing was appended"
                )
            if target.stream != stream:
                raise InvalidInputError(
                    f"EventRetracted.position {event.position} belongs to stream "
                    f"{target.stream!r}, not {stream!r}; a stream can only correct itself"
                )

    def _announce(self, records: list[Recorded]) -> None:
        # The append has committed: a failing listener is logged, never raised, so it
        # cannot make a committed append look failed.
        for impl in pm.hook.appended.get_hookimpls():
            try:
                impl.function(
                    **{name: {"log": self, "records": records}[name] for name in impl.argnames}
                )
            except Exception:
                logger.exception("plugin %r failed in the appended hook", impl.plugin_name)

    # --- reading ----------------------------------------------------------------------------

    def read(self, *, stream: str | None = None, after: int = 0) -> Iterator[Recorded]:
        """Recorded events after a position, in global order (one stream's, when given)."""
        if stream is not None:
            _check_stream(stream)
        _check_position("after", after)
        for records in self._decoded(after=after, until=None, stream=stream):
            yield from records

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
        event. A backend with a ``wait_for_append(after, timeout)`` method is woken by it
        (PostgreSQL: LISTEN/NOTIFY); any other is polled every `poll_interval` seconds.
        """
        _check_position("after", after)
        if poll_interval <= 0:
            raise InvalidInputError(f"poll_interval must be positive, got {poll_interval!r}")
        wait = getattr(self.backend, "wait_for_append", None)
        cursor = after
        last_news = time.monotonic()
        while True:
            seen_head = self.backend.head()
            for recorded in self.read(stream=stream, after=cursor):
                cursor = recorded.position
                last_news = time.monotonic()
                yield recorded
            # A backend that wakes us on news can be waited on for long; one that cannot
            # is asked again every poll_interval.
            pause = poll_interval if wait is None else WAKEABLE_WAIT
            if idle_timeout is not None:
                left = idle_timeout - (time.monotonic() - last_news)
                if left <= 0:
                    return
                pause = min(pause, left)
            if wait is not None:
                wait(seen_head, pause)
            else:
                time.sleep(pause)

    @property
    def head(self) -> int:
        """The position of the last event (0 for an empty log)."""
        return self.backend.head()

    def stream_version(self, stream: str = DEFAULT_STREAM) -> int:
        """The version of a stream's last event (0 for an empty stream)."""
        _check_stream(stream)
        return self.backend.stream_version(stream)

    def streams(self) -> list[str]:
        """The streams that hold events, sorted."""
        return self.backend.streams()

    def view(
        self,
        name: str,
        *,
        stream: str = DEFAULT_STREAM,
        as_of: int | datetime | None = None,
        progress: Callable[[int], None] | None = None,
    ) -> Any:
        """The state of view `name` for `stream`: now, or as of a position or a moment.

        As of a position: the events at or before it. As of a moment (an aware datetime):
        the events whose `at` is not later, applied in log order. `progress`, when given,
        hears the position reached every thousand events read (for a progress bar).
        """
        view = self._view(name)
        _check_stream(stream)
        until, moment = self._until(as_of)
        (folded,) = self._replay([view], stream, until, moment, progress)
        return folded.state

    def views(
        self,
        names: Iterable[str] | None = None,
        *,
        stream: str = DEFAULT_STREAM,
        as_of: int | datetime | None = None,
        progress: Callable[[int], None] | None = None,
    ) -> dict[str, Any]:
        """Several views of `stream` (all installed ones when `names` is None), in one read.

        The same states as `view` gives for each name, for the price of one replay.
        """
        if isinstance(names, str):
            raise InvalidInputError(f"views takes a list of view names, got {names!r}")
        chosen = sorted(registry().views) if names is None else list(dict.fromkeys(names))
        found = [self._view(name) for name in chosen]
        _check_stream(stream)
        until, moment = self._until(as_of)
        if not found:
            return {}
        folded = self._replay(found, stream, until, moment, progress)
        return {name: done.state for name, done in zip(chosen, folded, strict=True)}

    def _until(self, as_of: int | datetime | None) -> tuple[int, datetime | None]:
        """The position to replay up to, and the moment to filter by (for `as_of`)."""
        head = self.backend.head()
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

    def _view(self, name: str) -> View[Any]:
        views = registry().views
        view = views.get(name)
        if view is None:
            known = ", ".join(sorted(views))
            raise UnknownViewError(f"no view named {name!r} (installed: {known})")
        return view

    def _decoded(
        self, *, after: int, until: int | None, stream: str | None
    ) -> Iterator[list[Recorded]]:
        """Recorded events a batch at a time, from the backend's raw rows when it offers them.

        A damaged row raises `CorruptEventError` after the events before it.
        """
        codec = registry().codec
        backend = self.backend
        read_raw = getattr(backend, "read_raw", None)
        batches: Iterator[Sequence[Any]]
        decode: Callable[[Sequence[Any]], list[Recorded]]
        if read_raw is not None:
            batches, decode = read_raw(after=after, until=until, stream=stream), codec.decode_raw
        elif (read_batches := getattr(backend, "read_batches", None)) is not None:
            batches, decode = (
                read_batches(after=after, until=until, stream=stream),
                codec.decode_rows,
            )
        else:
            rows = backend.read(after=after, until=until, stream=stream)
            batches = iter(lambda: list(itertools.islice(rows, READ_BATCH)), [])
            decode = codec.decode_rows
        for batch in batches:
            try:
                records = decode(batch)
            except CorruptEventError:
                # One at a time, so the events before the damaged one still come first
                # (and the damaged one raises again).
                for row in batch:
                    yield decode([row])
                raise
            yield records

    def _replay(
        self,
        views: list[View[Any]],
        stream: str,
        until: int,
        moment: datetime | None,
        progress: Callable[[int], None] | None = None,
    ) -> list[Progress]:
        codec = registry().codec
        reached = 0

        def read(after: int, until: int) -> Iterator[list[Recorded]]:
            nonlocal reached
            for records in self._decoded(after=after, until=until, stream=stream):
                # A refold rereads from the start: progress only hears new ground.
                if progress is not None and records and records[-1].position > reached:
                    reached = records[-1].position
                    progress(reached)
                yield records

        replay = Replay(views, read, moment=moment)
        snapshots = [view.state_type is not None for view in views]
        if moment is not None or self.snapshot_every <= 0 or not any(snapshots):
            return replay.run([None] * len(views), until)
        keys = [f"{view.version}:{codec.fingerprint}" for view in views]
        starts = [
            self._load_snapshot(view, key, stream, until) if snapshot else None
            for view, key, snapshot in zip(views, keys, snapshots, strict=True)
        ]

        def save(index: int, progress: Progress) -> int | None:
            if not snapshots[index]:
                return None
            size = self._save_snapshot(views[index], keys[index], stream, progress)
            # A large state waits longer for its next snapshot, so the bytes written stay
            # a fixed share of the events folded, however long the stream grows.
            return size // SNAPSHOT_BYTES_PER_EVENT

        return replay.run(starts, until, checkpoint=save, checkpoint_every=self.snapshot_every)

    def _load_snapshot(self, view: View[Any], key: str, stream: str, until: int) -> Progress | None:
        snapshot = self.backend.load_snapshot(view.name, key, stream, at_or_before=until)
        if snapshot is None or view.state_type is None:
            return None
        try:
            state, retractions = registry().codec.load_snapshot(snapshot.state, view.state_type)
        except Exception:
            logger.warning("ignoring an unreadable %s snapshot at %d", view.name, snapshot.position)
            return None
        return Progress(state, snapshot.position, retractions)

    def _save_snapshot(self, view: View[Any], key: str, stream: str, progress: Progress) -> int:
        """Save a snapshot (a read-only log just goes without); the size of its state."""
        snapshot = Snapshot(
            view=view.name,
            key=key,
            stream=stream,
            position=progress.position,
            state=registry().codec.dump_snapshot(
                progress.state, view.state_type, progress.retractions
            ),
        )
        try:
            self.backend.save_snapshot(snapshot)
        except BackendError as error:  # a read-only log still answers, just without snapshots
            logger.debug("snapshot not saved: %s", error)
        return len(snapshot.state)

    # --- checking ---------------------------------------------------------------------------

    def verify(self) -> list[Problem]:
        """Check the whole log and list every problem found (empty when the log is sound).

        Positions 1..n without gaps, versions 1..n per stream, every row decodable, and
        the hash chain: each row's hash must be `chain_hash` of the hash before it and
        the row, so a row changed behind the library's back shows where it was changed.
        """
        problems: list[Problem] = []
        codec = registry().codec
        expected = 1
        versions: dict[str, int] = {}
        previous = GENESIS
        chained = False
        unhashed: list[StoredRow] = []
        row: StoredRow
        #: Rows the backend could not hand over (already listed): position -> stream.
        damaged: dict[int, str | None] = {}
        for row in self._rows_past_damage(problems, damaged):
            skipped = range(expected, row.position)
            if skipped and not all(position in damaged for position in skipped):
                problems.append(
                    Problem(
                        row.position,
                        row.stream,
                        f"positions {expected}..{row.position - 1} are missing",
                    )
                )
            for position in skipped:  # an unreadable row still took its stream's next version
                stream = damaged.get(position)
                if stream is not None:
                    versions[stream] = versions.get(stream, 0) + 1
            expected = row.position + 1
            version = versions.get(row.stream, 0) + 1
            if row.version != version:
                problems.append(
                    Problem(
                        row.position, row.stream, f"version {row.version} where {version} was due"
                    )
                )
            versions[row.stream] = row.version
            due = chain_hash(
                previous,
                row.position,
                row.stream,
                row.version,
                row.type,
                row.schema_version,
                row.data,
            )
            if row.hash:
                chained = True
                # After an unreadable row its hash is unknown: the chain resumes from here.
                if row.hash != due and row.position - 1 not in damaged:
                    problems.append(
                        Problem(
                            row.position,
                            row.stream,
                            "the hash chain breaks here: this row (or its hash) was changed "
                            "outside jobsearch-core",
                        )
                    )
                previous = row.hash
            else:
                unhashed.append(row)
                previous = due  # judge the next row as if this one were whole
            try:
                codec.decode(row)
            except CorruptEventError as error:
                problems.append(Problem(row.position, row.stream, str(error)))
            except JobsearchError as error:  # pragma: no cover - any other decoding failure
                problems.append(Problem(row.position, row.stream, str(error)))
        if chained:  # a backend that keeps the chain keeps it for every row
            problems += [Problem(r.position, r.stream, "the row has no hash") for r in unhashed]
            problems.sort(key=lambda problem: problem.position)
        return problems

    def _rows_past_damage(
        self, problems: list[Problem], damaged: dict[int, str | None]
    ) -> Iterator[StoredRow]:
        """Every stored row; a row the backend cannot even hand over is noted and stepped over."""
        after = 0
        while True:
            try:
                for row in self.backend.read(after=after):
                    after = row.position
                    yield row
                return
            except CorruptEventError as error:
                problems.append(Problem(error.position, error.stream, str(error)))
                damaged[error.position] = error.stream
                after = max(after + 1, error.position)

    def head_hash(self) -> str | None:
        """The last event's chain hash in hex: note it elsewhere to notice a rewritten history."""
        head = self.backend.head()
        last = next(self.backend.read(after=head - 1, until=head), None) if head else None
        return last.hash.hex() if last is not None and last.hash else None


def _events(events: Iterable[Event] | Event) -> list[Event]:
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


def _check_stream(stream: object) -> None:
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


def _check_position(name: str, value: object) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise InvalidInputError(f"{name} must be a position (a whole number from 0), got {value!r}")
