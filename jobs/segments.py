"""Segment actors: re-evaluating saved segments (by hand, by the API; the nightly run
calls the same use case)."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

from strawberry import relay

from domain.customers.json_values import JsonValue
from domain.segments.membership import reevaluate_segment
from jobs import runtime
from jobs.context import JobServices
from jobs.registry import actor
from jobs.tracking import Progress, run_tracked
from persistence.stepped import SteppedUnitOfWork


def store_today(svc: JobServices) -> date:
    return svc.clock.now().astimezone(svc.settings.zone).date()


async def reevaluate(
    svc: JobServices, segment_ids: list[UUID] | None, as_of: date, progress: Progress | None
) -> JsonValue:
    """Re-evaluate the segments (default: all), one transaction each, with progress."""
    uow = SteppedUnitOfWork(svc.uow)
    if segment_ids is None:
        async with uow:
            segment_ids = await uow.segments.all_ids()
    outcomes: list[JsonValue] = []
    for done, segment_id in enumerate(segment_ids, start=1):
        outcome = await reevaluate_segment(uow, segment_id, as_of=as_of)
        outcomes.append(
            {
                # The id clients know (a global id, as `segment(id:)` takes), and the name.
                "segmentId": str(relay.GlobalID("Segment", str(segment_id))),
                "name": outcome.name,
                "entered": outcome.entered,
                "left": outcome.left,
                "problem": outcome.problem,
            }
        )
        if progress is not None:
            await progress(done, len(segment_ids))
    return {"asOf": as_of.isoformat(), "segments": outcomes}


@actor("segments.reevaluate", max_retries=0)
async def reevaluate_segments_job(
    segment_ids: list[str] | None = None, as_of: str | None = None, job_id: str | None = None
) -> Any:
    """Re-evaluate saved segments as of a store-local date (default: today)."""
    svc = runtime.services()
    day = date.fromisoformat(as_of) if as_of else store_today(svc)
    ids = [UUID(i) for i in segment_ids] if segment_ids is not None else None
    if job_id is None:
        return await reevaluate(svc, ids, day, None)
    return await run_tracked(
        svc, UUID(job_id), lambda progress: reevaluate(svc, ids, day, progress)
    )
