"""Use cases of the tickets context; each owns one unit of work.

The use cases that change an existing ticket take either a unit of work or a factory of
them (`Services.uow`). Given a factory, changes made without `expected_version` behave as
if serialised: writers of one ticket in this process take turns, and when a writer of
another process saved the ticket first (ConcurrentModification), the ticket is loaded
again and the change re-applied in a fresh unit of work, up to `SERIALISED_ATTEMPTS` times
in all. A change the ticket no longer allows once re-read is refused for that reason (a
second move to IN_PROGRESS is an invalid transition). With `expected_version` the caller
asked for a compare-and-set: a change made since is CONCURRENT_MODIFICATION, never
retried. A unit of work is entered once, so one given instead of a factory gets one
attempt (the CLI demo and tests that drive a use case with their own unit of work).
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from typing import TypeVar
from uuid import UUID
from weakref import WeakValueDictionary

from domain.errors import DomainError
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

T = TypeVar("T")
UnitOfWorkFactory = Callable[[], TicketsUnitOfWork]
# Writers of one ticket in one process take turns (see `_turn_of`), so a race is lost only
# to another process's writer; the retries of the losers are spread by a jittered backoff
# (at most 30 ms in all).
SERIALISED_ATTEMPTS = 5
RETRY_BACKOFF_SECONDS = 0.002


async def create_ticket(uow: TicketsUnitOfWork, clock: Clock, command: CreateTicket) -> Ticket:
    """Open a ticket for a customer (a customer only for themselves and their own orders),
    with a priority defaulted from the customer's value unless an agent sets one."""
    actor = command.actor
    if actor.is_customer and not command.kind.customers_may_open:
        raise AgentOnlyAction(
            f"a {command.kind.value} ticket follows up a negative review and is opened by "
            "the store; choose COMPLAINT to raise an issue",
            field=("kind",),
        )
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
    uow: TicketsUnitOfWork | UnitOfWorkFactory, clock: Clock, command: TransitionTicket
) -> Ticket:
    """Move a ticket in the workflow (staff); resolving a REFUND with lines records the refund."""

    async def attempt(uow: TicketsUnitOfWork) -> Ticket:
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
            # The refund is recorded by the orders context while committing; it reports
            # paths of an orderRefund input, whose `amount` is this command's refund amount.
            with _refund_amount_paths():
                await _store(uow, ticket, loaded)
        return ticket

    return await _serialised(uow, command.ticket_id, command.expected_version, attempt)


async def assign_ticket(
    uow: TicketsUnitOfWork | UnitOfWorkFactory, clock: Clock, command: AssignTicket
) -> Ticket:
    """Assign a ticket to an agent, or put it back in the unassigned queue (staff)."""

    async def attempt(uow: TicketsUnitOfWork) -> Ticket:
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

    return await _serialised(uow, command.ticket_id, command.expected_version, attempt)


async def reply_to_ticket(
    uow: TicketsUnitOfWork | UnitOfWorkFactory, clock: Clock, command: ReplyToTicket
) -> TicketMessage:
    """Add a public reply or an internal note; moves the workflow and SLA clocks as needed.
    Messages are append-only: without `expected_version`, simultaneous replies all land."""

    async def attempt(uow: TicketsUnitOfWork) -> TicketMessage:
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

    return await _serialised(uow, command.ticket_id, command.expected_version, attempt)


async def reprioritize_ticket(
    uow: TicketsUnitOfWork | UnitOfWorkFactory, clock: Clock, command: ReprioritizeTicket
) -> Ticket:
    """Override a ticket's priority (staff); its SLA due times follow."""

    async def attempt(uow: TicketsUnitOfWork) -> Ticket:
        async with uow:
            settings = await uow.ticket_settings.current()
            ticket, loaded = await _load(
                uow, command.ticket_id, command.actor, command.expected_version
            )
            ticket.reprioritize(
                command.priority, by=command.actor, now=clock.now(), sla=settings.sla
            )
            await _store(uow, ticket, loaded)
        return ticket

    return await _serialised(uow, command.ticket_id, command.expected_version, attempt)


async def rate_ticket(
    uow: TicketsUnitOfWork | UnitOfWorkFactory, clock: Clock, command: RateTicket
) -> Ticket:
    """Record the customer's satisfaction rating of their resolved ticket."""

    async def attempt(uow: TicketsUnitOfWork) -> Ticket:
        async with uow:
            ticket, loaded = await _load(uow, command.ticket_id, command.actor, None)
            ticket.rate(command.rating, by=command.actor, now=clock.now())
            await _store(uow, ticket, loaded)
        return ticket

    return await _serialised(uow, command.ticket_id, None, attempt)


async def grant_goodwill_points(
    uow: TicketsUnitOfWork | UnitOfWorkFactory, clock: Clock, command: GrantGoodwillPoints
) -> Ticket:
    """Grant goodwill points on a ticket (SUPPORT); loyalty credits them in this transaction
    through its GoodwillPointsGranted handler."""

    async def attempt(uow: TicketsUnitOfWork) -> Ticket:
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

    return await _serialised(uow, command.ticket_id, None, attempt)


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


async def _serialised(
    uow: TicketsUnitOfWork | UnitOfWorkFactory,
    ticket_id: UUID,
    expected_version: int | None,
    attempt: Callable[[TicketsUnitOfWork], Awaitable[T]],
) -> T:
    """Run `attempt` in a fresh unit of work, in turn with this process's other writers of
    the ticket; without `expected_version`, again (reloading the ticket) when a writer
    elsewhere saved it first. See the module docstring."""
    if not callable(uow):
        return await attempt(uow)
    attempts = SERIALISED_ATTEMPTS if expected_version is None else 1
    async with _turn_of(ticket_id):
        for number in range(1, attempts):
            try:
                return await attempt(uow())
            except ConcurrentModification:
                # Exponential backoff with full jitter, so that writers of other processes
                # who lost the same round do not collide again all together.
                backoff = RETRY_BACKOFF_SECONDS * 2 ** (number - 1)
                await asyncio.sleep(random.uniform(0, backoff))
        return await attempt(uow())


# One lock per ticket being written in this process, dropped when nobody holds or awaits
# it. Optimistic retries alone need about as many attempts as there are writers (each
# round has one winner); taking turns here leaves them only the writers of other processes.
_turns: WeakValueDictionary[UUID, asyncio.Lock] = WeakValueDictionary()


def _turn_of(ticket_id: UUID) -> asyncio.Lock:
    lock = _turns.get(ticket_id)
    if lock is None:
        lock = _turns[ticket_id] = asyncio.Lock()
    return lock


@contextmanager
def _refund_amount_paths() -> Iterator[None]:
    try:
        yield
    except DomainError as error:
        if error.field and error.field[0] == "amount":
            error.field = ("refundAmount", *error.field[1:])
        raise


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
