"""Tickets in an erasure: subjects and message bodies are replaced, the rest is kept."""

from __future__ import annotations

from dataclasses import fields, replace
from datetime import timedelta
from uuid import UUID

import pytest

from domain.bus import EventHandlers
from domain.customers.events import CustomerErased
from domain.ids import new_id
from domain.tickets.commands import ReplyToTicket
from domain.tickets.erasure import ERASED_TEXT, erase_ticket_texts_in, register_erasure_handler
from domain.tickets.errors import ConcurrentModification
from domain.tickets.model import Ticket
from domain.tickets.services import reply_to_ticket
from domain.tickets.values import Actor, TicketStatus
from tests.unit.fakes import FixedClock
from tests.unit.tickets.builders import AGENT, make_settings, make_sla, make_ticket, paris
from tests.unit.tickets.fakes import FakeTicketsUnitOfWork

NOW = paris(2026, 1, 15, 10)


def conversation(customer_id: UUID, *, number: int) -> Ticket:
    """A resolved and rated ticket: the customer's message, a note, a reply, a follow-up."""
    ticket = make_ticket(now=NOW, customer_id=customer_id, number=number)
    sla = make_sla()
    ticket.reply("Jane Doe, 1 rue de Paris: parcel 42", by=AGENT, is_note=True, now=NOW, sla=sla)
    ticket.reply("Dear Jane, it is on its way", by=AGENT, is_note=False, now=NOW, sla=sla)
    later = NOW + timedelta(hours=1)
    ticket.reply("Thanks!", by=Actor.customer(customer_id), is_note=False, now=later, sla=sla)
    ticket.transition(TicketStatus.RESOLVED, by=AGENT, now=later, sla=sla)
    ticket.rate(4, by=Actor.customer(customer_id), now=later)
    ticket.pull_events()
    return ticket


async def stored(uow: FakeTicketsUnitOfWork, ticket_id: UUID) -> Ticket:
    ticket = await uow.tickets.get(ticket_id)
    assert ticket is not None
    return ticket


def as_erased(ticket: Ticket, *, version: int) -> Ticket:
    """What erasure should leave: the same ticket with only its texts (and version) new."""
    return replace(
        ticket,
        subject=ERASED_TEXT,
        messages=[replace(m, body=ERASED_TEXT) for m in ticket.messages],
        version=version,
    )


def same(left: Ticket, right: Ticket) -> bool:
    # Tickets compare by identity (eq=False): compare their stored fields.
    stored_fields = [f.name for f in fields(Ticket) if not f.name.startswith("_")]
    return all(getattr(left, name) == getattr(right, name) for name in stored_fields)


async def test_erasure_replaces_the_subject_and_every_message_and_keeps_the_rest(
    uow: FakeTicketsUnitOfWork,
) -> None:
    # Given a customer with two tickets (messages by them and agents, a note)
    customer_id = new_id()
    tickets = [conversation(customer_id, number=n) for n in (1, 2)]
    for ticket in tickets:
        await uow.tickets.add(ticket)
    before = [await stored(uow, t.id) for t in tickets]

    # When the customer's ticket texts are erased
    changed = await erase_ticket_texts_in(uow, customer_id)

    # Then only the texts changed, and each ticket has a new version
    assert changed == 2
    for old in before:
        new = await stored(uow, old.id)
        assert same(new, as_erased(old, version=old.version + 1))
        assert [m.body for m in new.messages] == [ERASED_TEXT] * 4
        assert [m.is_note for m in new.messages] == [False, True, False, False]
        assert (new.status, new.rating) == (TicketStatus.RESOLVED, 4)


async def test_a_second_erasure_changes_nothing(uow: FakeTicketsUnitOfWork) -> None:
    customer_id = new_id()
    ticket = conversation(customer_id, number=1)
    await uow.tickets.add(ticket)
    await erase_ticket_texts_in(uow, customer_id)
    once = await stored(uow, ticket.id)

    changed = await erase_ticket_texts_in(uow, customer_id)

    assert changed == 0
    assert same(await stored(uow, ticket.id), once)


async def test_another_customers_tickets_are_untouched(uow: FakeTicketsUnitOfWork) -> None:
    erased, other = new_id(), new_id()
    await uow.tickets.add(conversation(erased, number=1))
    kept = conversation(other, number=2)
    await uow.tickets.add(kept)
    before = await stored(uow, kept.id)

    await erase_ticket_texts_in(uow, erased)

    assert same(await stored(uow, kept.id), before)
    assert before.subject == "Where is my parcel?"


async def test_a_customer_without_tickets_changes_nothing(uow: FakeTicketsUnitOfWork) -> None:
    assert await erase_ticket_texts_in(uow, new_id()) == 0


async def test_the_handler_erases_in_the_erase_transaction_and_emits_nothing_more() -> None:
    # Given the handler registered on the unit of work's bus
    handlers = EventHandlers()
    register_erasure_handler(handlers)
    uow = FakeTicketsUnitOfWork(make_settings(), handlers)
    customer_id = new_id()
    ticket = conversation(customer_id, number=1)
    await uow.tickets.add(ticket)

    # When CustomerErased is emitted and the unit of work commits
    erased = CustomerErased(customer_id=customer_id)
    uow.emit(erased)
    await uow.commit()

    # Then the texts are gone, and no ticket event (with or without the old text) follows
    new = await stored(uow, ticket.id)
    assert new.subject == ERASED_TEXT
    assert {m.body for m in new.messages} == {ERASED_TEXT}
    assert uow.published == [erased]


async def test_an_agent_holding_the_old_version_gets_a_conflict(
    uow: FakeTicketsUnitOfWork, clock: FixedClock
) -> None:
    customer_id = new_id()
    ticket = make_ticket(now=NOW, customer_id=customer_id)
    await uow.tickets.add(ticket)
    seen_version = ticket.version

    await erase_ticket_texts_in(uow, customer_id)

    with pytest.raises(ConcurrentModification):
        await reply_to_ticket(
            uow,
            clock,
            ReplyToTicket(
                actor=AGENT,
                ticket_id=ticket.id,
                body="As I said, Jane...",
                expected_version=seen_version,
            ),
        )
    assert [m.body for m in (await stored(uow, ticket.id)).messages] == [ERASED_TEXT]
