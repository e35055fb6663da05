"""Amounts and quantities beyond the API's bounds reject their row, not the import."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from domain.imports.model import ImportKind, ImportStatus
from persistence.tables.orders import orders
from tests.integration.imports.support import (
    ORDER_HEADER,
    fetch,
    read_rejects,
    rejects_path,
    run_import,
    write_csv,
)
from tests.unit.fakes import FixedClock


def _order(external_id: str, **cells: str) -> dict[str, str]:
    return {
        "channel": "web",
        "external_id": external_id,
        "customer_email": "a@example.com",
        "placed_at": "2025-06-01T10:00:00Z",
        "currency": "EUR",
        "total": "10.00",
        "sku": "TEE",
        "name": "Tee",
        "quantity": "1",
        "unit_price": "10.00",
        **cells,
    }


async def test_out_of_range_amounts_and_quantities_reject_their_order(
    engine: AsyncEngine, tmp_path: Path
) -> None:
    # Given orders whose amounts or quantity do not fit the API's Int, between good ones
    path = write_csv(
        tmp_path / "big.csv",
        ORDER_HEADER,
        [
            _order("1"),  # line 2
            _order("2", total="99999999999999999999"),  # line 3
            _order("3", quantity="3000000000"),  # line 4
            _order("4", unit_price="21474836.48", total="21474836.48"),  # line 5
            _order("5", currency="USD", base_total="9223372036854775808"),  # line 6
            _order("6", total="-99999999999999999999"),  # line 7
            _order("7", total="21474836.47", unit_price="21474836.47"),  # line 8: the largest
        ],
    )

    # When the file is imported
    outcome = await run_import(engine, path, ImportKind.ORDERS, clock=FixedClock())

    # Then the run finishes, with the out-of-range rows rejected, naming column and limit
    assert outcome.run.status is ImportStatus.FINISHED
    assert (outcome.run.counts.imported, outcome.run.counts.rejected) == (2, 5)
    reasons = {r["line"]: r["reason"] for r in read_rejects(rejects_path(path))}
    assert reasons == {
        "3": "total: at most 21,474,836.47 EUR, not '99999999999999999999'",
        "4": "quantity: at most 2,147,483,647, not '3000000000'",
        "5": "total: at most 21,474,836.47 EUR, not '21474836.48'; "
        "unit_price: at most 21,474,836.47 EUR, not '21474836.48'",
        "6": "base_total: at most 21,474,836.47 EUR, not '9223372036854775808'",
        "7": "total: total cannot be negative",
    }
    stored = await fetch(engine, select(orders.c.external_id, orders.c.total_amount))
    assert sorted(stored) == [("1", 1000), ("7", 2147483647)]
