"""SLA due times in business hours, pauses while waiting, breach flags and queue order."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from domain.tickets.events import TicketSlaBreached
from domain.tickets.model import Ticket
from domain.tickets.priority import Priority
from domain.tickets.sla import SlaTarget
from domain.tickets.values import Actor, TicketStatus
from tests.unit.tickets.builders import AGENT, make_sla, make_ticket, paris

S = TicketStatus
THURSDAY_10 = paris(2026, 1, 15, 10)


def due(ticket: Ticket, target: SlaTarget) -> datetime:
    return ticket.sla_clocks[target].due_at


def test_due_times_are_counted_in_business_hours_from_creation() -> None:
    ticket = make_ticket(now=THURSDAY_10, priority=Priority.NORMAL)

    # 4 h: 10:00-12:30 and 13:30-15:00. 24 h: three 8-hour business days.
    assert due(ticket, SlaTarget.FIRST_RESPONSE) == paris(2026, 1, 15, 15)
    assert due(ticket, SlaTarget.RESOLUTION) == paris(2026, 1, 20, 10)
    assert SlaTarget.NEXT_RESPONSE not in ticket.sla_clocks


def test_due_times_follow_the_priority() -> None:
    urgent = make_ticket(now=THURSDAY_10, priority=Priority.URGENT)
    low = make_ticket(now=THURSDAY_10, priority=Priority.LOW)

    assert due(urgent, SlaTarget.FIRST_RESPONSE) == paris(2026, 1, 15, 10, 30)
    assert due(low, SlaTarget.FIRST_RESPONSE) == paris(2026, 1, 16, 10)


def test_a_ticket_opened_on_friday_afternoon_is_due_on_monday() -> None:
    ticket = make_ticket(now=paris(2026, 1, 16, 16), priority=Priority.NORMAL)

    assert due(ticket, SlaTarget.FIRST_RESPONSE) == paris(2026, 1, 19, 11)


def test_a_ticket_opened_before_lunch_is_due_after_the_break() -> None:
    ticket = make_ticket(now=paris(2026, 1, 15, 12), priority=Priority.HIGH)

    assert due(ticket, SlaTarget.FIRST_RESPONSE) == paris(2026, 1, 15, 14)


def test_a_holiday_does_not_count_towards_the_sla() -> None:
    sla = make_sla(holidays=[date(2026, 5, 1)])
    ticket = make_ticket(now=paris(2026, 4, 30, 17), priority=Priority.NORMAL, sla=sla)

    assert due(ticket, SlaTarget.FIRST_RESPONSE) == paris(2026, 5, 4, 12)


def test_due_times_across_the_dst_change_stay_in_local_business_hours() -> None:
    ticket = make_ticket(now=paris(2026, 3, 27, 17), priority=Priority.NORMAL)

    assert due(ticket, SlaTarget.FIRST_RESPONSE) == datetime(2026, 3, 30, 10, tzinfo=UTC)


def test_waiting_on_the_customer_pauses_the_clocks_and_shifts_due_times() -> None:
    sla = make_sla()
    ticket = make_ticket(now=THURSDAY_10, priority=Priority.NORMAL, sla=sla)
    customer = Actor.customer(ticket.customer_id)
    asked = paris(2026, 1, 15, 11)
    ticket.transition(S.IN_PROGRESS, by=AGENT, now=asked, sla=sla)
    ticket.reply("Which size?", by=AGENT, is_note=False, now=asked, sla=sla)
    ticket.transition(S.WAITING_ON_CUSTOMER, by=AGENT, now=asked, sla=sla)
    # Long after the original resolution due time (Tuesday 10:00), nothing breaches.
    assert ticket.breaches(paris(2026, 1, 21, 12)) == []

    answered = paris(2026, 1, 19, 10)
    ticket.reply("Size M", by=customer, is_note=False, now=answered, sla=sla)

    # Paused Thursday 11:00 -> Monday 10:00 = 1.5 + 4.5 + 8 + 1 = 15 business hours.
    resolution = ticket.sla_clocks[SlaTarget.RESOLUTION]
    assert resolution.paused == timedelta(hours=15)
    assert resolution.due_at == paris(2026, 1, 21, 18)
    assert ticket.status is S.IN_PROGRESS
    assert ticket.paused_at is None
    # The customer's message starts the next-response clock (8 business hours).
    assert due(ticket, SlaTarget.NEXT_RESPONSE) == paris(2026, 1, 20, 10)


def test_a_resolved_period_does_not_count_after_a_reopen() -> None:
    sla = make_sla()
    ticket = make_ticket(now=THURSDAY_10, priority=Priority.NORMAL, sla=sla)
    ticket.transition(S.RESOLVED, by=AGENT, now=paris(2026, 1, 15, 11), sla=sla)
    assert ticket.sla_clocks[SlaTarget.RESOLUTION].met_at == paris(2026, 1, 15, 11)

    ticket.transition(S.IN_PROGRESS, by=AGENT, now=paris(2026, 1, 16, 11), sla=sla)

    resolution = ticket.sla_clocks[SlaTarget.RESOLUTION]
    assert resolution.is_running
    assert resolution.paused == timedelta(hours=8)
    assert resolution.due_at == paris(2026, 1, 21, 10)


def test_a_breach_is_flagged_and_published_once_per_target() -> None:
    ticket = make_ticket(now=THURSDAY_10, priority=Priority.NORMAL)
    ticket.pull_events()

    assert ticket.breaches(paris(2026, 1, 15, 15)) == []  # due at 15:00, not yet missed
    assert ticket.breaches(paris(2026, 1, 15, 15, 1)) == [SlaTarget.FIRST_RESPONSE]
    assert ticket.breaches(paris(2026, 1, 15, 16)) == []
    assert ticket.breaches(paris(2026, 1, 20, 10, 1)) == [SlaTarget.RESOLUTION]

    events = ticket.pull_events()
    assert [type(e) for e in events] == [TicketSlaBreached, TicketSlaBreached]
    first, resolution = events
    assert isinstance(first, TicketSlaBreached)
    assert isinstance(resolution, TicketSlaBreached)
    assert (first.target, first.due_at, first.priority) == (
        "FIRST_RESPONSE",
        paris(2026, 1, 15, 15),
        "NORMAL",
    )
    assert resolution.target == "RESOLUTION"
    assert ticket.sla_clocks[SlaTarget.FIRST_RESPONSE].breach_flagged
    assert ticket.updated_at == paris(2026, 1, 20, 10, 1)


def test_a_met_target_never_breaches() -> None:
    sla = make_sla()
    ticket = make_ticket(now=THURSDAY_10, priority=Priority.NORMAL, sla=sla)
    ticket.reply("Hi", by=AGENT, is_note=False, now=paris(2026, 1, 15, 14), sla=sla)

    assert ticket.breaches(paris(2026, 1, 15, 16)) == []


def test_each_new_wait_for_a_next_response_can_breach_again() -> None:
    sla = make_sla()
    ticket = make_ticket(now=THURSDAY_10, priority=Priority.HIGH, sla=sla)
    customer = Actor.customer(ticket.customer_id)
    ticket.reply("Hi", by=AGENT, is_note=False, now=paris(2026, 1, 15, 10, 30), sla=sla)
    ticket.reply("?", by=customer, is_note=False, now=paris(2026, 1, 15, 11), sla=sla)
    # A second customer message does not restart the running clock.
    ticket.reply("??", by=customer, is_note=False, now=paris(2026, 1, 15, 14), sla=sla)
    assert due(ticket, SlaTarget.NEXT_RESPONSE) == paris(2026, 1, 15, 14)

    assert ticket.breaches(paris(2026, 1, 15, 14, 30)) == [SlaTarget.NEXT_RESPONSE]
    ticket.reply("Sorry!", by=AGENT, is_note=False, now=paris(2026, 1, 15, 15), sla=sla)
    ticket.reply("Thanks", by=customer, is_note=False, now=paris(2026, 1, 15, 16), sla=sla)

    assert ticket.breaches(paris(2026, 1, 16, 9, 30)) == [SlaTarget.NEXT_RESPONSE]


def test_a_waiting_or_resolved_ticket_never_breaches() -> None:
    sla = make_sla()
    waiting = make_ticket(now=THURSDAY_10, sla=sla)
    waiting.transition(S.IN_PROGRESS, by=AGENT, now=THURSDAY_10, sla=sla)
    waiting.transition(S.WAITING_ON_CUSTOMER, by=AGENT, now=THURSDAY_10, sla=sla)
    resolved = make_ticket(now=THURSDAY_10, sla=sla)
    resolved.transition(S.RESOLVED, by=AGENT, now=THURSDAY_10, sla=sla)

    later = THURSDAY_10 + timedelta(days=30)
    assert waiting.breaches(later) == []
    assert resolved.breaches(later) == []


def test_overriding_the_priority_rebudgets_the_running_clocks() -> None:
    sla = make_sla()
    ticket = make_ticket(now=THURSDAY_10, priority=Priority.NORMAL, sla=sla)

    ticket.reprioritize(Priority.URGENT, by=AGENT, now=THURSDAY_10, sla=sla)

    assert ticket.priority is Priority.URGENT
    assert due(ticket, SlaTarget.FIRST_RESPONSE) == paris(2026, 1, 15, 10, 30)
    assert due(ticket, SlaTarget.RESOLUTION) == paris(2026, 1, 15, 15)


def test_the_queue_serves_urgent_first_then_the_earliest_due() -> None:
    normal_early = make_ticket(now=paris(2026, 1, 15, 9), priority=Priority.NORMAL)
    normal_late = make_ticket(now=paris(2026, 1, 15, 11), priority=Priority.NORMAL)
    urgent_late = make_ticket(now=paris(2026, 1, 15, 17), priority=Priority.URGENT)
    high = make_ticket(now=paris(2026, 1, 15, 16), priority=Priority.HIGH)
    low = make_ticket(now=paris(2026, 1, 15, 8), priority=Priority.LOW)

    queue = sorted([low, normal_late, high, normal_early, urgent_late], key=lambda t: t.queue_key)

    assert queue == [urgent_late, high, normal_early, normal_late, low]
    assert normal_early.next_due_at == paris(2026, 1, 15, 14)
