"""Errors of the orders context; each subclasses a category of domain.errors."""

from __future__ import annotations

from domain.errors import (
    AlreadyExists,
    Conflict,
    IdempotencyConflict,
    InvalidTransition,
    NotFound,
    ValidationFailed,
)
from domain.money import Money


class InvalidOrder(ValidationFailed):
    """Raised when an order's fields are malformed (blank sku, quantity < 1, wrong currency)."""


class MissingBaseTotal(ValidationFailed):
    """Raised when an order in a currency other than the base currency has no baseTotal."""


class InvalidRefund(ValidationFailed):
    """Raised when a refund's fields are malformed (amount < 1, unknown sku, blank key)."""


class OrderAlreadyRecorded(AlreadyExists):
    """Raised by `OrderRepository.add` when a concurrent transaction recorded the same
    (channel, externalId); retrying the use case takes the replay path."""


class ConflictingOrderReplay(IdempotencyConflict):
    """Raised when (channel, externalId) is recorded again with other content than its
    status (only the status of a recorded order can change)."""


class UnknownOrder(NotFound):
    """Raised when no order has the given id."""


class InvalidStatusChange(InvalidTransition):
    """Raised when an order cannot move from its status to the requested one."""


class OrderNotRefundable(InvalidTransition):
    """Raised when a refund is asked of an order that was never paid (PENDING, CANCELLED)."""


class RefundExceedsRemaining(Conflict):
    """Raised when a refund asks for more than what is left to refund; `remaining` says it."""

    def __init__(self, remaining: Money) -> None:
        super().__init__(
            f"only {remaining.amount} {remaining.currency} (minor units) is left to refund",
            field=("amount",),
        )
        self.remaining = remaining


class RefundExceedsQuantity(Conflict):
    """Raised when refund lines name more units of a sku than were bought and not refunded."""


class RefundKeyReused(IdempotencyConflict):
    """Raised when a refund's idempotency key was used on this order with other arguments."""
