"""Facts about segments; membership changes are what automations and webhooks follow."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import ClassVar
from uuid import UUID

from domain.events import DomainEvent

MEMBERSHIP_CHUNK = 1_000


@dataclass(frozen=True, kw_only=True)
class SegmentCreated(DomainEvent):
    """A saved segment was created."""

    name: ClassVar[str] = "segments.created"
    segment_id: UUID
    segment_name: str
    query: str


@dataclass(frozen=True, kw_only=True)
class SegmentUpdated(DomainEvent):
    """A saved segment changed; `fields` names what changed (name, query, description)."""

    name: ClassVar[str] = "segments.updated"
    segment_id: UUID
    fields: tuple[str, ...]
    query: str


@dataclass(frozen=True, kw_only=True)
class SegmentDeleted(DomainEvent):
    """A saved segment was deleted (with its stored membership)."""

    name: ClassVar[str] = "segments.deleted"
    segment_id: UUID
    segment_name: str


@dataclass(frozen=True, kw_only=True)
class SegmentMembershipChanged(DomainEvent):
    """Customers entered or left a segment at a re-evaluation.

    Bounded: one event holds at most `MEMBERSHIP_CHUNK` ids (entered + left); a large
    change is several events numbered by `part` (1, 2, ...) for the same `as_of`.
    """

    name: ClassVar[str] = "segments.membership_changed"
    segment_id: UUID
    as_of: date
    part: int
    entered: tuple[UUID, ...]
    left: tuple[UUID, ...]


@dataclass(frozen=True, kw_only=True)
class SegmentReevaluated(DomainEvent):
    """A segment's stored membership was made equal to its query as of `as_of`.

    Emitted once per segment and run, after its membership-change events, in the same
    transaction (rule tags follow the segment on it).
    """

    name: ClassVar[str] = "segments.reevaluated"
    segment_id: UUID
    as_of: date
    entered_count: int
    left_count: int
