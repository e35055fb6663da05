"""Demo tickets in every state, opened by customers and worked by a support agent."""

from __future__ import annotations

import random
from uuid import UUID

from sqlalchemy import select

from api.context import Services
from domain.access.model import Role
from domain.access.services import create_api_key
from domain.tickets.commands import (
    AssignTicket,
    CreateTicket,
    RateTicket,
    ReplyToTicket,
    TransitionTicket,
)
from domain.tickets.services import (
    assign_ticket,
    create_ticket,
    rate_ticket,
    reply_to_ticket,
    transition_ticket,
)
from domain.tickets.values import Actor, OrderLineRef, TicketKind, TicketStatus
from persistence.tables.orders import order_lines, orders

# (kind, subject, the customer's first message, the states it goes through)
SCRIPTS: list[tuple[TicketKind, str, str, list[TicketStatus]]] = [
    (TicketKind.INQUIRY, "Do the sneakers run small?", "I am usually a 39, which size?", []),
    (
        TicketKind.ORDER_ISSUE,
        "Where is my parcel?",
        "Tracking has not moved for 4 days.",
        [TicketStatus.IN_PROGRESS],
    ),
    (
        TicketKind.RETURN,
        "Return the striped tee",
        "It does not fit, can I send it back?",
        [TicketStatus.IN_PROGRESS, TicketStatus.WAITING_ON_CUSTOMER],
    ),
    (
        TicketKind.EXCHANGE,
        "Exchange boots for a larger size",
        "Please swap for a 42.",
        [TicketStatus.IN_PROGRESS, TicketStatus.RESOLVED],
    ),
    (
        TicketKind.COMPLAINT,
        "Rude delivery driver",
        "The courier threw the box over the gate.",
        [TicketStatus.IN_PROGRESS, TicketStatus.RESOLVED, TicketStatus.CLOSED],
    ),
    (
        TicketKind.REFUND,
        "Refund for a damaged bag",
        "The strap broke on day one.",
        [TicketStatus.IN_PROGRESS, TicketStatus.RESOLVED, TicketStatus.IN_PROGRESS],
    ),
]


async def seed_tickets(services: Services, customer_ids: list[UUID], *, rounds: int = 4) -> int:
    """Open `rounds` tickets per script for random customers; returns how many."""
    rng = random.Random(11)
    agent = await create_api_key(
        services.uow(), services.clock, name="demo support agent", role=Role.SUPPORT, actor="demo"
    )
    staff = Actor.agent(agent.key.id)
    created = 0
    for _ in range(rounds):
        for kind, subject, body, path in SCRIPTS:
            customer_id = rng.choice(customer_ids)
            order_id, lines = await _an_order_of(services, customer_id)
            after_sales = kind in {TicketKind.RETURN, TicketKind.EXCHANGE, TicketKind.REFUND}
            if after_sales and order_id is None:
                continue
            ticket = await create_ticket(
                services.uow(),
                services.clock,
                CreateTicket(
                    actor=Actor.customer(customer_id),
                    kind=kind,
                    subject=subject,
                    body=body,
                    customer_id=customer_id,
                    order_id=order_id if after_sales else None,
                    lines=lines if after_sales else (),
                ),
            )
            created += 1
            if path:
                await assign_ticket(
                    services.uow(),
                    services.clock,
                    AssignTicket(actor=staff, ticket_id=ticket.id, assignee_id=agent.key.id),
                )
                await reply_to_ticket(
                    services.uow(),
                    services.clock,
                    ReplyToTicket(actor=staff, ticket_id=ticket.id, body="Thanks, we are on it."),
                )
                await reply_to_ticket(
                    services.uow(),
                    services.clock,
                    ReplyToTicket(
                        actor=staff, ticket_id=ticket.id, body="Checked stock first.", is_note=True
                    ),
                )
            for status in path:
                await transition_ticket(
                    services.uow(),
                    services.clock,
                    TransitionTicket(actor=staff, ticket_id=ticket.id, to=status),
                )
            if path and path[-1] in {TicketStatus.RESOLVED, TicketStatus.CLOSED}:
                await rate_ticket(
                    services.uow(),
                    services.clock,
                    RateTicket(
                        actor=Actor.customer(customer_id),
                        ticket_id=ticket.id,
                        rating=rng.randint(3, 5),
                    ),
                )
    return created


async def _an_order_of(
    services: Services, customer_id: UUID
) -> tuple[UUID | None, tuple[OrderLineRef, ...]]:
    async with services.read() as conn:
        row = (
            await conn.execute(
                select(orders.c.id)
                .where(
                    orders.c.customer_id == customer_id, orders.c.status.in_(["PAID", "FULFILLED"])
                )
                .order_by(orders.c.placed_at.desc())
                .limit(1)
            )
        ).first()
        if row is None:
            return None, ()
        line = (
            await conn.execute(
                select(order_lines.c.sku).where(order_lines.c.order_id == row.id).limit(1)
            )
        ).first()
    return row.id, ((OrderLineRef(sku=line.sku, quantity=1),) if line else ())
