"""Use cases of the tickets context; each owns one unit of work."""

from __future__ import annotations

from uuid import UUID

from domain.ids import new_id
from domain.ports import Clock
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
    CustomerMismatch,
    CustomerRequired,
    OrderLinesNotAllowed,
    OrderOfAnotherCustomer,
    OrderRequired,
    TicketNotFound,
    UnknownAgent,
    UnknownCustomer,
    UnknownOrder,
)
from domain.tickets.model import Ticket
from domain.tickets.repository import CustomerValue, TicketsUnitOfWork
from domain.tickets.values import (
    Actor,
    OrderLineRef,
    TicketMessage,
    check_lines_against_order,
    validated_lines,
)


async def create_ticket(uow: TicketsUnitOfWork, clock: Clock, command: CreateTicket) -> Ticket:
    """Open a ticket for a customer (a customer only for themselves and their own orders),
    with a priority defaulted from the customer's value unless an agent sets one."""
    actor = command.actor
    async with uow:
        settings = await uow.ticket_settings.current()
        customer = await _customer_for(uow, actor, command.customer_id)
        lines = validated_lines(command.lines)
        await _check_order(uow, command, actor, customer.customer_id, lines)
        if command.priority is not None and actor.is_customer:
            raise AgentOnlyAction("only support agents can set a priority", field=("priority",))
        priority = command.priority or settings.priorities.priority_for(
            tier_code=customer.tier_code, clv=customer.clv
        )
        ticket = Ticket.open(
            number=await uow.tickets.next_number(),
            kind=command.kind,
            subject=command.subject,
            body=command.body,
            customer_id=customer.customer_id,
            order_id=command.order_id,
            lines=lines,
            priority=priority,
            opened_by=actor,
            now=clock.now(),
            sla=settings.sla,
        )
        await uow.tickets.add(ticket)
        _emit(uow, ticket)
        await uow.commit()
    return ticket


async def _customer_for(
    uow: TicketsUnitOfWork, actor: Actor, customer_id: UUID | None
) -> CustomerValue:
    if actor.is_customer:
        if customer_id is not None and customer_id != actor.id:
            raise CustomerMismatch(
                "a customer can open tickets only for themselves", field=("customerId",)
            )
        customer_id = actor.id
    if customer_id is None:
        raise CustomerRequired("name the customer the ticket is for", field=("customerId",))
    value = await uow.ticket_customers.value_of(customer_id)
    if value is None:
        raise UnknownCustomer("customer not found", field=("customerId",))
    return value


async def _check_order(
    uow: TicketsUnitOfWork,
    command: CreateTicket,
    actor: Actor,
    customer_id: UUID,
    lines: tuple[OrderLineRef, ...],
) -> None:
    if lines and not command.kind.is_after_sales:
        raise OrderLinesNotAllowed(
            "order lines are for RETURN, EXCHANGE and REFUND tickets", field=("lines",)
        )
    if command.order_id is None:
        if command.kind.is_after_sales:
            raise OrderRequired(
                f"a {command.kind.value} ticket must name its order", field=("orderId",)
            )
        return
    order = await uow.ticket_orders.summary_of(command.order_id)
    if order is None or (actor.is_customer and order.customer_id != customer_id):
        # A customer learns nothing about other customers' orders.
        raise UnknownOrder("order not found", field=("orderId",))
    if order.customer_id != customer_id:
        raise OrderOfAnotherCustomer("the order belongs to another customer", field=("orderId",))
    check_lines_against_order(lines, order.quantities_by_sku)


async def transition_ticket(
    uow: TicketsUnitOfWork, clock: Clock, command: TransitionTicket
) -> Ticket:
    """Move a ticket in the workflow (staff); resolving a REFUND with lines records the refund."""
    async with uow:
        settings = await uow.ticket_settings.current()
        ticket, loaded = await _load(
            uow, command.ticket_id, command.actor, command.expected_version
        )
        ticket.transition(
            command.to,
            by=command.actor,
            now=clock.now(),
            sla=settings.sla,
            refund_amount=command.refund_amount,
        )
        await _store(uow, ticket, loaded)
    return ticket


