"""Replies, internal notes, who sees what, and the satisfaction rating."""

from __future__ import annotations

from datetime import timedelta

import pytest

from domain.ids import new_id
from domain.tickets.errors import (
    InvalidMessageBody,
    InvalidRating,
    NotesAreStaffOnly,
    NotTicketCustomer,
    ReopenWindowExpired,
    TicketAlreadyRated,
    TicketClosed,
    TicketNotFound,
    TicketNotResolved,
)
from domain.tickets.events import TicketRated, TicketReplied, TicketTransitioned
from domain.tickets.model import Ticket
from domain.tickets.sla import SlaTarget
from domain.tickets.values import Actor, TicketStatus
from tests.unit.tickets.builders import AGENT, make_sla, make_ticket, paris

NOW = paris(2026, 1, 15, 10)
S = TicketStatus


def test_a_customer_never_sees_internal_notes_but_agents_do() -> None:
    ticket = make_ticket(now=NOW)
    customer = Actor.customer(ticket.customer_id)
    ticket.reply("Checking with the carrier", by=AGENT, is_note=True, now=NOW, sla=make_sla())
    ticket.reply("We are on it!", by=AGENT, is_note=False, now=NOW, sla=make_sla())

    seen_by_customer = [m.body for m in ticket.messages_visible_to(customer)]
    seen_by_agent = [m.body for m in ticket.messages_visible_to(AGENT)]

    assert seen_by_customer == ["It has been a week.", "We are on it!"]
    assert seen_by_agent == ["It has been a week.", "Checking with the carrier", "We are on it!"]
    assert [m.seq for m in ticket.messages] == [1, 2, 3]


def test_another_customer_cannot_read_the_ticket_at_all() -> None:
    ticket = make_ticket(now=NOW)

    with pytest.raises(TicketNotFound):
        ticket.messages_visible_to(Actor.customer(new_id()))


def test_a_customer_cannot_write_an_internal_note() -> None:
    ticket = make_ticket(now=NOW)

    with pytest.raises(NotesAreStaffOnly) as refused:
        ticket.reply(
            "psst", by=Actor.customer(ticket.customer_id), is_note=True, now=NOW, sla=make_sla()
        )

    assert refused.value.field == ("isNote",)
    assert len(ticket.messages) == 1


def test_a_customer_cannot_reply_to_another_customers_ticket() -> None:
    ticket = make_ticket(now=NOW)

    with pytest.raises(TicketNotFound):
        ticket.reply("hi", by=Actor.customer(new_id()), is_note=False, now=NOW, sla=make_sla())


def test_the_reply_event_tells_subscribers_whether_it_is_a_note() -> None:
    ticket = make_ticket(now=NOW)
    ticket.assign(AGENT.id, by=AGENT, now=NOW)
    ticket.pull_events()

    ticket.reply("internal", by=AGENT, is_note=True, now=NOW, sla=make_sla())

    [event] = ticket.pull_events()
    assert isinstance(event, TicketReplied)
    assert event.is_note is True
    assert (event.customer_id, event.assignee_id, event.author_kind) == (
        ticket.customer_id,
        AGENT.id,
        "AGENT",
    )


def test_a_customer_reply_while_waiting_moves_the_ticket_back_in_progress() -> None:
    ticket = make_ticket(now=NOW)
    ticket.transition(S.IN_PROGRESS, by=AGENT, now=NOW, sla=make_sla())
    ticket.transition(S.WAITING_ON_CUSTOMER, by=AGENT, now=NOW, sla=make_sla())
    ticket.pull_events()

    ticket.reply(
        "Here is the photo",
        by=Actor.customer(ticket.customer_id),
        is_note=False,
        now=NOW + timedelta(hours=1),
        sla=make_sla(),
    )

    assert ticket.status is S.IN_PROGRESS
    transitioned, replied = ticket.pull_events()
    assert isinstance(transitioned, TicketTransitioned)
    assert transitioned.to_status == "IN_PROGRESS"
    assert isinstance(replied, TicketReplied)


def test_a_customer_reply_reopens_a_recently_resolved_ticket_but_not_an_old_one() -> None:
    recent = make_ticket(now=NOW)
    recent.transition(S.RESOLVED, by=AGENT, now=NOW, sla=make_sla())
    old = make_ticket(now=NOW)
    old.transition(S.RESOLVED, by=AGENT, now=NOW, sla=make_sla())

    recent.reply(
        "Still broken",
        by=Actor.customer(recent.customer_id),
        is_note=False,
        now=NOW + timedelta(days=3),
        sla=make_sla(),
    )
    with pytest.raises(ReopenWindowExpired):
        old.reply(
            "Still broken",
            by=Actor.customer(old.customer_id),
            is_note=False,
            now=NOW + timedelta(days=15),
            sla=make_sla(),
        )

    assert recent.status is S.IN_PROGRESS
    assert old.status is S.RESOLVED
    assert len(old.messages) == 1


