"""The import store: runs, and batch transactions that read and write set-based.

A batch is one transaction (BEGIN IMMEDIATE on SQLite). Its look-ups lock the customers
and orders they return (FOR UPDATE on PostgreSQL, in id order) and take one array
parameter per list on PostgreSQL (`persistence.bulk`). Its writes are a fixed number of
set-based statements whatever the batch size: see `persistence.import_writes`. A unique
violation or a deadlock caused by a concurrent writer becomes BatchWriteConflict, so the
use case plans the batch again.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from typing import Any
from uuid import UUID

from sqlalchemy import delete, insert, select, update
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from domain.customers.consent import ConsentChannel, ConsentState
from domain.imports.errors import BatchWriteConflict, ImportRunMoved
from domain.imports.model import ImportCounts, ImportKind, ImportRun, ImportStatus, Rejection
from domain.imports.people import Person
from domain.imports.repository import BatchPlan, FoundCustomers
from domain.money import Money
from domain.orders.content import OrderContent, OrderLine
from domain.orders.model import Order
from domain.orders.status import OrderStatus
from persistence.batches import batches
from persistence.bulk import in_values, matching_pairs
from persistence.db import SQLITE_BEGIN_IMMEDIATE
from persistence.import_writes import Loyalty, cells_from_stored, without_nul, write_plan
from persistence.tables.customers import customer_identities, customers
from persistence.tables.imports import import_rejects, import_runs
from persistence.tables.orders import order_lines, orders

PROFILE_COLUMNS = (
    "phone",
    "first_name",
    "last_name",
    "gender",
    "birthday",
    "country",
    "region",
    "city",
    "locale",
    "timezone",
)
# What a batch needs of a customer (not its metadata: imports never touch it).
_PERSON_COLUMNS = [
    customers.c[name]
    for name in (
        "id",
        "created_at",
        "updated_at",
        "email",
        "email_key",
        *PROFILE_COLUMNS,
        "email_consent",
        "sms_consent",
        "merged_into",
        "erased_at",
    )
]
_COUNT_COLUMNS = (
    "rows",
    "imported",
    "updated",
    "unchanged",
    "folded",
    "rejected",
    "customers_created",
)
# PostgreSQL: deadlock_detected, serialization_failure.
_RETRYABLE_SQLSTATES = {"40P01", "40001"}


class SqlImportStore:
    """Implements `domain.imports.repository.ImportStore` on an engine."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine
        self._loyalty: Loyalty | None = None
        self._loyalty_known = False

    async def find_run(self, kind: ImportKind, file_sha256: str) -> ImportRun | None:
        async with self._engine.connect() as conn:
            row = (
                await conn.execute(
                    select(import_runs).where(
                        import_runs.c.kind == kind.value,
                        import_runs.c.file_sha256 == file_sha256,
                    )
                )
            ).first()
        return _run_from_row(row) if row is not None else None

    async def add_run(self, run: ImportRun) -> None:
        try:
            async with self._engine.begin() as conn:
                await conn.execute(insert(import_runs).values(id=run.id, **_run_values(run)))
        except IntegrityError as error:
            raise ImportRunMoved(f"another import of {run.file_name} started meanwhile") from error

    async def save_run(self, run: ImportRun) -> None:
        # Only the status: progress and counts are stored by the batches that made them.
        async with self._engine.begin() as conn:
            await conn.execute(
                update(import_runs)
                .where(import_runs.c.id == run.id)
                .values(
                    status=run.status.value,
                    batch_size=run.batch_size,
                    error=_error(run),
                    updated_at=run.updated_at,
                    finished_at=run.finished_at,
                )
            )

    @asynccontextmanager
    async def batch(self) -> AsyncIterator[SqlImportBatch]:
        conn = await self._engine.connect()
        try:
            if conn.dialect.name == "sqlite":
                conn = await conn.execution_options(**{SQLITE_BEGIN_IMMEDIATE: True})
            await conn.begin()
            if conn.dialect.name == "postgresql":
                # Plan each statement for its own arrays: a generic plan cached while the
                # tables were small (a scan of the whole table) would stay while they grow.
                await conn.exec_driver_sql("SET LOCAL plan_cache_mode = force_custom_plan")
            if not self._loyalty_known:
                self._loyalty = await Loyalty.detect(conn)
                self._loyalty_known = True
            yield SqlImportBatch(conn, self._loyalty)
        finally:
            await conn.close()  # rolls back what was not committed

    async def rejections(self, run_id: UUID) -> list[Rejection]:
        async with self._engine.connect() as conn:
            rows = await conn.execute(
                select(import_rejects)
                .where(import_rejects.c.run_id == run_id)
                .order_by(import_rejects.c.line)
            )
            return [
                Rejection(line=r.line, reason=r.reason, cells=cells_from_stored(r.cells))
                for r in rows
            ]

    async def forget_rejections(self, run_id: UUID) -> None:
        async with self._engine.begin() as conn:
            await conn.execute(delete(import_rejects).where(import_rejects.c.run_id == run_id))


