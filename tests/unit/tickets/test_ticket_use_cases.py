"""Working a ticket: transitions under concurrency, replies, assignment, rating,
refunds, goodwill and the SLA breach job."""

from __future__ import annotations

import asyncio
from typing import Any
from uuid import UUID

import pytest

from domain.bus import EventHandlers
from domain.errors import ValidationFailed
from domain.ids import new_id
from domain.money import Money
from domain.tickets.commands import (
    AssignTicket,
    CreateTicket,
    GrantGoodwillPoints,
    RateTicket,
    ReplyToTicket,
    ReprioritizeTicket,
    TransitionTicket,
)
from domain.tickets.errors import (
    AgentOnlyAction,
    ConcurrentModification,
    GoodwillReasonRequired,
    InvalidGoodwillPoints,
    RefundAmountNotAllowed,
    TicketNotFound,
)
from domain.tickets.events import (
    GoodwillPointsGranted,
    RefundTicketResolved,
    TicketAssigned,
    TicketSlaBreached,
)
from domain.tickets.model import Ticket
from domain.tickets.priority import Priority
from domain.tickets.services import (
    assign_ticket,
    create_ticket,
    flag_sla_breaches,
    grant_goodwill_points,
    rate_ticket,
    reply_to_ticket,
    reprioritize_ticket,
    transition_ticket,
)
from domain.tickets.values import Actor, OrderLineRef, TicketKind, TicketStatus
from tests.unit.fakes import FixedClock
from tests.unit.tickets.builders import AGENT, OTHER_AGENT, make_settings, paris
from tests.unit.tickets.fakes import FakeTicketRepository, FakeTicketsUnitOfWork

S = TicketStatus


async def open_ticket(
    uow: FakeTicketsUnitOfWork,
    clock: FixedClock,
    *,
    kind: TicketKind = TicketKind.INQUIRY,
    lines: tuple[OrderLineRef, ...] = (),
) -> Ticket:
    customer_id = new_id()
    uow.ticket_customers.add(customer_id, tier_code="MEMBER")
    order_id = None
    if kind.is_after_sales:
        order_id = new_id()
        uow.ticket_orders.add(order_id, customer_id, {"TEE-1": 2})
    ticket = await create_ticket(
        uow,
        clock,
        CreateTicket(
            actor=Actor.customer(customer_id),
            kind=kind,
            subject="Help",
            body="Please",
            order_id=order_id,
            lines=lines,
        ),
    )
    uow.published.clear()
    return ticket


async def test_a_stale_expected_version_is_refused_as_a_concurrent_modification(
    uow: FakeTicketsUnitOfWork, clock: FixedClock
) -> None:
    ticket = await open_ticket(uow, clock)
    await transition_ticket(
        uow,
        clock,
        TransitionTicket(actor=AGENT, ticket_id=ticket.id, to=S.IN_PROGRESS, expected_version=1),
    )

    with pytest.raises(ConcurrentModification) as refused:
        await transition_ticket(
            uow,
            clock,
            TransitionTicket(
                actor=OTHER_AGENT, ticket_id=ticket.id, to=S.RESOLVED, expected_version=1
            ),
        )

    assert "version 2" in refused.value.message
    assert uow.tickets.rows[ticket.id].status is S.IN_PROGRESS


class InterleavingTicketRepository(FakeTicketRepository):
    """Yields after every read, so two use cases both read before either writes."""

    async def get(self, ticket_id: UUID) -> Ticket | None:
        ticket = await super().get(ticket_id)
        await asyncio.sleep(0)
        return ticket


