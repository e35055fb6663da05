"""Dataloaders of the tickets context (one statement per batch)."""

from __future__ import annotations

from uuid import UUID

from api.loaders import BatchLoader, PagedLoader
from persistence.queries.tickets import (
    MessageView,
    TicketView,
    last_messages_by_ticket_id,
    last_public_messages_by_ticket_id,
    message_counts_by_ticket,
    message_pages_by_ticket,
    messages_by_id,
    ticket_counts_by_customer,
    ticket_pages_by_customer,
    tickets_by_id,
)


class TicketByIdLoader(BatchLoader[UUID, TicketView | None]):
    fetch = staticmethod(tickets_by_id)  # type: ignore[assignment]


class MessageByIdLoader(BatchLoader[UUID, MessageView | None]):
    fetch = staticmethod(messages_by_id)  # type: ignore[assignment]


class LastMessageByTicketLoader(BatchLoader[UUID, MessageView | None]):
    """Notes included: for staff."""

    fetch = staticmethod(last_messages_by_ticket_id)  # type: ignore[assignment]


class LastPublicMessageByTicketLoader(BatchLoader[UUID, MessageView | None]):
    """Public replies only: for the ticket's customer."""

    fetch = staticmethod(last_public_messages_by_ticket_id)  # type: ignore[assignment]


class MessagePagesByTicketLoader(PagedLoader):
    """Keyed by (ticket id, page request, public only)."""

    fetch_pages = staticmethod(message_pages_by_ticket)


class MessageCountByTicketLoader(PagedLoader):
    """Keyed by (ticket id, public only)."""

    fetch_pages = staticmethod(message_counts_by_ticket)
    default = 0


class TicketPagesByCustomerLoader(PagedLoader):
    """Keyed by (customer id, page request)."""

    fetch_pages = staticmethod(ticket_pages_by_customer)


class TicketCountByCustomerLoader(PagedLoader):
    """Keyed by (customer id,)."""

    fetch_pages = staticmethod(ticket_counts_by_customer)
    default = 0
