"""The stats upsert (one SQL statement) agrees with the pure rule on both databases."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import UUID

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from domain.customers.commands import CustomerRef, ProfileFields
from domain.customers.model import Customer
from domain.errors import DomainError
from domain.ids import new_id
from domain.money import Money
from domain.orders.content import OrderContent, OrderLine
from domain.orders.model import Order
from domain.orders.refunds import Refund, RefundLine
from domain.orders.services import refund_order
from domain.orders.stats import compute_customer_stats
from domain.orders.status import OrderStatus
from persistence.tables.orders import customer_stats
from tests.integration.customers.builders import make_customer, make_order
from tests.integration.customers.conftest import MakeUow
from tests.unit.fakes import FixedClock
from tests.unit.orders.builders import order_command, refund_command

NOW = datetime(2026, 1, 15, 12, 0, tzinfo=UTC)
FIXTURES_PER_TEST = settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)

refunds = st.lists(st.integers(0, 60_000), max_size=3)
stored_orders = st.lists(
    st.tuples(
        st.sampled_from(list(OrderStatus)),
        st.integers(0, 50_000),  # base total
        st.integers(0, 10**12),  # microseconds before NOW
        refunds,  # base amounts: may exceed the total, so nets can go negative
    ),
    max_size=8,
)


def _order(
    customer_id: UUID,
    n: int,
    status: OrderStatus,
    base_total: int,
    before: int,
    refund_amounts: list[int],
) -> Order:
    content = OrderContent(
        placed_at=NOW - timedelta(microseconds=before),
        total=Money(base_total, "EUR"),
        base_total=base_total,
        lines=(OrderLine(sku="S", name="S", quantity=1, unit_price=Money(base_total, "EUR")),),
    )
    return Order(
        id=new_id(),
        channel="web",
        external_id=f"{customer_id}-{n}",
        customer_id=customer_id,
        status=status,
        content=content,
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
            for i, a in enumerate(refund_amounts)
        ],
    )


@FIXTURES_PER_TEST
@given(stored_orders)
# A negative net that does not divide evenly: floor (-101), not truncation (-100).
@example([(OrderStatus.PAID, 100, 0, [301]), (OrderStatus.FULFILLED, 0, 5, [])])
async def test_recomputed_stats_equal_the_pure_function_over_any_stored_orders(
    engine: AsyncEngine, make_uow: MakeUow, plan: list[tuple[OrderStatus, int, int, list[int]]]
) -> None:
    async with make_uow() as uow:
        customer = Customer.register(ProfileFields(), now=NOW)
        await uow.customers.add(customer)
        made = [_order(customer.id, n, *step) for n, step in enumerate(plan)]
        for order in made:
            await uow.orders.add(order)
        stats = await uow.orders.recompute_stats(customer.id)
        again = await uow.orders.recompute_stats(customer.id)  # the update branch
        stored = await uow.orders.for_customer(customer.id)
        await uow.commit()

    assert stats == again == compute_customer_stats(customer.id, made)
    assert _facts(stored) == _facts(made)


def _facts(orders: list[Order]) -> list[tuple[object, ...]]:
    return sorted((o.id, o.status, o.content, tuple(o.refunds)) for o in orders)


operations = st.lists(
    st.one_of(
        st.tuples(
            st.just("record"),
            st.integers(0, 4),
            st.sampled_from(list(OrderStatus)),
            st.integers(0, 50_000),
        ),
        st.tuples(st.just("refund"), st.integers(0, 4), st.integers(1, 30_000), st.integers(0, 3)),
    ),
    max_size=12,
)


@FIXTURES_PER_TEST
@given(operations)
async def test_stored_stats_stay_in_step_through_the_use_cases(
    make_uow: MakeUow, steps: list[tuple[str, int, object, int]]
) -> None:
    clock = FixedClock()
    customer = await make_customer(make_uow(), clock)
    ref = CustomerRef(id=customer.id)
    recorded: dict[int, UUID] = {}
    for kind, slot, arg, extra in steps:
        try:
            if kind == "record":
                assert isinstance(arg, OrderStatus)
                order = await make_order(
                    make_uow(),
                    clock,
                    order_command(
                        external_id=f"{customer.id}-{slot}", customer=ref, status=arg, total=extra
                    ),
                )
                recorded[slot] = order.id
            elif slot in recorded:
                assert isinstance(arg, int)
                await refund_order(
                    make_uow(), clock, refund_command(recorded[slot], amount=arg, key=str(extra))
                )
        except DomainError:
            pass  # a refused request must leave the stats as they were: checked below
        clock.advance(minutes=1)

    async with make_uow() as uow:
        every = await uow.orders.for_customer(customer.id)
        row = (
            await uow.connection.execute(
                select(customer_stats).where(customer_stats.c.customer_id == customer.id)
            )
        ).first()
    expected = compute_customer_stats(customer.id, every)
    if row is None:
        assert not every
        return
    assert (
        row.orders_count,
        row.net_spent,
        row.average_order_value,
        row.first_order_at,
        row.last_order_at,
        row.refunds_count,
        row.refunded_total,
    ) == (
        expected.orders_count,
        expected.net_spent,
        expected.average_order_value,
        expected.first_order_at,
        expected.last_order_at,
        expected.refunds_count,
        expected.refunded_total,
    )
