"""Builders for ticket tests; times are in the store's zone (Europe/Paris) unless noted."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, time
from uuid import UUID
from zoneinfo import ZoneInfo

from domain.ids import new_id
from domain.tickets.calendar import BusinessCalendar
from domain.tickets.model import Ticket
from domain.tickets.priority import Priority
from domain.tickets.sla import SlaPolicy, TicketSettings
from domain.tickets.values import Actor, OrderLineRef, TicketKind

PARIS = ZoneInfo("Europe/Paris")
AGENT = Actor.agent(UUID("00000000-0000-7000-8000-00000000a001"))
OTHER_AGENT = Actor.agent(UUID("00000000-0000-7000-8000-00000000a002"))


def paris(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=PARIS)


def make_calendar(*, holidays: Sequence[date] = ()) -> BusinessCalendar:
    """Mon-Fri 09:00-12:30 and 13:30-18:00 (8 business hours a day) in Paris."""
    return BusinessCalendar.weekly_hours(
        "Europe/Paris",
        days=range(5),
        periods=[(time(9), time(12, 30)), (time(13, 30), time(18))],
        holidays=holidays,
    )


def make_sla(*, holidays: Sequence[date] = ()) -> SlaPolicy:
    return SlaPolicy(calendar=make_calendar(holidays=holidays))


def make_settings(*, holidays: Sequence[date] = ()) -> TicketSettings:
    return TicketSettings(sla=make_sla(holidays=holidays))


def make_ticket(
    *,
    now: datetime,
    customer_id: UUID | None = None,
    kind: TicketKind = TicketKind.INQUIRY,
    priority: Priority = Priority.NORMAL,
    order_id: UUID | None = None,
    lines: Sequence[OrderLineRef] = (),
    sla: SlaPolicy | None = None,
    number: int = 1,
) -> Ticket:
    customer = customer_id or new_id()
    return Ticket.open(
        number=number,
        kind=kind,
        subject="Where is my parcel?",
        body="It has been a week.",
        customer_id=customer,
        order_id=order_id or (new_id() if kind.is_after_sales else None),
        lines=lines,
        priority=priority,
        opened_by=Actor.customer(customer),
        now=now,
        sla=sla or make_sla(),
    )
