"""A crash in the middle of an import loses only the batch in flight; a re-run resumes.

The crash is injected after the batch's statements were sent, just before its commit,
so there is a written-but-uncommitted batch to lose.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from domain.imports.errors import BatchWriteConflict, ImportRunMoved
from domain.imports.model import ImportCounts, ImportKind, ImportRun, ImportStatus
from domain.imports.repository import BatchPlan
from persistence.imports import SqlImportBatch, SqlImportStore
from persistence.tables.customers import customers
from persistence.tables.imports import import_rejects, import_runs
from persistence.tables.orders import orders
from tests.integration.imports.support import (
    CUSTOMER_HEADER,
    ORDER_HEADER,
    empty_tables,
    fetch,
    read_rejects,
    rejects_path,
    run_import,
    snapshot,
    write_csv,
)
from tests.unit.fakes import FixedClock


class InjectedCrash(RuntimeError):
    """The failure a test injects into one batch."""


class FailingBatch:
    """A batch whose `write` sends its statements, then fails with `error`."""

    def __init__(self, inner: SqlImportBatch, error: Exception) -> None:
        self._inner = inner
        self._error = error

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)

    async def write(self, run: ImportRun, plan: BatchPlan) -> None:
        await self._inner.write(run, plan)
        raise self._error


class FailingStore(SqlImportStore):
    """Fails the `fail_at`-th batch transaction opened (1-based) with `error`."""

    def __init__(self, engine: AsyncEngine, *, fail_at: int, error: Exception) -> None:
        super().__init__(engine)
        self.fail_at = fail_at
        self.error = error
        self.opened = 0

    @asynccontextmanager
    async def batch(self) -> AsyncIterator[Any]:
        async with super().batch() as batch:
            self.opened += 1
            yield FailingBatch(batch, self.error) if self.opened == self.fail_at else batch


def after_a_resume(counts: ImportCounts, *, repeats: int) -> ImportCounts:
    """An uninterrupted run's `counts` as a resumed run reports them: the run remembers
    what its rows named in memory only, so `repeats` rows after the resume point naming
    what rows before it named count as updated, not folded."""
    return replace(counts, folded=counts.folded - repeats, updated=counts.updated + repeats)


# Batches of 4 rows: lines 2-5, 6-9, 10-13, 14-17.
CUSTOMER_ROWS = [
    {"email": "a@example.com", "first_name": "A"},
    {"email": "b@example.com", "email_consent": "SUBSCRIBED"},
    {"email": "bad-1"},
    {"identity_channel": "pos", "identity_external_id": "c"},
    {"email": "A@example.com", "last_name": "Again"},  # batch 2: a duplicate of line 2
    {"email": "d@example.com", "identity_channel": "pos", "identity_external_id": "d"},
    {"email": "e@example.com"},
    {"email": "bad-2"},
    {"email": "f@example.com"},  # batch 3
    {"email": "g@example.com", "email_consent": "PENDING"},
    {"identity_channel": "pos", "identity_external_id": "d", "first_name": "D"},
    {"email": "h@example.com", "phone": "nope"},
    {"email": "i@example.com"},  # batch 4
    {"email": "b@example.com", "email_consent": "UNSUBSCRIBED"},
    {"email": "bad-3"},
    {"identity_channel": "pos", "identity_external_id": "c", "email": "c@example.com"},
]


async def test_a_crash_loses_only_its_batch_and_a_rerun_ends_as_an_uninterrupted_run(
    engine: AsyncEngine, tmp_path: Path
) -> None:
    clock = FixedClock()
    path = write_csv(tmp_path / "people.csv", CUSTOMER_HEADER, CUSTOMER_ROWS)
    # The reference: the same file imported in one go
    reference = await run_import(engine, path, ImportKind.CUSTOMERS, clock=clock, batch_size=4)
    expected, expected_rejects = await snapshot(engine), read_rejects(rejects_path(path))
    assert [r["line"] for r in expected_rejects] == ["4", "9", "13", "16"]
    await empty_tables(engine)
    rejects_path(path).unlink()

    # When batch 3 fails after writing
    store = FailingStore(engine, fail_at=3, error=InjectedCrash("disk on fire"))
    with pytest.raises(InjectedCrash):
        await run_import(engine, path, ImportKind.CUSTOMERS, clock=clock, batch_size=4, store=store)

    # Then batches 1 and 2 are there and nothing of batch 3
    emails = {row.email_key for row in await fetch(engine, select(customers.c.email_key))}
    assert emails == {"a@example.com", "b@example.com", "d@example.com", "e@example.com", None}
    run = (await fetch(engine, select(import_runs)))[0]
    assert (run.status, run.last_committed_line, run.rows) == ("FAILED", 9, 8)
    assert run.error == "InjectedCrash: disk on fire"
    # And the rejects file holds the committed batches' rejects (kept in the database too)
    assert [r["line"] for r in read_rejects(rejects_path(path))] == ["4", "9"]
    assert len(await fetch(engine, select(import_rejects))) == 2

    # When the same file is imported again
    resumed = await run_import(engine, path, ImportKind.CUSTOMERS, clock=clock, batch_size=4)

    # Then it resumes after line 9 and ends exactly as the uninterrupted run did (but for
    # lines 12, 15 and 17, which name customers of lines before 9 and count as updated)
    assert resumed.resumed_from == 9
    assert resumed.this_time.rows == 8
    assert resumed.run.id == run.id
    assert resumed.run.status is ImportStatus.FINISHED
    assert resumed.run.counts == after_a_resume(reference.run.counts, repeats=3)
    assert await snapshot(engine) == expected
    assert read_rejects(rejects_path(path)) == expected_rejects


def _order(external_id: str, email: str, lines: int, **cells: str) -> list[dict[str, str]]:
    first = {
        "channel": "web",
        "external_id": external_id,
        "customer_email": email,
        "placed_at": "2025-03-01T12:00:00Z",
        "currency": "EUR",
        "total": f"{10 * lines}.00",
        **cells,
    }
    return [
        {
            **(first if n == 0 else {"channel": "web", "external_id": external_id}),
            "sku": f"S{n}",
            "name": "Thing",
            "quantity": "1",
            "unit_price": "10",
        }
        for n in range(lines)
    ]


async def test_an_orders_import_resumes_after_a_crash_without_duplicates(
    engine: AsyncEngine, tmp_path: Path
) -> None:
    clock = FixedClock()
    rows = (
        _order("1", "a@example.com", 2)
        + _order("2", "b@example.com", 1)
        + _order("3", "a@example.com", 3)  # batch 2 (batch size 3): lines 5-7
        + _order("4", "c@example.com", 1, total="x")  # batch 3: lines 8-10
        + _order("5", "new@example.com", 2)
        + _order("2", "b@example.com", 1, status="FULFILLED")  # batch 4: lines 11-12
        + _order("6", "a@example.com", 1)
    )
    path = write_csv(tmp_path / "orders.csv", ORDER_HEADER, rows)
    reference = await run_import(engine, path, ImportKind.ORDERS, clock=clock, batch_size=3)
    expected, expected_rejects = await snapshot(engine), read_rejects(rejects_path(path))
    await empty_tables(engine)
    rejects_path(path).unlink()

    store = FailingStore(engine, fail_at=3, error=InjectedCrash("power cut"))
    with pytest.raises(InjectedCrash):
        await run_import(engine, path, ImportKind.ORDERS, clock=clock, batch_size=3, store=store)

    stored = {o.external_id for o in await fetch(engine, select(orders.c.external_id))}
    assert stored == {"1", "2", "3"}  # order 5 was in the lost batch
    run = (await fetch(engine, select(import_runs)))[0]
    assert run.last_committed_line == 7

    resumed = await run_import(engine, path, ImportKind.ORDERS, clock=clock, batch_size=3)

    assert resumed.resumed_from == 7
    # Line 11 names order 2 of line 4, before the resume point: updated, not folded
    assert resumed.run.counts == after_a_resume(reference.run.counts, repeats=1)
    assert await snapshot(engine) == expected
    assert read_rejects(rejects_path(path)) == expected_rejects


async def test_a_batch_that_lost_a_race_is_written_again(
    engine: AsyncEngine, tmp_path: Path
) -> None:
    clock = FixedClock()
    path = write_csv(tmp_path / "race.csv", CUSTOMER_HEADER, CUSTOMER_ROWS)
    store = FailingStore(engine, fail_at=2, error=BatchWriteConflict("email taken meanwhile"))

    outcome = await run_import(
        engine, path, ImportKind.CUSTOMERS, clock=clock, batch_size=4, store=store
    )

    assert store.opened == 5  # batch 2 was planned and written twice
    assert outcome.run.status is ImportStatus.FINISHED
    assert outcome.run.counts.rows == len(CUSTOMER_ROWS)
    assert outcome.run.counts.imported == 8  # a b c d e f g i
    assert len(await fetch(engine, select(customers))) == 8


async def test_a_run_advanced_by_another_process_is_not_written_twice(
    engine: AsyncEngine, tmp_path: Path
) -> None:
    clock = FixedClock()
    store = SqlImportStore(engine)
    run = ImportRun.start(
        kind=ImportKind.CUSTOMERS,
        file_name="x.csv",
        file_sha256="0" * 64,
        batch_size=10,
        now=clock.now(),
    )
    await store.add_run(run)
    async with engine.begin() as conn:  # another process committed a batch meanwhile
        await conn.execute(import_runs.update().values(last_committed_line=11))

    async with store.batch() as batch:
        with pytest.raises(ImportRunMoved, match="reached line 11"):
            await batch.claim(run)
    with pytest.raises(ImportRunMoved, match="started meanwhile"):
        await store.add_run(
            ImportRun.start(
                kind=ImportKind.CUSTOMERS,
                file_name="x.csv",
                file_sha256="0" * 64,
                batch_size=10,
                now=clock.now(),
            )
        )


async def test_losing_the_run_to_another_process_leaves_its_record_alone(
    engine: AsyncEngine, tmp_path: Path
) -> None:
    # Given an import that finds, at its third batch, that another process moved the run
    clock = FixedClock()
    path = write_csv(tmp_path / "twice.csv", CUSTOMER_HEADER, CUSTOMER_ROWS)
    store = FailingStore(engine, fail_at=3, error=ImportRunMoved("another import is running"))

    with pytest.raises(ImportRunMoved):
        await run_import(engine, path, ImportKind.CUSTOMERS, clock=clock, batch_size=4, store=store)

    # Then it does not mark the other process's run failed nor rewind its progress
    run = (await fetch(engine, select(import_runs)))[0]
    assert (run.status, run.last_committed_line, run.error) == ("RUNNING", 9, None)
