"""In-memory fakes of the tickets ports."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime
from uuid import UUID

from domain.bus import EventHandlers
from domain.tickets.errors import ConcurrentModification
from domain.tickets.model import Ticket
from domain.tickets.repository import CustomerValue, OrderSummary
from domain.tickets.sla import TicketSettings
from domain.tickets.values import TicketStatus
from tests.unit.fakes import FakeUnitOfWork


def _copy(ticket: Ticket) -> Ticket:
    # What a database round trip does: a fresh aggregate, no pending events, its own lists.
    return replace(ticket, messages=list(ticket.messages), sla_clocks=dict(ticket.sla_clocks))


class FakeTicketRepository:
    """Keeps copies of tickets, as rows would be; `save` checks versions like the SQL CAS."""

    def __init__(self) -> None:
        self.rows: dict[UUID, Ticket] = {}
        self._number = 1000
        self.saves = 0

    async def next_number(self) -> int:
        self._number += 1
        return self._number

    async def add(self, ticket: Ticket) -> None:
        assert ticket.id not in self.rows
        assert all(
            t.source_event_id != ticket.source_event_id
            for t in self.rows.values()
            if ticket.source_event_id is not None
        )
        self.rows[ticket.id] = _copy(ticket)

    async def get(self, ticket_id: UUID) -> Ticket | None:
        row = self.rows.get(ticket_id)
        return _copy(row) if row else None

    async def save(self, ticket: Ticket, expected_version: int) -> None:
        stored = self.rows[ticket.id]
        if stored.version != expected_version:
            raise ConcurrentModification("the ticket was changed by someone else")
        assert ticket.version == expected_version + 1
        assert ticket.messages[: len(stored.messages)] == stored.messages  # append-only
        self.saves += 1
        self.rows[ticket.id] = _copy(ticket)

    async def find_by_source_event(self, event_id: UUID) -> Ticket | None:
        for ticket in self.rows.values():
            if ticket.source_event_id == event_id:
                return _copy(ticket)
        return None

    async def find_breach_candidates(self, now: datetime, limit: int) -> list[Ticket]:
        def earliest_overdue(ticket: Ticket) -> datetime | None:
            dues = [
                clock.due_at
                for clock in ticket.sla_clocks.values()
                if clock.is_running and not clock.breach_flagged and clock.due_at < now
            ]
            return min(dues) if dues else None

        running = (TicketStatus.OPEN, TicketStatus.IN_PROGRESS)
        found = [
            (due, ticket)
            for ticket in self.rows.values()
            if ticket.status in running and (due := earliest_overdue(ticket)) is not None
        ]
        found.sort(key=lambda pair: pair[0])
        return [_copy(ticket) for _, ticket in found[:limit]]

    async def ticket_ids_of_customer(self, customer_id: UUID) -> list[UUID]:
        return sorted(t.id for t in self.rows.values() if t.customer_id == customer_id)

    async def move_to_customer(self, ticket_ids: Sequence[UUID], customer_id: UUID) -> int:
        for ticket_id in ticket_ids:
            row = self.rows[ticket_id]
            self.rows[ticket_id] = replace(
                _copy(row), customer_id=customer_id, version=row.version + 1
            )
        return len(ticket_ids)

    async def replace_texts_of_customer(self, customer_id: UUID, text: str) -> int:
        changed = 0
        for ticket_id, row in list(self.rows.items()):
            if row.customer_id != customer_id:
                continue
            if row.subject == text and all(m.body == text for m in row.messages):
                continue
            self.rows[ticket_id] = replace(
                row,
                subject=text,
                messages=[replace(m, body=text) for m in row.messages],
                sla_clocks=dict(row.sla_clocks),
                version=row.version + 1,
            )
            changed += 1
        return changed


class FakeCustomerLookup:
    def __init__(self) -> None:
        self.values: dict[UUID, CustomerValue] = {}

    def add(
        self, customer_id: UUID, tier_code: str | None = "MEMBER", clv: int | None = None
    ) -> None:
        self.values[customer_id] = CustomerValue(customer_id, tier_code, clv)

    async def value_of(self, customer_id: UUID) -> CustomerValue | None:
        return self.values.get(customer_id)


class FakeOrderLookup:
    def __init__(self) -> None:
        self.orders: dict[UUID, OrderSummary] = {}

    def add(self, order_id: UUID, customer_id: UUID, quantities: dict[str, int]) -> None:
        self.orders[order_id] = OrderSummary(order_id, customer_id, quantities)

    async def summary_of(self, order_id: UUID) -> OrderSummary | None:
        return self.orders.get(order_id)


class FakeAgentLookup:
    """Every id is an agent unless listed in `not_agents`."""

    def __init__(self) -> None:
        self.not_agents: set[UUID] = set()

    async def is_agent(self, agent_id: UUID) -> bool:
        return agent_id not in self.not_agents


class FakeSettingsSource:
    def __init__(self, settings: TicketSettings) -> None:
        self.settings = settings

    async def current(self) -> TicketSettings:
        return self.settings


class FakeTicketsUnitOfWork(FakeUnitOfWork):
    """A tickets unit of work over in-memory repositories."""

    def __init__(self, settings: TicketSettings, handlers: EventHandlers | None = None) -> None:
        super().__init__(handlers)
        self.tickets = FakeTicketRepository()
        self.ticket_customers = FakeCustomerLookup()
        self.ticket_orders = FakeOrderLookup()
        self.ticket_agents = FakeAgentLookup()
        self.ticket_settings = FakeSettingsSource(settings)
