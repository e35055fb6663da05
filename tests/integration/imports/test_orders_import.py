"""Importing orders: grouping of lines, customers found or created, replays, stats."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from uuid import UUID

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from api.context import Services
from domain.customers.commands import CustomerRef
from domain.imports.model import ImportKind
from domain.orders.stats import compute_customer_stats
from domain.orders.status import OrderStatus
from persistence.tables.customers import customer_identities, customers
from persistence.tables.loyalty import memberships, points_entries
from persistence.tables.orders import customer_stats, order_lines, orders
from tests.integration.customers.builders import make_customer, make_order
from tests.integration.imports.support import (
    ORDER_HEADER,
    fetch,
    read_rejects,
    rejects_path,
    run_import,
    write_csv,
)
from tests.unit.fakes import FixedClock
from tests.unit.orders.builders import order_command

ORDERS = ImportKind.ORDERS


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock()


def _order(external_id: str, **cells: str) -> dict[str, str]:
    row = {
        "channel": "web",
        "external_id": external_id,
        "placed_at": "2025-06-01T10:00:00+02:00",
        "currency": "EUR",
        "total": "129.90",
        "sku": "TEE",
        "name": "Tee",
        "quantity": "1",
        "unit_price": "129.90",
    }
    row.update(cells)
    return row


def _line(external_id: str, **cells: str) -> dict[str, str]:
    """A further line of an order: only the key and the line columns."""
    return {"channel": "web", "external_id": external_id, **cells}


async def test_orders_with_lines_are_imported_and_stats_follow_the_rule(
    engine: AsyncEngine, clock: FixedClock, tmp_path: Path, services: Services
) -> None:
    # Given a known customer and a file of two orders for her, one with two lines
    ana = await make_customer(services.uow(), clock, email="ana@example.com")
    path = write_csv(
        tmp_path / "orders.csv",
        ORDER_HEADER,
        [
            _order("1", customer_email="ANA@example.com", total="150.00", unit_price="120"),
            _line("1", sku="SOCK", name="Socks", quantity="2", unit_price="15", category="x"),
            _order(
                "2",
                customer_email="ana@example.com",
                total="20",
                unit_price="20",
                status="cancelled",
                placed_at="2025-07-01",
            ),
        ],
    )

    outcome = await run_import(engine, path, ORDERS, clock=clock)

    counts = outcome.run.counts
    assert (counts.rows, counts.imported, counts.rejected, counts.customers_created) == (
        3,
        3,
        0,
        0,
    )
    stored = await fetch(engine, select(orders).order_by(orders.c.external_id))
    assert [(o.external_id, o.customer_id, o.status, o.total_amount) for o in stored] == [
        ("1", ana.id, "PAID", 15000),
        ("2", ana.id, "CANCELLED", 2000),
    ]
    assert stored[0].placed_at == datetime(2025, 6, 1, 8, 0, tzinfo=UTC)
    lines = await fetch(
        engine,
        select(order_lines).where(order_lines.c.order_id == stored[0].id).order_by("position"),
    )
    assert [(x.sku, x.quantity, x.unit_price, x.category) for x in lines] == [
        ("TEE", 1, 12000, None),
        ("SOCK", 2, 1500, "x"),
    ]
    # Stats are what the domain rule says, from the orders as the repository reads them
    async with services.uow() as uow:
        expected = compute_customer_stats(ana.id, await uow.orders.for_customer(ana.id))
    row = (await fetch(engine, select(customer_stats)))[0]
    assert (
        (row.orders_count, row.net_spent, row.first_order_at)
        == (
            expected.orders_count,
            expected.net_spent,
            expected.first_order_at,
        )
        == (1, 15000, datetime(2025, 6, 1, 8, 0, tzinfo=UTC))
    )
    # Historic orders earn nothing: the only points are the API-created customer's bonus
    entries = await fetch(engine, select(points_entries.c.reason))
    assert [e.reason for e in entries] == ["sign-up bonus"]


async def test_unknown_customers_are_created_by_identity_and_email(
    engine: AsyncEngine, clock: FixedClock, tmp_path: Path, services: Services
) -> None:
    known = await make_customer(services.uow(), clock, email="bo@example.com")
    path = write_csv(
        tmp_path / "new-people.csv",
        ORDER_HEADER,
        [
            _order(
                "1",
                customer_email="new@example.com",
                customer_identity_channel="shop",
                customer_identity_external_id="77",
                placed_at="2024-05-05",
            ),
            # the same person by identity only, then by email only: no second customer
            _order("2", customer_identity_channel="shop", customer_identity_external_id="77"),
            _order("3", customer_email="NEW@example.com"),
            # a known email with an unknown identity: the customer adopts it
            _order(
                "4",
                customer_email="bo@example.com",
                customer_identity_channel="pos",
                customer_identity_external_id="card-1",
            ),
        ],
    )

    outcome = await run_import(engine, path, ORDERS, clock=clock)

    assert outcome.run.counts.customers_created == 1
    people = await fetch(engine, select(customers))
    assert len(people) == 2
    new = next(p for p in people if p.email_key == "new@example.com")
    assert new.created_at == datetime(2024, 5, 5, tzinfo=UTC)  # dated by its first order
    owners = {
        (i.channel, i.external_id): i.customer_id
        for i in await fetch(engine, select(customer_identities))
    }
    assert owners == {("shop", "77"): new.id, ("pos", "card-1"): known.id}
    by_order = {o.external_id: o.customer_id for o in await fetch(engine, select(orders))}
    assert by_order == {"1": new.id, "2": new.id, "3": new.id, "4": known.id}
    # The created customer is a member, as the one created through the API
    members = await fetch(engine, select(memberships.c.customer_id))
    assert {m.customer_id for m in members} == {new.id, known.id}


async def test_bad_orders_are_rejected_whole_with_a_reason_per_row(
    engine: AsyncEngine, clock: FixedClock, tmp_path: Path
) -> None:
    path = write_csv(
        tmp_path / "bad.csv",
        ORDER_HEADER,
        [
            _order("1", customer_email="a@example.com"),  # line 2: fine
            _order("2", customer_email="a@example.com", quantity="two"),  # line 3
            _line("2", sku="B", name="B", quantity="1", unit_price="1"),  # line 4
            _order("3", customer_email="a@example.com", total="1.234"),  # line 5
            _order("4", customer_email="a@example.com", placed_at="2030-01-01"),  # line 6
            _order("5"),  # line 7: no customer
            _order("6", customer_email="a@example.com", currency="USD"),  # line 8
            _order("7", customer_email="a@example.com"),  # line 9
            _line(
                "7", placed_at="2025-01-01", sku="C", name="C", quantity="1", unit_price="1"
            ),  # line 10: another date than line 9
            _order("8", customer_email="a@example.com", status="PARTIALLY_REFUNDED"),  # 11
        ],
    )

    outcome = await run_import(engine, path, ORDERS, clock=clock)

    assert (outcome.run.counts.imported, outcome.run.counts.rejected) == (1, 9)
    reasons = {r["line"]: r["reason"] for r in read_rejects(rejects_path(path))}
    assert reasons["3"] == "quantity: 'two' is not a whole number"
    assert reasons["4"] == "rejected with its order (see line 3)"
    assert reasons["5"] == "total: '1.234' has more than the 2 decimal(s) of EUR"
    assert reasons["6"] == "placed_at: placedAt cannot be in the future"
    assert reasons["7"] == "customer_email: the order needs customer_email or a customer identity"
    assert reasons["8"].startswith("base_total: the order is in USD, not in the base currency")
    assert reasons["9"] == "rejected with its order (see line 10)"
    assert reasons["10"].startswith("placed_at: '2025-01-01' differs from line 9")
    assert reasons["11"].startswith("status: record the order as PAID or FULFILLED")
    assert [o.external_id for o in await fetch(engine, select(orders))] == ["1"]


async def test_recorded_orders_are_replays_a_new_status_updates_other_content_is_refused(
    engine: AsyncEngine, clock: FixedClock, tmp_path: Path, services: Services
) -> None:
    # Given orders recorded through orderRecord
    ana = await make_customer(services.uow(), clock, email="ana@example.com")
    for external_id in ("A", "B", "C"):
        await make_order(
            services.uow(),
            clock,
            order_command(
                channel="web",
                external_id=external_id,
                customer=CustomerRef(id=ana.id),
                total=12990,
                placed_at=datetime(2025, 6, 1, 8, 0, tzinfo=UTC),
                lines=(),
            ),
        )
    path = write_csv(
        tmp_path / "replays.csv",
        ORDER_HEADER,
        [
            _order(
                "A", customer_email="ana@example.com", sku="", name="", quantity="", unit_price=""
            ),  # the same order
            _order(
                "B",
                customer_email="ana@example.com",
                sku="",
                name="",
                quantity="",
                unit_price="",
                status="FULFILLED",
            ),  # a new status
            _order("C", customer_email="ana@example.com", total="1"),  # other content
        ],
    )

    outcome = await run_import(engine, path, ORDERS, clock=clock)

    counts = outcome.run.counts
    assert (counts.unchanged, counts.updated, counts.rejected) == (1, 1, 1)
    statuses = {o.external_id: o.status for o in await fetch(engine, select(orders))}
    assert statuses == {"A": "PAID", "B": "FULFILLED", "C": "PAID"}
    reject = read_rejects(rejects_path(path))[0]
    assert reject["reason"].startswith("web:C: order web:C was recorded with other total")


async def test_a_repeated_order_in_the_file_is_folded_and_may_move_its_status(
    engine: AsyncEngine, clock: FixedClock, tmp_path: Path
) -> None:
    path = write_csv(
        tmp_path / "twice.csv",
        ORDER_HEADER,
        [
            _order("1", customer_email="a@example.com", status="PENDING"),
            _order("2", customer_email="a@example.com"),
            _order("1", customer_email="a@example.com", status="PAID"),
        ],
    )

    outcome = await run_import(engine, path, ORDERS, clock=clock, batch_size=10)

    assert (outcome.run.counts.imported, outcome.run.counts.folded) == (2, 1)
    statuses = {o.external_id: o.status for o in await fetch(engine, select(orders))}
    assert statuses == {"1": OrderStatus.PAID.value, "2": "PAID"}
    stats = (await fetch(engine, select(customer_stats)))[0]
    assert stats.orders_count == 2


async def test_the_lines_of_an_order_are_never_split_between_batches(
    engine: AsyncEngine, clock: FixedClock, tmp_path: Path
) -> None:
    rows = []
    for n in range(4):
        rows.append(_order(str(n), customer_email=f"c{n}@example.com", total="3", unit_price="1"))
        rows += [_line(str(n), sku=f"S{i}", name="S", quantity="1", unit_price="1") for i in (1, 2)]
    path = write_csv(tmp_path / "lines.csv", ORDER_HEADER, rows)

    outcome = await run_import(engine, path, ORDERS, clock=clock, batch_size=2)

    assert outcome.run.counts.imported == 12
    per_order: dict[UUID, int] = {}
    for line in await fetch(engine, select(order_lines)):
        per_order[line.order_id] = per_order.get(line.order_id, 0) + 1
    assert sorted(per_order.values()) == [3, 3, 3, 3]
