"""The import use case: a file, batch after batch, each batch one transaction.

A batch is parsed (possibly in worker processes, one batch ahead of the writes), then,
inside its transaction: the run is claimed, the customers and orders the rows name are
looked up and locked, the rows are folded onto them, the plan is written set-based and
the run's progress (last line, counts) is stored — then the transaction commits. A crash
loses at most the batch in flight; importing the same file again resumes after the last
committed line; a finished file is not imported twice. A batch that lost a race with a
concurrent writer (an email taken meanwhile, a deadlock) is planned and written again.

The run remembers, in memory, the ids of the customers (or orders) its committed rows
named, so a later row naming one again counts as folded whatever the batch boundaries
(about 150 bytes per customer or order: ~150 MB for a million). A resumed run starts
with an empty memory: the rows before the resume point count as stored records.
"""

from __future__ import annotations

import asyncio
import copy
import logging
from collections import deque
from collections.abc import AsyncGenerator, Callable, Iterable, Set
from concurrent.futures import Executor
from contextlib import aclosing
from dataclasses import dataclass, field
from datetime import tzinfo
from uuid import UUID

from domain.imports.batching import Parsed, batches, parse_batch
from domain.imports.customer_plan import fold_customers
from domain.imports.customer_rows import CustomerRow
from domain.imports.errors import BatchWriteConflict, ImportRunMoved
from domain.imports.model import ImportCounts, ImportKind, ImportRun, Rejection, SourceRow
from domain.imports.order_plan import plan_orders
from domain.imports.order_rows import OrderRows
from domain.imports.people import People
from domain.imports.repository import BatchPlan, ImportBatch, ImportStore
from domain.ports import Clock

log = logging.getLogger(__name__)

DEFAULT_BATCH_SIZE = 1000
WRITE_ATTEMPTS = 3
# Batches parsed ahead of the one being written (bounded: memory stays flat).
PARSE_AHEAD = 2


@dataclass(frozen=True, kw_only=True)
class ImportFile:
    """A file to import: its name and SHA-256 (which identify the run) and its rows."""

    kind: ImportKind
    name: str
    sha256: str
    rows: Iterable[SourceRow]


@dataclass(kw_only=True)
class ImportOutcome:
    """What an import did: the run (whole-file counts), where this call resumed (None
    for a fresh start), and whether the file had been imported already."""

    run: ImportRun
    resumed_from: int | None = None
    already_finished: bool = False
    this_time: ImportCounts = field(default_factory=ImportCounts)


RejectsWriter = Callable[[ImportRun, list[Rejection]], None]
Progress = Callable[[ImportRun], None]


async def import_file(
    store: ImportStore,
    file: ImportFile,
    *,
    clock: Clock,
    zone: tzinfo,
    base_currency: str,
    batch_size: int = DEFAULT_BATCH_SIZE,
    executor: Executor | None = None,
    on_progress: Progress | None = None,
    write_rejects: RejectsWriter | None = None,
) -> ImportOutcome:
    """Import `file` (or resume it). `on_progress` is called when the run starts and
    after each committed batch; `write_rejects` receives every row the run rejected
    when it finishes (and the committed ones when it fails), ordered by line.

    Raises whatever stopped the import after marking the run FAILED (resumable); the run
    then holds the progress the store committed (its last line and counts).
    """
    run = await store.find_run(file.kind, file.sha256)
    if run is not None and run.is_finished:
        leftover = await store.rejections(run.id)
        if leftover and write_rejects is not None:
            write_rejects(run, leftover)
            await store.forget_rejections(run.id)
        if on_progress is not None:
            on_progress(run)
        return ImportOutcome(run=run, already_finished=True)
    if run is None:
        run = ImportRun.start(
            kind=file.kind,
            file_name=file.name,
            file_sha256=file.sha256,
            batch_size=batch_size,
            now=clock.now(),
        )
        await store.add_run(run)
        outcome = ImportOutcome(run=run)
    else:
        run.resume(batch_size=batch_size, now=clock.now())
        await store.save_run(run)
        outcome = ImportOutcome(run=run, resumed_from=run.last_line)
    if on_progress is not None:
        on_progress(run)
    named: set[UUID] = set()
    try:
        parsed_batches = _parsed(
            file, run, clock=clock, zone=zone, base_currency=base_currency, executor=executor
        )
        async with aclosing(parsed_batches):
            async for rows, parsed in parsed_batches:
                counts = await _write_batch(store, run, rows, parsed, clock=clock, named=named)
                outcome.this_time.add(counts)
                if on_progress is not None:
                    on_progress(run)
    except ImportRunMoved:
        raise  # the run belongs to the process that moved it: leave its record alone
    except BaseException as error:
        run.fail(_describe(error), now=clock.now())
        try:
            await _recall_committed(store, run)
        except Exception:
            log.warning("reading the run's committed progress failed", exc_info=True)
        try:
            await store.save_run(run)
            if write_rejects is not None:
                write_rejects(run, await store.rejections(run.id))
        except Exception:
            # The original error is the one the caller must see.
            log.exception("recording the failed import run failed too")
        raise
    run.finish(now=clock.now())
    await store.save_run(run)
    if write_rejects is not None:
        write_rejects(run, await store.rejections(run.id))
    await store.forget_rejections(run.id)
    return outcome


