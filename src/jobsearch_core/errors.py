"""The errors jobsearch-core raises; every one derives from `JobsearchError`."""

from __future__ import annotations

__all__ = [
    "BackendError",
    "ConcurrencyError",
    "ConsumerError",
    "CorruptEventError",
    "DuplicateEventError",
    "InvalidEventError",
    "InvalidInputError",
    "JobsearchError",
    "PluginError",
    "ReadOnlyStateError",
    "UnknownViewError",
    "ViewError",
]


class JobsearchError(Exception):
    """Base of every error the library raises on purpose."""


class InvalidInputError(JobsearchError, ValueError):
    """An argument was refused (a stream name, a URL, an `as_of`); nothing was changed."""


class InvalidEventError(InvalidInputError):
    """An event could not be built from the values given: the message names the field and value."""

    def __init__(self, message: str, *, event_type: str | None = None, field: str | None = None):
        super().__init__(message)
        self.event_type = event_type
        self.field = field


class ConcurrencyError(JobsearchError):
    """`expected_version` did not match the stream's version (or `expected_head` the log's
    last position, when `stream` is None); nothing was appended."""

    def __init__(self, stream: str | None, expected: int, actual: int):
        if stream is None:
            message = f"the log's last position is {actual}, not the expected {expected}"
        else:
            message = (
                f"stream {stream!r} is at version {actual}, not the expected version {expected}"
            )
        super().__init__(f"{message}; nothing was appended")
        self.stream = stream
        self.expected = expected
        self.actual = actual


class DuplicateEventError(InvalidInputError):
    """An event id given to `append` is stored already with other content (another type,
    payload or stream), or given twice in one call; nothing of that call was appended."""

    def __init__(self, event_id: str, position: int | None = None, stream: str | None = None):
        where = (
            f"stored at position {position} (stream {stream!r}) as another event"
            if position is not None
            else "given twice in one call"
        )
        super().__init__(f"event id {event_id!r} is {where}; nothing was appended")
        self.event_id = event_id
        self.position = position
        self.stream = stream


class CorruptEventError(JobsearchError):
    """A stored row could not be decoded; reading stops here rather than skip it."""

    def __init__(
        self,
        message: str,
        *,
        position: int,
        stream: str | None = None,
        type_name: str | None = None,
    ):
        where = f"position {position}"
        if stream is not None:
            where += f" (stream {stream!r}"
            where += f", type {type_name!r})" if type_name is not None else ")"
        super().__init__(f"corrupt event at {where}: {message}")
        self.position = position
        self.stream = stream
        self.type_name = type_name


class UnknownViewError(JobsearchError, KeyError):
    """No installed plugin provides a view of that name."""

    def __str__(self) -> str:  # KeyError would quote the whole message
        return str(self.args[0])


class BackendError(JobsearchError):
    """The storage backend failed (unreachable, read-only, full, locked); the log is as it was."""


class PluginError(JobsearchError):
    """A plugin could not be loaded, or two plugins claimed the same name."""


class ReadOnlyStateError(JobsearchError, TypeError):
    """A view's state handed out by the log was changed: it is shared, so it is read-only
    (``copy.deepcopy(state)`` gives a copy to change)."""


class ViewError(JobsearchError):
    """A view's fold raised: the message names the view, the stream and the position, and
    the fold's own exception is chained (``raise ... from``)."""

    def __init__(self, view: str, stream: str | None, position: int | None, error: BaseException):
        where = f" at position {position}" if position is not None else ""
        of = f" of stream {stream!r}" if stream is not None else ""
        super().__init__(f"view {view!r} failed{where}{of}: {error!r}")
        self.view = view
        self.stream = stream
        self.position = position


class ConsumerError(JobsearchError):
    """A named consumer's handler raised: the message names the consumer and the position,
    the consumer's checkpoint is left just before that event (its `checkpoint`), and the
    handler's own exception is chained (``raise ... from``)."""

    def __init__(self, consumer: str, position: int, checkpoint: int, error: BaseException):
        super().__init__(
            f"consumer {consumer!r} stopped at position {position}: its handler raised "
            f"{error!r}; its checkpoint stays at {checkpoint}, so it starts there again"
        )
        self.consumer = consumer
        self.position = position
        self.checkpoint = checkpoint
