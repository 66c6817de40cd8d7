"""Storage: the small `Backend` protocol every store implements, and the rows it keeps.

`rows` holds what is stored, `backend` the protocol, `capabilities` what a backend may
offer besides, `memory` and `sqlite` the built-in stores.
"""

from __future__ import annotations

from jobsearch_core.storage._chain import GENESIS, chain_hash, chain_hashes, legacy_chain_hash
from jobsearch_core.storage.backend import Backend, BackendFactory, row_at
from jobsearch_core.storage.capabilities import (
    KeepsCheckpoints,
    ReadsBatches,
    ReadsRaw,
    WakesOnAppend,
)
from jobsearch_core.storage.migration import EnvelopeMigration, OldRow
from jobsearch_core.storage.rows import (
    INSERT_COLUMNS,
    NO_METADATA,
    Checkpoint,
    NewRow,
    RawRow,
    RowBatch,
    Snapshot,
    StoredRow,
    chain_batches,
    chain_rows,
    insert_values,
    make_new_row,
    make_stored_row,
    migrated_event_id,
    new_event_id,
    not_yet_stored,
    plan_append,
    stored_row,
)

__all__ = [
    "GENESIS",
    "INSERT_COLUMNS",
    "NO_METADATA",
    "Backend",
    "BackendFactory",
    "Checkpoint",
    "EnvelopeMigration",
    "KeepsCheckpoints",
    "NewRow",
    "OldRow",
    "RawRow",
    "ReadsBatches",
    "ReadsRaw",
    "RowBatch",
    "Snapshot",
    "StoredRow",
    "WakesOnAppend",
    "chain_batches",
    "chain_hash",
    "chain_hashes",
    "chain_rows",
    "insert_values",
    "legacy_chain_hash",
    "make_new_row",
    "make_stored_row",
    "migrated_event_id",
    "new_event_id",
    "not_yet_stored",
    "plan_append",
    "row_at",
    "stored_row",
]