class SqlImportBatch:
    """Implements `domain.imports.repository.ImportBatch` on one transaction."""

    def __init__(self, conn: AsyncConnection, loyalty: Loyalty | None) -> None:
        self._conn = conn
        self._loyalty = loyalty

    async def claim(self, run: ImportRun) -> None:
        stmt = select(import_runs.c.last_committed_line).where(import_runs.c.id == run.id)
        stored = (await self._conn.execute(stmt.with_for_update())).scalar_one_or_none()
        if stored != run.last_line:
            raise ImportRunMoved(
                f"another import of {run.file_name} is running (it reached line {stored})"
            )

    async def find_customers(
        self, email_keys: Sequence[str], identities: Sequence[tuple[str, str]]
    ) -> FoundCustomers:
        dialect = self._conn.dialect.name
        owners: dict[tuple[str, str], UUID] = {}
        pair = (customer_identities.c.channel, customer_identities.c.external_id)
        for chunk in batches(identities):
            stmt = select(*pair, customer_identities.c.customer_id)
            for row in await self._conn.execute(matching_pairs(stmt, pair, chunk, dialect)):
                owners[(row.channel, row.external_id)] = row.customer_id
        # Two statements, not one with OR: PostgreSQL answers `email_key = ANY(..) OR
        # id = ANY(..)` with a scan of the whole table, each alone with its index.
        found: dict[UUID, Person] = {}
        for keys in batches(email_keys):
            for person in await self._customers(in_values(customers.c.email_key, keys, dialect)):
                found[person.id] = person
        holders = sorted(set(owners.values()) - set(found))
        for ids in batches(holders):
            for person in await self._customers(in_values(customers.c.id, ids, dialect)):
                found[person.id] = person
        return FoundCustomers(customers=list(found.values()), identity_owners=owners)

    async def customers_by_ids(self, ids: Sequence[UUID]) -> list[Person]:
        found: list[Person] = []
        for chunk in batches(ids):
            found += await self._customers(
                in_values(customers.c.id, chunk, self._conn.dialect.name)
            )
        return found

    async def orders_by_keys(self, keys: Sequence[tuple[str, str]]) -> list[Order]:
        dialect = self._conn.dialect.name
        pair = (orders.c.channel, orders.c.external_id)
        rows: list[Any] = []
        for keys_chunk in batches(keys):
            stmt = matching_pairs(select(orders), pair, keys_chunk, dialect)
            stmt = stmt.order_by(orders.c.id).with_for_update(of=orders)
            rows += (await self._conn.execute(stmt)).all()
        lines: dict[UUID, list[Any]] = {row.id: [] for row in rows}
        for chunk in batches(list(lines)):
            for line in await self._conn.execute(
                select(order_lines)
                .where(in_values(order_lines.c.order_id, chunk, dialect))
                .order_by(order_lines.c.order_id, order_lines.c.position)
            ):
                lines[line.order_id].append(line)
        return [_order_from_rows(row, lines[row.id]) for row in rows]

    async def write(self, run: ImportRun, plan: BatchPlan) -> None:
        try:
            await write_plan(self._conn, run, plan, loyalty=self._loyalty)
        except IntegrityError as error:
            raise BatchWriteConflict(f"a concurrent write got in the way: {error.orig}") from error
        except DBAPIError as error:
            if _sqlstate(error) in _RETRYABLE_SQLSTATES:
                raise BatchWriteConflict(f"a concurrent write got in the way: {error}") from error
            raise

    async def advance(self, run: ImportRun) -> None:
        await self._conn.execute(
            update(import_runs).where(import_runs.c.id == run.id).values(**_run_values(run))
        )

    async def commit(self) -> None:
        await self._conn.commit()

    async def _customers(self, where: Any) -> list[Person]:
        stmt = select(*_PERSON_COLUMNS).where(where).order_by(customers.c.id)
        rows = await self._conn.execute(stmt.with_for_update())
        return [_person_from_row(row) for row in rows]


