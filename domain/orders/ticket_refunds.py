"""A resolved REFUND ticket records its refund on the order (so its points reverse).

The amount is the agent's when given; otherwise the lines' unit prices times the
quantities, capped at what is left to refund. The ticket's idempotency key makes a
reopened and re-resolved ticket refund once.
"""

from __future__ import annotations

from typing import Any

from domain.bus import EventHandlers
from domain.money import Money
from domain.orders.commands import RefundLineInput, RefundOrder
from domain.orders.errors import UnknownOrder
from domain.orders.services import refund_in
from domain.ports import Clock
from domain.tickets.events import RefundTicketResolved


class TicketRefund:
    def __init__(self, clock: Clock) -> None:
        self._clock = clock

    async def __call__(self, event: RefundTicketResolved, uow: Any) -> None:
        order = await uow.orders.get(event.order_id)
        if order is None:
            raise UnknownOrder(f"no order with id {event.order_id}", field=("orderId",))
        lines = tuple(
            RefundLineInput(sku=str(line["sku"]), quantity=int(line["quantity"]))
            for line in event.lines
        )
        if event.amount is not None:
            amount = Money(event.amount, event.currency or order.total.currency)
        else:
            prices = {line.sku: line.unit_price.amount for line in order.lines}
            wanted = sum(prices.get(line.sku, 0) * line.quantity for line in lines)
            amount = Money(min(wanted, order.remaining.amount), order.total.currency)
        if amount.amount <= 0:
            return
        await refund_in(
            uow,
            self._clock,
            RefundOrder(
                order_id=event.order_id,
                amount=amount,
                idempotency_key=event.idempotency_key,
                reason=f"ticket {event.ticket_id}",
                lines=lines,
            ),
        )


def register_ticket_refund_handler(handlers: EventHandlers, clock: Clock) -> None:
    handlers.on(RefundTicketResolved, TicketRefund(clock))
