"""Ports of the activity context."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol
from uuid import UUID

from domain.activity.model import ActivityEvent
from domain.customers.repository import CustomersUnitOfWork


class ActivityRepository(Protocol):
    """Stores behaviour events (append-only; merges move them, erasure anonymises them)."""

    async def add_many(self, events: Sequence[ActivityEvent]) -> None:
        """Insert a batch of events (one multi-row INSERT)."""
        ...

    async def for_customer(self, customer_id: UUID) -> list[ActivityEvent]:
        """Every event of the customer, oldest first (privacy export)."""
        ...

    async def count_for_customer(self, customer_id: UUID) -> int: ...

    async def reassign_all(self, from_customer_id: UUID, to_customer_id: UUID) -> list[UUID]:
        """Set-based: move every event of one customer to another; return their ids."""
        ...

    async def reassign(
        self, ids: Sequence[UUID], from_customer_id: UUID, to_customer_id: UUID
    ) -> list[UUID]:
        """Move those of `ids` that `from_customer_id` holds; return the moved ids."""
        ...

    async def anonymise_for_customer(self, customer_id: UUID) -> int:
        """Set-based: clear `url` and `properties` of every event of the customer (as
        `ActivityEvent.anonymised` does); return how many rows changed."""
        ...


class ActivityUnitOfWork(CustomersUnitOfWork, Protocol):
    @property
    def activity(self) -> ActivityRepository: ...
