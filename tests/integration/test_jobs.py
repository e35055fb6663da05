"""Dramatiq actors run on the same persistence code, in-process and through Redis."""

from __future__ import annotations

import asyncio
import dataclasses
import time
from datetime import UTC, datetime, timedelta

import pytest
from dramatiq import Worker
from sqlalchemy import func, insert, select
from sqlalchemy.ext.asyncio import AsyncEngine

from jobs import runtime
from jobs.broker import make_jobs
from jobs.context import JobServices
from patronage.clock import SystemClock
from patronage.runtime import build_handlers
from patronage.settings import Settings
from persistence.db import make_engine
from persistence.tables.access import idempotency_records
from persistence.unit_of_work import NullPublisher


async def _seed_records(engine: AsyncEngine) -> None:
    now = datetime.now(UTC)
    async with engine.begin() as conn:
        for i, age in enumerate([timedelta(hours=48), timedelta(hours=30), timedelta(minutes=5)]):
            await conn.execute(
                insert(idempotency_records).values(
                    scope="key:x",
                    key=f"k{i}",
                    fingerprint="f",
                    status="COMPLETE",
                    response={},
                    created_at=now - age,
                    locked_until=now - age,
                )
            )


async def _remaining(engine: AsyncEngine) -> int:
    async with engine.connect() as conn:
        return int(
            (await conn.execute(select(func.count()).select_from(idempotency_records))).scalar_one()
        )


def _configure(settings: Settings) -> None:
    runtime.configure(
        lambda: JobServices(
            settings=settings,
            engine=make_engine(settings.database_url),
            handlers=build_handlers(settings),
            publisher=NullPublisher(),
            clock=SystemClock(),
        )
    )


async def _wait_until(engine: AsyncEngine, expected: int, timeout: float = 10) -> int:
    deadline = time.monotonic() + timeout
    while True:
        found = await _remaining(engine)
        if found == expected or time.monotonic() > deadline:
            return found
        await asyncio.sleep(0.1)


async def test_an_async_actor_runs_in_the_in_process_worker(
    engine: AsyncEngine, settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    await _seed_records(engine)
    _configure(settings)
    jobs = make_jobs(settings)
    worker = Worker(jobs.broker, worker_threads=1)
    worker.start()
    try:
        jobs.send("system.purge_idempotency_records")
        assert await _wait_until(engine, expected=1) == 1
    finally:
        worker.stop()
        jobs.close()
    # The actor returns a count; Dramatiq, with no results backend, must not warn about it
    # (the scheduler's every-minute SLA run filled the log with that warning).
    assert not [r for r in caplog.records if "returned a value" in r.getMessage()]


@pytest.mark.redis
async def test_an_actor_runs_through_redis(
    engine: AsyncEngine, settings: Settings, redis_url: str
) -> None:
    await _seed_records(engine)
    redis_settings = dataclasses.replace(settings, redis_url=redis_url)
    _configure(redis_settings)
    namespace = f"patronage-test-{time.monotonic_ns()}"
    jobs = make_jobs(redis_settings, namespace=namespace)
    worker = Worker(jobs.broker, worker_threads=1)
    worker.start()
    try:
        assert jobs.ping()
        jobs.send("system.purge_idempotency_records")
        assert await _wait_until(engine, expected=1) == 1
    finally:
        worker.stop()
        jobs.close()
