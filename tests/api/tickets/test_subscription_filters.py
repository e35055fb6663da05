"""Which committed ticket events reach which ticketUpdated subscriber."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from api.tickets.subscriptions import update_filter
from domain.events import DomainEvent
from domain.ids import new_id
from domain.tickets.events import TicketAssigned, TicketReplied, TicketSlaBreached
from domain.tickets.values import Actor
from patronage.publisher import event_payload

NOW = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
CUSTOMER, OTHER = new_id(), new_id()
AGENT, OTHER_AGENT = new_id(), new_id()
TICKET = new_id()


def _routing(**over: Any) -> dict[str, Any]:
    return {
        "ticket_id": TICKET,
        "customer_id": CUSTOMER,
        "assignee_id": AGENT,
        "occurred_at": NOW,
        **over,
    }


def _reply(*, is_note: bool, **over: Any) -> dict[str, Any]:
    event = TicketReplied(
        **_routing(**over),
        message_id=new_id(),
        seq=2,
        author_kind="AGENT",
        author_id=AGENT,
        is_note=is_note,
    )
    return _payload(event)


def _payload(event: DomainEvent) -> dict[str, Any]:
    return event_payload(event)


def test_a_customer_hears_public_replies_on_their_own_tickets_only() -> None:
    accept = update_filter(Actor.customer(CUSTOMER), None, None)
    assert accept(_reply(is_note=False))
    assert not accept(_reply(is_note=True))
    assert not accept(_reply(is_note=False, customer_id=OTHER))


def test_a_customer_does_not_hear_the_internal_handling() -> None:
    accept = update_filter(Actor.customer(CUSTOMER), None, None)
    assigned = _payload(TicketAssigned(**_routing(), previous_assignee_id=None))
    breached = _payload(
        TicketSlaBreached(**_routing(), target="FIRST_RESPONSE", due_at=NOW, priority="HIGH")
    )
    assert not accept(assigned)
    assert not accept(breached)


def test_a_customer_filtering_by_assignee_still_hears_their_tickets() -> None:
    accept = update_filter(Actor.customer(CUSTOMER), None, OTHER_AGENT)
    assert accept(_reply(is_note=False))


def test_staff_hear_notes_and_filter_by_ticket() -> None:
    accept = update_filter(Actor.agent(AGENT), TICKET, None)
    assert accept(_reply(is_note=True))
    assert not accept(_reply(is_note=False, ticket_id=new_id()))


def test_the_assignee_filter_matches_the_new_and_the_previous_assignee() -> None:
    accept = update_filter(Actor.agent(AGENT), None, OTHER_AGENT)
    handed_over = _payload(
        TicketAssigned(**_routing(assignee_id=OTHER_AGENT), previous_assignee_id=AGENT)
    )
    taken_away = _payload(
        TicketAssigned(**_routing(assignee_id=AGENT), previous_assignee_id=OTHER_AGENT)
    )
    assert accept(handed_over)
    assert accept(taken_away)
    assert not accept(_reply(is_note=False))  # assigned to AGENT, not OTHER_AGENT
