"""In-memory orders repository; stats are recomputed by the pure function of the domain."""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

from domain.bus import EventHandlers
from domain.orders.errors import OrderAlreadyRecorded
from domain.orders.model import Order
from domain.orders.stats import CustomerStats, compute_customer_stats
from tests.unit.customers.fakes import FakeCustomersUnitOfWork, stored


class FakeOrderRepository:
    def __init__(self) -> None:
        self.rows: dict[UUID, Order] = {}
        self.stats: dict[UUID, CustomerStats] = {}
        self.locked: list[UUID] = []

    async def add(self, order: Order) -> None:
        assert order.id not in self.rows
        if any((o.channel, o.external_id) == (order.channel, order.external_id)
               for o in self.rows.values()):  # fmt: skip
            raise OrderAlreadyRecorded("unique constraint on (channel, external_id)")
        self.rows[order.id] = stored(order)

    async def save(self, order: Order) -> None:
        assert order.id in self.rows
        before = self.rows[order.id]
        assert before.content == order.content, "an order's content never changes"
        assert order.refunds[: len(before.refunds)] == before.refunds, "refunds are append-only"
        self.rows[order.id] = stored(order)

    async def get(self, order_id: UUID) -> Order | None:
        row = self.rows.get(order_id)
        return stored(row) if row is not None else None

    async def get_for_update(self, order_id: UUID) -> Order | None:
        self.locked.append(order_id)
        return await self.get(order_id)

    async def get_by_external_id(self, channel: str, external_id: str) -> Order | None:
        for order in self.rows.values():
            if (order.channel, order.external_id) == (channel, external_id):
                return stored(order)
        return None

    async def for_customer(self, customer_id: UUID) -> list[Order]:
        return [stored(o) for o in self.rows.values() if o.customer_id == customer_id]

    async def count_for_customer(self, customer_id: UUID) -> int:
        return sum(1 for o in self.rows.values() if o.customer_id == customer_id)

    async def reassign_all(self, from_customer_id: UUID, to_customer_id: UUID) -> list[UUID]:
        ids = [o.id for o in self.rows.values() if o.customer_id == from_customer_id]
        return await self.reassign(ids, from_customer_id, to_customer_id)

    async def reassign(
        self, ids: Sequence[UUID], from_customer_id: UUID, to_customer_id: UUID
    ) -> list[UUID]:
        moved = []
        for order_id in ids:
            order = self.rows.get(order_id)
            if order is not None and order.customer_id == from_customer_id:
                order.customer_id = to_customer_id
                moved.append(order_id)
        return moved

    async def recompute_stats(self, customer_id: UUID) -> CustomerStats:
        orders = [o for o in self.rows.values() if o.customer_id == customer_id]
        self.stats[customer_id] = compute_customer_stats(customer_id, orders)
        return self.stats[customer_id]

    def stats_of(self, customer_id: UUID) -> CustomerStats:
        return self.stats.get(customer_id, CustomerStats(customer_id=customer_id))


class FakeOrdersUnitOfWork(FakeCustomersUnitOfWork):
    def __init__(self, handlers: EventHandlers | None = None) -> None:
        super().__init__(handlers)
        self.orders = FakeOrderRepository()