async def test_two_agents_transitioning_at_once_one_wins_and_the_other_gets_a_conflict(
    clock: FixedClock,
) -> None:
    shared = InterleavingTicketRepository()
    first, second = (FakeTicketsUnitOfWork(make_settings()) for _ in range(2))
    first.tickets = second.tickets = shared
    ticket = await open_ticket(first, clock)

    results = await asyncio.gather(
        transition_ticket(
            first, clock, TransitionTicket(actor=AGENT, ticket_id=ticket.id, to=S.IN_PROGRESS)
        ),
        transition_ticket(
            second, clock, TransitionTicket(actor=OTHER_AGENT, ticket_id=ticket.id, to=S.RESOLVED)
        ),
        return_exceptions=True,
    )

    assert isinstance(results[0], Ticket)
    assert isinstance(results[1], ConcurrentModification)
    stored = shared.rows[ticket.id]
    assert (stored.status, stored.version) == (S.IN_PROGRESS, 2)
    assert second.committed == 0


async def test_the_repository_refuses_the_second_save_of_the_same_version(
    uow: FakeTicketsUnitOfWork, clock: FixedClock
) -> None:
    ticket = await open_ticket(uow, clock)
    mine, theirs = await uow.tickets.get(ticket.id), await uow.tickets.get(ticket.id)
    assert mine is not None
    assert theirs is not None
    mine.assign(AGENT.id, by=AGENT, now=clock.now())
    theirs.assign(OTHER_AGENT.id, by=OTHER_AGENT, now=clock.now())

    await uow.tickets.save(mine, expected_version=1)
    with pytest.raises(ConcurrentModification):
        await uow.tickets.save(theirs, expected_version=1)

    assert uow.tickets.rows[ticket.id].assignee_id == AGENT.id


async def test_a_customer_reply_via_the_use_case_puts_a_waiting_ticket_back_in_progress(
    uow: FakeTicketsUnitOfWork, clock: FixedClock
) -> None:
    ticket = await open_ticket(uow, clock)
    for to in (S.IN_PROGRESS, S.WAITING_ON_CUSTOMER):
        await transition_ticket(
            uow, clock, TransitionTicket(actor=AGENT, ticket_id=ticket.id, to=to)
        )

    message = await reply_to_ticket(
        uow,
        clock,
        ReplyToTicket(actor=Actor.customer(ticket.customer_id), ticket_id=ticket.id, body="Here"),
    )

    stored = uow.tickets.rows[ticket.id]
    assert stored.status is S.IN_PROGRESS
    assert stored.messages[-1] == message
    assert stored.version == 4


async def test_another_customer_can_neither_reply_to_nor_rate_the_ticket(
    uow: FakeTicketsUnitOfWork, clock: FixedClock
) -> None:
    ticket = await open_ticket(uow, clock)
    stranger = Actor.customer(new_id())

    with pytest.raises(TicketNotFound):
        await reply_to_ticket(
            uow, clock, ReplyToTicket(actor=stranger, ticket_id=ticket.id, body="hi")
        )
    with pytest.raises(TicketNotFound):
        await rate_ticket(uow, clock, RateTicket(actor=stranger, ticket_id=ticket.id, rating=1))
    with pytest.raises(TicketNotFound):
        await rate_ticket(uow, clock, RateTicket(actor=stranger, ticket_id=new_id(), rating=1))


async def test_the_customer_rates_through_the_use_case(
    uow: FakeTicketsUnitOfWork, clock: FixedClock
) -> None:
    ticket = await open_ticket(uow, clock)
    await transition_ticket(
        uow, clock, TransitionTicket(actor=AGENT, ticket_id=ticket.id, to=S.RESOLVED)
    )

    await rate_ticket(
        uow,
        clock,
        RateTicket(actor=Actor.customer(ticket.customer_id), ticket_id=ticket.id, rating=5),
    )

    assert uow.tickets.rows[ticket.id].rating == 5


