"""Facts of the tickets context.

The `Ticket*` events feed the `ticketUpdated` subscription: each names the ticket, its
customer and its assignee so the fan-out can route it (a customer token receives only its
own tickets; `TicketReplied.is_note` events must never reach a customer). The last two are
for other contexts' in-transaction handlers (loyalty credits goodwill, orders records the
refund).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import ClassVar
from uuid import UUID

from domain.events import DomainEvent


@dataclass(frozen=True, kw_only=True)
class TicketEvent(DomainEvent):
    """Base of the events published to `ticketUpdated`."""

    name: ClassVar[str] = "tickets.event"
    ticket_id: UUID
    customer_id: UUID
    assignee_id: UUID | None
    occurred_at: datetime


@dataclass(frozen=True, kw_only=True)
class TicketCreated(TicketEvent):
    """A ticket was opened (by an agent, the customer, or automatically)."""

    name: ClassVar[str] = "tickets.created"
    number: int
    kind: str
    priority: str
    order_id: UUID | None


@dataclass(frozen=True, kw_only=True)
class TicketTransitioned(TicketEvent):
    """A ticket moved from one status to another."""

    name: ClassVar[str] = "tickets.transitioned"
    from_status: str
    to_status: str


@dataclass(frozen=True, kw_only=True)
class TicketReplied(TicketEvent):
    """A message was added; `is_note` messages are internal and hidden from customers."""

    name: ClassVar[str] = "tickets.replied"
    message_id: UUID
    seq: int
    author_kind: str
    author_id: UUID | None
    is_note: bool


@dataclass(frozen=True, kw_only=True)
class TicketAssigned(TicketEvent):
    """A ticket was assigned to an agent (`assignee_id`), or unassigned (None)."""

    name: ClassVar[str] = "tickets.assigned"
    previous_assignee_id: UUID | None


@dataclass(frozen=True, kw_only=True)
class TicketPriorityChanged(TicketEvent):
    """An agent changed a ticket's priority; its SLA due times were recomputed."""

    name: ClassVar[str] = "tickets.priority_changed"
    from_priority: str
    to_priority: str


@dataclass(frozen=True, kw_only=True)
class TicketSlaBreached(TicketEvent):
    """An SLA target of a ticket was missed (published once per target); escalate."""

    name: ClassVar[str] = "tickets.sla_breached"
    target: str
    due_at: datetime
    priority: str


@dataclass(frozen=True, kw_only=True)
class TicketRated(TicketEvent):
    """The customer rated their satisfaction with a resolved ticket (1..5)."""

    name: ClassVar[str] = "tickets.rated"
    rating: int


@dataclass(frozen=True, kw_only=True)
class GoodwillPointsGranted(DomainEvent):
    """Support granted goodwill points; loyalty credits them (ADJUST) in the same transaction."""

    name: ClassVar[str] = "tickets.goodwill_points_granted"
    ticket_id: UUID
    customer_id: UUID
    points: int
    reason: str
    granted_by: UUID | None
    idempotency_key: str


@dataclass(frozen=True, kw_only=True)
class RefundTicketResolved(DomainEvent):
    """A REFUND ticket with order lines was resolved; orders records the refund.

    `lines` are `{"sku": str, "quantity": int}`; `amount`/`currency` are given when the agent
    fixed the amount (minor units), else orders computes it from the lines. The
    `idempotency_key` is the same however often the ticket is reopened and resolved again.
    """

    name: ClassVar[str] = "tickets.refund_resolved"
    ticket_id: UUID
    customer_id: UUID
    order_id: UUID
    lines: tuple[dict[str, str | int], ...]
    amount: int | None
    currency: str | None
    idempotency_key: str
