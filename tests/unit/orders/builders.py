"""Builders of orders-context inputs, with explicit keywords."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from uuid import UUID

from domain.customers.commands import CustomerRef, IdentityInput
from domain.money import Money
from domain.orders.commands import OrderLineInput, RecordOrder, RefundLineInput, RefundOrder
from domain.orders.model import Order
from domain.orders.services import record_order
from domain.orders.status import OrderStatus
from tests.unit.fakes import FixedClock
from tests.unit.orders.fakes import FakeOrdersUnitOfWork

BASE_CURRENCY = "EUR"
PLACED_AT = datetime(2026, 1, 10, 10, 0, tzinfo=UTC)


def line(
    *, sku: str = "TEE-1", name: str = "Tee", quantity: int = 1, amount: int = 12900,
    currency: str = "EUR", category: str | None = None,
) -> OrderLineInput:  # fmt: skip
    return OrderLineInput(
        sku=sku, name=name, quantity=quantity, unit_price=Money(amount, currency),
        category=category,
    )  # fmt: skip


def order_command(
    *,
    external_id: str = "1001",
    channel: str = "shopify",
    customer: CustomerRef | None = None,
    email: str | None = "ana@example.com",
    identity: tuple[str, str] | None = ("shopify", "c-77"),
    customer_id: UUID | None = None,
    total: int = 12900,
    currency: str = "EUR",
    base_total: int | None = None,
    status: OrderStatus = OrderStatus.PAID,
    placed_at: datetime = PLACED_AT,
    lines: Sequence[OrderLineInput] | None = None,
) -> RecordOrder:
    if customer is None:
        customer = CustomerRef(
            id=customer_id,
            email=email,
            identity=IdentityInput(channel=identity[0], external_id=identity[1])
            if identity
            else None,
        )
    return RecordOrder(
        channel=channel,
        external_id=external_id,
        customer=customer,
        placed_at=placed_at,
        total=Money(total, currency),
        lines=lines if lines is not None else [line(amount=total, currency=currency)],
        status=status,
        base_total=base_total,
    )


async def make_order(
    uow: FakeOrdersUnitOfWork, clock: FixedClock, command: RecordOrder | None = None
) -> Order:
    return await record_order(uow, clock, command or order_command(), base_currency=BASE_CURRENCY)


def refund_command(
    order_id: UUID,
    *,
    amount: int,
    currency: str = "EUR",
    key: str = "refund-1",
    reason: str | None = "damaged",
    lines: Sequence[tuple[str, int]] = (),
    base_amount: int | None = None,
) -> RefundOrder:
    return RefundOrder(
        order_id=order_id,
        amount=Money(amount, currency),
        idempotency_key=key,
        reason=reason,
        lines=[RefundLineInput(sku=sku, quantity=qty) for sku, qty in lines],
        base_amount=base_amount,
    )
