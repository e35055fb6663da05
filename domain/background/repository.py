"""Ports of background jobs."""

from __future__ import annotations

from typing import Protocol
from uuid import UUID

from domain.background.model import Job
from domain.ports import UnitOfWork


class JobRepository(Protocol):
    async def add(self, job: Job) -> None: ...

    async def get(self, job_id: UUID) -> Job | None: ...

    async def save(self, job: Job) -> None: ...


class JobsUnitOfWork(UnitOfWork, Protocol):
    @property
    def background_jobs(self) -> JobRepository: ...
