"""Tag actors: adding or removing manual tags on every customer a query matches."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

from domain.customers.json_values import JsonValue
from domain.tags.services import TagByQuery, UntagByQuery, add_tags_by_query, remove_tags_by_query
from jobs import runtime
from jobs.context import JobServices
from jobs.registry import actor
from jobs.tracking import Progress, run_tracked
from persistence.stepped import SteppedUnitOfWork


async def apply_by_query(
    svc: JobServices,
    query: str,
    tags: list[str],
    *,
    remove: bool,
    as_of: date,
    progress: Progress | None,
) -> JsonValue:
    """The batched use case: one transaction per 1,000 customers, progress after each."""
    uow = SteppedUnitOfWork(svc.uow)

    async def report(done: int, total: int) -> None:
        if progress is not None:
            await progress(done, total)

    if remove:
        change = await remove_tags_by_query(
            uow, svc.clock, UntagByQuery(query, tuple(tags), as_of), progress=report
        )
    else:
        change = await add_tags_by_query(
            uow, svc.clock, TagByQuery(query, tuple(tags), as_of), progress=report
        )
    return {"customers": change.customers, "changed": change.changed, "batches": change.batches}


@actor("tags.apply_by_query", max_retries=0)
async def apply_tags_by_query_job(
    job_id: str, query: str, tags: list[str], remove: bool = False, as_of: str | None = None
) -> Any:
    """Tag (or untag) every customer `query` matches, tracked as the Job `job_id`."""
    svc = runtime.services()
    day = (
        date.fromisoformat(as_of) if as_of else svc.clock.now().astimezone(svc.settings.zone).date()
    )
    return await run_tracked(
        svc,
        UUID(job_id),
        lambda progress: apply_by_query(
            svc, query, tags, remove=remove, as_of=day, progress=progress
        ),
    )
