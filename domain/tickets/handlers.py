"""In-transaction reactions of the tickets context to other contexts' events."""

from __future__ import annotations

from datetime import UTC, datetime

from domain.activity.events import ReviewPosted
from domain.bus import EventHandlers
from domain.ports import Clock
from domain.tickets.errors import UnknownCustomer
from domain.tickets.model import Ticket
from domain.tickets.repository import TicketsUnitOfWork
from domain.tickets.values import Actor, TicketKind

NEGATIVE_REVIEW_MAX_RATING = 2


class _SystemClock:
    """The wall clock, for handlers registered without one."""

    def now(self) -> datetime:
        return datetime.now(UTC)


def register_handlers(handlers: EventHandlers, *, clock: Clock | None = None) -> None:
    """Open a REVIEW ticket for every review rated 2 or less (once per review event).

    `clock` dates the ticket (its SLA starts then, not when the review was written, so a
    back-filled import of old reviews does not breach at once); the wall clock by default.
    """
    when: Clock = clock or _SystemClock()

    async def open_ticket_for_negative_review(event: ReviewPosted, uow: TicketsUnitOfWork) -> None:
        await open_review_ticket(uow, when, event)

    handlers.on(ReviewPosted, open_ticket_for_negative_review)


async def open_review_ticket(
    uow: TicketsUnitOfWork, clock: Clock, event: ReviewPosted
) -> Ticket | None:
    """Within the caller's transaction: the REVIEW ticket for a low rating (idempotent on
    `event.event_id`), or None when the rating is not low."""
    if event.rating > NEGATIVE_REVIEW_MAX_RATING:
        return None
    existing = await uow.tickets.find_by_source_event(event.event_id)
    if existing is not None:
        return existing
    customer = await uow.ticket_customers.value_of(event.customer_id)
    if customer is None:
        raise UnknownCustomer("the reviewing customer does not exist", field=("customerId",))
    order_id = None
    if event.order_id is not None:
        order = await uow.ticket_orders.summary_of(event.order_id)
        # Link the order only when it is known and the reviewer's own.
        if order is not None and order.customer_id == customer.customer_id:
            order_id = order.order_id
    settings = await uow.ticket_settings.current()
    about = f" on {event.sku}" if event.sku else ""
    ticket = Ticket.open(
        number=await uow.tickets.next_number(),
        kind=TicketKind.REVIEW,
        subject=f"Negative review ({event.rating}/5){about}",
        body=(
            f"The customer posted a review rated {event.rating}/5{about} on "
            f"{event.occurred_at.date().isoformat()}. Follow up with them."
        ),
        customer_id=customer.customer_id,
        order_id=order_id,
        lines=(),
        priority=settings.priorities.priority_for(tier_code=customer.tier_code, clv=customer.clv),
        opened_by=Actor.system(event.event_id),
        now=clock.now(),
        sla=settings.sla,
        source_event_id=event.event_id,
    )
    await uow.tickets.add(ticket)
    for ticket_event in ticket.pull_events():
        uow.emit(ticket_event)
    return ticket
