"""Facts about orders that other contexts (loyalty, segments, campaigns) react to.

Amounts named `base_*` are minor units of the store's base currency.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import ClassVar
from uuid import UUID

from domain.events import DomainEvent
from domain.orders.status import OrderStatus


@dataclass(frozen=True, kw_only=True)
class OrderRecorded(DomainEvent):
    """A new order was recorded for a customer."""

    name: ClassVar[str] = "orders.recorded"
    order_id: UUID
    customer_id: UUID
    channel: str
    placed_at: datetime
    status: OrderStatus
    base_total: int
    is_first_purchase: bool


@dataclass(frozen=True, kw_only=True)
class OrderStatusChanged(DomainEvent):
    """A recorded order moved to another status (e.g. PENDING -> PAID, PAID -> CANCELLED)."""

    name: ClassVar[str] = "orders.status_changed"
    order_id: UUID
    customer_id: UUID
    old_status: OrderStatus
    new_status: OrderStatus
    base_total: int
    placed_at: datetime


@dataclass(frozen=True, kw_only=True)
class OrderRefunded(DomainEvent):
    """Part or all of an order's amount was refunded."""

    name: ClassVar[str] = "orders.refunded"
    order_id: UUID
    customer_id: UUID
    refund_id: UUID
    base_amount: int
    order_base_total: int
    base_refunded_total: int
    fully_refunded: bool
