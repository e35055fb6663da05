"""Ports of the imports context: the store of runs and the batch writer.

`ImportBatch` is ONE transaction: the look-ups lock what they return, `write` stores the
batch's plan set-based (multi-row statements, not one per row), `advance` stores the
run's progress, and nothing is visible until `commit`. Leaving the `ImportStore.batch()`
context without `commit` rolls everything back.

Bulk writes bypass the domain events on purpose: no CustomerCreated / OrderRecorded
handlers run (no sign-up bonus, no points or tier changes for historic orders, no
automations). Instead `write` gives every customer it creates a membership in the
lowest tier (where the loyalty tables exist), and recomputes the stats of every
customer whose orders changed, in the same transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol
from uuid import UUID

from domain.customers.consent import ConsentEntry
from domain.customers.model import Identity
from domain.imports.model import ImportCounts, ImportKind, ImportRun, Rejection
from domain.orders.model import Order

if TYPE_CHECKING:
    from domain.imports.people import Person


@dataclass(kw_only=True)
class FoundCustomers:
    """Customers holding some emails or identities, and who holds each identity."""

    customers: list[Person]
    identity_owners: dict[tuple[str, str], UUID]


@dataclass(kw_only=True)
class BatchPlan:
    """Everything one batch writes, and its outcome."""

    customers: list[Person] = field(default_factory=list)
    identities: list[tuple[UUID, Identity]] = field(default_factory=list)
    consents: list[ConsentEntry] = field(default_factory=list)
    orders: list[Order] = field(default_factory=list)
    status_changes: list[Order] = field(default_factory=list)
    stats_for: list[UUID] = field(default_factory=list)
    rejections: list[Rejection] = field(default_factory=list)
    counts: ImportCounts = field(default_factory=ImportCounts)
    # The customers (customers file) or orders (orders file) the batch's rows named: the
    # run remembers them once the batch is committed, to count later rows as folded.
    named: set[UUID] = field(default_factory=set)


class ImportBatch(Protocol):
    """One batch's transaction."""

    async def claim(self, run: ImportRun) -> None:
        """Lock the run and refuse (ImportRunMoved) if it is past `run.last_line`."""
        ...

    async def find_customers(
        self, email_keys: Sequence[str], identities: Sequence[tuple[str, str]]
    ) -> FoundCustomers: ...

    async def customers_by_ids(self, ids: Sequence[UUID]) -> list[Person]: ...

    async def orders_by_keys(self, keys: Sequence[tuple[str, str]]) -> list[Order]:
        """Recorded orders with their lines (not their refunds: a replay compares content
        and status only)."""
        ...

    async def write(self, run: ImportRun, plan: BatchPlan) -> None:
        """Store the plan (rejections included, kept with the run for the rejects file)."""
        ...

    async def advance(self, run: ImportRun) -> None:
        """Store the run's progress (its last line and counts) in this transaction."""
        ...

    async def commit(self) -> None: ...


class ImportStore(Protocol):
    """Import runs, and batches to write in."""

    async def find_run(self, kind: ImportKind, file_sha256: str) -> ImportRun | None: ...

    async def add_run(self, run: ImportRun) -> None:
        """Store a new run (its own transaction)."""
        ...

    async def save_run(self, run: ImportRun) -> None:
        """Store a run's status (its own transaction): resumed, failed or finished."""
        ...

    def batch(self) -> AbstractAsyncContextManager[ImportBatch]: ...

    async def rejections(self, run_id: UUID) -> list[Rejection]:
        """The rows the run rejected so far, by line."""
        ...

    async def forget_rejections(self, run_id: UUID) -> None:
        """Drop a finished run's stored rejections (they may hold personal data)."""
        ...
