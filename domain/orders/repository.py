"""Ports of the orders context."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol
from uuid import UUID

from domain.customers.repository import CustomersUnitOfWork
from domain.orders.model import Order
from domain.orders.stats import CustomerStats


class OrderRepository(Protocol):
    """Stores orders with their lines and refunds, and the stats of their customers."""

    async def add(self, order: Order) -> None:
        """Insert a new order and its lines; raise OrderAlreadyRecorded when the unique
        constraint on (channel, external_id) refuses it."""
        ...

    async def save(self, order: Order) -> None:
        """Update status and updated_at, and insert refunds not stored yet (refunds are
        append-only; lines and content never change)."""
        ...

    async def get(self, order_id: UUID) -> Order | None: ...

    async def get_for_update(self, order_id: UUID) -> Order | None:
        """Like `get`, locking the order's row (status changes and refunds)."""
        ...

    async def get_by_external_id(self, channel: str, external_id: str) -> Order | None: ...

    async def for_customer(self, customer_id: UUID) -> list[Order]:
        """Every order of the customer with lines and refunds (privacy export)."""
        ...

    async def count_for_customer(self, customer_id: UUID) -> int: ...

    async def reassign_all(self, from_customer_id: UUID, to_customer_id: UUID) -> list[UUID]:
        """Set-based: move every order of one customer to another; return their ids."""
        ...

    async def reassign(
        self, ids: Sequence[UUID], from_customer_id: UUID, to_customer_id: UUID
    ) -> list[UUID]:
        """Move those of `ids` that `from_customer_id` holds; return the moved ids."""
        ...

    async def recompute_stats(self, customer_id: UUID) -> CustomerStats:
        """Recompute, store and return the customer's stats.

        Set-based: one SQL statement in persistence (an upsert from an aggregate over the
        customer's orders and refunds) that must agree with
        `domain.orders.stats.compute_customer_stats`. Called on every order write, with
        the customer's row locked.
        """
        ...


class OrdersUnitOfWork(CustomersUnitOfWork, Protocol):
    @property
    def orders(self) -> OrderRepository: ...
