from __future__ import annotations

from datetime import UTC, datetime
from uuid import uuid4

import pytest

from domain.customers.commands import CreateCustomer, CustomerRef, IdentityInput, ProfileFields
from domain.customers.errors import (
    InvalidEmail,
    InvalidIdentity,
    MissingCustomerReference,
    UnknownCustomer,
)
from domain.customers.events import CustomerCreated
from domain.customers.services import create_customer
from domain.errors import IdempotencyConflict, NotFound
from domain.orders.errors import (
    ConflictingOrderReplay,
    InvalidOrder,
    InvalidStatusChange,
    MissingBaseTotal,
)
from domain.orders.events import OrderRecorded, OrderStatusChanged
from domain.orders.status import OrderStatus
from tests.unit.fakes import FixedClock
from tests.unit.orders.builders import line, make_order, order_command
from tests.unit.orders.fakes import FakeOrdersUnitOfWork


async def test_order_for_an_unknown_identity_creates_the_customer(
    uow: FakeOrdersUnitOfWork, clock: FixedClock
) -> None:
    order = await make_order(uow, clock)

    [customer] = uow.customers.rows.values()
    assert order.customer_id == customer.id
    assert customer.email == "ana@example.com"
    assert [(i.channel, i.external_id) for i in customer.identities] == [("shopify", "c-77")]
    assert uow.orders.rows[order.id].total.amount == 12900
    assert uow.orders.rows[order.id].base_total == 12900
    created = [e for e in uow.published if isinstance(e, CustomerCreated)]
    recorded = [e for e in uow.published if isinstance(e, OrderRecorded)]
    assert [e.customer_id for e in created] == [customer.id]
    assert recorded == [
        OrderRecorded(
            order_id=order.id, customer_id=customer.id, channel="shopify",
            placed_at=order.placed_at, status=OrderStatus.PAID, base_total=12900,
            is_first_purchase=True,
        )
    ]  # fmt: skip
    assert uow.committed == 1


async def test_only_the_first_purchase_is_marked_first(
    uow: FakeOrdersUnitOfWork, clock: FixedClock
) -> None:
    await make_order(uow, clock, order_command(external_id="1", status=OrderStatus.PENDING))
    await make_order(uow, clock, order_command(external_id="2"))
    await make_order(uow, clock, order_command(external_id="3"))

    recorded = [e for e in uow.published if isinstance(e, OrderRecorded)]
    assert [e.is_first_purchase for e in recorded] == [False, True, False]


async def test_known_identity_names_its_customer(
    uow: FakeOrdersUnitOfWork, clock: FixedClock
) -> None:
    first = await make_order(uow, clock, order_command(external_id="1"))

    second = await make_order(uow, clock, order_command(external_id="2", email="other@example.com"))

    assert second.customer_id == first.customer_id
    assert len(uow.customers.rows) == 1


async def test_known_email_adopts_the_unknown_identity(
    uow: FakeOrdersUnitOfWork, clock: FixedClock
) -> None:
    ana = await create_customer(
        uow, clock, CreateCustomer(profile=ProfileFields(email="Ana@example.com"))
    )

    order = await make_order(uow, clock, order_command(email="ana@EXAMPLE.com"))

    assert order.customer_id == ana.id
    identities = uow.customers.rows[ana.id].identities
    assert [(i.channel, i.external_id) for i in identities] == [("shopify", "c-77")]


async def test_order_by_id_of_a_merged_customer_goes_to_the_winner(
    uow: FakeOrdersUnitOfWork, clock: FixedClock
) -> None:
    loser = await create_customer(uow, clock, CreateCustomer())
    winner = await create_customer(uow, clock, CreateCustomer())
    uow.customers.rows[loser.id].merged_into = winner.id

    order = await make_order(uow, clock, order_command(customer_id=loser.id))

    assert order.customer_id == winner.id


async def test_order_for_an_unknown_customer_id_is_refused(
    uow: FakeOrdersUnitOfWork, clock: FixedClock
) -> None:
    with pytest.raises(UnknownCustomer) as caught:
        await make_order(uow, clock, order_command(customer_id=uuid4()))

    assert isinstance(caught.value, NotFound)
    assert caught.value.field == ("customer", "id")
    assert uow.orders.rows == {}


async def test_order_naming_no_customer_is_refused(
    uow: FakeOrdersUnitOfWork, clock: FixedClock
) -> None:
    with pytest.raises(MissingCustomerReference) as caught:
        await make_order(uow, clock, order_command(customer=CustomerRef()))

    assert caught.value.field == ("customer",)


async def test_order_with_a_malformed_customer_email_is_refused_with_its_path(
    uow: FakeOrdersUnitOfWork, clock: FixedClock
) -> None:
    with pytest.raises(InvalidEmail) as caught:
        await make_order(uow, clock, order_command(identity=None, email="ana@"))

    assert caught.value.field == ("customer", "email")
    assert uow.customers.rows == {}


async def test_order_with_a_malformed_identity_is_refused_with_its_path(
    uow: FakeOrdersUnitOfWork, clock: FixedClock
) -> None:
    ref = CustomerRef(identity=IdentityInput(channel="shopify", external_id=" "))

    with pytest.raises(InvalidIdentity) as caught:
        await make_order(uow, clock, order_command(customer=ref))

    assert caught.value.field == ("customer", "identity", "externalId")