async def _parsed(
    file: ImportFile,
    run: ImportRun,
    *,
    clock: Clock,
    zone: tzinfo,
    base_currency: str,
    executor: Executor | None,
) -> AsyncGenerator[tuple[list[SourceRow], Parsed], None]:
    """(rows, parsed rows) per batch; with an executor, parsing runs PARSE_AHEAD ahead."""
    cut = batches(file.rows, kind=file.kind, size=run.batch_size, after_line=run.last_line)
    if executor is None:
        for rows in cut:
            yield rows, parse_batch(file.kind, rows, clock.now(), zone, base_currency)
        return
    loop = asyncio.get_running_loop()
    pending: deque[tuple[list[SourceRow], asyncio.Future[Parsed]]] = deque()

    def submit() -> None:
        rows = next(cut, None)
        if rows is not None:
            args = (file.kind, rows, clock.now(), zone, base_currency)
            pending.append((rows, loop.run_in_executor(executor, parse_batch, *args)))

    for _ in range(PARSE_AHEAD + 1):
        submit()
    try:
        while pending:
            rows, future = pending.popleft()
            parsed = await future
            submit()
            yield rows, parsed
    finally:
        for _, future in pending:
            future.cancel()


async def _write_batch(
    store: ImportStore,
    run: ImportRun,
    rows: list[SourceRow],
    parsed: Parsed,
    *,
    clock: Clock,
    named: set[UUID],
) -> ImportCounts:
    """Write one batch in one transaction; returns its counts. The run is advanced, and
    what the batch named added to `named`, only when the transaction commits."""
    for attempt in range(1, WRITE_ATTEMPTS + 1):
        before = (run.last_line, copy.copy(run.counts), run.updated_at)
        try:
            async with store.batch() as batch:
                await batch.claim(run)
                plan = await _plan(batch, run.kind, rows, parsed, clock=clock, named=named)
                plan.counts.rows = len(rows)
                await batch.write(run, plan)
                run.commit_batch(plan.counts, last_line=rows[-1].line, now=clock.now())
                await batch.advance(run)
                await batch.commit()
            named |= plan.named
            return plan.counts
        except BaseException as error:
            run.last_line, run.counts, run.updated_at = before
            if not isinstance(error, BatchWriteConflict) or attempt == WRITE_ATTEMPTS:
                raise
    raise AssertionError("unreachable")


async def _plan(
    batch: ImportBatch,
    kind: ImportKind,
    source: list[SourceRow],
    parsed: Parsed,
    *,
    clock: Clock,
    named: Set[UUID],
) -> BatchPlan:
    now = clock.now()
    cells = {row.line: row.cells for row in source}
    if kind is ImportKind.CUSTOMERS:
        rows = [row for row in parsed if isinstance(row, CustomerRow)]
        people = await People.look_up(
            batch,
            (row.email_key for row in rows if row.email_key is not None),
            (row.identity for row in rows if row.identity is not None),
            now=now,
        )
        return fold_customers(
            parsed,  # type: ignore[arg-type]
            people,
            cells=cells,
            now=now,
            named=named,
        )
    orders = [item for item in parsed if isinstance(item, OrderRows)]
    people = await People.look_up(
        batch,
        (o.customer.email_key for o in orders if o.customer.email_key is not None),
        (o.customer.identity for o in orders if o.customer.identity is not None),
        now=now,
    )
    found = await batch.orders_by_keys(sorted({o.key for o in orders}))
    recorded = {(order.channel, order.external_id): order for order in found}
    return plan_orders(
        parsed,  # type: ignore[arg-type]
        people,
        recorded,
        cells=cells,
        now=now,
        named=named,
    )


async def _recall_committed(store: ImportStore, run: ImportRun) -> None:
    """Take the progress the store holds: an interruption (Ctrl-C) during a commit may
    leave the batch committed while `run` was rewound to before it."""
    stored = await store.find_run(run.kind, run.file_sha256)
    if stored is not None and stored.id == run.id:
        run.last_line, run.counts = stored.last_line, stored.counts


def _describe(error: BaseException) -> str:
    if isinstance(error, (KeyboardInterrupt, asyncio.CancelledError)):
        return "interrupted"
    return f"{type(error).__name__}: {error}"
