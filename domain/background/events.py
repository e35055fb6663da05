"""Facts about background jobs."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar
from uuid import UUID

from domain.events import DomainEvent


@dataclass(frozen=True, kw_only=True)
class JobUpdated(DomainEvent):
    """A job was queued, started, advanced or finished."""

    name: ClassVar[str] = "background.job_updated"
    job_id: UUID
    kind: str
    status: str
    done: int
    total: int | None
    created_by: str
