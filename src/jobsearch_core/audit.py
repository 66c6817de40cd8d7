"""Auditing a log: `verify` checks every stored row and the hash chain, and lists what is wrong."""

from __future__ import annotations

from collections.abc import Iterator

import attrs

from jobsearch_core.codec import Codec
from jobsearch_core.errors import CorruptEventError, JobsearchError
from jobsearch_core.storage._chain import GENESIS, chain_hash
from jobsearch_core.storage.backend import Backend
from jobsearch_core.storage.rows import StoredRow

__all__ = ["Problem", "head_hash", "verify"]


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


def verify(backend: Backend, codec: Codec) -> list[Problem]:
    """Check the whole log and list every problem found (empty when the log is sound).

    Positions 1..n without gaps, versions 1..n per stream, every row decodable, and
    the hash chain: each row's hash must be `chain_hash` of the hash before it and
    the row, so a row changed behind the library's back shows where it was changed.
    """
    problems: list[Problem] = []
    expected = 1
    versions: dict[str, int] = {}
    previous = GENESIS
    chained = False
    unhashed: list[StoredRow] = []
    row: StoredRow
    #: Rows the backend could not hand over (already listed): position -> stream.
    damaged: dict[int, str | None] = {}
    #: Damaged rows passed over whose stream could not be read either.
    unattributed = 0
    for row in _rows_past_damage(backend, problems, damaged):
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
            elif position in damaged:  # whose it was is unreadable too: some stream skips one
                unattributed += 1
        expected = row.position + 1
        version = versions.get(row.stream, 0) + 1
        if version < row.version <= version + unattributed:
            unattributed -= row.version - version  # the damaged rows were this stream's
            version = row.version
        if row.version != version:
            problems.append(
                Problem(row.position, row.stream, f"version {row.version} where {version} was due")
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
        if not row.event_id:
            problems.append(Problem(row.position, row.stream, "the row has no event id"))
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
    backend: Backend, problems: list[Problem], damaged: dict[int, str | None]
) -> Iterator[StoredRow]:
    """Every stored row; a row the backend cannot even hand over is noted and stepped over."""
    after = 0
    while True:
        try:
            for row in backend.read(after=after):
                after = row.position
                yield row
            return
        except CorruptEventError as error:
            problems.append(Problem(error.position, error.stream, str(error)))
            damaged[error.position] = error.stream
            after = max(after + 1, error.position)


def head_hash(backend: Backend) -> str | None:
    """The last event's chain hash in hex: note it elsewhere to notice a rewritten history."""
    head = backend.head()
    last = next(backend.read(after=head - 1, until=head), None) if head else None
    return last.hash.hex() if last is not None and last.hash else None
