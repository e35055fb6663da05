"""Re-evaluation of saved segments: who entered and who left, as events.

Called by the nightly run, a CLI command or a job. Each segment is re-evaluated in its
own transaction (a failure leaves the others done); running twice for one date changes
nothing the second time, because membership is replaced, not appended.

A segment whose query no longer parses is skipped and reported; so is one whose query
fails when run (its transaction rolled back, its stored members as they were, the error
logged): one bad segment never stops the others.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from uuid import UUID

from domain.errors import DomainError
from domain.segments.errors import SegmentNotFound
from domain.segments.events import (
    MEMBERSHIP_CHUNK,
    SegmentMembershipChanged,
    SegmentReevaluated,
)
from domain.segments.repository import MembershipChunk, SegmentsUnitOfWork

log = logging.getLogger(__name__)
FAILED_TO_RUN = "its query failed when run (see the server log); its members were not changed"


@dataclass(frozen=True)
class SegmentReevaluation:
    """The outcome for one segment: counts, or the problem that made it skip."""

    segment_id: UUID
    entered: int = 0
    left: int = 0
    problem: str | None = None
    name: str | None = None

    @property
    def skipped(self) -> bool:
        return self.problem is not None


async def reevaluate_segments(
    uow: SegmentsUnitOfWork,
    *,
    as_of: date,
    segment_ids: Sequence[UUID] | None = None,
    chunk_size: int = MEMBERSHIP_CHUNK,
) -> list[SegmentReevaluation]:
    """Re-evaluate the given (default: all) saved segments as of `as_of`.

    Segments whose query no longer parses are skipped and reported, not fatal.
    """
    if segment_ids is None:
        async with uow:
            segment_ids = await uow.segments.all_ids()
    return [
        await reevaluate_segment(uow, segment_id, as_of=as_of, chunk_size=chunk_size)
        for segment_id in segment_ids
    ]


async def reevaluate_segment(
    uow: SegmentsUnitOfWork, segment_id: UUID, *, as_of: date, chunk_size: int = MEMBERSHIP_CHUNK
) -> SegmentReevaluation:
    """Make one segment's stored membership match its query; emit who entered and left.

    Raises SegmentNotFound; any other failure is the segment's reported `problem`."""
    try:
        return await _reevaluate(uow, segment_id, as_of, chunk_size)
    except DomainError:
        raise
    except Exception:  # the database refused this segment's SQL: report, keep going
        log.exception("re-evaluating segment %s failed", segment_id)
        return SegmentReevaluation(
            segment_id, problem=FAILED_TO_RUN, name=await _name(uow, segment_id)
        )


async def _name(uow: SegmentsUnitOfWork, segment_id: UUID) -> str | None:
    try:
        async with uow:
            segment = await uow.segments.get(segment_id)
    except Exception:  # the name is a courtesy of the report
        log.exception("reading segment %s failed", segment_id)
        return None
    return segment.name if segment else None


async def _reevaluate(
    uow: SegmentsUnitOfWork, segment_id: UUID, as_of: date, chunk_size: int
) -> SegmentReevaluation:
    async with uow:
        segment = await uow.segments.get_for_update(segment_id)
        if segment is None:
            raise SegmentNotFound(f"no segment with id {segment_id}", field=("id",))
        if segment.query is None:
            problem = segment.problem.message if segment.problem else "query missing"
            return SegmentReevaluation(segment_id, problem=problem, name=segment.name)
        entered = left = part = 0
        changes = uow.segment_memberships.replace_members(
            segment.id, segment.query, as_of, chunk_size=chunk_size
        )
        async for chunk in changes:
            entered += len(chunk.entered)
            left += len(chunk.left)
            for entered_ids, left_ids in _bounded(chunk, chunk_size):
                part += 1
                uow.emit(
                    SegmentMembershipChanged(
                        segment_id=segment.id,
                        as_of=as_of,
                        part=part,
                        entered=entered_ids,
                        left=left_ids,
                    )
                )
        uow.emit(
            SegmentReevaluated(
                segment_id=segment.id, as_of=as_of, entered_count=entered, left_count=left
            )
        )
        await uow.commit()
    return SegmentReevaluation(segment_id, entered=entered, left=left, name=segment.name)


def _bounded(
    chunk: MembershipChunk, size: int
) -> Iterator[tuple[tuple[UUID, ...], tuple[UUID, ...]]]:
    """Split a chunk into pieces of at most `size` ids, whatever the repository yielded."""
    ids = [(True, i) for i in chunk.entered] + [(False, i) for i in chunk.left]
    for start in range(0, len(ids), size):
        piece = ids[start : start + size]
        yield (tuple(i for is_in, i in piece if is_in), tuple(i for is_in, i in piece if not is_in))
