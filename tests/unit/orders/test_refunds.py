from __future__ import annotations

from uuid import uuid4

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from domain.errors import Conflict, IdempotencyConflict
from domain.orders.errors import (
    InvalidRefund,
    InvalidStatusChange,
    OrderNotRefundable,
    RefundExceedsQuantity,
    RefundExceedsRemaining,
    RefundKeyReused,
    UnknownOrder,
)
from domain.orders.events import OrderRefunded, OrderStatusChanged
from domain.orders.services import refund_order
from domain.orders.status import OrderStatus
from tests.unit.fakes import FixedClock
from tests.unit.orders.builders import line, make_order, order_command, refund_command
from tests.unit.orders.fakes import FakeOrdersUnitOfWork


async def test_partial_refund_marks_the_order_and_lowers_net_spent(
    uow: FakeOrdersUnitOfWork, clock: FixedClock
) -> None:
    order = await make_order(uow, clock, order_command(total=10000))

    result = await refund_order(uow, clock, refund_command(order.id, amount=2500))

    stored = uow.orders.rows[order.id]
    assert stored.status == OrderStatus.PARTIALLY_REFUNDED
    assert [r.amount.amount for r in stored.refunds] == [2500]
    assert result.refund.base_amount == 2500
    assert result.refund.reason == "damaged"
    assert result.refund.created_at == clock.now()
    stats = uow.orders.stats_of(order.customer_id)
    assert (stats.orders_count, stats.net_spent, stats.refunds_count, stats.refunded_total) == (
        1, 7500, 1, 2500,
    )  # fmt: skip
    refunded = [e for e in uow.published if isinstance(e, OrderRefunded)]
    assert refunded == [
        OrderRefunded(
            order_id=order.id, customer_id=order.customer_id, refund_id=result.refund.id,
            base_amount=2500, order_base_total=10000, base_refunded_total=2500,
            fully_refunded=False,
        )
    ]  # fmt: skip
    assert not any(isinstance(e, OrderStatusChanged) for e in uow.published)


async def test_refunding_the_rest_marks_the_order_refunded(
    uow: FakeOrdersUnitOfWork, clock: FixedClock
) -> None:
    order = await make_order(uow, clock, order_command(total=10000))
    await refund_order(uow, clock, refund_command(order.id, amount=2500, key="a"))

    result = await refund_order(uow, clock, refund_command(order.id, amount=7500, key="b"))

    assert result.order.status == OrderStatus.REFUNDED
    last = [e for e in uow.published if isinstance(e, OrderRefunded)][-1]
    assert last.fully_refunded and last.base_refunded_total == 10000
    stats = uow.orders.stats_of(order.customer_id)
    assert (stats.orders_count, stats.net_spent, stats.refunds_count) == (0, 0, 2)


async def test_refund_above_the_remaining_amount_is_refused_naming_it(
    uow: FakeOrdersUnitOfWork, clock: FixedClock
) -> None:
    order = await make_order(uow, clock, order_command(total=10000))
    await refund_order(uow, clock, refund_command(order.id, amount=6000, key="a"))

    with pytest.raises(RefundExceedsRemaining) as caught:
        await refund_order(uow, clock, refund_command(order.id, amount=4001, key="b"))

    assert isinstance(caught.value, Conflict)
    assert caught.value.remaining.amount == 4000
    assert "4000" in caught.value.message
    assert caught.value.field == ("amount",)
    assert len(uow.orders.rows[order.id].refunds) == 1


async def test_refund_of_a_refunded_order_is_refused_with_nothing_left(
    uow: FakeOrdersUnitOfWork, clock: FixedClock
) -> None:
    order = await make_order(uow, clock, order_command(total=10000))
    await make_order(uow, clock, order_command(total=10000, status=OrderStatus.REFUNDED))

    with pytest.raises(RefundExceedsRemaining) as caught:
        await refund_order(uow, clock, refund_command(order.id, amount=1))

    assert caught.value.remaining.amount == 0


