"""Opening tickets: who may open what, order and line checks, priority defaults."""

from __future__ import annotations

from uuid import UUID

import pytest

from domain.ids import new_id
from domain.tickets.commands import CreateTicket
from domain.tickets.errors import (
    AgentOnlyAction,
    CustomerMismatch,
    CustomerRequired,
    InvalidOrderLine,
    InvalidSubject,
    OrderLinesNotAllowed,
    OrderOfAnotherCustomer,
    OrderRequired,
    UnknownCustomer,
    UnknownOrder,
)
from domain.tickets.events import TicketCreated, TicketReplied
from domain.tickets.priority import Priority
from domain.tickets.services import create_ticket
from domain.tickets.sla import SlaTarget
from domain.tickets.values import Actor, OrderLineRef, TicketKind, TicketStatus
from tests.unit.fakes import FixedClock
from tests.unit.tickets.builders import AGENT, paris
from tests.unit.tickets.fakes import FakeTicketsUnitOfWork


def a_customer(uow: FakeTicketsUnitOfWork, tier: str | None = "MEMBER") -> UUID:
    customer_id = new_id()
    uow.ticket_customers.add(customer_id, tier_code=tier)
    return customer_id


def an_order(uow: FakeTicketsUnitOfWork, customer_id: UUID) -> UUID:
    order_id = new_id()
    uow.ticket_orders.add(order_id, customer_id, {"TEE-1": 2, "CAP-9": 1})
    return order_id


async def test_a_customer_opens_a_ticket_for_themselves(
    uow: FakeTicketsUnitOfWork, clock: FixedClock
) -> None:
    customer_id = a_customer(uow, tier="GOLD")

    ticket = await create_ticket(
        uow,
        clock,
        CreateTicket(
            actor=Actor.customer(customer_id),
            kind=TicketKind.INQUIRY,
            subject="  Sizes?  ",
            body="Do you have XL?",
        ),
    )

    stored = uow.tickets.rows[ticket.id]
    assert (stored.customer_id, stored.status, stored.subject) == (
        customer_id,
        TicketStatus.OPEN,
        "Sizes?",
    )
    assert stored.priority is Priority.HIGH  # GOLD
    assert stored.number == 1001
    assert stored.version == 1
    assert stored.sla_clocks[SlaTarget.FIRST_RESPONSE].due_at == paris(2026, 1, 15, 11)
    assert uow.committed == 1
    created, replied = uow.published
    assert isinstance(created, TicketCreated)
    assert (created.number, created.kind, created.priority) == (1001, "INQUIRY", "HIGH")
    assert isinstance(replied, TicketReplied)
    assert replied.author_kind == "CUSTOMER"


async def test_an_agent_opens_a_return_for_a_customers_order_lines(
    uow: FakeTicketsUnitOfWork, clock: FixedClock
) -> None:
    customer_id = a_customer(uow)
    order_id = an_order(uow, customer_id)

    ticket = await create_ticket(
        uow,
        clock,
        CreateTicket(
            actor=AGENT,
            kind=TicketKind.RETURN,
            subject="Return tee",
            body="Customer called",
            customer_id=customer_id,
            order_id=order_id,
            lines=[OrderLineRef("TEE-1", 2)],
            priority=Priority.URGENT,
        ),
    )

    assert ticket.order_id == order_id
    assert ticket.lines == (OrderLineRef("TEE-1", 2),)
    assert ticket.priority is Priority.URGENT


async def test_a_customer_cannot_open_a_ticket_for_someone_else(
    uow: FakeTicketsUnitOfWork, clock: FixedClock
) -> None:
    me, other = a_customer(uow), a_customer(uow)

    with pytest.raises(CustomerMismatch) as refused:
        await create_ticket(
            uow,
            clock,
            CreateTicket(
                actor=Actor.customer(me),
                kind=TicketKind.INQUIRY,
                subject="x",
                body="y",
                customer_id=other,
            ),
        )

    assert refused.value.field == ("customerId",)
    assert uow.tickets.rows == {}
    assert uow.committed == 0


async def test_a_customer_cannot_open_a_ticket_about_someone_elses_order(
    uow: FakeTicketsUnitOfWork, clock: FixedClock
) -> None:
    me, other = a_customer(uow), a_customer(uow)
    their_order = an_order(uow, other)

    with pytest.raises(UnknownOrder) as refused:
        await create_ticket(
            uow,
            clock,
            CreateTicket(
                actor=Actor.customer(me),
                kind=TicketKind.ORDER_ISSUE,
                subject="x",
                body="y",
                order_id=their_order,
            ),
        )

    assert refused.value.field == ("orderId",)
    assert uow.tickets.rows == {}


async def test_an_agent_cannot_link_an_order_of_another_customer(
    uow: FakeTicketsUnitOfWork, clock: FixedClock
) -> None:
    customer, other = a_customer(uow), a_customer(uow)

    with pytest.raises(OrderOfAnotherCustomer):
        await create_ticket(
            uow,
            clock,
            CreateTicket(
                actor=AGENT,
                kind=TicketKind.ORDER_ISSUE,
                subject="x",
                body="y",
                customer_id=customer,
                order_id=an_order(uow, other),
            ),
        )


