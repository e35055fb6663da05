"""Ports of the customers context: repositories, audit log and unit of work."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol
from uuid import UUID

from domain.customers.consent import ConsentEntry, ConsentLog
from domain.customers.merge import Merge
from domain.customers.model import Customer
from domain.ports import UnitOfWork


class CustomerRepository(Protocol):
    """Stores customers with their identities.

    `add` and `save` raise DuplicateEmail / DuplicateIdentity when the unique constraints
    on `email_key` and on (channel, external_id) refuse a row: a concurrent transaction
    took the value, and retrying the use case finds it.
    """

    async def add(self, customer: Customer) -> None:
        """Insert a new customer and its identities."""
        ...

    async def save(self, customer: Customer) -> None:
        """Update the customer's row and make its identity rows equal `identities`.

        Identity ids are stable: a merge moves an identity by releasing it from one
        customer (saved first, deleting the row) and adopting it into another.
        """
        ...

    async def get(self, customer_id: UUID) -> Customer | None: ...

    async def get_for_update(self, customer_id: UUID) -> Customer | None:
        """Like `get`, locking the row (SELECT ... FOR UPDATE on PostgreSQL) to serialise
        writes that depend on the customer (orders, stats, merges)."""
        ...

    async def get_by_email(self, email_key: str) -> Customer | None:
        """The customer whose `email_key` (lower-cased email) is this, merged or not."""
        ...

    async def get_by_identity(self, channel: str, external_id: str) -> Customer | None: ...

    async def list_merged_into(self, winner_id: UUID) -> list[Customer]:
        """Customers whose `merged_into` is `winner_id` (direct losers only)."""
        ...


class ConsentRepository(Protocol):
    """Stores consent entries, append-only (a merge may move them between customers)."""

    async def get_log(self, customer_id: UUID) -> ConsentLog: ...

    async def append(self, entries: Sequence[ConsentEntry]) -> None: ...

    async def count_for_customer(self, customer_id: UUID) -> int: ...

    async def reassign_all(self, from_customer_id: UUID, to_customer_id: UUID) -> list[UUID]:
        """Set-based: move every entry of one customer to another; return their ids."""
        ...

    async def reassign(
        self, ids: Sequence[UUID], from_customer_id: UUID, to_customer_id: UUID
    ) -> list[UUID]:
        """Move those of `ids` that `from_customer_id` holds; return the moved ids."""
        ...


class MergeRepository(Protocol):
    """Stores merge records."""

    async def add(self, merge: Merge) -> None: ...

    async def save(self, merge: Merge) -> None: ...

    async def get_for_update(self, merge_id: UUID) -> Merge | None: ...

    async def later_involving(self, merge: Merge) -> list[Merge]:
        """Merges recorded after `merge` (by created_at, then id) whose loser or winner
        is `merge.loser_id` or `merge.winner_id`."""
        ...


class AuditLog(Protocol):
    """Records who changed what (admin changes, erasures, merges).

    The same signature as `domain.access.repository.AuditLog`: one implementation serves both.
    """

    async def record(
        self, *, actor: str, action: str, target: str, details: dict[str, object]
    ) -> None: ...


class CustomersUnitOfWork(UnitOfWork, Protocol):
    @property
    def customers(self) -> CustomerRepository: ...
    @property
    def consents(self) -> ConsentRepository: ...
    @property
    def merges(self) -> MergeRepository: ...
    @property
    def audit(self) -> AuditLog: ...