async def test_replayed_refund_returns_the_first_and_changes_nothing(
    uow: FakeOrdersUnitOfWork, clock: FixedClock
) -> None:
    order = await make_order(uow, clock, order_command(total=10000))
    first = await refund_order(uow, clock, refund_command(order.id, amount=2500))
    published = len(uow.published)

    again = await refund_order(uow, clock, refund_command(order.id, amount=2500))

    assert again.refund == first.refund
    assert len(uow.orders.rows[order.id].refunds) == 1
    assert len(uow.published) == published


async def test_replay_after_a_full_refund_still_returns_the_refund(
    uow: FakeOrdersUnitOfWork, clock: FixedClock
) -> None:
    order = await make_order(uow, clock, order_command(total=10000))
    first = await refund_order(uow, clock, refund_command(order.id, amount=10000))

    again = await refund_order(uow, clock, refund_command(order.id, amount=10000))

    assert again.refund.id == first.refund.id


@pytest.mark.parametrize(
    "changes",
    [{"amount": 2000}, {"reason": "late"}, {"lines": [("TEE-1", 1)]}, {"base_amount": 1}],
)
async def test_same_key_with_other_arguments_is_refused(
    uow: FakeOrdersUnitOfWork, clock: FixedClock, changes: dict[str, object]
) -> None:
    order = await make_order(uow, clock, order_command(total=10000))
    await refund_order(uow, clock, refund_command(order.id, amount=2500))

    with pytest.raises(RefundKeyReused) as caught:
        await refund_order(
            uow,
            clock,
            refund_command(order.id, **{"amount": 2500, **changes}),  # type: ignore[arg-type]
        )

    assert isinstance(caught.value, IdempotencyConflict)
    assert caught.value.field == ("idempotencyKey",)


async def test_refund_of_a_pending_order_is_refused(
    uow: FakeOrdersUnitOfWork, clock: FixedClock
) -> None:
    order = await make_order(uow, clock, order_command(status=OrderStatus.PENDING))

    with pytest.raises(OrderNotRefundable):
        await refund_order(uow, clock, refund_command(order.id, amount=100))


async def test_refund_of_an_unknown_order_is_refused(
    uow: FakeOrdersUnitOfWork, clock: FixedClock
) -> None:
    with pytest.raises(UnknownOrder) as caught:
        await refund_order(uow, clock, refund_command(uuid4(), amount=100))

    assert caught.value.field == ("orderId",)


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"amount": 100, "currency": "USD"}, ("amount", "currency")),
        ({"amount": 0}, ("amount", "amount")),
        ({"amount": 100, "key": " "}, ("idempotencyKey",)),
        ({"amount": 100, "lines": [("NOPE", 1)]}, ("lines", "0", "sku")),
        ({"amount": 100, "lines": [("TEE-1", 0)]}, ("lines", "0", "quantity")),
    ],
)
async def test_malformed_refund_is_refused_with_its_path(
    uow: FakeOrdersUnitOfWork, clock: FixedClock, kwargs: dict[str, object], field: tuple[str]
) -> None:
    order = await make_order(uow, clock, order_command(total=10000))

    with pytest.raises(InvalidRefund) as caught:
        await refund_order(uow, clock, refund_command(order.id, **kwargs))  # type: ignore[arg-type]

    assert caught.value.field == field


async def test_refund_lines_cannot_give_back_more_units_than_bought(
    uow: FakeOrdersUnitOfWork, clock: FixedClock
) -> None:
    command = order_command(total=6000, lines=[line(sku="MUG", quantity=2, amount=3000)])
    order = await make_order(uow, clock, command)
    await refund_order(uow, clock, refund_command(order.id, amount=3000, key="a",
                                                   lines=[("MUG", 1)]))  # fmt: skip

    with pytest.raises(RefundExceedsQuantity) as caught:
        await refund_order(
            uow, clock, refund_command(order.id, amount=3000, key="b", lines=[("MUG", 2)])
        )

    assert caught.value.field == ("lines", "0", "quantity")
    assert "1 unit" in caught.value.message


