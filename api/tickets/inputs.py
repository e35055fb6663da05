"""Inputs and payloads of the tickets mutations."""

from __future__ import annotations

import strawberry

from api.errors import UserError
from api.inputs import idempotency_key_field, user_errors_field
from api.money import MoneyInput
from api.tickets.types import Ticket, TicketMessage
from domain.tickets.priority import Priority
from domain.tickets.values import TicketKind, TicketStatus

TICKET_ID_DOC = "The ticket's id."
EXPECTED_VERSION_DOC = (
    "The ticket's `version` as you last read it: if someone changed the ticket since, the "
    "call is refused with CONCURRENT_MODIFICATION instead of overwriting their change. "
    "Without it, changes made at the same time are applied one after the other, each to "
    "the ticket as the previous one left it (never CONCURRENT_MODIFICATION)."
)


def expected_version_field() -> int | None:
    return strawberry.field(default=None, description=EXPECTED_VERSION_DOC)


@strawberry.input(description="A line of the order that a return, exchange or refund is about.")
class TicketLineInput:
    sku: str = strawberry.field(description="The SKU of a line of the ticket's order.")
    quantity: int = strawberry.field(description="How many units, at most as many as ordered.")


@strawberry.input(
    description=(
        "A new ticket. A customer token opens it for itself (omit customerId) and only "
        "about its own orders; an agent names the customer and may set the priority."
    )
)
class TicketCreateInput:
    kind: TicketKind = strawberry.field(description="What the customer needs.")
    subject: str = strawberry.field(description="One line summary, 1 to 200 characters.")
    body: str = strawberry.field(description="The first message, 1 to 10,000 characters.")
    customer_id: strawberry.ID | None = strawberry.field(
        default=None, description="The customer (required for agents; a customer's own id)."
    )
    order_id: strawberry.ID | None = strawberry.field(
        default=None, description="The order it is about; required for RETURN, EXCHANGE, REFUND."
    )
    lines: list[TicketLineInput] = strawberry.field(
        default_factory=list,
        description="The order lines concerned (RETURN, EXCHANGE and REFUND only).",
    )
    priority: Priority | None = strawberry.field(
        default=None,
        description="Agents only: override the priority defaulted from the customer's tier.",
    )
    idempotency_key: str | None = idempotency_key_field()


@strawberry.type(description="The result of ticketCreate.")
class TicketCreatePayload:
    ticket: Ticket | None = strawberry.field(default=None, description="The new ticket.")
    user_errors: list[UserError] = user_errors_field()


@strawberry.input(description="Move a ticket in the workflow.")
class TicketTransitionInput:
    id: strawberry.ID = strawberry.field(description=TICKET_ID_DOC)
    status: TicketStatus = strawberry.field(
        description="The status to move to; see Ticket.allowedTransitions."
    )
    expected_version: int | None = expected_version_field()
    refund_amount: MoneyInput | None = strawberry.field(
        default=None,
        description=(
            "Only when resolving a REFUND ticket with lines: the amount to refund; by "
            "default the order's prices of the lines."
        ),
    )
    idempotency_key: str | None = idempotency_key_field()


@strawberry.type(description="The result of a change to a ticket.")
class TicketPayload:
    ticket: Ticket | None = strawberry.field(default=None, description="The ticket as changed.")
    user_errors: list[UserError] = user_errors_field()


@strawberry.input(description="Hand a ticket to an agent, or back to the unassigned queue.")
class TicketAssignInput:
    id: strawberry.ID = strawberry.field(description=TICKET_ID_DOC)
    assignee_id: strawberry.ID | None = strawberry.field(
        default=None, description="The agent's ApiKey id; null to unassign."
    )
    expected_version: int | None = expected_version_field()
    idempotency_key: str | None = idempotency_key_field()


@strawberry.input(description="A public reply, or (staff only) an internal note.")
class TicketReplyInput:
    id: strawberry.ID = strawberry.field(description=TICKET_ID_DOC)
    body: str = strawberry.field(description="The text, 1 to 10,000 characters.")
    is_note: bool = strawberry.field(
        default=False, description="An internal note, never shown to the customer (staff only)."
    )
    expected_version: int | None = expected_version_field()
    idempotency_key: str | None = idempotency_key_field()


@strawberry.type(description="The result of ticketReply.")
class TicketReplyPayload:
    ticket: Ticket | None = strawberry.field(default=None, description="The ticket as changed.")
    message: TicketMessage | None = strawberry.field(
        default=None, description="The message written."
    )
    user_errors: list[UserError] = user_errors_field()


@strawberry.input(description="The customer's satisfaction with their resolved ticket.")
class TicketRateInput:
    id: strawberry.ID = strawberry.field(description=TICKET_ID_DOC)
    rating: int = strawberry.field(description="1 (very unhappy) to 5 (very happy).")
    idempotency_key: str | None = idempotency_key_field()


@strawberry.input(description="Change a ticket's priority; its SLA due times follow.")
class TicketReprioritizeInput:
    id: strawberry.ID = strawberry.field(description=TICKET_ID_DOC)
    priority: Priority = strawberry.field(description="The new priority.")
    expected_version: int | None = expected_version_field()
    idempotency_key: str | None = idempotency_key_field()


@strawberry.input(description="Goodwill points for the ticket's customer.")
class TicketGoodwillGrantInput:
    id: strawberry.ID = strawberry.field(description=TICKET_ID_DOC)
    points: int = strawberry.field(description="How many points, 1 to 100,000.")
    reason: str = strawberry.field(
        description="Why (kept in an internal note on the ticket and on the ledger entry)."
    )
    idempotency_key: str | None = strawberry.field(
        default=None,
        description=(
            "Client-chosen key making the grant safe to retry: a replay returns the first "
            "response and the ledger credits the points once. Required, here or in the "
            "`Idempotency-Key` header."
        ),
    )
