"""The ticket workflow: allowed moves, refused moves and the 14-day reopen window."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from domain.errors import InvalidTransition
from domain.tickets.errors import AgentOnlyAction, InvalidTicketTransition, ReopenWindowExpired
from domain.tickets.events import TicketTransitioned
from domain.tickets.model import Ticket
from domain.tickets.values import Actor, TicketStatus
from tests.unit.tickets.builders import AGENT, make_sla, make_ticket, paris

S = TicketStatus
NOW = paris(2026, 1, 15, 10)
PATHS: dict[TicketStatus, list[TicketStatus]] = {
    S.OPEN: [],
    S.IN_PROGRESS: [S.IN_PROGRESS],
    S.WAITING_ON_CUSTOMER: [S.IN_PROGRESS, S.WAITING_ON_CUSTOMER],
    S.RESOLVED: [S.RESOLVED],
    S.CLOSED: [S.RESOLVED, S.CLOSED],
}


def ticket_in(status: TicketStatus, *, now: datetime = NOW) -> Ticket:
    ticket = make_ticket(now=now)
    for step in PATHS[status]:
        ticket.transition(step, by=AGENT, now=now, sla=make_sla())
    ticket.pull_events()
    return ticket


INVALID = [
    (S.OPEN, S.OPEN, "allowed from OPEN: IN_PROGRESS, RESOLVED"),
    (S.OPEN, S.WAITING_ON_CUSTOMER, "allowed from OPEN: IN_PROGRESS, RESOLVED"),
    (S.OPEN, S.CLOSED, "allowed from OPEN: IN_PROGRESS, RESOLVED"),
    (S.IN_PROGRESS, S.OPEN, "allowed from IN_PROGRESS: WAITING_ON_CUSTOMER, RESOLVED"),
    (S.IN_PROGRESS, S.IN_PROGRESS, "allowed from IN_PROGRESS: WAITING_ON_CUSTOMER, RESOLVED"),
    (S.IN_PROGRESS, S.CLOSED, "allowed from IN_PROGRESS: WAITING_ON_CUSTOMER, RESOLVED"),
    (S.WAITING_ON_CUSTOMER, S.OPEN, "allowed from WAITING_ON_CUSTOMER: IN_PROGRESS, RESOLVED"),
    (
        S.WAITING_ON_CUSTOMER,
        S.WAITING_ON_CUSTOMER,
        "allowed from WAITING_ON_CUSTOMER: IN_PROGRESS, RESOLVED",
    ),
    (S.WAITING_ON_CUSTOMER, S.CLOSED, "allowed from WAITING_ON_CUSTOMER: IN_PROGRESS, RESOLVED"),
    (S.RESOLVED, S.OPEN, "allowed from RESOLVED: IN_PROGRESS, CLOSED"),
    (S.RESOLVED, S.WAITING_ON_CUSTOMER, "allowed from RESOLVED: IN_PROGRESS, CLOSED"),
    (S.RESOLVED, S.RESOLVED, "allowed from RESOLVED: IN_PROGRESS, CLOSED"),
    *[(S.CLOSED, to, "CLOSED is final: no transition is allowed") for to in TicketStatus],
]


@pytest.mark.parametrize(("current", "target", "hint"), INVALID)
def test_a_transition_outside_the_workflow_is_refused_naming_the_allowed_ones(
    current: TicketStatus, target: TicketStatus, hint: str
) -> None:
    ticket = ticket_in(current)
    version = ticket.version

    with pytest.raises(InvalidTicketTransition) as refused:
        ticket.transition(target, by=AGENT, now=NOW, sla=make_sla())

    assert isinstance(refused.value, InvalidTransition)
    assert f"from {current.value} to {target.value}" in refused.value.message
    assert hint in refused.value.message
    assert refused.value.field == ("status",)
    assert ticket.status is current
    assert ticket.version == version
    assert ticket.pull_events() == []


VALID = [
    (S.OPEN, S.IN_PROGRESS),
    (S.OPEN, S.RESOLVED),
    (S.IN_PROGRESS, S.WAITING_ON_CUSTOMER),
    (S.IN_PROGRESS, S.RESOLVED),
    (S.WAITING_ON_CUSTOMER, S.IN_PROGRESS),
    (S.WAITING_ON_CUSTOMER, S.RESOLVED),
    (S.RESOLVED, S.IN_PROGRESS),
    (S.RESOLVED, S.CLOSED),
]


@pytest.mark.parametrize(("current", "target"), VALID)
def test_a_transition_of_the_workflow_moves_the_ticket_and_is_published(
    current: TicketStatus, target: TicketStatus
) -> None:
    ticket = ticket_in(current)
    later = NOW + timedelta(hours=1)

    ticket.transition(target, by=AGENT, now=later, sla=make_sla())

    assert ticket.status is target
    [event] = ticket.pull_events()
    assert isinstance(event, TicketTransitioned)
    assert (event.from_status, event.to_status) == (current.value, target.value)
    assert (event.ticket_id, event.customer_id, event.occurred_at) == (
        ticket.id,
        ticket.customer_id,
        later,
    )


@pytest.mark.parametrize("days", [13, 14])
def test_a_resolved_ticket_can_be_reopened_within_14_days(days: int) -> None:
    ticket = ticket_in(S.RESOLVED)

    ticket.transition(S.IN_PROGRESS, by=AGENT, now=NOW + timedelta(days=days), sla=make_sla())

    assert ticket.status is S.IN_PROGRESS
    assert ticket.resolved_at is None


def test_reopening_15_days_after_resolution_is_refused_with_the_reason() -> None:
    ticket = ticket_in(S.RESOLVED)

    with pytest.raises(ReopenWindowExpired) as refused:
        ticket.transition(S.IN_PROGRESS, by=AGENT, now=NOW + timedelta(days=15), sla=make_sla())

    assert isinstance(refused.value, InvalidTicketTransition)
    assert "resolved on 2026-01-15" in refused.value.message
    assert "within 14 days" in refused.value.message
    assert ticket.status is S.RESOLVED


def test_a_customer_cannot_move_a_ticket_in_the_workflow() -> None:
    ticket = ticket_in(S.OPEN)

    with pytest.raises(AgentOnlyAction):
        ticket.transition(
            S.RESOLVED, by=Actor.customer(ticket.customer_id), now=NOW, sla=make_sla()
        )

    assert ticket.status is S.OPEN


def test_closing_records_the_time_and_resolving_records_the_resolution() -> None:
    ticket = ticket_in(S.OPEN)
    ticket.transition(S.RESOLVED, by=AGENT, now=NOW, sla=make_sla())
    ticket.transition(S.CLOSED, by=AGENT, now=NOW + timedelta(days=1), sla=make_sla())

    assert ticket.resolved_at == NOW
    assert ticket.closed_at == NOW + timedelta(days=1)
