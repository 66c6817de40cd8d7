"""Named consumers: readers whose place in the log the backend keeps, handed each event at
least once, in order, across crashes and restarts."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import datetime

import attrs

from jobsearch_core import following
from jobsearch_core.errors import ConsumerError, InvalidInputError
from jobsearch_core.events.base import Recorded
from jobsearch_core.following import Source
from jobsearch_core.storage.capabilities import KeepsCheckpoints
from jobsearch_core.storage.rows import Checkpoint

__all__ = ["MAX_CONSUMER_NAME", "Consumer", "ConsumerStatus", "check_consumer_name", "statuses"]

MAX_CONSUMER_NAME = 256

#: What a consumer hands each event to.
Handler = Callable[[Recorded], object]


@attrs.frozen
class ConsumerStatus:
    """A named consumer as `EventLog.consumers` lists it: its checkpoint, how many events
    of the log lie past it, and when it last moved (UTC)."""

    name: str
    position: int
    lag: int
    updated_at: datetime


def statuses(checkpoints: list[Checkpoint], head: int) -> list[ConsumerStatus]:
    """Each checkpoint with its lag behind `head`, the log's last position."""
    return [
        ConsumerStatus(c.name, c.position, max(0, head - c.position), c.updated_at)
        for c in checkpoints
    ]


def check_consumer_name(name: object) -> None:
    """Refuse a consumer name that is not non-blank, printable text of at most 256 characters."""
    if not isinstance(name, str) or not name.strip() or not name.isprintable():
        raise InvalidInputError(
            f"a consumer name must be non-blank printable text, got {name!r:.80}"
        )
    if len(name) > MAX_CONSUMER_NAME:
        raise InvalidInputError(
            f"a consumer name must be at most {MAX_CONSUMER_NAME} characters, got {len(name)}"
        )


class Consumer:
    """A named reader of the log whose checkpoint (the last position it has handled) the
    backend keeps; `EventLog.consumer` makes one.

    `run` hands `handler` each event after the checkpoint, in order, and moves the
    checkpoint past it once the handler returns. Delivery is at least once: a consumer
    that dies while handling an event (or before its checkpoint is saved) is handed that
    event again when it next runs, and never skips one. Run one process per name at a
    time; two would each be handed the same events.
    """

    def __init__(
        self,
        name: str,
        source: Source,
        checkpoints: KeepsCheckpoints,
        *,
        stream: str | None = None,
        types: frozenset[str] | None = None,
    ) -> None:
        check_consumer_name(name)
        self._name = name
        self._source = source
        self._checkpoints = checkpoints
        self._stream = stream
        self._types = types
        self._stop = threading.Event()
        self._running = threading.Lock()

    def __repr__(self) -> str:
        return f"<Consumer {self._name!r}>"

    @property
    def name(self) -> str:
        """The name its checkpoint is kept under."""
        return self._name

    @property
    def stream(self) -> str | None:
        """The only stream it is handed (None: every stream)."""
        return self._stream

    @property
    def types(self) -> frozenset[str] | None:
        """The stored type names it is handed (None: every type)."""
        return self._types

    @property
    def position(self) -> int:
        """The last position it has handled (0 before its first event), as the backend keeps it."""
        found = self._checkpoints.load_checkpoint(self._name)
        return 0 if found is None else found.position

    def stop(self) -> None:
        """Ask `run` to return: after the event being handled (its checkpoint saved), or
        within a fraction of a second while it waits; safe from the handler or another
        thread. Asked before `run` starts, that run returns at once."""
        self._stop.set()

    def run(
        self, handler: Handler, *, idle_timeout: float | None = None, poll_interval: float = 0.2
    ) -> int:
        """Hand `handler` each event after the checkpoint, in order, moving the checkpoint
        past each once the handler returns; return how many it handled.

        Events this consumer is not handed (another stream's, another type's) move the
        checkpoint too. Runs until `stop` is called, until `idle_timeout` seconds pass with
        nothing new (0: until it has caught up), or until the handler raises: then
        `ConsumerError` names the consumer and the position, the checkpoint is left just
        before that event, and the handler's exception is chained. A KeyboardInterrupt goes
        through as it is, the event it interrupted not handled. New events are waited for
        as `EventLog.follow` waits (woken by the backend, or polled every `poll_interval`).
        """
        if not callable(handler):
            raise InvalidInputError(f"a consumer's handler must be callable, got {handler!r:.80}")
        if idle_timeout is not None and (
            isinstance(idle_timeout, bool)
            or not isinstance(idle_timeout, int | float)
            or idle_timeout < 0
        ):
            raise InvalidInputError(
                f"idle_timeout must be a number of seconds from 0, or None, got {idle_timeout!r}"
            )
        if poll_interval <= 0:
            raise InvalidInputError(f"poll_interval must be positive, got {poll_interval!r}")
        if not self._running.acquire(blocking=False):
            raise InvalidInputError(f"consumer {self._name!r} is running already")
        try:
            return self._run(handler, idle_timeout, poll_interval)
        finally:
            self._stop.clear()
            self._running.release()

    def _run(self, handler: Handler, idle_timeout: float | None, poll_interval: float) -> int:
        save = self._checkpoints.save_checkpoint
        found = self._checkpoints.load_checkpoint(self._name)
        saved = 0 if found is None else found.position
        if found is None:
            save(self._name, 0)  # listed by `EventLog.consumers` from its first run
        handled = 0

        def reached(position: int) -> None:
            nonlocal saved
            if position > saved:
                save(self._name, position)
                saved = position

        for recorded in following.follow(
            self._source,
            after=saved,
            idle_timeout=idle_timeout,
            poll_interval=poll_interval,
            stop=self._stop,
            reached=reached,
        ):
            try:
                handler(recorded)
            except Exception as error:
                # Everything before it was handled or is not this consumer's.
                reached(recorded.position - 1)
                raise ConsumerError(self._name, recorded.position, saved, error) from error
            save(self._name, recorded.position)
            saved = recorded.position
            handled += 1
        return handled
