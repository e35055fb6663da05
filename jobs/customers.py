"""Actors of the customers context."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from domain.customers.json_values import JsonValue
from domain.customers.privacy import export_customer
from jobs import runtime
from jobs.registry import actor
from jobs.tracking import Progress, run_tracked


@actor("customers.export", max_retries=0)
async def export(job_id: str, customer_id: str) -> None:
    """Export everything held about a customer into the job's result (privacy request)."""
    svc = runtime.services()

    async def work(progress: Progress) -> JsonValue:
        data: Any = await export_customer(svc.uow(), svc.participants, UUID(customer_id))
        return data

    await run_tracked(svc, UUID(job_id), work)
