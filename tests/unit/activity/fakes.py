"""In-memory activity repository, and a unit of work with every context of issue 3."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from uuid import UUID

from domain.activity.model import ActivityEvent
from domain.bus import EventHandlers
from tests.unit.orders.fakes import FakeOrdersUnitOfWork


class FakeActivityRepository:
    def __init__(self) -> None:
        self.rows: dict[UUID, ActivityEvent] = {}

    async def add_many(self, events: Sequence[ActivityEvent]) -> None:
        for event in events:
            assert event.id not in self.rows
            self.rows[event.id] = event

    async def for_customer(self, customer_id: UUID) -> list[ActivityEvent]:
        found = [e for e in self.rows.values() if e.customer_id == customer_id]
        return sorted(found, key=lambda e: (e.occurred_at, e.id))

    async def count_for_customer(self, customer_id: UUID) -> int:
        return sum(1 for e in self.rows.values() if e.customer_id == customer_id)

    async def reassign_all(self, from_customer_id: UUID, to_customer_id: UUID) -> list[UUID]:
        ids = [e.id for e in self.rows.values() if e.customer_id == from_customer_id]
        return await self.reassign(ids, from_customer_id, to_customer_id)

    async def reassign(
        self, ids: Sequence[UUID], from_customer_id: UUID, to_customer_id: UUID
    ) -> list[UUID]:
        moved = []
        for event_id in ids:
            event = self.rows.get(event_id)
            if event is not None and event.customer_id == from_customer_id:
                self.rows[event_id] = replace(event, customer_id=to_customer_id)
                moved.append(event_id)
        return moved

    async def anonymise_for_customer(self, customer_id: UUID) -> int:
        changed = 0
        for event_id, event in list(self.rows.items()):
            if event.customer_id == customer_id:
                self.rows[event_id] = event.anonymised()
                changed += 1
        return changed


class FakeActivityUnitOfWork(FakeOrdersUnitOfWork):
    """Customers, orders and activity together, as the composed unit of work of a merge."""

    def __init__(self, handlers: EventHandlers | None = None) -> None:
        super().__init__(handlers)
        self.activity = FakeActivityRepository()
