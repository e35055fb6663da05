"""Use cases on saved segments: create, update, delete."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from domain.ports import Clock
from domain.segments.errors import SegmentNameTaken, SegmentNotFound
from domain.segments.model import Segment
from domain.segments.repository import SegmentsUnitOfWork


@dataclass(frozen=True)
class CreateSegment:
    name: str
    query: str
    description: str = ""


@dataclass(frozen=True)
class UpdateSegment:
    """Fields left None are unchanged."""

    segment_id: UUID
    name: str | None = None
    query: str | None = None
    description: str | None = None


@dataclass(frozen=True)
class DeleteSegment:
    segment_id: UUID


async def create_segment(uow: SegmentsUnitOfWork, clock: Clock, command: CreateSegment) -> Segment:
    """Save a new segment; an invalid query is refused with its line and column."""
    async with uow:
        segment = Segment.create(
            name=command.name,
            query=command.query,
            description=command.description,
            now=clock.now(),
        )
        await _refuse_taken_name(uow, segment.name, segment.id)
        await uow.segments.add(segment)
        _emit(uow, segment)
        await uow.commit()
    return segment


async def update_segment(uow: SegmentsUnitOfWork, clock: Clock, command: UpdateSegment) -> Segment:
    """Change a segment's name, query or description (a new query is parsed first)."""
    async with uow:
        segment = await _get_for_update(uow, command.segment_id)
        changed = segment.revise(
            now=clock.now(),
            name=command.name,
            query=command.query,
            description=command.description,
        )
        if "name" in changed:
            await _refuse_taken_name(uow, segment.name, segment.id)
        if changed:
            await uow.segments.save(segment)
            _emit(uow, segment)
        await uow.commit()
    return segment


async def delete_segment(uow: SegmentsUnitOfWork, command: DeleteSegment) -> UUID:
    """Delete a segment and its membership (refused by a rule tag that follows it)."""
    async with uow:
        segment = await _get_for_update(uow, command.segment_id)
        segment.mark_deleted()
        await uow.segments.delete(segment.id)
        _emit(uow, segment)
        await uow.commit()
    return segment.id


async def _get_for_update(uow: SegmentsUnitOfWork, segment_id: UUID) -> Segment:
    segment = await uow.segments.get_for_update(segment_id)
    if segment is None:
        raise SegmentNotFound(f"no segment with id {segment_id}", field=("id",))
    return segment


async def _refuse_taken_name(uow: SegmentsUnitOfWork, name: str, own_id: UUID) -> None:
    other = await uow.segments.get_by_name(name)
    if other is not None and other.id != own_id:
        raise SegmentNameTaken(f"a segment named '{name}' already exists", field=("name",))


def _emit(uow: SegmentsUnitOfWork, segment: Segment) -> None:
    for event in segment.take_events():
        uow.emit(event)
