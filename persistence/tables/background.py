"""Background jobs and their progress."""

from __future__ import annotations

from sqlalchemy import Column, Index, Integer, String, Table, Text, Uuid

from persistence.db import metadata
from persistence.types import Json, UtcDateTime

background_jobs = Table(
    "background_jobs",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("kind", String(64), nullable=False),
    Column("status", String(12), nullable=False),
    Column("created_by", String(120), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("started_at", UtcDateTime),
    Column("finished_at", UtcDateTime),
    Column("done", Integer, nullable=False),
    Column("total", Integer),
    Column("result", Json),
    Column("error", Text),
)
Index("ix_background_jobs_created", background_jobs.c.created_at, background_jobs.c.id)