async def test_assigning_publishes_the_new_assignee_and_reassigning_the_same_is_a_no_op(
    uow: FakeTicketsUnitOfWork, clock: FixedClock
) -> None:
    ticket = await open_ticket(uow, clock)

    await assign_ticket(
        uow, clock, AssignTicket(actor=AGENT, ticket_id=ticket.id, assignee_id=AGENT.id)
    )
    saves = uow.tickets.saves
    await assign_ticket(
        uow, clock, AssignTicket(actor=AGENT, ticket_id=ticket.id, assignee_id=AGENT.id)
    )

    [event] = uow.published
    assert isinstance(event, TicketAssigned)
    assert (event.assignee_id, event.previous_assignee_id) == (AGENT.id, None)
    assert uow.tickets.saves == saves
    with pytest.raises(AgentOnlyAction):
        await assign_ticket(
            uow,
            clock,
            AssignTicket(
                actor=Actor.customer(ticket.customer_id), ticket_id=ticket.id, assignee_id=None
            ),
        )


async def test_an_agent_overrides_the_priority(
    uow: FakeTicketsUnitOfWork, clock: FixedClock
) -> None:
    ticket = await open_ticket(uow, clock)

    await reprioritize_ticket(
        uow, clock, ReprioritizeTicket(actor=AGENT, ticket_id=ticket.id, priority=Priority.URGENT)
    )

    assert uow.tickets.rows[ticket.id].priority is Priority.URGENT


async def test_resolving_a_refund_ticket_with_lines_requests_the_refund_once(
    uow: FakeTicketsUnitOfWork, clock: FixedClock
) -> None:
    ticket = await open_ticket(
        uow, clock, kind=TicketKind.REFUND, lines=(OrderLineRef("TEE-1", 1),)
    )
    refund = Money(1500, "EUR")

    await transition_ticket(
        uow,
        clock,
        TransitionTicket(actor=AGENT, ticket_id=ticket.id, to=S.RESOLVED, refund_amount=refund),
    )
    await transition_ticket(
        uow, clock, TransitionTicket(actor=AGENT, ticket_id=ticket.id, to=S.IN_PROGRESS)
    )
    await transition_ticket(
        uow, clock, TransitionTicket(actor=AGENT, ticket_id=ticket.id, to=S.RESOLVED)
    )

    refunds = [e for e in uow.published if isinstance(e, RefundTicketResolved)]
    assert len(refunds) == 1
    [event] = refunds
    assert (event.order_id, event.customer_id) == (ticket.order_id, ticket.customer_id)
    assert event.lines == ({"sku": "TEE-1", "quantity": 1},)
    assert (event.amount, event.currency) == (1500, "EUR")
    assert event.idempotency_key == f"ticket-refund:{ticket.id}"


async def test_a_refund_amount_is_refused_where_no_refund_happens(
    uow: FakeTicketsUnitOfWork, clock: FixedClock
) -> None:
    ticket = await open_ticket(uow, clock)

    with pytest.raises(RefundAmountNotAllowed) as refused:
        await transition_ticket(
            uow,
            clock,
            TransitionTicket(
                actor=AGENT, ticket_id=ticket.id, to=S.RESOLVED, refund_amount=Money(1, "EUR")
            ),
        )

    assert refused.value.field == ("refundAmount",)
    assert uow.tickets.rows[ticket.id].status is S.OPEN


async def test_goodwill_points_are_handed_to_loyalty_in_the_same_transaction(
    clock: FixedClock,
) -> None:
    credited: list[tuple[GoodwillPointsGranted, int]] = []
    handlers = EventHandlers()

    async def credit(event: GoodwillPointsGranted, uow: Any) -> None:
        credited.append((event, uow.committed))

    handlers.on(GoodwillPointsGranted, credit)
    uow = FakeTicketsUnitOfWork(make_settings(), handlers)
    ticket = await open_ticket(uow, clock)

    await grant_goodwill_points(
        uow,
        clock,
        GrantGoodwillPoints(
            actor=AGENT,
            ticket_id=ticket.id,
            points=500,
            reason="Late parcel",
            idempotency_key="k-1",
        ),
    )

    [(event, commits_before)] = credited
    assert commits_before == 1  # only the creation had committed: it ran inside the grant's
    assert (event.customer_id, event.points, event.reason, event.idempotency_key) == (
        ticket.customer_id,
        500,
        "Late parcel",
        "k-1",
    )
    stored = uow.tickets.rows[ticket.id]
    assert stored.messages[-1].is_note
    assert stored.messages_visible_to(Actor.customer(ticket.customer_id))[-1].body == "Please"