async def test_an_unknown_customer_or_order_is_refused(
    uow: FakeTicketsUnitOfWork, clock: FixedClock
) -> None:
    with pytest.raises(UnknownCustomer):
        await create_ticket(
            uow,
            clock,
            CreateTicket(
                actor=AGENT, kind=TicketKind.INQUIRY, subject="x", body="y", customer_id=new_id()
            ),
        )
    with pytest.raises(UnknownOrder):
        await create_ticket(
            uow,
            clock,
            CreateTicket(
                actor=AGENT,
                kind=TicketKind.ORDER_ISSUE,
                subject="x",
                body="y",
                customer_id=a_customer(uow),
                order_id=new_id(),
            ),
        )


async def test_an_agent_must_name_the_customer(
    uow: FakeTicketsUnitOfWork, clock: FixedClock
) -> None:
    with pytest.raises(CustomerRequired):
        await create_ticket(
            uow, clock, CreateTicket(actor=AGENT, kind=TicketKind.INQUIRY, subject="x", body="y")
        )


async def test_a_customer_cannot_choose_the_priority(
    uow: FakeTicketsUnitOfWork, clock: FixedClock
) -> None:
    me = a_customer(uow)

    with pytest.raises(AgentOnlyAction) as refused:
        await create_ticket(
            uow,
            clock,
            CreateTicket(
                actor=Actor.customer(me),
                kind=TicketKind.INQUIRY,
                subject="x",
                body="y",
                priority=Priority.URGENT,
            ),
        )

    assert refused.value.field == ("priority",)


async def test_order_lines_belong_only_to_returns_exchanges_and_refunds(
    uow: FakeTicketsUnitOfWork, clock: FixedClock
) -> None:
    me = a_customer(uow)

    with pytest.raises(OrderLinesNotAllowed):
        await create_ticket(
            uow,
            clock,
            CreateTicket(
                actor=Actor.customer(me),
                kind=TicketKind.COMPLAINT,
                subject="x",
                body="y",
                order_id=an_order(uow, me),
                lines=[OrderLineRef("TEE-1", 1)],
            ),
        )


async def test_a_refund_must_name_its_order(uow: FakeTicketsUnitOfWork, clock: FixedClock) -> None:
    with pytest.raises(OrderRequired) as refused:
        await create_ticket(
            uow,
            clock,
            CreateTicket(
                actor=Actor.customer(a_customer(uow)),
                kind=TicketKind.REFUND,
                subject="x",
                body="y",
            ),
        )

    assert refused.value.field == ("orderId",)


@pytest.mark.parametrize(
    ("lines", "field"),
    [
        ([OrderLineRef("SOCK-0", 1)], ("lines", "0", "sku")),
        ([OrderLineRef("CAP-9", 1), OrderLineRef("TEE-1", 3)], ("lines", "1", "quantity")),
        ([OrderLineRef("TEE-1", 0)], ("lines", "0", "quantity")),
        ([OrderLineRef(" ", 1)], ("lines", "0", "sku")),
        ([OrderLineRef("TEE-1", 1), OrderLineRef("TEE-1", 1)], ("lines", "1", "sku")),
    ],
)
async def test_lines_must_match_the_orders_lines(
    uow: FakeTicketsUnitOfWork,
    clock: FixedClock,
    lines: list[OrderLineRef],
    field: tuple[str, ...],
) -> None:
    me = a_customer(uow)

    with pytest.raises(InvalidOrderLine) as refused:
        await create_ticket(
            uow,
            clock,
            CreateTicket(
                actor=Actor.customer(me),
                kind=TicketKind.RETURN,
                subject="x",
                body="y",
                order_id=an_order(uow, me),
                lines=lines,
            ),
        )

    assert refused.value.field == field


async def test_a_blank_subject_is_refused(uow: FakeTicketsUnitOfWork, clock: FixedClock) -> None:
    with pytest.raises(InvalidSubject) as refused:
        await create_ticket(
            uow,
            clock,
            CreateTicket(
                actor=Actor.customer(a_customer(uow)),
                kind=TicketKind.INQUIRY,
                subject=" ",
                body="y",
            ),
        )

    assert refused.value.field == ("subject",)
    assert uow.tickets.rows == {}


async def test_a_customer_cannot_open_a_review_ticket(
    uow: FakeTicketsUnitOfWork, clock: FixedClock
) -> None:
    customer_id = a_customer(uow)

    with pytest.raises(AgentOnlyAction) as refused:
        await create_ticket(
            uow,
            clock,
            CreateTicket(
                actor=Actor.customer(customer_id),
                kind=TicketKind.REVIEW,
                subject="My review",
                body="Follow it up",
            ),
        )

    assert refused.value.field == ("kind",)
    assert uow.tickets.rows == {}


async def test_an_agent_may_open_a_review_ticket_by_hand(
    uow: FakeTicketsUnitOfWork, clock: FixedClock
) -> None:
    customer_id = a_customer(uow)

    ticket = await create_ticket(
        uow,
        clock,
        CreateTicket(
            actor=AGENT,
            kind=TicketKind.REVIEW,
            subject="Phoned about a 1-star review",
            body="Call back",
            customer_id=customer_id,
        ),
    )

    assert ticket.kind is TicketKind.REVIEW
