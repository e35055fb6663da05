"""Running an actor's work as a tracked background job."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from uuid import UUID

from domain.background.services import fail_job, finish_job, report_progress, start_job
from domain.customers.json_values import JsonValue
from jobs.context import JobServices

log = logging.getLogger(__name__)

Progress = Callable[[int, int | None], Awaitable[None]]


async def run_tracked(
    services: JobServices,
    job_id: UUID,
    work: Callable[[Progress], Awaitable[JsonValue]],
) -> JsonValue:
    """Start the job, run `work(progress)`, then mark it SUCCEEDED or FAILED.

    A failure is recorded on the job and not re-raised: the work is idempotent and the
    client starts it again if it wants to; a blind retry would just fail again.
    """
    await start_job(services.uow, services.clock, job_id)

    async def progress(done: int, total: int | None = None) -> None:
        await report_progress(services.uow, job_id, done, total)

    try:
        result = await work(progress)
    except Exception as error:
        log.exception("job %s failed", job_id)
        await fail_job(services.uow, services.clock, job_id, f"{type(error).__name__}: {error}")
        return None
    await finish_job(services.uow, services.clock, job_id, result)
    return result
