"""The report's replay: the views' answers after each event of a stream, from one pass of
the replay engine, and the sections they make, stored as the changes from one to the next."""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

import attrs

from jobsearch_core.errors import PluginError
from jobsearch_core.events import Recorded, event_type_of
from jobsearch_core.report.sections import Block, Lines, ReportSection, Table
from jobsearch_core.views.replay import Progress, Replay, answers

if TYPE_CHECKING:
    from jobsearch_core.log import EventLog

__all__ = ["Frame", "changes", "encode_blocks", "frames", "states_after_each"]


def states_after_each(
    log: EventLog, names: Iterable[str], *, stream: str
) -> Iterator[tuple[Recorded, dict[str, Any]]]:
    """Each event of `stream` with the answers of the named views as of its position: what
    ``log.view(name, stream=stream, as_of=recorded.position)`` gives, for one replay.

    The replay engine resumes from where it stood at the event before, so each event is
    folded once (a correction that reaches back refolds, as it does for `view`). The
    answers are read before the next event is folded into them: use them then, or copy.
    """
    views = log.catalog.in_order(names)
    records = list(log.read(stream=stream))
    positions = [record.position for record in records]

    def read(after: int, until: int) -> Iterator[Sequence[Recorded]]:
        low, high = bisect.bisect_right(positions, after), bisect.bisect_right(positions, until)
        if low < high:
            yield records[low:high]

    replay = Replay(views, read)
    progress: Sequence[Progress | None] = [None] * len(views)
    for record in records:
        progress = replay.run(progress, record.position)
        found = answers(views, [done.state for done in progress])
        yield record, {view.name: answer for view, answer in zip(views, found, strict=True)}


@attrs.frozen(kw_only=True)
class Frame:
    """One position of the replay: the event there, the moment it stands for, and what each
    section shows (in the page's JSON form)."""

    position: int
    #: The event's type name, and its own moment.
    event: str
    at: datetime
    #: "Now" at that position: the newest `at` so far (the report's own moment at the end).
    now: datetime
    #: Section name -> its blocks, encoded (`encode_blocks`).
    sections: dict[str, list[dict[str, Any]]]


def _ids(table: Table) -> list[str]:
    """Each row's identity within the table: its key, or its place when keys repeat."""
    keys = [row.key for row in table.rows]
    if None not in keys and len(set(keys)) == len(keys):
        return [str(key) for key in keys]
    return [f"#{index}" for index in range(len(keys))]


def encode_blocks(blocks: Sequence[Block]) -> list[dict[str, Any]]:
    """Blocks as the page's script reads them (every value text, for it to escape)."""
    found: list[dict[str, Any]] = []
    for block in blocks:
        if isinstance(block, Table):
            found.append(
                {
                    "kind": "table",
                    "caption": block.caption,
                    "columns": [[column.title, column.numeric] for column in block.columns],
                    "data": block.data,
                    "empty": block.empty,
                    "order": _ids(block),
                    "rows": {
                        id_: [row.key, row.strong, *row.cells]
                        for id_, row in zip(_ids(block), block.rows, strict=True)
                    },
                }
            )
        elif isinstance(block, Lines):
            found.append({"kind": "lines", "title": block.title, "lines": list(block.lines)})
        else:
            raise TypeError(f"a report section gave {block!r}, which is not a Table or Lines")
    return found


def frames(
    log: EventLog, sections: Sequence[ReportSection], *, stream: str, now: datetime
) -> Iterator[Frame]:
    """Each event of `stream` as a `Frame` of every section; the last one stands for `now`
    (when that is later than the newest event)."""
    names = list(dict.fromkeys(name for section in sections for name in section.uses))
    last = log.stream_version(stream)
    if not last:  # nothing yet: one frame of the empty views
        yield Frame(
            position=0,
            event="nothing recorded yet",
            at=now,
            now=now,
            sections=_shown(sections, log.views(names, stream=stream), now),
        )
        return
    newest: datetime | None = None
    for record, states in states_after_each(log, names, stream=stream):
        at = record.event.at
        newest = at if newest is None or at > newest else newest
        moment = max(newest, now) if record.version >= last else newest
        yield Frame(
            position=record.position,
            event=event_type_of(record.event),
            at=at,
            now=moment,
            sections=_shown(sections, states, moment),
        )


def _shown(
    sections: Sequence[ReportSection], states: Mapping[str, Any], now: datetime
) -> dict[str, list[dict[str, Any]]]:
    """What each section shows, given the views' answers at one position."""
    found = {}
    for section in sections:
        given = {name: states[name] for name in section.uses}
        try:
            found[section.name] = encode_blocks(section.render(given, now))
        except Exception as error:
            raise PluginError(
                f"report section {section.name!r} failed to render as of "
                f"{now.isoformat()}: {error!r}"
            ) from error
    return found


#: What a block's changes cannot say: a block whose kind or columns change is sent whole.
_SHAPE = ("kind", "columns", "data")
#: What its changes say in their own way; any other field (a caption) is sent as it is.
_CONTENT = ("order", "rows")


def _shape(block: Mapping[str, Any]) -> list[Any]:
    return [block.get(key) for key in _SHAPE]


def changes(
    before: Sequence[Mapping[str, Any]] | None, after: Sequence[Mapping[str, Any]]
) -> dict[str, Any] | None:
    """What a section's blocks changed by from one frame to the next: None for nothing;
    ``{"full": blocks}`` when their kinds or columns changed; else, block by block, None
    or the fields changed (a caption, the lines), with a table's changed rows and its new
    order (or the ids added at its end)."""
    if before == after:
        return None
    if before is None or [_shape(b) for b in before] != [_shape(a) for a in after]:
        return {"full": list(after)}
    found: list[dict[str, Any] | None] = []
    for old, new in zip(before, after, strict=True):
        if old == new:
            found.append(None)
            continue
        change: dict[str, Any] = {
            key: value
            for key, value in new.items()
            if key not in _SHAPE and key not in _CONTENT and old.get(key) != value
        }
        if new["kind"] == "table":
            if new["order"] != old["order"]:
                kept = len(old["order"])
                if new["order"][:kept] == old["order"]:
                    change["append"] = new["order"][kept:]
                else:
                    change["order"] = new["order"]
            rows = {id_: row for id_, row in new["rows"].items() if old["rows"].get(id_) != row}
            if rows:
                change["rows"] = rows
        found.append(change)
    return {"blocks": found}
