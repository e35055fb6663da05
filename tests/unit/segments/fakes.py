"""In-memory segments unit of work: membership is computed with the Python evaluator."""

from __future__ import annotations

import bisect
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import date, datetime
from uuid import UUID

from domain.bus import EventHandlers
from domain.segments.catalog import DEFAULT_CATALOG, AttributeCatalog
from domain.segments.evaluator import evaluate
from domain.segments.model import Segment
from domain.segments.repository import MembershipChunk
from domain.segments.snapshot import CustomerSnapshot
from domain.segments.syntax import Expr
from tests.unit.fakes import FakeUnitOfWork


class CustomerBase:
    """The customers the fakes query: snapshots plus their current tags."""

    def __init__(self) -> None:
        self.snapshots: dict[UUID, CustomerSnapshot] = {}
        self.ordered_ids: list[UUID] = []
        self.tags: dict[UUID, set[str]] = {}

    def add(self, *snapshots: CustomerSnapshot) -> None:
        for snapshot in snapshots:
            if snapshot.customer_id not in self.snapshots:
                bisect.insort(self.ordered_ids, snapshot.customer_id)
            self.snapshots[snapshot.customer_id] = snapshot
            self.tags[snapshot.customer_id] = set(snapshot.tags)

    def snapshot(self, customer_id: UUID, as_of: date) -> CustomerSnapshot:
        current = self.snapshots[customer_id]
        return replace(current, as_of=as_of, tags=frozenset(self.tags[customer_id]))

    def matches(self, query: Expr, customer_id: UUID, as_of: date) -> bool:
        return evaluate(query, self.snapshot(customer_id, as_of))

    def matching(self, query: Expr, as_of: date) -> list[UUID]:
        return [i for i in self.ordered_ids if self.matches(query, i, as_of)]


class FakeSegmentRepository:
    """Stores segment rows; loads them back through `Segment.restore` with `catalog`."""

    def __init__(self, catalog: AttributeCatalog = DEFAULT_CATALOG) -> None:
        self.rows: dict[UUID, tuple[str, str, str, datetime, datetime]] = {}
        self.catalog = catalog
        self.locked: list[UUID] = []

    def _store(self, segment: Segment) -> None:
        self.rows[segment.id] = (
            segment.name,
            segment.query_text,
            segment.description,
            segment.created_at,
            segment.updated_at,
        )

    async def add(self, segment: Segment) -> None:
        assert segment.id not in self.rows
        self._store(segment)

    async def save(self, segment: Segment) -> None:
        assert segment.id in self.rows
        self._store(segment)

    async def get(self, segment_id: UUID) -> Segment | None:
        row = self.rows.get(segment_id)
        if row is None:
            return None
        name, query_text, description, created_at, updated_at = row
        return Segment.restore(
            id=segment_id,
            name=name,
            query_text=query_text,
            description=description,
            created_at=created_at,
            updated_at=updated_at,
            catalog=self.catalog,
        )

    async def get_for_update(self, segment_id: UUID) -> Segment | None:
        self.locked.append(segment_id)
        return await self.get(segment_id)

    async def get_by_name(self, name: str) -> Segment | None:
        for segment_id, row in self.rows.items():
            if row[0].lower() == name.lower():
                return await self.get(segment_id)
        return None

    async def delete(self, segment_id: UUID) -> None:
        del self.rows[segment_id]

    async def all_ids(self) -> list[UUID]:
        return list(self.rows)


class FakeMembershipRepository:
    """Stored members per segment, replaced from the customer base on demand."""

    def __init__(self, base: CustomerBase) -> None:
        self.base = base
        self.members: dict[UUID, set[UUID]] = {}
        self.largest_chunk = 0

    async def replace_members(
        self, segment_id: UUID, query: Expr, as_of: date, *, chunk_size: int
    ) -> AsyncIterator[MembershipChunk]:
        now = set(self.base.matching(query, as_of))
        before = self.members.get(segment_id, set())
        self.members[segment_id] = now
        entered, left = sorted(now - before), sorted(before - now)
        changes = [(True, i) for i in entered] + [(False, i) for i in left]
        for start in range(0, len(changes), chunk_size):
            piece = changes[start : start + chunk_size]
            self.largest_chunk = max(self.largest_chunk, len(piece))
            yield MembershipChunk(
                entered=tuple(i for is_in, i in piece if is_in),
                left=tuple(i for is_in, i in piece if not is_in),
            )


class FakeSegmentsUnitOfWork(FakeUnitOfWork):
    def __init__(
        self,
        base: CustomerBase | None = None,
        handlers: EventHandlers | None = None,
        catalog: AttributeCatalog = DEFAULT_CATALOG,
    ) -> None:
        super().__init__(handlers)
        self.base = base or CustomerBase()
        self.segments = FakeSegmentRepository(catalog)
        self.segment_memberships = FakeMembershipRepository(self.base)
