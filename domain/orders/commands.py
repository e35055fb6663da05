"""Commands of the orders context."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from domain.customers.commands import CustomerRef
from domain.money import Money
from domain.orders.status import OrderStatus


@dataclass(frozen=True, kw_only=True)
class OrderLineInput:
    sku: str
    name: str
    quantity: int
    unit_price: Money
    category: str | None = None


@dataclass(frozen=True, kw_only=True)
class RecordOrder:
    """Record an order, or replay one; `base_total` is required when the order's currency
    is not the base currency (it is derived when it is)."""

    channel: str
    external_id: str
    customer: CustomerRef
    placed_at: datetime
    total: Money
    lines: Sequence[OrderLineInput] = ()
    status: OrderStatus = OrderStatus.PAID
    base_total: int | None = None


@dataclass(frozen=True, kw_only=True)
class RefundLineInput:
    sku: str
    quantity: int


@dataclass(frozen=True, kw_only=True)
class RefundOrder:
    """Refund part or all of an order; `base_amount` defaults to the amount converted at
    the order's own rate (base_total / total)."""

    order_id: UUID
    amount: Money
    idempotency_key: str
    reason: str | None = None
    lines: Sequence[RefundLineInput] = ()
    base_amount: int | None = None
