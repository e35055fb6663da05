"""Ports of the segments context."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import date
from typing import Protocol
from uuid import UUID

from domain.ports import UnitOfWork
from domain.segments.model import Segment
from domain.segments.syntax import Expr


class SegmentRepository(Protocol):
    """Saved segments. Loaded segments are built with `Segment.restore` (which parses)."""

    async def add(self, segment: Segment) -> None:
        """Insert a new segment."""
        ...

    async def save(self, segment: Segment) -> None:
        """Write the name, query text, description and updated_at of a changed segment."""
        ...

    async def get(self, segment_id: UUID) -> Segment | None: ...

    async def get_for_update(self, segment_id: UUID) -> Segment | None:
        """Like `get`, locking the row until the transaction ends (PostgreSQL)."""
        ...

    async def get_by_name(self, name: str) -> Segment | None:
        """The segment whose name equals `name` case-insensitively, if any."""
        ...

    async def delete(self, segment_id: UUID) -> None:
        """Delete the segment and its stored membership."""
        ...

    async def all_ids(self) -> list[UUID]:
        """Ids of every saved segment, oldest first (segments are few: hundreds)."""
        ...


@dataclass(frozen=True)
class MembershipChunk:
    """Part of one re-evaluation's change: at most `chunk_size` ids in all."""

    entered: tuple[UUID, ...]
    left: tuple[UUID, ...]


class SegmentMembershipRepository(Protocol):
    """Stored membership of saved segments, replaced set-based in the database."""

    def replace_members(
        self, segment_id: UUID, query: Expr, as_of: date, *, chunk_size: int
    ) -> AsyncIterator[MembershipChunk]:
        """Set-based: make the stored members of `segment_id` exactly the customers that
        `query` matches as of `as_of` (the SQL compiler, with the evaluator's meaning),
        inside the current transaction, and yield who entered and who left, in chunks of
        at most `chunk_size` ids (entered + left), so no unbounded list reaches Python.
        Implemented as an async generator; nothing is yielded when nothing changed.
        """
        ...


class SegmentsUnitOfWork(UnitOfWork, Protocol):
    """A transaction over segments and their membership.

    Repositories are read-only properties so that any implementation's own repository
    types (plain attributes are fine) satisfy the protocol.
    """

    @property
    def segments(self) -> SegmentRepository: ...

    @property
    def segment_memberships(self) -> SegmentMembershipRepository: ...
