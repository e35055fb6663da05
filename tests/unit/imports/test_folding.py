"""Rows naming what an earlier batch of the run named count as folded (pure planning)."""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import UUID

from domain.ids import new_id
from domain.imports.customer_plan import fold_customers
from domain.imports.customer_rows import parse_customer_rows
from domain.imports.model import SourceRow
from domain.imports.order_plan import plan_orders
from domain.imports.order_rows import OrderRows, parse_order_rows
from domain.imports.people import People, Person
from domain.imports.repository import FoundCustomers
from domain.orders.model import Order
from domain.orders.status import OrderStatus

NOW = datetime(2026, 1, 15, 12, 0, tzinfo=UTC)


def _stored_person(email: str) -> Person:
    return Person(
        id=new_id(),
        is_new=False,
        created_at=NOW,
        updated_at=NOW,
        email=email,
        email_key=email,
        stored_email_key=email,
    )


def test_a_row_naming_a_customer_an_earlier_batch_named_is_folded() -> None:
    ann = _stored_person("ann@example.com")
    parsed = parse_customer_rows(
        [SourceRow(line=9, cells={"email": "ann@example.com", "first_name": "Ann"})],
        now=NOW,
        zone=UTC,
    )

    def plan(named: set[UUID]) -> tuple[int, int, set[UUID]]:
        people = People(FoundCustomers(customers=[ann], identity_owners={}), now=NOW)
        result = fold_customers(parsed, people, cells={9: {}}, now=NOW, named=named)
        return result.counts.folded, result.counts.updated, result.named

    # Named by no earlier batch: the stored customer is updated
    assert plan(set()) == (0, 1, {ann.id})
    # Named by an earlier batch of the run: folded
    assert plan({ann.id}) == (1, 0, {ann.id})


def test_an_order_an_earlier_batch_named_is_folded_and_its_new_status_still_written() -> None:
    ann = _stored_person("ann@example.com")
    cells = {
        "channel": "web",
        "external_id": "1",
        "customer_email": "ann@example.com",
        "placed_at": "2025-01-01",
        "currency": "EUR",
        "total": "30",
    }
    first, again = parse_order_rows(
        [
            SourceRow(line=5, cells=cells),
            SourceRow(line=6, cells={**cells, "external_id": "2"}),
            SourceRow(line=7, cells={**cells, "status": "FULFILLED"}),
        ],
        now=NOW,
        zone=UTC,
        base_currency="EUR",
    )[::2]
    assert isinstance(first, OrderRows)
    assert isinstance(again, OrderRows)
    recorded = Order.place(
        channel="web",
        external_id="1",
        customer_id=ann.id,
        status=OrderStatus.PAID,
        content=first.content,
        now=NOW,
    )

    people = People(FoundCustomers(customers=[ann], identity_owners={}), now=NOW)
    plan = plan_orders(
        [again], people, {again.key: recorded}, cells={7: {}}, now=NOW, named={recorded.id}
    )

    assert (plan.counts.folded, plan.counts.updated) == (1, 0)
    assert plan.status_changes == [recorded]
    assert recorded.status is OrderStatus.FULFILLED
    assert plan.named == {recorded.id}
