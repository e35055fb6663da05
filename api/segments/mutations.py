"""Mutations of segments: create, update, delete (MARKETER, ADMIN), and re-evaluate."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from uuid import UUID

import strawberry
from strawberry import relay

from api.background.launch import launch_job
from api.mutation import mutation
from api.permissions import require
from api.relay import decode_id, encode_id
from api.segments.checking import checked_query
from api.segments.evaluation import request_evaluation
from api.segments.inputs import (
    SegmentCreateInput,
    SegmentDeleteInput,
    SegmentDeletePayload,
    SegmentPayload,
    SegmentReevaluateInput,
    SegmentReevaluatePayload,
    SegmentReevaluation,
    SegmentUpdateInput,
)
from api.segments.types import Segment
from domain.access.model import Role
from domain.segments.errors import SegmentNameTaken, SegmentNotFound
from domain.segments.membership import reevaluate_segment, reevaluate_segments
from domain.segments.model import Segment as SegmentModel
from domain.segments.services import (
    CreateSegment,
    DeleteSegment,
    UpdateSegment,
    create_segment,
    delete_segment,
    update_segment,
)
from persistence.queries.segments import count_matching
from persistence.segments import SqlAlchemySegmentRepository
from persistence.stepped import SteppedUnitOfWork

SegmentWriters = require(Role.ADMIN, Role.MARKETER)
REEVALUATE_ACTOR = "segments.reevaluate"
log = logging.getLogger(__name__)


async def _count(info: strawberry.Info, segment: SegmentModel) -> int | None:
    if segment.query is None:
        return None
    evaluation = request_evaluation(info)
    async with info.context.services.read() as conn:
        return await count_matching(
            conn,
            segment.query,
            as_of=evaluation.as_of,
            zone=evaluation.zone,
            currency_exponent=evaluation.currency_exponent,
        )


async def _count_or_none(info: strawberry.Info, segment: SegmentModel) -> int | None:
    """The live count, or None (logged) when its SQL fails."""
    try:
        return await _count(info, segment)
    except Exception:  # a failing count must not fail a change that was made
        log.exception("live count of segment %s failed", segment.id)
        return None


def _no_segment(segment_id: UUID) -> str:
    return f"no segment with id {encode_id('Segment', segment_id)}"


@contextmanager
def _named_by_global_id(segment_id: UUID) -> Iterator[None]:
    """The use cases' SegmentNotFound, with the id as clients know it (a global id)."""
    try:
        yield
    except SegmentNotFound as error:
        raise SegmentNotFound(_no_segment(segment_id), field=error.field) from None


async def _refuse_taken(info: strawberry.Info, segment: SegmentModel) -> None:
    """The name check of a dry run (a real save is settled by the unique key too)."""
    async with info.context.services.read() as conn:
        other = await SqlAlchemySegmentRepository(conn).get_by_name(segment.name)
    if other is not None and other.id != segment.id:
        raise SegmentNameTaken(f"a segment named '{segment.name}' already exists", field=("name",))


