"""Commands of the tickets use cases (what the API, jobs and the CLI ask for)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from uuid import UUID

from domain.money import Money
from domain.tickets.priority import Priority
from domain.tickets.values import Actor, OrderLineRef, TicketKind, TicketStatus


@dataclass(frozen=True, kw_only=True)
class CreateTicket:
    """Open a ticket; a customer may omit `customer_id` (it is themselves)."""

    actor: Actor
    kind: TicketKind
    subject: str
    body: str
    customer_id: UUID | None = None
    order_id: UUID | None = None
    lines: Sequence[OrderLineRef] = ()
    priority: Priority | None = None


@dataclass(frozen=True, kw_only=True)
class TransitionTicket:
    """Move a ticket to another status; `expected_version` guards a stale screen."""

    actor: Actor
    ticket_id: UUID
    to: TicketStatus
    expected_version: int | None = None
    refund_amount: Money | None = None


@dataclass(frozen=True, kw_only=True)
class AssignTicket:
    """Assign a ticket to an agent, or unassign it with `assignee_id=None`."""

    actor: Actor
    ticket_id: UUID
    assignee_id: UUID | None
    expected_version: int | None = None


@dataclass(frozen=True, kw_only=True)
class ReplyToTicket:
    """Add a public reply or (staff only) an internal note."""

    actor: Actor
    ticket_id: UUID
    body: str
    is_note: bool = False
    expected_version: int | None = None


@dataclass(frozen=True, kw_only=True)
class ReprioritizeTicket:
    """Override a ticket's priority."""

    actor: Actor
    ticket_id: UUID
    priority: Priority
    expected_version: int | None = None


@dataclass(frozen=True, kw_only=True)
class RateTicket:
    """The customer rates a resolved ticket 1..5."""

    actor: Actor
    ticket_id: UUID
    rating: int


@dataclass(frozen=True, kw_only=True)
class GrantGoodwillPoints:
    """Grant goodwill points to the ticket's customer (credited by loyalty)."""

    actor: Actor
    ticket_id: UUID
    points: int
    reason: str
    idempotency_key: str | None = None
