"""Ports of the tags context. Methods marked set-based run as SQL over many rows."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Protocol
from uuid import UUID

from domain.ports import UnitOfWork
from domain.segments.repository import SegmentRepository
from domain.segments.syntax import Expr
from domain.tags.model import RuleTag, Tag, TagAssignment


@dataclass(frozen=True)
class TagBatch:
    """What one batch of a by-query run touched.

    `customer_ids` are the matching customers of the batch, in id order (empty when the
    run is over); `changed` counts the assignment rows actually added or removed.
    """

    customer_ids: tuple[UUID, ...]
    changed: int

    @property
    def last_id(self) -> UUID | None:
        return self.customer_ids[-1] if self.customer_ids else None


class TagAssignmentRepository(Protocol):
    """Which customers carry which tags (manual and rule tags share one table)."""

    async def existing_customers(self, customer_ids: Sequence[UUID]) -> set[UUID]:
        """Those of `customer_ids` that are customers (not erased, not merged away)."""
        ...

    async def add_manual(self, customer_ids: Sequence[UUID], tags: Sequence[Tag]) -> int:
        """Set-based: give each customer each tag, skipping pairs already there; returns
        the number of rows added."""
        ...

    async def remove_manual(self, customer_ids: Sequence[UUID], tags: Sequence[Tag]) -> int:
        """Set-based: take the tags off the customers; returns the number of rows removed."""
        ...

    async def count_matching(self, query: Expr, as_of: date) -> int:
        """Set-based: how many customers `query` matches as of `as_of` (compiled to SQL)."""
        ...

    async def add_manual_where(
        self, query: Expr, as_of: date, tags: Sequence[Tag], *, after: UUID | None, limit: int
    ) -> TagBatch:
        """Set-based, one batch: the next `limit` customers matching `query` (ids greater
        than `after`, in id order) get the tags. One call per transaction, so a large run
        commits in batches and can resume from the last id."""
        ...

    async def remove_manual_where(
        self, query: Expr, as_of: date, tags: Sequence[Tag], *, after: UUID | None, limit: int
    ) -> TagBatch:
        """Like `add_manual_where`, taking the tags off instead."""
        ...

    async def manual_tags_of(self, customer_id: UUID) -> frozenset[Tag]:
        """The manual tags one customer carries (rule tags excluded)."""
        ...

    async def reassign(self, tags: Sequence[Tag], from_id: UUID, to_id: UUID) -> int:
        """Move the given tag rows of `from_id` to `to_id` (rows `to_id` already has are
        left on `from_id`); returns rows moved. Used by merges."""
        ...

    async def is_in_use(self, tag: Tag) -> bool:
        """Whether any customer carries `tag`."""
        ...

    async def sync_rule_tag(self, tag: Tag, segment_id: UUID) -> tuple[int, int]:
        """Set-based: make the customers carrying `tag` exactly the stored members of
        segment `segment_id`; returns (added, removed) row counts."""
        ...

    async def drop_tag(self, tag: Tag) -> int:
        """Set-based: take `tag` off every customer; returns rows removed."""
        ...


class RuleTagRepository(Protocol):
    """Definitions of rule tags."""

    async def add(self, rule: RuleTag) -> None: ...

    async def get(self, tag: Tag) -> RuleTag | None: ...

    async def delete(self, tag: Tag) -> None: ...

    async def for_segment(self, segment_id: UUID) -> list[RuleTag]:
        """Rule tags following `segment_id`."""
        ...

    async def among(self, tags: Sequence[Tag]) -> set[Tag]:
        """Those of `tags` that are rule tags."""
        ...


class TagRecords(Protocol):
    """Reads the tags one customer carries (privacy exports)."""

    async def assignments_of(self, customer_id: UUID) -> Sequence[TagAssignment]:
        """Every tag of the customer, manual and rule, with when it was given, by tag."""
        ...


class TagsExportUnitOfWork(UnitOfWork, Protocol):
    """What the tags exporter reads (the tag assignments repository implements it)."""

    @property
    def tag_assignments(self) -> TagRecords: ...


class TagsUnitOfWork(UnitOfWork, Protocol):
    """A transaction over tags; reads segments to resolve rule tags' segments."""

    @property
    def tag_assignments(self) -> TagAssignmentRepository: ...

    @property
    def rule_tags(self) -> RuleTagRepository: ...

    @property
    def segments(self) -> SegmentRepository: ...