def test_the_first_agent_public_reply_records_the_first_response() -> None:
    ticket = make_ticket(now=NOW)
    sla = make_sla()
    ticket.reply("note", by=AGENT, is_note=True, now=NOW + timedelta(minutes=5), sla=sla)
    ticket.reply(
        "auto-ack", by=Actor.system(), is_note=False, now=NOW + timedelta(minutes=6), sla=sla
    )
    assert ticket.first_responded_at is None

    ticket.reply("Hello!", by=AGENT, is_note=False, now=NOW + timedelta(minutes=10), sla=sla)
    ticket.reply("Again", by=AGENT, is_note=False, now=NOW + timedelta(minutes=20), sla=sla)

    assert ticket.first_responded_at == NOW + timedelta(minutes=10)
    clock = ticket.sla_clocks[SlaTarget.FIRST_RESPONSE]
    assert clock.met_at == NOW + timedelta(minutes=10)


def test_a_closed_ticket_takes_no_more_replies() -> None:
    ticket = make_ticket(now=NOW)
    ticket.transition(S.RESOLVED, by=AGENT, now=NOW, sla=make_sla())
    ticket.transition(S.CLOSED, by=AGENT, now=NOW, sla=make_sla())

    with pytest.raises(TicketClosed):
        ticket.reply("hello?", by=AGENT, is_note=False, now=NOW, sla=make_sla())


@pytest.mark.parametrize("body", ["", "   ", "x" * 10_001])
def test_a_blank_or_oversized_message_is_refused(body: str) -> None:
    ticket = make_ticket(now=NOW)

    with pytest.raises(InvalidMessageBody) as refused:
        ticket.reply(body, by=AGENT, is_note=False, now=NOW, sla=make_sla())

    assert refused.value.field == ("body",)


def resolved_ticket() -> Ticket:
    ticket = make_ticket(now=NOW)
    ticket.transition(S.RESOLVED, by=AGENT, now=NOW, sla=make_sla())
    ticket.pull_events()
    return ticket


def test_the_customer_rates_a_resolved_ticket_once() -> None:
    ticket = resolved_ticket()
    customer = Actor.customer(ticket.customer_id)

    ticket.rate(4, by=customer, now=NOW + timedelta(hours=1))

    assert (ticket.rating, ticket.rated_at) == (4, NOW + timedelta(hours=1))
    [event] = ticket.pull_events()
    assert isinstance(event, TicketRated)
    assert event.rating == 4
    with pytest.raises(TicketAlreadyRated):
        ticket.rate(5, by=customer, now=NOW + timedelta(hours=2))
    assert ticket.rating == 4


def test_rating_before_resolution_is_refused() -> None:
    ticket = make_ticket(now=NOW)
    ticket.transition(S.IN_PROGRESS, by=AGENT, now=NOW, sla=make_sla())

    with pytest.raises(TicketNotResolved, match="IN_PROGRESS"):
        ticket.rate(5, by=Actor.customer(ticket.customer_id), now=NOW)

    assert ticket.rating is None


def test_a_closed_ticket_can_still_be_rated() -> None:
    ticket = resolved_ticket()
    ticket.transition(S.CLOSED, by=AGENT, now=NOW, sla=make_sla())

    ticket.rate(2, by=Actor.customer(ticket.customer_id), now=NOW)

    assert ticket.rating == 2


@pytest.mark.parametrize("rater", [Actor.customer(new_id()), AGENT, Actor.system()])
def test_only_the_tickets_customer_can_rate_it(rater: Actor) -> None:
    ticket = resolved_ticket()

    with pytest.raises(NotTicketCustomer):
        ticket.rate(5, by=rater, now=NOW)

    assert ticket.rating is None


@pytest.mark.parametrize("rating", [0, 6, -1])
def test_a_rating_outside_one_to_five_is_refused(rating: int) -> None:
    ticket = resolved_ticket()

    with pytest.raises(InvalidRating) as refused:
        ticket.rate(rating, by=Actor.customer(ticket.customer_id), now=NOW)

    assert refused.value.field == ("rating",)
