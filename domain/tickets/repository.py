"""Ports of the tickets context: the ticket repository, lookups into other contexts, the UoW."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol
from uuid import UUID

from domain.ports import UnitOfWork
from domain.tickets.model import Ticket
from domain.tickets.sla import TicketSettings


class TicketRepository(Protocol):
    """Stores tickets with their messages and SLA clocks."""

    async def next_number(self) -> int:
        """A new human-friendly ticket number (a sequence; gaps are fine, reuse is not)."""
        ...

    async def add(self, ticket: Ticket) -> None:
        """Insert a new ticket (version 1) with its messages."""
        ...

    async def get(self, ticket_id: UUID) -> Ticket | None:
        """The ticket with all its messages, or None (a merged-away customer is irrelevant)."""
        ...

    async def save(self, ticket: Ticket, expected_version: int) -> None:
        """Store a changed ticket if it is still at `expected_version`, else raise
        ConcurrentModification (compare-and-set: `UPDATE ... SET version = ticket.version
        WHERE id = ? AND version = expected_version`, zero rows -> conflict). Messages are
        append-only: insert those whose `seq` is beyond what is stored."""
        ...

    async def find_by_source_event(self, event_id: UUID) -> Ticket | None:
        """The ticket opened automatically for event `event_id` (unique), if any."""
        ...

    async def find_breach_candidates(self, now: datetime, limit: int) -> list[Ticket]:
        """Set-based: up to `limit` tickets in OPEN or IN_PROGRESS with an SLA clock that
        is running (met_at IS NULL), not yet flagged, and due before `now`, earliest due
        first. Must be answered by an indexed query, not by loading tickets."""
        ...

    async def ticket_ids_of_customer(self, customer_id: UUID) -> list[UUID]:
        """Ids of every ticket of `customer_id` (for merge previews and undo records)."""
        ...

    async def move_to_customer(self, ticket_ids: Sequence[UUID], customer_id: UUID) -> int:
        """Set-based: give these tickets to `customer_id`, bumping their versions;
        returns how many moved."""
        ...

    async def replace_texts_of_customer(self, customer_id: UUID, text: str) -> int:
        """Set-based (a fixed number of statements however many tickets and messages):
        set the subject and every message body of the customer's tickets to `text`,
        bumping the version of each ticket that had anything else; nothing else changes
        (not `updated_at`). Returns how many tickets changed: 0 when all already read
        `text`."""
        ...


class TicketRecords(Protocol):
    """Reads one customer's tickets (privacy exports)."""

    async def for_customer(self, customer_id: UUID) -> list[Ticket]:
        """Every ticket of the customer with all its messages, oldest first, in a fixed
        number of statements however many tickets and messages there are."""
        ...


class TicketsExportUnitOfWork(UnitOfWork, Protocol):
    """What the tickets exporter reads (the ticket repository implements it)."""

    @property
    def tickets(self) -> TicketRecords: ...


@dataclass(frozen=True, slots=True)
class CustomerValue:
    """What ticket priority needs to know about a customer."""

    customer_id: UUID
    tier_code: str | None
    clv: int | None = None


@dataclass(frozen=True, slots=True)
class OrderSummary:
    """What a ticket needs to know about an order: whose it is and what it holds."""

    order_id: UUID
    customer_id: UUID
    quantities_by_sku: Mapping[str, int]


class TicketCustomerLookup(Protocol):
    """Reads customers' value from the customers, loyalty and scoring contexts."""

    async def value_of(self, customer_id: UUID) -> CustomerValue | None:
        """Tier and CLV of the customer (resolving a merged-away id to its winner), or None
        when there is no such customer."""
        ...


class TicketOrderLookup(Protocol):
    """Reads orders from the orders context."""

    async def summary_of(self, order_id: UUID) -> OrderSummary | None:
        """The order's customer and its quantities per SKU, or None when unknown."""
        ...


class TicketAgentLookup(Protocol):
    """Reads agents (the staff API keys) from the access context."""

    async def is_agent(self, agent_id: UUID) -> bool:
        """Whether `agent_id` is an API key that is not revoked and works tickets
        (role SUPPORT or ADMIN)."""
        ...


class TicketSettingsSource(Protocol):
    """The store's service rules (business calendar, SLA targets, priority policy)."""

    async def current(self) -> TicketSettings:
        """The settings in force (from configuration or the store's settings)."""
        ...


class TicketsUnitOfWork(UnitOfWork, Protocol):
    """A unit of work with what the tickets use cases need (read-only attributes)."""

    @property
    def tickets(self) -> TicketRepository: ...

    @property
    def ticket_customers(self) -> TicketCustomerLookup: ...

    @property
    def ticket_orders(self) -> TicketOrderLookup: ...

    @property
    def ticket_agents(self) -> TicketAgentLookup: ...

    @property
    def ticket_settings(self) -> TicketSettingsSource: ...
