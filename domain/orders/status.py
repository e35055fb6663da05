"""Order statuses, shared by every context that reacts to orders."""

from __future__ import annotations

from enum import StrEnum


class OrderStatus(StrEnum):
    """Where an order stands; only PAID and FULFILLED orders count as purchases."""

    PENDING = "PENDING"
    PAID = "PAID"
    FULFILLED = "FULFILLED"
    PARTIALLY_REFUNDED = "PARTIALLY_REFUNDED"
    REFUNDED = "REFUNDED"
    CANCELLED = "CANCELLED"

    @property
    def counts_as_purchase(self) -> bool:
        """Whether the order counts for stats, points and tier qualification."""
        return self in {OrderStatus.PAID, OrderStatus.FULFILLED, OrderStatus.PARTIALLY_REFUNDED}