@pytest.mark.parametrize(
    ("points", "reason", "error"),
    [
        (0, "x", InvalidGoodwillPoints),
        (100_001, "x", InvalidGoodwillPoints),
        (10, " ", GoodwillReasonRequired),
    ],
)
async def test_a_goodwill_grant_needs_sensible_points_and_a_reason(
    uow: FakeTicketsUnitOfWork, clock: FixedClock, points: int, reason: str, error: type[Exception]
) -> None:
    ticket = await open_ticket(uow, clock)

    with pytest.raises(error):
        await grant_goodwill_points(
            uow,
            clock,
            GrantGoodwillPoints(actor=AGENT, ticket_id=ticket.id, points=points, reason=reason),
        )

    assert uow.published == []


async def test_a_customer_cannot_grant_themselves_goodwill(
    uow: FakeTicketsUnitOfWork, clock: FixedClock
) -> None:
    ticket = await open_ticket(uow, clock)

    with pytest.raises(AgentOnlyAction):
        await grant_goodwill_points(
            uow,
            clock,
            GrantGoodwillPoints(
                actor=Actor.customer(ticket.customer_id),
                ticket_id=ticket.id,
                points=10,
                reason="me",
            ),
        )


async def test_the_breach_job_flags_overdue_tickets_once(
    uow: FakeTicketsUnitOfWork, clock: FixedClock
) -> None:
    overdue = await open_ticket(uow, clock)
    clock.set(paris(2026, 1, 15, 14))
    await open_ticket(uow, clock)  # first response due at 18:00: not overdue yet
    answered = await open_ticket(uow, clock)
    await reply_to_ticket(uow, clock, ReplyToTicket(actor=AGENT, ticket_id=answered.id, body="Hi"))
    uow.published.clear()

    clock.set(paris(2026, 1, 15, 15, 30))
    flagged = await flag_sla_breaches(uow, clock, limit=10)
    again = await flag_sla_breaches(uow, clock, limit=10)

    assert (flagged, again) == (1, 0)
    [event] = uow.published
    assert isinstance(event, TicketSlaBreached)
    assert (event.ticket_id, event.target) == (overdue.id, "FIRST_RESPONSE")
    assert uow.tickets.rows[overdue.id].version == 2


@pytest.mark.parametrize(
    ("refused_at", "reported_at"),
    [
        (("amount",), ("refundAmount",)),
        (("amount", "currency"), ("refundAmount", "currency")),
        (("amount", "amount"), ("refundAmount", "amount")),
        (("lines", "0", "quantity"), ("lines", "0", "quantity")),
    ],
)
async def test_a_refused_refund_names_the_refund_amount_of_the_transition(
    clock: FixedClock, refused_at: tuple[str, ...], reported_at: tuple[str, ...]
) -> None:
    # Given the orders context refusing the refund at a path of its own refund input
    async def refuse(event: RefundTicketResolved, uow: Any) -> None:
        raise ValidationFailed("refused by the order", field=refused_at)

    handlers = EventHandlers()
    handlers.on(RefundTicketResolved, refuse)
    uow = FakeTicketsUnitOfWork(make_settings(), handlers)
    ticket = await open_ticket(
        uow, clock, kind=TicketKind.REFUND, lines=(OrderLineRef("TEE-1", 1),)
    )

    # When resolving the ticket with a refund amount
    with pytest.raises(ValidationFailed) as refused:
        await transition_ticket(
            uow,
            clock,
            TransitionTicket(
                actor=AGENT, ticket_id=ticket.id, to=S.RESOLVED, refund_amount=Money(9, "EUR")
            ),
        )

    # Then the error names the transition's field: its `amount` is our `refundAmount`
    assert refused.value.field == reported_at
