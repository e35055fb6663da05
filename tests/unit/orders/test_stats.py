from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import uuid4

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from domain.errors import DomainError
from domain.money import Money
from domain.orders.content import OrderContent
from domain.orders.model import Order
from domain.orders.services import refund_order
from domain.orders.stats import CustomerStats, compute_customer_stats
from domain.orders.status import OrderStatus
from tests.unit.fakes import FixedClock
from tests.unit.orders.builders import make_order, order_command, refund_command
from tests.unit.orders.fakes import FakeOrdersUnitOfWork

NOW = datetime(2026, 1, 15, tzinfo=UTC)


def an_order(*, status: OrderStatus, base_total: int, days_ago: int, refunds: int = 0) -> Order:
    customer_id = uuid4()
    content = OrderContent(
        placed_at=NOW - timedelta(days=days_ago),
        total=Money(base_total, "EUR"),
        base_total=base_total,
        lines=(),
    )
    order = Order(
        id=uuid4(), channel="web", external_id=str(uuid4()), customer_id=customer_id,
        status=OrderStatus.PAID, content=content, created_at=NOW, updated_at=NOW,
    )  # fmt: skip
    if refunds:
        order.refund(amount=Money(refunds, "EUR"), idempotency_key="k", reason=None, lines=(),
                     base_amount=None, now=NOW)  # fmt: skip
    order.status = status
    return order


def test_stats_count_paid_fulfilled_and_partially_refunded_orders_net_of_refunds() -> None:
    customer_id = uuid4()
    orders = [
        an_order(status=OrderStatus.PAID, base_total=10000, days_ago=30),
        an_order(status=OrderStatus.FULFILLED, base_total=5000, days_ago=20),
        an_order(status=OrderStatus.PARTIALLY_REFUNDED, base_total=4000, days_ago=10, refunds=1000),
        an_order(status=OrderStatus.REFUNDED, base_total=3000, days_ago=5, refunds=3000),
        an_order(status=OrderStatus.PENDING, base_total=7000, days_ago=2),
        an_order(status=OrderStatus.CANCELLED, base_total=8000, days_ago=1),
    ]

    stats = compute_customer_stats(customer_id, orders)

    assert stats == CustomerStats(
        customer_id=customer_id,
        orders_count=3,
        net_spent=18000,
        average_order_value=6000,
        first_order_at=NOW - timedelta(days=30),
        last_order_at=NOW - timedelta(days=10),
        refunds_count=2,
        refunded_total=4000,
    )


def test_average_order_value_is_floored_and_zero_without_purchases() -> None:
    customer_id = uuid4()
    orders = [an_order(status=OrderStatus.PAID, base_total=b, days_ago=1) for b in (100, 101, 101)]

    assert compute_customer_stats(customer_id, orders).average_order_value == 100
    assert compute_customer_stats(customer_id, []) == CustomerStats(customer_id=customer_id)


operations = st.lists(
    st.one_of(
        st.tuples(st.just("record"), st.integers(0, 5), st.sampled_from(list(OrderStatus)),
                  st.integers(0, 50_000)),
        st.tuples(st.just("refund"), st.integers(0, 5), st.integers(1, 30_000), st.integers(0, 3)),
    ),
    max_size=25,
)  # fmt: skip


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(operations)
async def test_stored_stats_stay_in_step_with_the_orders(
    steps: list[tuple[str, int, object, int]],
) -> None:
    uow, clock = FakeOrdersUnitOfWork(), FixedClock()
    for kind, slot, arg, extra in steps:
        try:
            if kind == "record":
                assert isinstance(arg, OrderStatus)
                await make_order(
                    uow, clock, order_command(external_id=str(slot), status=arg, total=extra)
                )
            else:
                order = next(
                    (o for o in uow.orders.rows.values() if o.external_id == str(slot)), None
                )
                if order is not None:
                    assert isinstance(arg, int)
                    await refund_order(
                        uow, clock, refund_command(order.id, amount=arg, key=str(extra))
                    )
        except DomainError:
            pass  # refused requests must leave the stats as they were, checked below
        clock.advance(minutes=1)

    for customer_id in uow.customers.rows:
        orders = [o for o in uow.orders.rows.values() if o.customer_id == customer_id]
        expected = compute_customer_stats(customer_id, orders)
        assert uow.orders.stats_of(customer_id) == expected
        purchases = [o for o in orders if o.status.counts_as_purchase]
        assert expected.net_spent == sum(o.base_total - o.base_refunded for o in purchases)
        assert expected.net_spent >= 0
