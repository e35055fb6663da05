"""`recompute_stats_many` (one statement for many customers) agrees with the pure rule
and with the one-customer upsert, on both databases."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import UUID

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, select

from api.context import Services
from domain.customers.commands import ProfileFields
from domain.customers.model import Customer
from domain.ids import new_id
from domain.money import Money
from domain.orders.content import OrderContent, OrderLine
from domain.orders.model import Order
from domain.orders.refunds import Refund, RefundLine
from domain.orders.stats import CustomerStats, compute_customer_stats
from domain.orders.status import OrderStatus
from persistence.customer_stats import recompute_stats_many
from persistence.tables.orders import customer_stats
from persistence.unit_of_work import SqlUnitOfWork

NOW = datetime(2026, 1, 15, 12, 0, tzinfo=UTC)
FIXTURES_PER_TEST = settings(
    max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)

one_order = st.tuples(
    st.sampled_from(list(OrderStatus)),
    st.integers(0, 50_000),  # base total
    st.integers(0, 10**12),  # microseconds before NOW
    st.lists(st.integers(0, 60_000), max_size=3),  # refunds (may exceed the total)
)
# Orders of three customers; a fourth has none.
customers_orders = st.lists(st.lists(one_order, max_size=6), min_size=3, max_size=3)


def _order(customer_id: UUID, n: int, step: tuple[OrderStatus, int, int, list[int]]) -> Order:
    status, base_total, before, refunds = step
    return Order(
        id=new_id(),
        channel="web",
        external_id=f"{customer_id}-{n}",
        customer_id=customer_id,
        status=status,
        content=OrderContent(
            placed_at=NOW - timedelta(microseconds=before),
            total=Money(base_total, "EUR"),
            base_total=base_total,
            lines=(OrderLine(sku="S", name="S", quantity=1, unit_price=Money(base_total, "EUR")),),
        ),
        created_at=NOW,
        updated_at=NOW,
        refunds=[
            Refund(
                id=new_id(),
                amount=Money(a, "EUR"),
                base_amount=a,
                reason=None,
                idempotency_key=f"k{i}",
                lines=(RefundLine(sku="S", quantity=1),),
                created_at=NOW,
            )
            for i, a in enumerate(refunds)
        ],
    )


@FIXTURES_PER_TEST
@given(customers_orders)
# A negative net that does not divide evenly: floor (-101), not truncation (-100).
@example([[(OrderStatus.PAID, 100, 0, [301]), (OrderStatus.FULFILLED, 0, 5, [])], [], []])
async def test_stats_of_many_customers_equal_the_rule_and_the_single_upsert(
    services: Services, plan: list[list[tuple[OrderStatus, int, int, list[int]]]]
) -> None:
    async with services.uow() as uow:
        people = [Customer.register(ProfileFields(), now=NOW) for _ in range(4)]
        made: dict[UUID, list[Order]] = {}
        for person, steps in zip(people, [*plan, []], strict=True):
            await uow.customers.add(person)
            made[person.id] = [_order(person.id, n, step) for n, step in enumerate(steps)]
            for order in made[person.id]:
                await uow.orders.add(order)
        ids = [p.id for p in people]
        # A stale row must be overwritten, a missing one inserted
        await uow.orders.recompute_stats(ids[0])
        mine = customer_stats.c.customer_id.in_(ids)
        await uow.connection.execute(customer_stats.update().where(mine).values(net_spent=-1))
        await recompute_stats_many(uow.connection, ids)
        many = await _stored(uow, ids)
        await uow.connection.execute(delete(customer_stats).where(mine))
        single = {i: await uow.orders.recompute_stats(i) for i in ids}
        await uow.commit()

    assert many == single == {i: compute_customer_stats(i, made[i]) for i in ids}


async def _stored(uow: SqlUnitOfWork, ids: list[UUID]) -> dict[UUID, CustomerStats]:
    rows = await uow.connection.execute(
        select(customer_stats).where(customer_stats.c.customer_id.in_(ids))
    )
    return {
        r.customer_id: CustomerStats(
            customer_id=r.customer_id,
            orders_count=r.orders_count,
            net_spent=r.net_spent,
            average_order_value=r.average_order_value,
            first_order_at=r.first_order_at,
            last_order_at=r.last_order_at,
            refunds_count=r.refunds_count,
            refunded_total=r.refunded_total,
        )
        for r in rows
    }