async def test_replay_changes_nothing_and_returns_the_order(
    uow: FakeOrdersUnitOfWork, clock: FixedClock
) -> None:
    first = await make_order(uow, clock)
    published, stats = len(uow.published), uow.orders.stats_of(first.customer_id)

    for _ in range(20):
        again = await make_order(uow, clock)
        assert again.id == first.id

    assert len(uow.orders.rows) == 1
    assert len(uow.customers.rows) == 1
    assert len(uow.published) == published
    assert uow.orders.stats_of(first.customer_id) == stats


async def test_replay_with_a_new_status_is_an_update(
    uow: FakeOrdersUnitOfWork, clock: FixedClock
) -> None:
    order = await make_order(uow, clock)
    assert uow.orders.stats_of(order.customer_id).orders_count == 1

    updated = await make_order(uow, clock, order_command(status=OrderStatus.CANCELLED))

    assert updated.status == OrderStatus.CANCELLED
    assert uow.orders.rows[order.id].status == OrderStatus.CANCELLED
    changes = [e for e in uow.published if isinstance(e, OrderStatusChanged)]
    assert [(e.old_status, e.new_status) for e in changes] == [
        (OrderStatus.PAID, OrderStatus.CANCELLED)
    ]
    assert uow.orders.stats_of(order.customer_id).orders_count == 0
    assert uow.orders.stats_of(order.customer_id).net_spent == 0


async def test_replay_with_other_content_is_refused(
    uow: FakeOrdersUnitOfWork, clock: FixedClock
) -> None:
    await make_order(uow, clock)

    with pytest.raises(ConflictingOrderReplay) as caught:
        await make_order(uow, clock, order_command(total=9900))

    assert isinstance(caught.value, IdempotencyConflict)
    assert caught.value.field == ("total",)


async def test_a_final_status_cannot_change(uow: FakeOrdersUnitOfWork, clock: FixedClock) -> None:
    await make_order(uow, clock, order_command(status=OrderStatus.CANCELLED))

    with pytest.raises(InvalidStatusChange) as caught:
        await make_order(uow, clock, order_command(status=OrderStatus.PAID))

    assert caught.value.field == ("status",)


async def test_a_new_order_cannot_start_partially_refunded(
    uow: FakeOrdersUnitOfWork, clock: FixedClock
) -> None:
    with pytest.raises(InvalidStatusChange) as caught:
        await make_order(uow, clock, order_command(status=OrderStatus.PARTIALLY_REFUNDED))

    assert caught.value.field == ("status",)
    assert uow.customers.rows == {}


async def test_foreign_currency_order_needs_its_base_total(
    uow: FakeOrdersUnitOfWork, clock: FixedClock
) -> None:
    with pytest.raises(MissingBaseTotal) as caught:
        await make_order(uow, clock, order_command(currency="USD"))

    assert caught.value.field == ("baseTotal",)
    assert uow.customers.rows == {}

    order = await make_order(uow, clock, order_command(currency="USD", base_total=11800))
    assert (order.total.currency, order.base_total) == ("USD", 11800)
    assert uow.orders.stats_of(order.customer_id).net_spent == 11800


async def test_base_currency_order_with_a_different_base_total_is_refused(
    uow: FakeOrdersUnitOfWork, clock: FixedClock
) -> None:
    with pytest.raises(InvalidOrder) as caught:
        await make_order(uow, clock, order_command(base_total=1))

    assert caught.value.field == ("baseTotal",)


@pytest.mark.parametrize(
    ("lines", "field"),
    [
        ([line(), line(quantity=0)], ("lines", "1", "quantity")),
        ([line(currency="USD")], ("lines", "0", "unitPrice", "currency")),
        ([line(sku=" ")], ("lines", "0", "sku")),
        ([line(name="")], ("lines", "0", "name")),
        ([line(amount=-1)], ("lines", "0", "unitPrice", "amount")),
    ],
)
async def test_malformed_line_is_refused_with_its_path(
    uow: FakeOrdersUnitOfWork, clock: FixedClock, lines: list[object], field: tuple[str, ...]
) -> None:
    with pytest.raises(InvalidOrder) as caught:
        await make_order(uow, clock, order_command(lines=lines))  # type: ignore[arg-type]

    assert caught.value.field == field
    assert uow.orders.rows == {}


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"placed_at": datetime(2030, 1, 1, tzinfo=UTC)}, ("placedAt",)),
        ({"placed_at": datetime(2025, 1, 1)}, ("placedAt",)),
        ({"channel": "Shop ify"}, ("channel",)),
        ({"external_id": "  "}, ("externalId",)),
        ({"total": -5}, ("total", "amount")),
    ],
)
async def test_malformed_order_fields_are_refused_with_their_path(
    uow: FakeOrdersUnitOfWork, clock: FixedClock, kwargs: dict[str, object], field: tuple[str]
) -> None:
    with pytest.raises(InvalidOrder) as caught:
        await make_order(uow, clock, order_command(**kwargs))  # type: ignore[arg-type]

    assert caught.value.field == field


async def test_channel_and_external_id_are_normalised_for_idempotency(
    uow: FakeOrdersUnitOfWork, clock: FixedClock
) -> None:
    first = await make_order(uow, clock, order_command(channel="Shopify", external_id=" 1001"))
    again = await make_order(uow, clock, order_command(channel="shopify", external_id="1001"))

    assert again.id == first.id
    assert (first.channel, first.external_id) == ("shopify", "1001")
