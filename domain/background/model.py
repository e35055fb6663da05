"""Long work tracked as a job: imports, exports, bulk tagging, re-evaluations.

A job is created QUEUED when the work is handed to a worker, becomes RUNNING when a
worker picks it up, reports progress as it goes, and ends SUCCEEDED with a JSON result
or FAILED with a message. Clients follow it through `job(id)` or a subscription.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from uuid import UUID

from domain.background.errors import JobAlreadyFinished
from domain.background.events import JobUpdated
from domain.customers.json_values import JsonValue
from domain.events import DomainEvent
from domain.ids import new_id


class JobStatus(StrEnum):
    QUEUED = "QUEUED"
    RUNNING = "RUNNING"
    SUCCEEDED = "SUCCEEDED"
    FAILED = "FAILED"

    @property
    def finished(self) -> bool:
        return self in {JobStatus.SUCCEEDED, JobStatus.FAILED}


@dataclass(eq=False, kw_only=True)
class Job:
    """One piece of long work and how far it got."""

    id: UUID
    kind: str
    status: JobStatus
    created_by: str
    created_at: datetime
    done: int = 0
    total: int | None = None
    started_at: datetime | None = None
    finished_at: datetime | None = None
    result: JsonValue = None
    error: str | None = None
    _events: list[DomainEvent] = field(default_factory=list, repr=False)

    @classmethod
    def queue(cls, *, kind: str, created_by: str, now: datetime, total: int | None = None) -> Job:
        job = cls(
            id=new_id(),
            kind=kind,
            status=JobStatus.QUEUED,
            created_by=created_by,
            created_at=now,
            total=total,
        )
        job._changed()
        return job

    def start(self, now: datetime, total: int | None = None) -> None:
        """A worker picked the job up (again, after a retry: progress restarts)."""
        self._ensure_open()
        self.status = JobStatus.RUNNING
        self.started_at = self.started_at or now
        if total is not None:
            self.total = total
        self._changed()

    def progress(self, done: int, total: int | None = None) -> None:
        self._ensure_open()
        self.done = max(0, done)
        if total is not None:
            self.total = total
        self._changed()

    def succeed(self, now: datetime, result: JsonValue = None) -> None:
        self._ensure_open()
        self.status = JobStatus.SUCCEEDED
        self.finished_at = now
        self.result = result
        if self.total is not None:
            self.done = self.total
        self._changed()

    def fail(self, now: datetime, error: str) -> None:
        self._ensure_open()
        self.status = JobStatus.FAILED
        self.finished_at = now
        self.error = error[:2000]
        self._changed()

    def take_events(self) -> list[DomainEvent]:
        events, self._events = self._events, []
        return events

    def _ensure_open(self) -> None:
        if self.status.finished:
            raise JobAlreadyFinished(f"job {self.id} already {self.status.value}")

    def _changed(self) -> None:
        self._events.append(
            JobUpdated(
                job_id=self.id,
                kind=self.kind,
                status=self.status.value,
                done=self.done,
                total=self.total,
                created_by=self.created_by,
            )
        )
