"""Facts about tags. Each event names at most one batch of customers (bounded size)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar
from uuid import UUID

from domain.events import DomainEvent


@dataclass(frozen=True, kw_only=True)
class CustomersTagged(DomainEvent):
    """Manual tags were added to customers (one request, or one batch of a bulk run)."""

    name: ClassVar[str] = "tags.added"
    tags: tuple[str, ...]
    customer_ids: tuple[UUID, ...]


@dataclass(frozen=True, kw_only=True)
class CustomersUntagged(DomainEvent):
    """Manual tags were removed from customers (one request, or one batch)."""

    name: ClassVar[str] = "tags.removed"
    tags: tuple[str, ...]
    customer_ids: tuple[UUID, ...]


@dataclass(frozen=True, kw_only=True)
class RuleTagDefined(DomainEvent):
    """A rule tag now follows a segment."""

    name: ClassVar[str] = "tags.rule_defined"
    tag: str
    segment_id: UUID


@dataclass(frozen=True, kw_only=True)
class RuleTagDropped(DomainEvent):
    """A rule tag was removed, and with it from every customer carrying it."""

    name: ClassVar[str] = "tags.rule_dropped"
    tag: str
    segment_id: UUID
    removed_count: int


@dataclass(frozen=True, kw_only=True)
class RuleTagSynced(DomainEvent):
    """A rule tag was made equal to its segment's members (counts only: can be large)."""

    name: ClassVar[str] = "tags.rule_synced"
    tag: str
    segment_id: UUID
    added_count: int
    removed_count: int