@strawberry.type
class SegmentMutation:
    @mutation(
        description=(
            "Save a segment (MARKETER, ADMIN). An invalid query is refused with a userError "
            "on `query` giving the line, column and what was expected."
        ),
        permission_classes=[SegmentWriters],
    )
    async def segment_create(
        self, info: strawberry.Info, input: SegmentCreateInput
    ) -> SegmentPayload:
        services = info.context.services
        await checked_query(info, input.query)  # the configured tiers; ANALYST's limits
        draft = SegmentModel.create(
            name=input.name,
            query=input.query,
            description=input.description,
            now=services.clock.now(),
        )
        if input.dry_run:
            await _refuse_taken(info, draft)
            return SegmentPayload(count=await _count(info, draft), dry_run=True)
        # Counted before the write, outside its transaction: a count that fails saves
        # nothing (the error is the answer), and a saved segment is never reported failed.
        count = await _count(info, draft)
        command = CreateSegment(name=input.name, query=input.query, description=input.description)
        segment = await create_segment(services.uow(), services.clock, command)
        return SegmentPayload(segment=Segment.from_model(segment), count=count)

    @mutation(
        description=(
            "Change a segment's name, query or description (MARKETER, ADMIN); a new query "
            "is checked like on create. Giving a valid query repairs an INVALID segment."
        ),
        permission_classes=[SegmentWriters],
    )
    async def segment_update(
        self, info: strawberry.Info, input: SegmentUpdateInput
    ) -> SegmentPayload:
        services = info.context.services
        segment_id = decode_id(input.id, "Segment", field=("id",))
        if input.query is not None:
            await checked_query(info, input.query)
        async with services.read() as conn:
            draft = await SqlAlchemySegmentRepository(conn).get(segment_id)
        if draft is None:
            raise SegmentNotFound(_no_segment(segment_id), field=("id",))
        draft.revise(
            now=services.clock.now(),
            name=input.name,
            query=input.query,
            description=input.description,
        )
        if input.dry_run:
            await _refuse_taken(info, draft)
            return SegmentPayload(count=await _count(info, draft), dry_run=True)
        # As on create: a new query is counted before it is saved (a failing count saves
        # nothing); an unchanged query that fails to count leaves `count` null.
        count = await (
            _count(info, draft) if input.query is not None else _count_or_none(info, draft)
        )
        command = UpdateSegment(
            segment_id=segment_id,
            name=input.name,
            query=input.query,
            description=input.description,
        )
        with _named_by_global_id(segment_id):
            segment = await update_segment(services.uow(), services.clock, command)
        return SegmentPayload(segment=Segment.from_model(segment), count=count)

    @mutation(
        description=(
            "Delete a segment and its stored membership (MARKETER, ADMIN); refused while a "
            "rule tag follows it."
        ),
        permission_classes=[SegmentWriters],
    )
    async def segment_delete(
        self, info: strawberry.Info, input: SegmentDeleteInput
    ) -> SegmentDeletePayload:
        services = info.context.services
        segment_id = decode_id(input.id, "Segment", field=("id",))
        with _named_by_global_id(segment_id):
            deleted = await delete_segment(services.uow(), DeleteSegment(segment_id=segment_id))
        return SegmentDeletePayload(deleted_segment_id=encode_id("Segment", deleted))

    @mutation(
        description=(
            "Re-evaluate saved segments now (MARKETER, ADMIN): store who matches, report who "
            "entered and who left (segmentMembershipChanged) and sync their rule tags. "
            "Segments whose query no longer parses are skipped and reported."
        ),
        permission_classes=[SegmentWriters],
    )
    async def segment_reevaluate(
        self, info: strawberry.Info, input: SegmentReevaluateInput
    ) -> SegmentReevaluatePayload:
        services = info.context.services
        as_of = input.as_of or request_evaluation(info).as_of
        segment_id = decode_id(input.id, "Segment", field=("id",)) if input.id is not None else None
        if input.background:
            job = await launch_job(
                info,
                REEVALUATE_ACTOR,
                total=None,
                segment_ids=[str(segment_id)] if segment_id else None,
                as_of=as_of.isoformat(),
            )
            return SegmentReevaluatePayload(job=job, job_id=relay.GlobalID("Job", job.id))
        uow = SteppedUnitOfWork(services.uow)
        if segment_id is not None:
            with _named_by_global_id(segment_id):
                outcomes = [await reevaluate_segment(uow, segment_id, as_of=as_of)]
        else:
            outcomes = await reevaluate_segments(uow, as_of=as_of)
        return SegmentReevaluatePayload(
            results=[
                SegmentReevaluation(
                    segment_id=encode_id("Segment", o.segment_id),
                    entered=o.entered,
                    left=o.left,
                    problem=o.problem,
                )
                for o in outcomes
            ]
        )
