"""Orders, refunds and customer stats on SQLite and PostgreSQL, through the use cases."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from domain.customers.commands import CustomerRef, IdentityInput
from domain.customers.errors import DuplicateEmail
from domain.customers.services import find_customer
from domain.ids import new_id
from domain.money import Money
from domain.orders.errors import (
    ConflictingOrderReplay,
    RefundExceedsRemaining,
    RefundKeyReused,
    UnknownOrder,
)
from domain.orders.services import refund_order
from domain.orders.stats import CustomerStats, compute_customer_stats
from domain.orders.status import OrderStatus
from persistence.orders import record_order_retrying
from persistence.tables.customers import customers
from persistence.tables.orders import customer_stats, order_lines, order_refunds, orders
from persistence.unit_of_work import SqlUnitOfWork
from tests.integration.customers.builders import (
    BASE_CURRENCY,
    count_rows,
    fetch_one,
    make_customer,
    make_order,
)
from tests.integration.customers.conftest import MakeUow
from tests.unit.fakes import FixedClock
from tests.unit.orders.builders import PLACED_AT, line, order_command, refund_command


async def _stored_stats(engine: AsyncEngine, customer_id: object) -> CustomerStats:
    row = await fetch_one(engine, customer_stats, customer_stats.c.customer_id == customer_id)
    return CustomerStats(
        customer_id=row.customer_id,
        orders_count=row.orders_count,
        net_spent=row.net_spent,
        average_order_value=row.average_order_value,
        first_order_at=row.first_order_at,
        last_order_at=row.last_order_at,
        refunds_count=row.refunds_count,
        refunded_total=row.refunded_total,
    )


async def test_an_order_for_an_unknown_customer_creates_it_and_reads_back_whole(
    engine: AsyncEngine, make_uow: MakeUow, clock: FixedClock
) -> None:
    command = order_command(
        external_id="1001",
        total=25800,
        lines=[
            line(sku="TEE-1", quantity=2, amount=9900, category="tops"),
            line(sku="CAP-1", name="Cap", amount=6000),
        ],
    )

    order = await make_order(make_uow(), clock, command)

    customer = await find_customer(make_uow(), email="ana@example.com")
    assert customer is not None and order.customer_id == customer.id
    assert [(i.channel, i.external_id) for i in customer.identities] == [("shopify", "c-77")]
    async with make_uow() as uow:
        loaded = await uow.orders.get(order.id)
    assert loaded is not None
    assert loaded.content == order.content
    assert [(x.sku, x.quantity, x.unit_price, x.category) for x in loaded.lines] == [
        ("TEE-1", 2, Money(9900, "EUR"), "tops"),
        ("CAP-1", 1, Money(6000, "EUR"), None),
    ]
    assert (loaded.status, loaded.created_at) == (OrderStatus.PAID, clock.now())
    assert await _stored_stats(engine, customer.id) == CustomerStats(
        customer_id=customer.id,
        orders_count=1,
        net_spent=25800,
        average_order_value=25800,
        first_order_at=PLACED_AT,
        last_order_at=PLACED_AT,
    )


async def test_a_replay_changes_nothing_and_returns_the_same_order(
    engine: AsyncEngine, make_uow: MakeUow, clock: FixedClock
) -> None:
    first = await make_order(make_uow(), clock, order_command(external_id="1002"))
    clock.advance(minutes=3)

    again = await make_order(
        make_uow(), clock, order_command(external_id=" 1002 ", channel="Shopify")
    )

    assert again.id == first.id
    row = await fetch_one(engine, orders, orders.c.id == first.id)
    assert row.updated_at == first.updated_at
    assert await count_rows(engine, orders) == 1
    assert await count_rows(engine, order_lines) == 1
    assert await count_rows(engine, customers) == 1
    assert (await _stored_stats(engine, first.customer_id)).orders_count == 1


async def test_a_replay_with_a_new_status_updates_the_order_and_its_stats(
    engine: AsyncEngine, make_uow: MakeUow, clock: FixedClock
) -> None:
    pending = await make_order(
        make_uow(), clock, order_command(external_id="1003", status=OrderStatus.PENDING)
    )
    assert (await _stored_stats(engine, pending.customer_id)).orders_count == 0
    clock.advance(minutes=3)

    paid = await make_order(
        make_uow(), clock, order_command(external_id="1003", status=OrderStatus.PAID)
    )

    row = await fetch_one(engine, orders, orders.c.id == pending.id)
    assert (paid.id, row.status, row.updated_at) == (pending.id, "PAID", clock.now())
    assert (await _stored_stats(engine, pending.customer_id)).orders_count == 1


async def test_a_replay_with_other_content_is_refused_and_changes_nothing(
    engine: AsyncEngine, make_uow: MakeUow, clock: FixedClock
) -> None:
    await make_order(make_uow(), clock, order_command(external_id="1004", total=5000))

    with pytest.raises(ConflictingOrderReplay) as refused:
        earlier = PLACED_AT - timedelta(days=1)
        await make_order(
            make_uow(), clock, order_command(external_id="1004", total=5000, placed_at=earlier)
        )

    assert refused.value.field == ("placedAt",)
    row = await fetch_one(engine, orders)
    assert row.placed_at == PLACED_AT


async def test_refunds_are_idempotent_and_bounded_by_what_is_left(
    engine: AsyncEngine, make_uow: MakeUow, clock: FixedClock
) -> None:
    order = await make_order(
        make_uow(),
        clock,
        order_command(
            external_id="1005", total=10000, lines=[line(sku="A", quantity=2, amount=5000)]
        ),
    )
    clock.advance(minutes=1)

    # Given a partial refund of one unit
    first = await refund_order(
        make_uow(), clock, refund_command(order.id, amount=4000, key="r-1", lines=[("A", 1)])
    )
    # When it is replayed, reused with other arguments, and exceeded
    replay = await refund_order(
        make_uow(), clock, refund_command(order.id, amount=4000, key="r-1", lines=[("A", 1)])
    )
    with pytest.raises(RefundKeyReused):
        await refund_order(make_uow(), clock, refund_command(order.id, amount=3000, key="r-1"))
    with pytest.raises(RefundExceedsRemaining) as exceeded:
        await refund_order(make_uow(), clock, refund_command(order.id, amount=6001, key="r-2"))
    # Then one refund is stored, the order is partially refunded, stats are net
    assert replay.refund.id == first.refund.id
    assert exceeded.value.remaining == Money(6000, "EUR")
    assert exceeded.value.field == ("amount",)
    assert await count_rows(engine, order_refunds) == 1
    refund_row = await fetch_one(engine, order_refunds)
    assert (refund_row.amount, refund_row.base_amount, refund_row.reason) == (4000, 4000, "damaged")
    assert refund_row.lines == [{"sku": "A", "quantity": 1}]
    async with make_uow() as uow:
        loaded = await uow.orders.get(order.id)
    assert loaded is not None and loaded.status == OrderStatus.PARTIALLY_REFUNDED
    assert loaded.refunds == [first.refund]
    assert await _stored_stats(engine, order.customer_id) == CustomerStats(
        customer_id=order.customer_id,
        orders_count=1,
        net_spent=6000,
        average_order_value=6000,
        first_order_at=PLACED_AT,
        last_order_at=PLACED_AT,
        refunds_count=1,
        refunded_total=4000,
    )

    # And refunding the rest makes the order REFUNDED and no purchase any more
    await refund_order(make_uow(), clock, refund_command(order.id, amount=6000, key="r-3"))

    row = await fetch_one(engine, orders, orders.c.id == order.id)
    assert row.status == "REFUNDED"
    assert await _stored_stats(engine, order.customer_id) == CustomerStats(
        customer_id=order.customer_id,
        refunds_count=2,
        refunded_total=10000,
    )


async def test_a_refund_of_an_unknown_order_is_refused(
    make_uow: MakeUow, clock: FixedClock
) -> None:
    with pytest.raises(UnknownOrder) as refused:
        await refund_order(make_uow(), clock, refund_command(new_id(), amount=100))
    assert refused.value.field == ("orderId",)


async def test_foreign_currency_refunds_are_converted_at_the_orders_rate(
    engine: AsyncEngine, make_uow: MakeUow, clock: FixedClock
) -> None:
    order = await make_order(
        make_uow(),
        clock,
        order_command(external_id="1006", total=10000, currency="USD", base_total=9000),
    )

    await refund_order(
        make_uow(), clock, refund_command(order.id, amount=2500, currency="USD", key="r")
    )

    refund_row = await fetch_one(engine, order_refunds)
    assert (refund_row.currency, refund_row.amount, refund_row.base_amount) == ("USD", 2500, 2250)
    stats = await _stored_stats(engine, order.customer_id)
    assert (stats.net_spent, stats.refunded_total) == (6750, 2250)


async def test_stats_of_several_orders_agree_with_the_pure_rule(
    engine: AsyncEngine, make_uow: MakeUow, clock: FixedClock
) -> None:
    customer = await make_customer(make_uow(), clock, email="many@example.com")
    ref = CustomerRef(id=customer.id)
    plan = [
        ("a", 1000, OrderStatus.PAID, 9),
        ("b", 2001, OrderStatus.FULFILLED, 3),
        ("c", 700, OrderStatus.PENDING, 1),
        ("d", 9999, OrderStatus.CANCELLED, 20),
        ("e", 4000, OrderStatus.PAID, 5),
    ]
    made = {}
    for external_id, total, status, days in plan:
        made[external_id] = await make_order(
            make_uow(),
            clock,
            order_command(
                external_id=external_id,
                customer=ref,
                total=total,
                status=status,
                placed_at=PLACED_AT - timedelta(days=days),
            ),
        )
    await refund_order(make_uow(), clock, refund_command(made["e"].id, amount=1, key="k"))

    async with make_uow() as uow:
        every = await uow.orders.for_customer(customer.id)
        assert await uow.orders.count_for_customer(customer.id) == 5
    expected = compute_customer_stats(customer.id, every)
    assert await _stored_stats(engine, customer.id) == expected
    assert (expected.orders_count, expected.net_spent, expected.average_order_value) == (
        3,
        7000,
        2333,
    )
    assert [o.external_id for o in every] == ["d", "a", "e", "b", "c"]  # by placed_at


async def test_stats_of_a_customer_without_orders_are_zero(
    engine: AsyncEngine, make_uow: MakeUow, clock: FixedClock
) -> None:
    customer = await make_customer(make_uow(), clock, email="none@example.com")
    async with make_uow() as uow:
        stats = await uow.orders.recompute_stats(customer.id)
        await uow.commit()
    assert stats == CustomerStats(customer_id=customer.id)
    assert await _stored_stats(engine, customer.id) == stats


async def test_identical_parallel_order_records_store_one_order(
    engine: AsyncEngine, make_uow: MakeUow, clock: FixedClock
) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("concurrent writers are serialised by SQLite; the race is PostgreSQL's")
    command = order_command(
        external_id="9001",
        email="race@example.com",
        total=4200,
        customer=CustomerRef(
            email="race@example.com", identity=IdentityInput(channel="web", external_id="r-1")
        ),
    )

    made = 0

    def counting_uow() -> SqlUnitOfWork:
        nonlocal made
        made += 1
        return make_uow()

    recorded = await asyncio.gather(
        *(
            record_order_retrying(counting_uow, clock, command, base_currency=BASE_CURRENCY)
            for _ in range(20)
        )
    )

    assert len({order.id for order in recorded}) == 1
    assert made > 20, "the twins lost the race on the new customer's email and retried"
    assert await count_rows(engine, orders) == 1
    assert await count_rows(engine, customers) == 1
    assert await count_rows(engine, order_lines) == 1
    stats = await _stored_stats(engine, recorded[0].customer_id)
    assert (stats.orders_count, stats.net_spent) == (1, 4200)


async def test_parallel_records_of_one_order_naming_different_customers_store_one_order(
    engine: AsyncEngine, make_uow: MakeUow, clock: FixedClock
) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("concurrent writers are serialised by SQLite; the race is PostgreSQL's")
    # Each request names a new customer: none waits for another's customer row, so all
    # but one lose on the unique (channel, external_id) of the order, then replay it.
    commands = [
        order_command(external_id="9003", identity=None, email=f"twin{n}@example.com")
        for n in range(20)
    ]

    recorded = await asyncio.gather(
        *(
            record_order_retrying(make_uow, clock, command, base_currency=BASE_CURRENCY)
            for command in commands
        )
    )

    assert len({order.id for order in recorded}) == 1
    assert await count_rows(engine, orders) == 1
    assert await count_rows(engine, customers) == 1, "the losers' customers rolled back"
    assert (await _stored_stats(engine, recorded[0].customer_id)).orders_count == 1


async def test_a_lost_race_is_raised_once_the_attempts_are_spent(
    make_uow: MakeUow, clock: FixedClock
) -> None:
    await make_customer(make_uow(), clock, email="taken@example.com")
    calls = 0

    class AlwaysLosing:
        """A unit of work whose customer store always reports the email taken."""

        def __init__(self) -> None:
            nonlocal calls
            calls += 1
            self._uow = make_uow()

        def __getattr__(self, name: str) -> object:
            return getattr(self._uow, name)

        async def __aenter__(self) -> SqlUnitOfWork:
            await self._uow.__aenter__()
            customers_repo = self._uow.customers

            async def no_email(email_key: str) -> None:
                return None

            customers_repo.get_by_email = no_email  # type: ignore[method-assign]
            return self._uow

        async def __aexit__(self, *exc: object) -> None:
            await self._uow.__aexit__(None, None, None)

    with pytest.raises(DuplicateEmail):
        await record_order_retrying(
            AlwaysLosing,  # type: ignore[arg-type]
            clock,
            order_command(external_id="9004", identity=None, email="taken@example.com"),
            base_currency=BASE_CURRENCY,
            attempts=2,
        )
    assert calls == 2


async def test_identical_parallel_records_for_a_known_customer_store_one_order(
    engine: AsyncEngine, make_uow: MakeUow, clock: FixedClock
) -> None:
    customer = await make_customer(make_uow(), clock, email="known@example.com")
    command = order_command(external_id="9002", customer=CustomerRef(id=customer.id))

    recorded = await asyncio.gather(
        *(
            record_order_retrying(make_uow, clock, command, base_currency=BASE_CURRENCY)
            for _ in range(10)
        )
    )

    assert len({order.id for order in recorded}) == 1
    assert await count_rows(engine, orders) == 1
    assert (await _stored_stats(engine, customer.id)).orders_count == 1
