"""Changes made at the same time without `expected_version` behave as if serialised: the
loser reloads the ticket and re-applies its change in a fresh unit of work."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from uuid import UUID

import pytest

from domain.ids import new_id
from domain.tickets.commands import (
    AssignTicket,
    CreateTicket,
    RateTicket,
    ReplyToTicket,
    ReprioritizeTicket,
    TransitionTicket,
)
from domain.tickets.errors import ConcurrentModification, InvalidTicketTransition
from domain.tickets.model import Ticket
from domain.tickets.priority import Priority
from domain.tickets.services import (
    SERIALISED_ATTEMPTS,
    assign_ticket,
    create_ticket,
    rate_ticket,
    reply_to_ticket,
    reprioritize_ticket,
    transition_ticket,
)
from domain.tickets.values import Actor, TicketKind, TicketStatus
from tests.unit.fakes import FixedClock
from tests.unit.tickets.builders import AGENT, OTHER_AGENT, make_settings, make_sla
from tests.unit.tickets.fakes import FakeTicketRepository, FakeTicketsUnitOfWork

S = TicketStatus
SLA = make_sla()


class InterleavingTicketRepository(FakeTicketRepository):
    """Yields after every read, so that concurrent use cases would all read before any
    writes, were they not taking turns."""

    async def get(self, ticket_id: UUID) -> Ticket | None:
        ticket = await super().get(ticket_id)
        await asyncio.sleep(0)
        return ticket


class OvertakenRepository(FakeTicketRepository):
    """A writer of another process saves its change between this one's read and write
    (the first `times` writes)."""

    def __init__(self, theirs: Callable[[Ticket], object], *, times: int = 1) -> None:
        super().__init__()
        self.theirs = theirs
        self.times = times

    async def save(self, ticket: Ticket, expected_version: int) -> None:
        if self.times > 0:
            self.times -= 1
            stored = await self.get(ticket.id)
            assert stored is not None
            self.theirs(stored)
            self.rows[ticket.id] = stored
        await super().save(ticket, expected_version)


class Units:
    """A factory of fresh units of work over one shared store (what `Services.uow` is)."""

    def __init__(self, tickets: FakeTicketRepository) -> None:
        self.tickets = tickets
        self.made: list[FakeTicketsUnitOfWork] = []

    def __call__(self) -> FakeTicketsUnitOfWork:
        uow = FakeTicketsUnitOfWork(make_settings())
        uow.tickets = self.tickets
        self.made.append(uow)
        return uow

    @property
    def committed(self) -> int:
        return sum(uow.committed for uow in self.made)


async def _open(units: Units, clock: FixedClock) -> tuple[Ticket, Actor]:
    uow = units()
    customer_id = new_id()
    uow.ticket_customers.add(customer_id, tier_code="MEMBER")
    command = CreateTicket(
        actor=Actor.customer(customer_id), kind=TicketKind.INQUIRY, subject="Help", body="Hi"
    )
    return await create_ticket(uow, clock, command), Actor.customer(customer_id)


def _their_reply(clock: FixedClock) -> Callable[[Ticket], object]:
    def write(ticket: Ticket) -> object:
        return ticket.reply("Theirs", by=OTHER_AGENT, is_note=False, now=clock.now(), sla=SLA)

    return write


def _their_transition(clock: FixedClock, to: TicketStatus) -> Callable[[Ticket], object]:
    def move(ticket: Ticket) -> object:
        ticket.transition(to, by=OTHER_AGENT, now=clock.now(), sla=SLA)
        return None

    return move


async def test_simultaneous_replies_in_one_process_take_turns_and_all_land(
    clock: FixedClock,
) -> None:
    # Given a ticket, and an agent, its customer and a colleague replying at once
    units = Units(InterleavingTicketRepository())
    ticket, customer = await _open(units, clock)

    written = await asyncio.gather(
        reply_to_ticket(units, clock, ReplyToTicket(actor=AGENT, ticket_id=ticket.id, body="A")),
        reply_to_ticket(units, clock, ReplyToTicket(actor=customer, ticket_id=ticket.id, body="C")),
        reply_to_ticket(
            units,
            clock,
            ReplyToTicket(actor=OTHER_AGENT, ticket_id=ticket.id, body="N", is_note=True),
        ),
    )

    # Then every message lands, each written on the ticket the previous one left
    stored = units.tickets.rows[ticket.id]
    assert [m.body for m in stored.messages] == ["Hi", "A", "C", "N"]
    assert [m.seq for m in written] == [2, 3, 4]
    assert stored.version == 4
    assert len(units.made) == 1 + 3  # no attempt was lost: they took turns


async def test_a_reply_overtaken_by_another_process_is_re_applied_after_its_write(
    clock: FixedClock,
) -> None:
    units = Units(OvertakenRepository(_their_reply(clock)))
    ticket, customer = await _open(units, clock)

    mine = await reply_to_ticket(
        units, clock, ReplyToTicket(actor=customer, ticket_id=ticket.id, body="Mine")
    )

    stored = units.tickets.rows[ticket.id]
    assert [(m.seq, m.body) for m in stored.messages] == [(1, "Hi"), (2, "Theirs"), (3, "Mine")]
    assert (mine.seq, stored.version) == (3, 3)
    assert units.committed == 2  # the creation and the second attempt


async def test_a_transition_another_process_already_made_is_an_invalid_transition(
    clock: FixedClock,
) -> None:
    units = Units(OvertakenRepository(_their_transition(clock, S.IN_PROGRESS)))
    ticket, _ = await _open(units, clock)

    with pytest.raises(InvalidTicketTransition) as refused:
        await transition_ticket(
            units, clock, TransitionTicket(actor=AGENT, ticket_id=ticket.id, to=S.IN_PROGRESS)
        )

    assert refused.value.field == ("status",)
    stored = units.tickets.rows[ticket.id]
    assert (stored.status, stored.version) == (S.IN_PROGRESS, 2)


async def test_a_transition_still_allowed_after_another_process_moved_the_ticket_is_applied(
    clock: FixedClock,
) -> None:
    units = Units(OvertakenRepository(_their_transition(clock, S.IN_PROGRESS)))
    ticket, _ = await _open(units, clock)

    await transition_ticket(
        units, clock, TransitionTicket(actor=AGENT, ticket_id=ticket.id, to=S.RESOLVED)
    )

    stored = units.tickets.rows[ticket.id]
    assert (stored.status, stored.version) == (S.RESOLVED, 3)


async def test_ten_identical_transitions_at_once_move_the_ticket_once(clock: FixedClock) -> None:
    units = Units(InterleavingTicketRepository())
    ticket, _ = await _open(units, clock)

    results = await asyncio.gather(
        *(
            transition_ticket(
                units, clock, TransitionTicket(actor=AGENT, ticket_id=ticket.id, to=S.IN_PROGRESS)
            )
            for _ in range(10)
        ),
        return_exceptions=True,
    )

    assert sum(isinstance(r, Ticket) for r in results) == 1
    refused = [r for r in results if not isinstance(r, Ticket)]
    assert len(refused) == 9
    assert all(isinstance(r, InvalidTicketTransition) for r in refused), refused
    stored = units.tickets.rows[ticket.id]
    assert (stored.status, stored.version) == (S.IN_PROGRESS, 2)


async def test_assign_reprioritize_and_rate_are_re_applied_too(clock: FixedClock) -> None:
    units = Units(OvertakenRepository(_their_reply(clock), times=0))
    ticket, customer = await _open(units, clock)
    await transition_ticket(
        units, clock, TransitionTicket(actor=AGENT, ticket_id=ticket.id, to=S.RESOLVED)
    )
    assert isinstance(units.tickets, OvertakenRepository)
    units.tickets.times = 3  # each change below loses its first attempt to another writer

    await assign_ticket(
        units, clock, AssignTicket(actor=AGENT, ticket_id=ticket.id, assignee_id=AGENT.id)
    )
    await reprioritize_ticket(
        units, clock, ReprioritizeTicket(actor=AGENT, ticket_id=ticket.id, priority=Priority.HIGH)
    )
    await rate_ticket(units, clock, RateTicket(actor=customer, ticket_id=ticket.id, rating=4))

    stored = units.tickets.rows[ticket.id]
    assert (stored.assignee_id, stored.priority, stored.rating) == (AGENT.id, Priority.HIGH, 4)
    assert [m.body for m in stored.messages] == ["Hi", "Theirs", "Theirs", "Theirs"]


async def test_with_an_expected_version_a_change_made_since_is_refused_not_retried(
    clock: FixedClock,
) -> None:
    units = Units(OvertakenRepository(_their_reply(clock)))
    ticket, _ = await _open(units, clock)
    made_before = len(units.made)

    with pytest.raises(ConcurrentModification):
        await reply_to_ticket(
            units,
            clock,
            ReplyToTicket(actor=AGENT, ticket_id=ticket.id, body="Mine", expected_version=1),
        )

    assert len(units.made) - made_before == 1
    assert [m.body for m in units.tickets.rows[ticket.id].messages] == ["Hi", "Theirs"]


async def test_retries_are_bounded(clock: FixedClock) -> None:
    units = Units(OvertakenRepository(_their_reply(clock), times=100))
    ticket, _ = await _open(units, clock)
    made_before = len(units.made)

    with pytest.raises(ConcurrentModification):
        await reply_to_ticket(
            units, clock, ReplyToTicket(actor=AGENT, ticket_id=ticket.id, body="Hello?")
        )

    assert len(units.made) - made_before == SERIALISED_ATTEMPTS
    assert units.committed == 1  # only the creation


async def test_a_single_unit_of_work_gets_one_attempt(clock: FixedClock) -> None:
    units = Units(OvertakenRepository(_their_reply(clock)))
    ticket, _ = await _open(units, clock)

    with pytest.raises(ConcurrentModification):
        await reply_to_ticket(
            units(), clock, ReplyToTicket(actor=AGENT, ticket_id=ticket.id, body="Hello?")
        )
