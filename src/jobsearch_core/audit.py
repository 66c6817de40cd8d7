"""Auditing a log: `verify` checks every stored row and the hash chain, and lists what is wrong."""

from __future__ import annotations

from collections.abc import Iterator

import attrs

from jobsearch_core.codec import Codec
from jobsearch_core.errors import CorruptEventError, InvalidInputError, JobsearchError
from jobsearch_core.storage._chain import GENESIS, chain_hash
from jobsearch_core.storage.backend import Backend, row_at
from jobsearch_core.storage.capabilities import KeyedChain
from jobsearch_core.storage.keys import KEY_ENV, ChainMode
from jobsearch_core.storage.rows import StoredRow

__all__ = ["Anchor", "Problem", "check_anchor", "hash_at", "head_hash", "verify"]


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


#: A hash noted earlier: (position, the chain hash there in hex).
Anchor = tuple[int, str]


def verify(backend: Backend, codec: Codec, anchor: Anchor | None = None) -> list[Problem]:
    """Check the whole log and list every problem found (empty when the log is sound).

    Positions 1..n without gaps, versions 1..n per stream, every row decodable, and
    the hash chain: each row's hash must be `chain_hash` of the hash before it and
    the row, so a row changed behind the library's back shows where it was changed.
    With an `anchor`, the hash at its position must still be the one noted.
    """
    if anchor is not None:
        anchor = check_anchor(anchor)
    mode = chain_mode(backend)
    problems = _rows_checked(backend, codec, mode)
    if not mode.usable:
        problems.insert(
            0,
            Problem(
                0,
                None,
                f"the chain is keyed (HMAC) and no key was given, so it was not checked: "
                f"set {KEY_ENV} or give key_file=PATH in the URL",
            ),
        )
    if anchor is not None:
        problems += _anchor_problems(backend, anchor)
    return problems


def chain_mode(backend: Backend) -> ChainMode:
    """How the backend's chain is hashed (plain, unless it keeps a keyed one)."""
    return backend.chain if isinstance(backend, KeyedChain) else ChainMode()


def _rows_checked(backend: Backend, codec: Codec, mode: ChainMode) -> list[Problem]:
    problems: list[Problem] = []
    expected = 1
    versions: dict[str, int] = {}
    previous = GENESIS
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
        due = chain_hash(previous, row, mode.key)
        if not mode.usable:
            pass  # keyed, and no key to check it with: said once, above
        elif row.hash:
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
            # Every row is chained: a missing hash is a row (or a whole chain) made or
            # changed behind the library's back.
            problems.append(
                Problem(
                    row.position,
                    row.stream,
                    "the row has no hash: it (or the hash) was changed outside jobsearch-core",
                )
            )
            previous = due  # judge the next row as if this one were whole
        if not row.event_id:
            problems.append(Problem(row.position, row.stream, "the row has no event id"))
        try:
            codec.decode(row)
        except CorruptEventError as error:
            problems.append(Problem(row.position, row.stream, str(error)))
        except JobsearchError as error:  # pragma: no cover - any other decoding failure
            problems.append(Problem(row.position, row.stream, str(error)))
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


def check_anchor(anchor: object) -> Anchor:
    """An anchor as given (a position and a hex hash), or `InvalidInputError`."""
    if (
        isinstance(anchor, tuple)
        and len(anchor) == 2
        and isinstance(anchor[0], int)
        and not isinstance(anchor[0], bool)
        and anchor[0] >= 0
        and isinstance(anchor[1], str)
    ):
        position, digest = anchor
        text = digest.strip().lower()
        if len(text) == 64 and all(c in "0123456789abcdef" for c in text):
            return position, text
    raise InvalidInputError(
        f"an anchor is (position, hash): a position from 0 and the 64 hex digits that "
        f"hash_at gave there, got {anchor!r:.100}"
    )


def _anchor_problems(backend: Backend, anchor: Anchor) -> list[Problem]:
    position, noted = anchor
    head = backend.head()
    if position > head:
        return [
            Problem(
                position,
                None,
                f"the log ends at position {head}, before the anchor noted at {position}: "
                "events that were there have been cut",
            )
        ]
    found = hash_at(backend, position)
    if found == noted:
        return []
    row = row_at(backend, position)
    return [
        Problem(
            position,
            row.stream if row is not None else None,
            f"the chain hash here is {found or 'missing'}, not the {noted} noted: the log "
            "up to here was rewritten",
        )
    ]


def hash_at(backend: Backend, position: int) -> str | None:
    """The chain hash at a position in hex (the genesis hash at 0), or None when the row
    there has none."""
    if position == 0:
        return GENESIS.hex()
    row = row_at(backend, position)
    if row is None:
        raise InvalidInputError(
            f"position {position} is not in the log (the last position is {backend.head()})"
        )
    return row.hash.hex() if row.hash else None


def head_hash(backend: Backend) -> str | None:
    """The last event's chain hash in hex: note it elsewhere to notice a rewritten history."""
    head = backend.head()
    last = row_at(backend, head)
    return last.hash.hex() if last is not None and last.hash else None