def _sqlstate(error: DBAPIError) -> str | None:
    orig = error.orig
    return getattr(orig, "sqlstate", None) or getattr(orig, "pgcode", None)


def _person_from_row(row: Any) -> Person:
    profile = {name: getattr(row, name) for name in PROFILE_COLUMNS}
    return Person(
        id=row.id,
        is_new=False,
        created_at=row.created_at,
        updated_at=row.updated_at,
        email=row.email,
        email_key=row.email_key,
        profile=profile,
        consent={
            ConsentChannel.EMAIL: ConsentState(row.email_consent) if row.email_consent else None,
            ConsentChannel.SMS: ConsentState(row.sms_consent) if row.sms_consent else None,
        },
        merged_into=row.merged_into,
        erased=row.erased_at is not None,
        stored_email_key=row.email_key,
    )


def _order_from_rows(row: Any, lines: list[Any]) -> Order:
    """The order as a replay needs it: content and status (refunds are not read)."""
    currency = row.currency
    return Order(
        id=row.id,
        channel=row.channel,
        external_id=row.external_id,
        customer_id=row.customer_id,
        status=OrderStatus(row.status),
        content=OrderContent(
            placed_at=row.placed_at,
            total=Money(row.total_amount, currency),
            base_total=row.base_total,
            lines=tuple(
                OrderLine(
                    sku=line.sku,
                    name=line.name,
                    quantity=line.quantity,
                    unit_price=Money(line.unit_price, currency),
                    category=line.category,
                )
                for line in lines
            ),
        ),
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


def _run_values(run: ImportRun) -> dict[str, Any]:
    return {
        "kind": run.kind.value,
        "file_name": run.file_name,
        "file_sha256": run.file_sha256,
        "batch_size": run.batch_size,
        "status": run.status.value,
        "last_committed_line": run.last_line,
        **run.counts.as_dict(),
        "error": _error(run),
        "started_at": run.started_at,
        "updated_at": run.updated_at,
        "finished_at": run.finished_at,
    }


def _error(run: ImportRun) -> str | None:
    return without_nul(run.error) if run.error is not None else None


def _run_from_row(row: Any) -> ImportRun:
    return ImportRun(
        id=row.id,
        kind=ImportKind(row.kind),
        file_name=row.file_name,
        file_sha256=row.file_sha256,
        batch_size=row.batch_size,
        status=ImportStatus(row.status),
        started_at=row.started_at,
        updated_at=row.updated_at,
        last_line=row.last_committed_line,
        counts=ImportCounts(**{name: getattr(row, name) for name in _COUNT_COLUMNS}),
        finished_at=row.finished_at,
        error=row.error,
    )
