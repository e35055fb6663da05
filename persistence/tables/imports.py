"""Tables of the imports context: import runs and the rows they rejected.

`import_runs` has one row per (kind, file SHA-256). It is updated in the same
transaction as each batch the run writes, so `last_committed_line` and the counts always
describe what is committed, and a re-run of the file resumes after that line.
`import_rejects` holds the rejected rows (with their original cells) in the same
transactions, so the rejects file is exact after any crash and resume; they are deleted
once the run has finished and the file was written (they may hold personal data).
"""

from __future__ import annotations

from sqlalchemy import (
    Column,
    ForeignKey,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
    Uuid,
)

from persistence.db import metadata
from persistence.types import Json, UtcDateTime

import_runs = Table(
    "import_runs",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("kind", String(16), nullable=False),
    Column("file_name", String(255), nullable=False),
    Column("file_sha256", String(64), nullable=False),
    Column("batch_size", Integer, nullable=False),
    Column("status", String(12), nullable=False),
    Column("last_committed_line", Integer, nullable=False),
    Column("rows", Integer, nullable=False),
    Column("imported", Integer, nullable=False),
    Column("updated", Integer, nullable=False),
    Column("unchanged", Integer, nullable=False),
    Column("folded", Integer, nullable=False),
    Column("rejected", Integer, nullable=False),
    Column("customers_created", Integer, nullable=False),
    Column("error", Text),
    Column("started_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    Column("finished_at", UtcDateTime),
    UniqueConstraint("kind", "file_sha256"),
)

import_rejects = Table(
    "import_rejects",
    metadata,
    Column("run_id", Uuid, ForeignKey("import_runs.id", ondelete="CASCADE"), primary_key=True),
    Column("line", Integer, primary_key=True),
    Column("reason", Text, nullable=False),
    Column("cells", Json, nullable=False),
)
