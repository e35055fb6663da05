"""The tickets context's part in a privacy export (`domain.customers.participants`).

Internal notes are exported with the public messages, marked `"internal": true`: what
staff wrote about the customer is personal data about them, which a data-subject request
covers. The export goes to an ADMIN, who can hold back a note the law lets them withhold.
"""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from domain.customers.json_values import JsonValue
from domain.customers.participants import Participants
from domain.tickets.model import Ticket
from domain.tickets.repository import TicketsExportUnitOfWork
from domain.tickets.values import TicketMessage


class TicketsExporter:
    """Exports the customer's tickets with every message, notes marked internal."""

    name = "tickets"

    async def export(self, uow: TicketsExportUnitOfWork, customer_id: UUID) -> JsonValue:
        return [ticket_json(ticket) for ticket in await uow.tickets.for_customer(customer_id)]


def ticket_json(ticket: Ticket) -> dict[str, JsonValue]:
    return {
        "id": str(ticket.id),
        "number": ticket.number,
        "kind": ticket.kind.value,
        "subject": ticket.subject,
        "status": ticket.status.value,
        "priority": ticket.priority.value,
        "orderId": str(ticket.order_id) if ticket.order_id else None,
        "lines": [{"sku": line.sku, "quantity": line.quantity} for line in ticket.lines],
        "assigneeId": str(ticket.assignee_id) if ticket.assignee_id else None,
        "createdAt": ticket.created_at.isoformat(),
        "updatedAt": ticket.updated_at.isoformat(),
        "firstRespondedAt": _time(ticket.first_responded_at),
        "resolvedAt": _time(ticket.resolved_at),
        "closedAt": _time(ticket.closed_at),
        "rating": ticket.rating,
        "ratedAt": _time(ticket.rated_at),
        "messages": [message_json(message) for message in ticket.messages],
    }


def message_json(message: TicketMessage) -> dict[str, JsonValue]:
    return {
        "id": str(message.id),
        "seq": message.seq,
        "authorKind": message.author.kind.value,
        "authorId": str(message.author.id) if message.author.id else None,
        "body": message.body,
        "internal": message.is_note,
        "createdAt": message.created_at.isoformat(),
    }


def _time(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def register_exporter(participants: Participants) -> None:
    """Register the tickets exporter."""
    participants.add_exporter(TicketsExporter())
