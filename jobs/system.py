"""Housekeeping actors."""

from __future__ import annotations

from jobs import runtime
from jobs.registry import actor
from persistence.idempotency import SqlIdempotencyStore


@actor("system.purge_idempotency_records", max_retries=0)
async def purge_idempotency_records() -> int:
    """Forget stored mutation responses older than IDEMPOTENCY_TTL_HOURS."""
    svc = runtime.services()
    store = SqlIdempotencyStore(svc.engine, svc.clock.now)
    return await store.purge(svc.clock.now() - svc.settings.idempotency_ttl)