async def test_foreign_currency_refund_is_converted_at_the_order_rate(
    uow: FakeOrdersUnitOfWork, clock: FixedClock
) -> None:
    order = await make_order(
        uow, clock, order_command(total=10000, currency="USD", base_total=9000)
    )

    first = await refund_order(uow, clock, refund_command(order.id, amount=3333, currency="USD",
                                                           key="a"))  # fmt: skip
    rest = await refund_order(uow, clock, refund_command(order.id, amount=6667, currency="USD",
                                                          key="b"))  # fmt: skip

    assert first.refund.base_amount == 3000  # 3333 * 0.9 = 2999.7, rounded
    assert rest.refund.base_amount == 6000  # the rest, exactly
    assert uow.orders.stats_of(order.customer_id).refunded_total == 9000


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    total=st.integers(min_value=1, max_value=100_000),
    base_total=st.integers(min_value=0, max_value=200_000),
    asks=st.lists(st.integers(min_value=1, max_value=60_000), max_size=8),
)
async def test_refunds_never_exceed_the_order(total: int, base_total: int, asks: list[int]) -> None:
    uow, clock = FakeOrdersUnitOfWork(), FixedClock()
    order = await make_order(
        uow, clock, order_command(total=total, currency="USD", base_total=base_total)
    )
    for index, amount in enumerate(asks):
        command = refund_command(order.id, amount=amount, currency="USD", key=str(index))
        remaining = uow.orders.rows[order.id].remaining.amount
        if amount > remaining:
            with pytest.raises(RefundExceedsRemaining) as refused:
                await refund_order(uow, clock, command)
            assert refused.value.remaining.amount == remaining
        else:
            await refund_order(uow, clock, command)

    stored = uow.orders.rows[order.id]
    assert stored.refunded.amount <= total
    assert 0 <= stored.base_refunded <= base_total
    if stored.refunded.amount == total:
        assert stored.status == OrderStatus.REFUNDED
        assert stored.base_refunded == base_total
    assert uow.orders.stats_of(order.customer_id).net_spent >= 0


@pytest.mark.parametrize("replayed", [OrderStatus.PAID, OrderStatus.FULFILLED])
@pytest.mark.parametrize("refunded", [2500, 10000])
async def test_a_replay_the_order_has_moved_past_changes_nothing(
    uow: FakeOrdersUnitOfWork, clock: FixedClock, replayed: OrderStatus, refunded: int
) -> None:
    # The channel still says PAID or FULFILLED after a refund made here: a stale status.
    command = order_command(total=10000, status=OrderStatus.FULFILLED)
    order = await make_order(uow, clock, command)
    await refund_order(uow, clock, refund_command(order.id, amount=refunded))
    before = uow.orders.rows[order.id].status
    published = len(uow.published)

    again = await make_order(uow, clock, order_command(total=10000, status=replayed))

    assert again.id == order.id
    assert uow.orders.rows[order.id].status == before
    assert len(uow.published) == published
    assert uow.orders.stats_of(order.customer_id).net_spent == 10000 - refunded


async def test_a_late_paid_after_fulfilled_changes_nothing_but_after_cancelled_is_refused(
    uow: FakeOrdersUnitOfWork, clock: FixedClock
) -> None:
    fulfilled = await make_order(uow, clock, order_command(status=OrderStatus.FULFILLED))
    await make_order(uow, clock, order_command(status=OrderStatus.PAID))
    assert uow.orders.rows[fulfilled.id].status == OrderStatus.FULFILLED
    # A refunded order reported CANCELLED is a real conflict, as before.
    await refund_order(uow, clock, refund_command(fulfilled.id, amount=fulfilled.total.amount))
    with pytest.raises(InvalidStatusChange):
        await make_order(uow, clock, order_command(status=OrderStatus.CANCELLED))
