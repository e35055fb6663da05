"""An import run: one file of one kind, its progress line by line, and its counts.

A run is identified by (kind, the file's SHA-256): importing the same file again resumes
the run after its last committed line, or does nothing once the run has finished.
Each row of the file ends in exactly one count: imported, updated, unchanged, folded or
rejected (see `ImportCounts`).
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import datetime
from enum import StrEnum
from uuid import UUID

from domain.ids import new_id


class ImportKind(StrEnum):
    """What a file holds."""

    CUSTOMERS = "customers"
    ORDERS = "orders"


class ImportStatus(StrEnum):
    """Where a run stands: RUNNING (or interrupted), FAILED (resumable), FINISHED."""

    RUNNING = "RUNNING"
    FAILED = "FAILED"
    FINISHED = "FINISHED"


def extra_cell(position: int) -> str:
    """The name under which a row keeps its `position`-th cell beyond the header's
    columns (1-based): extra_1, extra_2... No column has such a name."""
    return f"extra_{position}"


@dataclass(frozen=True, slots=True)
class SourceRow:
    """One row of the file as read: its first line, its cells by column name, and what
    makes it unreadable as a row, if anything (more cells than columns: those are kept
    as `extra_cell(1)`... for the rejects file)."""

    line: int
    cells: dict[str, str]
    problem: str | None = None

    def __reduce__(self) -> tuple[type[SourceRow], tuple[int, dict[str, str], str | None]]:
        # Batches cross process boundaries: rebuild through __init__ (a slotted
        # dataclass would unpickle field by field through __setstate__, far slower).
        return (SourceRow, (self.line, self.cells, self.problem))


@dataclass(frozen=True, slots=True)
class Rejection:
    """A row refused, with the reason shown in the rejects file."""

    line: int
    reason: str
    cells: dict[str, str]

    def __reduce__(self) -> tuple[type[Rejection], tuple[int, str, dict[str, str]]]:
        return (Rejection, (self.line, self.reason, self.cells))


@dataclass(kw_only=True)
class ImportCounts:
    """Rows by outcome, plus the customers the rows created.

    - imported: the row created a customer (customers file) or an order line (orders);
    - updated: the row changed a customer or an order that was in the database;
    - unchanged: the row named a customer or order in the database and changed nothing;
    - folded: the row named a customer (customers file) or an order (orders file) that
      an earlier row of the same run had named already, whichever batch that row was in;
      its values were applied onto that one record. After a resume, the rows before the
      resume point count as stored records (a repeat of one is updated or unchanged):
      the run remembers what it named in memory only;
    - rejected: the row is in the rejects file, with its reason;
    - customers_created: customers created (in an orders file: for unknown references).
    """

    rows: int = 0
    imported: int = 0
    updated: int = 0
    unchanged: int = 0
    folded: int = 0
    rejected: int = 0
    customers_created: int = 0

    def add(self, other: ImportCounts) -> None:
        for f in fields(self):
            setattr(self, f.name, getattr(self, f.name) + getattr(other, f.name))

    def as_dict(self) -> dict[str, int]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


@dataclass(eq=False, kw_only=True)
class ImportRun:
    """The progress of one file's import; `last_line` is the last line committed."""

    id: UUID
    kind: ImportKind
    file_name: str
    file_sha256: str
    batch_size: int
    status: ImportStatus
    started_at: datetime
    updated_at: datetime
    last_line: int = 0
    counts: ImportCounts = field(default_factory=ImportCounts)
    finished_at: datetime | None = None
    error: str | None = None

    @classmethod
    def start(
        cls, *, kind: ImportKind, file_name: str, file_sha256: str, batch_size: int, now: datetime
    ) -> ImportRun:
        check_batch_size(batch_size)
        return cls(
            id=new_id(),
            kind=kind,
            file_name=file_name[:255],
            file_sha256=file_sha256,
            batch_size=batch_size,
            status=ImportStatus.RUNNING,
            started_at=now,
            updated_at=now,
        )

    @property
    def is_finished(self) -> bool:
        return self.status == ImportStatus.FINISHED

    def resume(self, *, batch_size: int, now: datetime) -> None:
        """Go on after `last_line` (possibly with another batch size)."""
        check_batch_size(batch_size)
        if self.is_finished:
            raise ValueError("a finished import run is not resumed")
        self.status = ImportStatus.RUNNING
        self.batch_size = batch_size
        self.error = None
        self.updated_at = now

    def commit_batch(self, counts: ImportCounts, *, last_line: int, now: datetime) -> None:
        """Account for a batch whose rows end at `last_line` (stored with the batch)."""
        if last_line <= self.last_line:
            raise ValueError(f"batch ends at line {last_line}, before line {self.last_line}")
        self.counts.add(counts)
        self.last_line = last_line
        self.updated_at = now

    def finish(self, *, now: datetime) -> None:
        self.status = ImportStatus.FINISHED
        self.finished_at = now
        self.updated_at = now

    def fail(self, error: str, *, now: datetime) -> None:
        self.status = ImportStatus.FAILED
        self.error = error[:2000]
        self.updated_at = now


MAX_BATCH_SIZE = 50_000


def check_batch_size(size: int) -> int:
    if not 1 <= size <= MAX_BATCH_SIZE:
        raise ValueError(f"the batch size must be between 1 and {MAX_BATCH_SIZE}")
    return size
