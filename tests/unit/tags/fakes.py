"""In-memory tags unit of work over the segments fakes' customer base."""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from datetime import date
from uuid import UUID

from domain.bus import EventHandlers
from domain.segments.syntax import Expr
from domain.tags.model import RuleTag, Tag
from domain.tags.repository import TagBatch
from tests.unit.segments.fakes import CustomerBase, FakeSegmentsUnitOfWork


class FakeTagAssignmentRepository:
    def __init__(self, base: CustomerBase, uow: FakeTagsUnitOfWork) -> None:
        self.base = base
        self.uow = uow

    async def existing_customers(self, customer_ids: Sequence[UUID]) -> set[UUID]:
        return {i for i in customer_ids if i in self.base.snapshots}

    async def add_manual(self, customer_ids: Sequence[UUID], tags: Sequence[Tag]) -> int:
        return sum(self._add(i, tag) for i in customer_ids for tag in tags)

    async def remove_manual(self, customer_ids: Sequence[UUID], tags: Sequence[Tag]) -> int:
        return sum(self._remove(i, tag) for i in customer_ids for tag in tags)

    async def count_matching(self, query: Expr, as_of: date) -> int:
        return len(self.base.matching(query, as_of))

    async def add_manual_where(
        self, query: Expr, as_of: date, tags: Sequence[Tag], *, after: UUID | None, limit: int
    ) -> TagBatch:
        ids = self._next(query, as_of, after, limit)
        return TagBatch(ids, await self.add_manual(ids, tags))

    async def remove_manual_where(
        self, query: Expr, as_of: date, tags: Sequence[Tag], *, after: UUID | None, limit: int
    ) -> TagBatch:
        ids = self._next(query, as_of, after, limit)
        return TagBatch(ids, await self.remove_manual(ids, tags))

    async def manual_tags_of(self, customer_id: UUID) -> frozenset[Tag]:
        rules = {rule.tag.value for rule in self.uow.rule_tags.rules.values()}
        return frozenset(Tag(t) for t in self.base.tags[customer_id] if t not in rules)

    async def reassign(self, tags: Sequence[Tag], from_id: UUID, to_id: UUID) -> int:
        moved = 0
        for tag in tags:
            if tag.value in self.base.tags[from_id] and tag.value not in self.base.tags[to_id]:
                self._remove(from_id, tag)
                moved += self._add(to_id, tag)
        return moved

    async def is_in_use(self, tag: Tag) -> bool:
        return any(tag.value in tags for tags in self.base.tags.values())

    async def sync_rule_tag(self, tag: Tag, segment_id: UUID) -> tuple[int, int]:
        members = self.uow.segment_memberships.members.get(segment_id, set())
        carriers = {i for i, tags in self.base.tags.items() if tag.value in tags}
        added = sum(self._add(i, tag) for i in members - carriers)
        removed = sum(self._remove(i, tag) for i in carriers - members)
        return added, removed

    async def drop_tag(self, tag: Tag) -> int:
        return sum(self._remove(i, tag) for i in list(self.base.tags))

    def _next(self, query: Expr, as_of: date, after: UUID | None, limit: int) -> tuple[UUID, ...]:
        ordered = self.base.ordered_ids
        start = 0 if after is None else bisect.bisect_right(ordered, after)
        found: list[UUID] = []
        for customer_id in ordered[start:]:
            if len(found) == limit:
                break
            if self.base.matches(query, customer_id, as_of):
                found.append(customer_id)
        return tuple(found)

    def _add(self, customer_id: UUID, tag: Tag) -> int:
        tags = self.base.tags[customer_id]
        if tag.value in tags:
            return 0
        tags.add(tag.value)
        return 1

    def _remove(self, customer_id: UUID, tag: Tag) -> int:
        tags = self.base.tags[customer_id]
        if tag.value not in tags:
            return 0
        tags.discard(tag.value)
        return 1


class FakeRuleTagRepository:
    def __init__(self) -> None:
        self.rules: dict[Tag, RuleTag] = {}

    async def add(self, rule: RuleTag) -> None:
        self.rules[rule.tag] = rule

    async def get(self, tag: Tag) -> RuleTag | None:
        return self.rules.get(tag)

    async def delete(self, tag: Tag) -> None:
        del self.rules[tag]

    async def for_segment(self, segment_id: UUID) -> list[RuleTag]:
        return [rule for rule in self.rules.values() if rule.segment_id == segment_id]

    async def among(self, tags: Sequence[Tag]) -> set[Tag]:
        return {tag for tag in tags if tag in self.rules}


class FakeTagsUnitOfWork(FakeSegmentsUnitOfWork):
    """Segments and tags over one customer base (the composed unit of work)."""

    def __init__(
        self, base: CustomerBase | None = None, handlers: EventHandlers | None = None
    ) -> None:
        super().__init__(base, handlers)
        self.rule_tags = FakeRuleTagRepository()
        self.tag_assignments = FakeTagAssignmentRepository(self.base, self)
        self.commits_seen: list[int] = []
