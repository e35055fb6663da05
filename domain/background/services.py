"""Use cases of background jobs: each step is its own short transaction, so progress
is visible to clients while the work goes on."""

from __future__ import annotations

from collections.abc import Callable
from uuid import UUID

from domain.background.errors import JobNotFound
from domain.background.model import Job
from domain.background.repository import JobsUnitOfWork
from domain.customers.json_values import JsonValue
from domain.ports import Clock

UowFactory = Callable[[], JobsUnitOfWork]


async def queue_job(
    uow: JobsUnitOfWork, clock: Clock, *, kind: str, created_by: str, total: int | None = None
) -> Job:
    """Record a job before handing its work to a worker."""
    async with uow:
        job = Job.queue(kind=kind, created_by=created_by, now=clock.now(), total=total)
        await uow.background_jobs.add(job)
        _emit(uow, job)
        await uow.commit()
    return job


async def _change(make_uow: UowFactory, job_id: UUID, change: Callable[[Job], None]) -> Job:
    uow = make_uow()
    async with uow:
        job = await uow.background_jobs.get(job_id)
        if job is None:
            raise JobNotFound(f"no job with id {job_id}", field=("id",))
        change(job)
        await uow.background_jobs.save(job)
        _emit(uow, job)
        await uow.commit()
    return job


async def start_job(
    make_uow: UowFactory, clock: Clock, job_id: UUID, total: int | None = None
) -> Job:
    """A worker begins (or, after a retry, resumes) the job."""
    return await _change(make_uow, job_id, lambda j: j.start(clock.now(), total))


async def report_progress(
    make_uow: UowFactory, job_id: UUID, done: int, total: int | None = None
) -> Job:
    return await _change(make_uow, job_id, lambda j: j.progress(done, total))


async def finish_job(
    make_uow: UowFactory, clock: Clock, job_id: UUID, result: JsonValue = None
) -> Job:
    return await _change(make_uow, job_id, lambda j: j.succeed(clock.now(), result))


async def fail_job(make_uow: UowFactory, clock: Clock, job_id: UUID, error: str) -> Job:
    return await _change(make_uow, job_id, lambda j: j.fail(clock.now(), error))


def _emit(uow: JobsUnitOfWork, job: Job) -> None:
    for event in job.take_events():
        uow.emit(event)
