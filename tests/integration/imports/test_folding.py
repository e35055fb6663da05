"""A row is `folded` when an earlier row of the run named the same customer or order,
whichever batch that row was in: the counts do not depend on the batch size."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from domain.imports.model import ImportCounts, ImportKind
from tests.integration.imports.support import (
    CUSTOMER_HEADER,
    ORDER_HEADER,
    empty_tables,
    run_import,
    snapshot,
    write_csv,
)
from tests.unit.fakes import FixedClock

PEOPLE = [
    {"email": "a@example.com", "first_name": "A"},  # line 2
    {"email": "A@example.com", "last_name": "Again"},  # 3: a, folded
    {"email": "b@example.com"},  # 4
    {"identity_channel": "pos", "identity_external_id": "c"},  # 5
    {"email": "b@example.com"},  # 6: b again, changing nothing: folded
    {"email": "bad"},  # 7: rejected
    {"identity_channel": "pos", "identity_external_id": "c", "email": "c@example.com"},  # 8
    {"email": "a@example.com", "first_name": "Ann"},  # 9: a, folded
]


def _order(external_id: str, email: str, **cells: str) -> dict[str, str]:
    return {
        "channel": "web",
        "external_id": external_id,
        "customer_email": email,
        "placed_at": "2025-03-01T12:00:00Z",
        "currency": "EUR",
        "total": "10",
        **cells,
    }


ORDERS = [
    _order("1", "a@example.com"),  # line 2
    _order("2", "b@example.com"),  # 3
    _order("1", "a@example.com", status="FULFILLED"),  # 4: order 1 again, folded
    _order("3", "a@example.com"),  # 5
    _order("2", "b@example.com"),  # 6: order 2 again, folded
    _order("1", "a@example.com", total="11"),  # 7: other content, rejected
    _order("3", "a@example.com", status="REFUNDED"),  # 8: order 3 again, folded
]


async def _counts_by_batch_size(
    engine: AsyncEngine, path: Path, kind: ImportKind
) -> dict[int, tuple[ImportCounts, object]]:
    found: dict[int, tuple[ImportCounts, object]] = {}
    for size in (1, 2, 1000):
        await empty_tables(engine)
        outcome = await run_import(engine, path, kind, clock=FixedClock(), batch_size=size)
        found[size] = (outcome.run.counts, await snapshot(engine))
    return found


@pytest.mark.parametrize(
    ("kind", "header", "rows", "expected"),
    [
        (
            ImportKind.CUSTOMERS,
            CUSTOMER_HEADER,
            PEOPLE,
            ImportCounts(rows=8, imported=3, folded=4, rejected=1, customers_created=3),
        ),
        (
            ImportKind.ORDERS,
            ORDER_HEADER,
            ORDERS,
            ImportCounts(rows=7, imported=3, folded=3, rejected=1, customers_created=2),
        ),
    ],
)
async def test_folded_rows_are_counted_alike_whatever_the_batch_size(
    engine: AsyncEngine,
    tmp_path: Path,
    kind: ImportKind,
    header: tuple[str, ...],
    rows: list[dict[str, str]],
    expected: ImportCounts,
) -> None:
    path = write_csv(tmp_path / "rows.csv", header, rows)

    results = await _counts_by_batch_size(engine, path, kind)

    assert {size: counts for size, (counts, _) in results.items()} == {
        1: expected,
        2: expected,
        1000: expected,
    }
    assert results[1][1] == results[2][1] == results[1000][1]
