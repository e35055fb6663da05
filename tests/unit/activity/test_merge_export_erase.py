"""Merge, export and erasure across customers, orders and activity together."""

from __future__ import annotations

import json
from typing import Any

import pytest

from domain.activity.commands import EventInput, RecordEvents
from domain.activity.model import ActivityKind
from domain.activity.participation import register_participants as register_activity
from domain.activity.services import record_events
from domain.customers.commands import (
    CustomerRef,
    EraseCustomer,
    IdentityInput,
    MergeCustomers,
    UnmergeCustomers,
)
from domain.customers.merging import merge_customers, unmerge_customers
from domain.customers.participants import Participants
from domain.customers.participation import register_participants as register_customers
from domain.customers.privacy import erase_customer, export_customer
from domain.orders.participation import register_participants as register_orders
from domain.orders.services import refund_order
from tests.unit.activity.fakes import FakeActivityUnitOfWork
from tests.unit.fakes import FixedClock
from tests.unit.orders.builders import make_order, order_command, refund_command


@pytest.fixture
def participants() -> Participants:
    participants = Participants()
    register_customers(participants)
    register_orders(participants)
    register_activity(participants)
    return participants


async def seed(uow: FakeActivityUnitOfWork, clock: FixedClock, *, who: str, orders: int) -> Any:
    for n in range(orders):
        await make_order(
            uow, clock,
            order_command(external_id=f"{who}-{n}", email=f"{who}@example.com",
                          identity=("shopify", who), total=1000 * (n + 1)),
        )  # fmt: skip
    ref = CustomerRef(identity=IdentityInput(channel="shopify", external_id=who))
    await record_events(
        uow, clock,
        RecordEvents(events=[
            EventInput(kind=ActivityKind.PAGE_VIEW, customer=ref, url=f"https://x/{who}",
                       properties={"ip": "10.0.0.1"}),
            EventInput(kind=ActivityKind.REVIEW_POSTED, customer=ref, rating=5, sku="TEE-1"),
        ]),
    )  # fmt: skip
    customer = await uow.customers.get_by_identity("shopify", who)
    assert customer is not None
    return customer


async def test_merge_moves_orders_and_events_and_recomputes_stats(
    uow: FakeActivityUnitOfWork, clock: FixedClock, participants: Participants
) -> None:
    loser = await seed(uow, clock, who="old", orders=2)
    winner = await seed(uow, clock, who="new", orders=1)

    preview = await merge_customers(
        uow, clock, participants,
        MergeCustomers(loser_id=loser.id, winner_id=winner.id, actor="admin:1", dry_run=True),
    )  # fmt: skip
    outcome = await merge_customers(
        uow, clock, participants,
        MergeCustomers(loser_id=loser.id, winner_id=winner.id, actor="admin:1"),
    )  # fmt: skip

    assert preview.preview.moves == {"identities": 1, "consents": 0, "orders": 2, "events": 2}
    assert outcome.merge is not None
    assert set(outcome.merge.moved) == {"identities", "consents", "orders", "activity"}
    assert await uow.orders.count_for_customer(winner.id) == 3
    assert await uow.activity.count_for_customer(winner.id) == 4
    assert uow.orders.stats_of(winner.id).orders_count == 3
    assert uow.orders.stats_of(winner.id).net_spent == 1000 + 1000 + 2000
    assert uow.orders.stats_of(loser.id).orders_count == 0

    # A new order on the loser's identity now lands on the winner.
    later = await make_order(
        uow, clock, order_command(external_id="old-9", identity=("shopify", "old"))
    )
    assert later.customer_id == winner.id

    await unmerge_customers(
        uow, clock, participants, UnmergeCustomers(merge_id=outcome.merge.id, actor="admin:1")
    )

    assert await uow.orders.count_for_customer(loser.id) == 2
    assert await uow.activity.count_for_customer(loser.id) == 2
    assert await uow.orders.count_for_customer(winner.id) == 2  # its own and the later one
    assert uow.orders.stats_of(loser.id).net_spent == 3000
    assert uow.orders.stats_of(winner.id).orders_count == 2


async def test_export_holds_orders_with_lines_and_refunds_and_events(
    uow: FakeActivityUnitOfWork, clock: FixedClock, participants: Participants
) -> None:
    ana = await seed(uow, clock, who="ana", orders=1)
    [order] = uow.orders.rows.values()
    await refund_order(uow, clock, refund_command(order.id, amount=400, lines=[("TEE-1", 1)]))

    data: Any = await export_customer(uow, participants, ana.id)

    assert json.loads(json.dumps(data)) == data
    assert set(data) == {
        "customer", "identities", "consents", "mergedCustomers", "orders", "events",
    }  # fmt: skip
    [exported] = data["orders"]
    assert exported["lines"][0]["sku"] == "TEE-1"
    assert exported["refunds"][0]["amount"] == {"amount": 400, "currency": "EUR"}
    assert exported["refunds"][0]["lines"] == [{"sku": "TEE-1", "quantity": 1}]
    assert [e["kind"] for e in data["events"]] == ["PAGE_VIEW", "REVIEW_POSTED"]


async def test_erasure_anonymises_events_and_keeps_orders(
    uow: FakeActivityUnitOfWork, clock: FixedClock
) -> None:
    ana = await seed(uow, clock, who="ana", orders=2)

    await erase_customer(uow, clock, EraseCustomer(customer_id=ana.id, actor="admin:1"))

    assert await uow.orders.count_for_customer(ana.id) == 2
    assert uow.orders.stats_of(ana.id).orders_count == 2
    events = await uow.activity.for_customer(ana.id)
    assert [(e.kind, e.url, e.properties) for e in events] == [
        (ActivityKind.PAGE_VIEW, None, {}),
        (ActivityKind.REVIEW_POSTED, None, {}),
    ]
    assert events[1].rating == 5
    assert uow.customers.rows[ana.id].identities == []