async def assign_ticket(uow: TicketsUnitOfWork, clock: Clock, command: AssignTicket) -> Ticket:
    """Assign a ticket to an agent, or put it back in the unassigned queue (staff)."""
    async with uow:
        ticket, loaded = await _load(
            uow, command.ticket_id, command.actor, command.expected_version
        )
        agent = command.assignee_id
        # Only a new assignee is checked: keeping a revoked agent's ticket is no change.
        if (
            agent is not None
            and agent != ticket.assignee_id
            and not await uow.ticket_agents.is_agent(agent)
        ):
            raise UnknownAgent(
                f"no active SUPPORT or ADMIN API key has id {agent}", field=("assigneeId",)
            )
        ticket.assign(agent, by=command.actor, now=clock.now())
        await _store(uow, ticket, loaded)
    return ticket


async def reply_to_ticket(
    uow: TicketsUnitOfWork, clock: Clock, command: ReplyToTicket
) -> TicketMessage:
    """Add a public reply or an internal note; moves the workflow and SLA clocks as needed."""
    async with uow:
        settings = await uow.ticket_settings.current()
        ticket, loaded = await _load(
            uow, command.ticket_id, command.actor, command.expected_version
        )
        message = ticket.reply(
            command.body,
            by=command.actor,
            is_note=command.is_note,
            now=clock.now(),
            sla=settings.sla,
        )
        await _store(uow, ticket, loaded)
    return message


async def reprioritize_ticket(
    uow: TicketsUnitOfWork, clock: Clock, command: ReprioritizeTicket
) -> Ticket:
    """Override a ticket's priority (staff); its SLA due times follow."""
    async with uow:
        settings = await uow.ticket_settings.current()
        ticket, loaded = await _load(
            uow, command.ticket_id, command.actor, command.expected_version
        )
        ticket.reprioritize(command.priority, by=command.actor, now=clock.now(), sla=settings.sla)
        await _store(uow, ticket, loaded)
    return ticket


async def rate_ticket(uow: TicketsUnitOfWork, clock: Clock, command: RateTicket) -> Ticket:
    """Record the customer's satisfaction rating of their resolved ticket."""
    async with uow:
        ticket, loaded = await _load(uow, command.ticket_id, command.actor, None)
        ticket.rate(command.rating, by=command.actor, now=clock.now())
        await _store(uow, ticket, loaded)
    return ticket


async def grant_goodwill_points(
    uow: TicketsUnitOfWork, clock: Clock, command: GrantGoodwillPoints
) -> Ticket:
    """Grant goodwill points on a ticket (SUPPORT); loyalty credits them in this transaction
    through its GoodwillPointsGranted handler."""
    async with uow:
        ticket, loaded = await _load(uow, command.ticket_id, command.actor, None)
        ticket.grant_goodwill(
            command.points,
            command.reason,
            by=command.actor,
            now=clock.now(),
            idempotency_key=command.idempotency_key or f"ticket-goodwill:{new_id()}",
        )
        await _store(uow, ticket, loaded)
    return ticket


async def flag_sla_breaches(uow: TicketsUnitOfWork, clock: Clock, *, limit: int = 500) -> int:
    """Flag missed SLA targets on up to `limit` tickets and publish TicketSlaBreached for
    each (the scheduled job calls it until it returns 0). A ticket changed meanwhile by an
    agent fails the batch with ConcurrentModification; the next run picks it up."""
    now = clock.now()
    flagged = 0
    async with uow:
        for ticket in await uow.tickets.find_breach_candidates(now, limit):
            loaded = ticket.version
            targets = ticket.breaches(now)
            if targets:
                flagged += len(targets)
                await uow.tickets.save(ticket, loaded)
                _emit(uow, ticket)
        await uow.commit()
    return flagged


async def _load(
    uow: TicketsUnitOfWork, ticket_id: UUID, actor: Actor, expected_version: int | None
) -> tuple[Ticket, int]:
    ticket = await uow.tickets.get(ticket_id)
    if ticket is None:
        raise TicketNotFound("ticket not found", field=("id",))
    ticket.ensure_visible_to(actor)
    if expected_version is not None and expected_version != ticket.version:
        raise ConcurrentModification(
            f"the ticket was changed by someone else (version {ticket.version}, "
            f"you had {expected_version}); reload it and try again",
            field=("expectedVersion",),
        )
    return ticket, ticket.version


async def _store(uow: TicketsUnitOfWork, ticket: Ticket, loaded_version: int) -> None:
    if ticket.version != loaded_version:  # unchanged (e.g. the same assignee): no write
        await uow.tickets.save(ticket, loaded_version)
    _emit(uow, ticket)
    await uow.commit()


def _emit(uow: TicketsUnitOfWork, ticket: Ticket) -> None:
    for event in ticket.pull_events():
        uow.emit(event)
