"""The Order aggregate: content fixed at recording, a status that moves, refunds."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from uuid import UUID

from domain.events import DomainEvent
from domain.ids import new_id
from domain.money import Money
from domain.orders.commands import RefundLineInput
from domain.orders.content import OrderContent, OrderLine
from domain.orders.errors import (
    ConflictingOrderReplay,
    InvalidStatusChange,
    OrderNotRefundable,
    RefundExceedsRemaining,
)
from domain.orders.events import OrderRecorded, OrderRefunded, OrderStatusChanged
from domain.orders.refunds import Refund, RefundRequest
from domain.orders.status import OrderStatus

# Status updates that orderRecord may bring. PARTIALLY_REFUNDED and the REFUNDED reached by
# refunds are set by `Order.refund` only; CANCELLED and REFUNDED are final.
ALLOWED_CHANGES: dict[OrderStatus, frozenset[OrderStatus]] = {
    OrderStatus.PENDING: frozenset(
        {OrderStatus.PAID, OrderStatus.FULFILLED, OrderStatus.CANCELLED}
    ),
    OrderStatus.PAID: frozenset(
        {OrderStatus.FULFILLED, OrderStatus.CANCELLED, OrderStatus.REFUNDED}
    ),
    OrderStatus.FULFILLED: frozenset({OrderStatus.REFUNDED}),
    OrderStatus.PARTIALLY_REFUNDED: frozenset({OrderStatus.REFUNDED}),
    OrderStatus.REFUNDED: frozenset(),
    OrderStatus.CANCELLED: frozenset(),
}
REFUNDABLE = frozenset({OrderStatus.PAID, OrderStatus.FULFILLED, OrderStatus.PARTIALLY_REFUNDED})


def _later_statuses(status: OrderStatus) -> frozenset[OrderStatus]:
    """The statuses an order in `status` can come to on its way forward: by payment and
    fulfilment, or by refunds (which take a refundable order to PARTIALLY_REFUNDED, then
    REFUNDED). Not CANCELLED: a paid order reported after a cancellation is a conflict."""
    seen: set[OrderStatus] = set()
    todo = [status]
    while todo:
        current = todo.pop()
        nexts = set(ALLOWED_CHANGES[current])
        if current in REFUNDABLE:
            nexts |= {OrderStatus.PARTIALLY_REFUNDED, OrderStatus.REFUNDED}
        for following in nexts - seen - {current, OrderStatus.CANCELLED}:
            seen.add(following)
            todo.append(following)
    return frozenset(seen)


# A replayed status the order has already moved past is stale (a webhook that arrived
# late, or a channel that does not know of a refund made here): nothing changes.
LATER_STATUSES: dict[OrderStatus, frozenset[OrderStatus]] = {
    status: _later_statuses(status) for status in OrderStatus
}


def check_initial_status(status: OrderStatus) -> None:
    """A new order cannot start PARTIALLY_REFUNDED: record it, then its refunds."""
    if status == OrderStatus.PARTIALLY_REFUNDED:
        raise InvalidStatusChange(
            "record the order as PAID or FULFILLED, then its refunds with orderRefund",
            field=("status",),
        )


@dataclass(eq=False, kw_only=True)
class Order:
    """An order of a customer on a channel; (channel, external_id) is unique."""

    id: UUID
    channel: str
    external_id: str
    customer_id: UUID
    status: OrderStatus
    content: OrderContent
    created_at: datetime
    updated_at: datetime
    refunds: list[Refund] = field(default_factory=list)
    _events: list[DomainEvent] = field(default_factory=list, repr=False)

    @classmethod
    def place(
        cls,
        *,
        channel: str,
        external_id: str,
        customer_id: UUID,
        status: OrderStatus,
        content: OrderContent,
        now: datetime,
    ) -> Order:
        """A new order (see `check_initial_status`)."""
        check_initial_status(status)
        return cls(
            id=new_id(),
            channel=channel,
            external_id=external_id,
            customer_id=customer_id,
            status=status,
            content=content,
            created_at=now,
            updated_at=now,
        )

    @property
    def placed_at(self) -> datetime:
        return self.content.placed_at

    @property
    def total(self) -> Money:
        return self.content.total

    @property
    def base_total(self) -> int:
        return self.content.base_total

    @property
    def lines(self) -> tuple[OrderLine, ...]:
        return self.content.lines

    @property
    def refunded(self) -> Money:
        return Money(sum(r.amount.amount for r in self.refunds), self.total.currency)

    @property
    def base_refunded(self) -> int:
        return sum(r.base_amount for r in self.refunds)

    @property
    def remaining(self) -> Money:
        """What is left to refund: nothing once REFUNDED (also when the channel said so)."""
        if self.status == OrderStatus.REFUNDED:
            return Money(0, self.total.currency)
        return Money(self.total.amount - self.refunded.amount, self.total.currency)

    def recorded_event(self, *, is_first_purchase: bool) -> OrderRecorded:
        return OrderRecorded(
            order_id=self.id,
            customer_id=self.customer_id,
            channel=self.channel,
            placed_at=self.placed_at,
            status=self.status,
            base_total=self.base_total,
            is_first_purchase=is_first_purchase,
        )

    def replay(self, content: OrderContent, status: OrderStatus, *, now: datetime) -> bool:
        """Apply a repeat of orderRecord: same content required; a new status is an update,
        a status the order has already moved past (see LATER_STATUSES) changes nothing.

        Returns whether anything changed.
        """
        differences = content.differences(self.content)
        if differences:
            raise ConflictingOrderReplay(
                f"order {self.channel}:{self.external_id} was recorded with other "
                f"{', '.join(differences)}; only its status can change",
                field=(differences[0],),
            )
        if self.status in LATER_STATUSES[status]:
            return False
        return self.change_status(status, now=now)

    def change_status(self, status: OrderStatus, *, now: datetime) -> bool:
        """Move to `status` if allowed (see ALLOWED_CHANGES); False if already there."""
        if status == self.status:
            return False
        if status not in ALLOWED_CHANGES[self.status]:
            raise InvalidStatusChange(
                f"an order cannot go from {self.status} to {status}", field=("status",)
            )
        old, self.status = self.status, status
        self.updated_at = now
        self._events.append(
            OrderStatusChanged(
                order_id=self.id,
                customer_id=self.customer_id,
                old_status=old,
                new_status=status,
                base_total=self.base_total,
                placed_at=self.placed_at,
            )
        )
        return True

    def refund(
        self,
        *,
        amount: Money,
        idempotency_key: str,
        reason: str | None,
        lines: Sequence[RefundLineInput],
        base_amount: int | None,
        now: datetime,
    ) -> tuple[Refund, bool]:
        """Refund part or all of the order; returns (refund, created).

        A repeat of an idempotency key with the same arguments returns the first refund
        (created False); with other arguments it is RefundKeyReused. The status becomes
        PARTIALLY_REFUNDED, or REFUNDED once nothing is left. Emits OrderRefunded only.
        """
        request = RefundRequest.build(
            amount=amount,
            idempotency_key=idempotency_key,
            reason=reason,
            lines=lines,
            base_amount=base_amount,
            order_currency=self.total.currency,
        )
        earlier = next((r for r in self.refunds if r.idempotency_key == request.key), None)
        if earlier is not None:
            earlier.ensure_same_request(request)
            return earlier, False
        if self.status not in REFUNDABLE and self.status != OrderStatus.REFUNDED:
            raise OrderNotRefundable(
                f"an order in status {self.status} cannot be refunded", field=("orderId",)
            )
        remaining = self.remaining
        if request.amount.amount > remaining.amount:
            raise RefundExceedsRemaining(remaining)
        base_remaining = self.base_total - self.base_refunded
        if request.base_amount is not None:
            if request.base_amount > base_remaining:
                raise RefundExceedsRemaining(remaining)
            base = request.base_amount
        elif request.amount == remaining:
            base = base_remaining
        else:
            # Converted at the order's own rate, rounded half up; equal amounts when the
            # order is in the base currency (then base_total == total.amount).
            base = min(
                (2 * request.amount.amount * self.base_total + self.total.amount)
                // (2 * self.total.amount),
                base_remaining,
            )
        request.check_lines_against(self.lines, self.refunds)
        refund = Refund.from_request(request, id=new_id(), base_amount=base, created_at=now)
        self.refunds.append(refund)
        self.status = (
            OrderStatus.REFUNDED if refund.amount == remaining else OrderStatus.PARTIALLY_REFUNDED
        )
        self.updated_at = now
        self._events.append(
            OrderRefunded(
                order_id=self.id,
                customer_id=self.customer_id,
                refund_id=refund.id,
                base_amount=refund.base_amount,
                order_base_total=self.base_total,
                base_refunded_total=self.base_refunded,
                fully_refunded=self.status == OrderStatus.REFUNDED,
            )
        )
        return refund, True

    def pull_events(self) -> list[DomainEvent]:
        events, self._events = self._events, []
        return events
