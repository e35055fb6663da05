"""GraphQL of background jobs: a Job node, `job(id)` and `jobUpdated(jobId)`."""

from __future__ import annotations

from collections.abc import AsyncGenerator, Iterable
from datetime import datetime
from typing import Any
from uuid import UUID

import strawberry
from strawberry import relay

from api.nodes import visible_ids
from api.permissions import AnyCaller
from api.relay import decode_id_or_bad_request
from api.scalars import JSON
from api.subscriptions import listen
from domain.access.model import Role
from domain.background.events import JobUpdated
from domain.background.model import Job as JobModel
from domain.background.model import JobStatus
from persistence.background import SqlAlchemyJobRepository

strawberry.enum(JobStatus, name="JobStatus", description="Where a background job stands.")


@strawberry.type(description="How far a job got.")
class JobProgress:
    done: int
    total: int | None = strawberry.field(description="Null while unknown.")

    @strawberry.field(description="0 to 100, null while the total is unknown.")
    def percent(self) -> float | None:
        if not self.total:
            return None
        return round(100 * min(self.done, self.total) / self.total, 1)


@strawberry.type(description="Long work (import, export, bulk tagging...) and its progress.")
class Job(relay.Node):
    id: relay.NodeID[str]
    kind: str = strawberry.field(description="What the job does, e.g. tags.apply_by_query.")
    status: JobStatus
    progress: JobProgress
    result: JSON | None = strawberry.field(description="Set when SUCCEEDED.")
    error: str | None = strawberry.field(description="Set when FAILED.")
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None

    @classmethod
    def from_model(cls, job: JobModel) -> Job:
        return cls(
            id=str(job.id),
            kind=job.kind,
            status=job.status,
            progress=JobProgress(done=job.done, total=job.total),
            result=job.result,
            error=job.error,
            created_at=job.created_at,
            started_at=job.started_at,
            finished_at=job.finished_at,
        )

    @classmethod
    async def resolve_nodes(
        cls, *, info: strawberry.Info, node_ids: Iterable[str], required: bool = False
    ) -> list[Any]:
        ids = visible_ids(info, node_ids, roles=set(Role))
        return [await _visible_job(info, i) for i in ids]


async def job_by_id(info: strawberry.Info, job_id: UUID) -> Job | None:
    """The job, if the caller may see it."""
    return await _visible_job(info, job_id)


async def _visible_job(info: strawberry.Info, job_id: UUID) -> Job | None:
    async with info.context.services.read() as conn:
        job = await SqlAlchemyJobRepository(conn).get(job_id)
    principal = info.context.principal
    # A job is seen by whoever started it, and by ADMIN keys.
    if job is None or (principal.role is not Role.ADMIN and job.created_by != principal.actor):
        return None
    return Job.from_model(job)


@strawberry.type
class JobQuery:
    @strawberry.field(
        description="A background job you started (ADMIN: any job).", permission_classes=[AnyCaller]
    )
    async def job(self, info: strawberry.Info, id: strawberry.ID) -> Job | None:
        return await _visible_job(info, decode_id_or_bad_request(id, "Job"))


@strawberry.type
class JobSubscription:
    @strawberry.subscription(
        description="Updates of a job you started: status and progress, until it finishes.",
        permission_classes=[AnyCaller],
    )
    async def job_updated(
        self, info: strawberry.Info, job_id: strawberry.ID
    ) -> AsyncGenerator[Job, None]:
        wanted = str(decode_id_or_bad_request(job_id, "Job"))
        current = await _visible_job(info, UUID(wanted))
        if current is None:
            return
        yield current
        if current.status in {JobStatus.SUCCEEDED, JobStatus.FAILED}:
            return
        async for event in listen(info, JobUpdated.name, accept=lambda e: e["job_id"] == wanted):
            job = await _visible_job(info, UUID(wanted))
            if job is None:
                return
            yield job
            if event["status"] in {JobStatus.SUCCEEDED.value, JobStatus.FAILED.value}:
                return
