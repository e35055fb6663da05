"""Repository of background jobs."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from domain.background.model import Job, JobStatus
from persistence.tables.background import background_jobs


def job_from_row(row: Any) -> Job:
    return Job(
        id=row.id,
        kind=row.kind,
        status=JobStatus(row.status),
        created_by=row.created_by,
        created_at=row.created_at,
        done=row.done,
        total=row.total,
        started_at=row.started_at,
        finished_at=row.finished_at,
        result=row.result,
        error=row.error,
    )


def _values(job: Job) -> dict[str, Any]:
    return {
        "kind": job.kind,
        "status": job.status.value,
        "created_by": job.created_by,
        "created_at": job.created_at,
        "started_at": job.started_at,
        "finished_at": job.finished_at,
        "done": job.done,
        "total": job.total,
        "result": job.result,
        "error": job.error,
    }


class SqlAlchemyJobRepository:
    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def add(self, job: Job) -> None:
        await self._conn.execute(insert(background_jobs).values(id=job.id, **_values(job)))

    async def get(self, job_id: UUID) -> Job | None:
        row = (
            await self._conn.execute(select(background_jobs).where(background_jobs.c.id == job_id))
        ).first()
        return job_from_row(row) if row else None

    async def save(self, job: Job) -> None:
        await self._conn.execute(
            update(background_jobs).where(background_jobs.c.id == job.id).values(**_values(job))
        )
