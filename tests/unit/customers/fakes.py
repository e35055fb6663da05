"""In-memory repositories of the customers context.

They hold copies, as a database would: a change not saved is lost, and the unique
constraints on email_key and (channel, external_id) are checked on add and save.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from dataclasses import replace
from typing import Any, TypeVar
from uuid import UUID

from domain.bus import EventHandlers
from domain.customers.consent import ConsentEntry, ConsentLog
from domain.customers.errors import DuplicateEmail, DuplicateIdentity
from domain.customers.merge import Merge
from domain.customers.model import Customer
from tests.unit.fakes import FakeUnitOfWork

T = TypeVar("T")


def stored(value: T) -> T:
    """A copy without pending events, as a row read back from a database."""
    clone = copy.deepcopy(value)
    if hasattr(clone, "_events"):
        clone._events = []
    return clone


class FakeCustomerRepository:
    def __init__(self) -> None:
        self.rows: dict[UUID, Customer] = {}
        self.locked: list[UUID] = []

    async def add(self, customer: Customer) -> None:
        assert customer.id not in self.rows, "add() of a stored customer"
        self._check_unique(customer)
        self.rows[customer.id] = stored(customer)

    async def save(self, customer: Customer) -> None:
        assert customer.id in self.rows, "save() of a customer never added"
        self._check_unique(customer)
        self.rows[customer.id] = stored(customer)

    async def get(self, customer_id: UUID) -> Customer | None:
        row = self.rows.get(customer_id)
        return stored(row) if row is not None else None

    async def get_for_update(self, customer_id: UUID) -> Customer | None:
        self.locked.append(customer_id)
        return await self.get(customer_id)

    async def get_by_email(self, email_key: str) -> Customer | None:
        found = next((c for c in self.rows.values() if c.email_key == email_key), None)
        return stored(found) if found is not None else None

    async def get_by_identity(self, channel: str, external_id: str) -> Customer | None:
        for customer in self.rows.values():
            if customer.has_identity(channel, external_id):
                return stored(customer)
        return None

    async def list_merged_into(self, winner_id: UUID) -> list[Customer]:
        return [stored(c) for c in self.rows.values() if c.merged_into == winner_id]

    def _check_unique(self, customer: Customer) -> None:
        pairs = {(i.channel, i.external_id) for i in customer.identities}
        for other in self.rows.values():
            if other.id == customer.id:
                continue
            if customer.email_key is not None and other.email_key == customer.email_key:
                raise DuplicateEmail("unique constraint on email_key", field=("email",))
            if pairs & {(i.channel, i.external_id) for i in other.identities}:
                raise DuplicateIdentity("unique constraint on identities", field=("identity",))


class FakeConsentRepository:
    def __init__(self) -> None:
        self.entries: list[ConsentEntry] = []

    async def get_log(self, customer_id: UUID) -> ConsentLog:
        return ConsentLog(
            customer_id=customer_id,
            entries=[e for e in self.entries if e.customer_id == customer_id],
        )

    async def append(self, entries: Sequence[ConsentEntry]) -> None:
        known = {e.id for e in self.entries}
        assert not any(e.id in known for e in entries), "consent entries are append-only"
        self.entries.extend(entries)

    async def count_for_customer(self, customer_id: UUID) -> int:
        return sum(1 for e in self.entries if e.customer_id == customer_id)

    async def reassign_all(self, from_customer_id: UUID, to_customer_id: UUID) -> list[UUID]:
        ids = [e.id for e in self.entries if e.customer_id == from_customer_id]
        return await self.reassign(ids, from_customer_id, to_customer_id)

    async def reassign(
        self, ids: Sequence[UUID], from_customer_id: UUID, to_customer_id: UUID
    ) -> list[UUID]:
        wanted, moved = set(ids), []
        for index, entry in enumerate(self.entries):
            if entry.id in wanted and entry.customer_id == from_customer_id:
                self.entries[index] = replace(entry, customer_id=to_customer_id)
                moved.append(entry.id)
        return moved


class FakeMergeRepository:
    def __init__(self) -> None:
        self.rows: dict[UUID, Merge] = {}

    async def add(self, merge: Merge) -> None:
        assert merge.id not in self.rows
        self.rows[merge.id] = stored(merge)

    async def save(self, merge: Merge) -> None:
        assert merge.id in self.rows
        self.rows[merge.id] = stored(merge)

    async def get_for_update(self, merge_id: UUID) -> Merge | None:
        row = self.rows.get(merge_id)
        return stored(row) if row is not None else None

    async def later_involving(self, merge: Merge) -> list[Merge]:
        ids = {merge.loser_id, merge.winner_id}
        return [
            stored(m)
            for m in self.rows.values()
            if (m.created_at, m.id) > (merge.created_at, merge.id)
            and ids & {m.loser_id, m.winner_id}
        ]


class FakeAuditLog:
    def __init__(self) -> None:
        self.entries: list[dict[str, Any]] = []

    async def record(
        self, *, actor: str, action: str, target: str, details: dict[str, object]
    ) -> None:
        self.entries.append(
            {"actor": actor, "action": action, "target": target, "details": details}
        )

    def actions(self) -> list[str]:
        return [entry["action"] for entry in self.entries]


class FakeCustomersUnitOfWork(FakeUnitOfWork):
    def __init__(self, handlers: EventHandlers | None = None) -> None:
        super().__init__(handlers)
        self.customers = FakeCustomerRepository()
        self.consents = FakeConsentRepository()
        self.merges = FakeMergeRepository()
        self.audit = FakeAuditLog()

    def published_names(self) -> list[str]:
        return [event.name for event in self.published]
