"""Handing long work to a worker as a tracked Job.

The job is recorded first (QUEUED, so the client can follow it at once), then its actor
is sent with the job id through `Services.send_job` (the composition root's broker).
"""

from __future__ import annotations

from typing import Any

import strawberry

from api.background.types import Job
from api.errors import ApiError, TopLevelCode
from domain.background.services import queue_job


async def launch_job(info: strawberry.Info, actor: str, *, total: int | None, **kwargs: Any) -> Job:
    """Record a QUEUED job of kind `actor`, send the actor with `job_id` and `kwargs`, and
    return the job as the client follows it."""
    services = info.context.services
    if services.send_job is None:
        raise ApiError(
            "background jobs cannot be started from this process",
            TopLevelCode.INTERNAL_SERVER_ERROR,
        )
    job = await queue_job(
        services.uow(),
        services.clock,
        kind=actor,
        created_by=info.context.principal.actor,
        total=total,
    )
    services.send_job(actor, job_id=str(job.id), **kwargs)
    return Job.from_model(job)
