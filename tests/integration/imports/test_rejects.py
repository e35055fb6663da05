"""The rejects file and the rejected rows kept with a run: exact cells, whatever they hold."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from domain.imports.model import ImportKind, ImportRun, ImportStatus, Rejection
from domain.imports.repository import BatchPlan
from persistence.imports import SqlImportStore
from persistence.tables.customers import customers
from tests.integration.imports.support import fetch, read_rejects, rejects_path, run_import
from tests.unit.fakes import FixedClock

CUSTOMERS = ImportKind.CUSTOMERS


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock()


async def test_a_rejected_row_holding_nul_characters_is_kept_and_written_back_as_it_was(
    engine: AsyncEngine, clock: FixedClock, tmp_path: Path
) -> None:
    # Given a file whose second row holds NUL characters (jsonb and text refuse U+0000)
    path = tmp_path / "nul.csv"
    path.write_bytes(
        b"email,first_name\nok1@example.com,Good\nnul1@example.com,A\x00B\x00\n"
        b"ok2@example.com,\x00\n"
    )

    # When it is imported
    outcome = await run_import(engine, path, CUSTOMERS, clock=clock)

    # Then the good rows are imported and the NUL rows rejected with their line and reason
    assert outcome.run.status is ImportStatus.FINISHED
    counts = outcome.run.counts
    assert (counts.imported, counts.rejected) == (1, 2)
    emails = [row.email for row in await fetch(engine, select(customers.c.email))]
    assert emails == ["ok1@example.com"]
    rejects = read_rejects(rejects_path(path))
    assert [(r["line"], r["email"], r["first_name"]) for r in rejects] == [
        ("3", "nul1@example.com", "A\x00B\x00"),
        ("4", "ok2@example.com", "\x00"),
    ]
    assert rejects[0]["reason"] == "first_name: first_name cannot hold control characters"


async def test_the_store_gives_back_rejected_cells_exactly_and_reasons_without_nul(
    engine: AsyncEngine, clock: FixedClock
) -> None:
    # Given a batch rejecting rows whose cells and reason hold NUL, and a list-like cell
    store = SqlImportStore(engine)
    run = ImportRun.start(
        kind=CUSTOMERS, file_name="x.csv", file_sha256="1" * 64, batch_size=10, now=clock.now()
    )
    await store.add_run(run)
    cells = {"email": "\x00a\x00\x00b\x00", "first_name": "plain", "last_name": ""}
    plan = BatchPlan(rejections=[Rejection(line=2, reason="bad \x00 cell", cells=cells)])

    async with store.batch() as batch:
        await batch.write(run, plan)
        await batch.commit()

    # Then the cells read back are the ones given, and the reason marks where NUL was
    assert await store.rejections(run.id) == [
        Rejection(line=2, reason="bad \ufffd cell", cells=cells)
    ]


async def test_a_row_with_more_cells_than_columns_keeps_them_in_the_rejects_file(
    engine: AsyncEngine, clock: FixedClock, tmp_path: Path
) -> None:
    # Given rows with more cells than the header has columns (an unquoted comma, say)
    path = tmp_path / "ragged.csv"
    path.write_text(
        "email,first_name\n"
        "ok@example.com,Ok\n"
        "x@example.com,Smith, John,,more,,\n"  # line 3: three cells more, then blanks
        "bad,B\n"  # line 4: rejected for its email
        "y@example.com,Y,\n"  # line 5: a blank cell more is no problem
    )

    outcome = await run_import(engine, path, CUSTOMERS, clock=clock)

    # Then the rejects file holds them after the known columns, before line and reason
    assert (outcome.run.counts.imported, outcome.run.counts.rejected) == (2, 2)
    lines = rejects_path(path).read_text().splitlines()
    assert lines[0] == "email,first_name,extra_1,extra_2,extra_3,line,reason"
    assert lines[1] == (
        "x@example.com,Smith, John,,more,3,the row has 7 cells but the header has 2 columns"
    )
    assert lines[2].startswith("bad,B,,,,4,email: ")
