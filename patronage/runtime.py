"""The composition root: builds and wires every adapter for a process.

The API process and the workers get the same use cases over the same persistence;
only the edges differ. In the embedded mode (no REDIS_URL) `serve` also runs the
Dramatiq worker and the scheduler in-process.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field

from dramatiq import Worker

from api.context import Services
from api.tokens import CustomerTokens
from domain.bus import EventHandlers
from jobs import runtime as job_runtime
from jobs.broker import Jobs, make_jobs
from jobs.context import JobServices
from jobs.scheduler import SCHEDULES, FireLock, LocalFireLock, RedisFireLock, Scheduler
from patronage.clock import SystemClock
from patronage.publisher import BroadcastPublisher
from patronage.pubsub import Broadcast, InMemoryBroadcast, RedisBroadcast
from patronage.settings import Settings
from persistence.db import make_engine
from persistence.idempotency import SqlIdempotencyStore

log = logging.getLogger(__name__)

# Each context registers its in-transaction handlers here.
HANDLER_REGISTRARS: list[Callable[[EventHandlers], None]] = []


def build_handlers() -> EventHandlers:
    handlers = EventHandlers()
    for register in HANDLER_REGISTRARS:
        register(handlers)
    return handlers


def make_broadcast(settings: Settings) -> Broadcast:
    if settings.redis_url:
        return RedisBroadcast(settings.redis_url)
    return InMemoryBroadcast()


@dataclass
class Runtime:
    """Everything one process runs with."""

    settings: Settings
    services: Services
    jobs: Jobs
    worker: Worker | None = None
    scheduler_task: asyncio.Task[None] | None = None
    _stop: asyncio.Event = field(default_factory=asyncio.Event)

    async def start_embedded_workers(self) -> None:
        """Run the Dramatiq worker and the scheduler inside this process."""
        self.worker = Worker(self.jobs.broker, worker_threads=2)
        self.worker.start()
        self.scheduler_task = asyncio.create_task(self.scheduler().run_forever(self._stop))

    def scheduler(self, lock: FireLock | None = None) -> Scheduler:
        return Scheduler(
            SCHEDULES,
            zone=self.settings.zone,
            lock=lock or LocalFireLock(),
            send=lambda name, kwargs: self.jobs.send(name, **kwargs),
            now=self.services.clock.now,
        )

    async def close(self) -> None:
        self._stop.set()
        if self.scheduler_task is not None:
            with contextlib.suppress(Exception):
                await self.scheduler_task
        if self.worker is not None:
            await asyncio.to_thread(self.worker.stop)
        self.jobs.close()
        await self.services.broadcast.close()
        await self.services.engine.dispose()


def build_runtime(settings: Settings, *, broadcast: Broadcast | None = None) -> Runtime:
    """Wire a process. Call inside the event loop that will serve it."""
    clock = SystemClock()
    handlers = build_handlers()
    broadcast = broadcast or make_broadcast(settings)
    engine = make_engine(settings.database_url)
    jobs = make_jobs(settings)

    async def broker_ping() -> bool:
        return await asyncio.to_thread(jobs.ping)

    services = Services(
        settings=settings,
        engine=engine,
        handlers=handlers,
        publisher=BroadcastPublisher(broadcast),
        broadcast=broadcast,
        clock=clock,
        idempotency=SqlIdempotencyStore(engine, clock.now),
        tokens=CustomerTokens(settings.secret_key, settings.customer_token_ttl),
        broker_ping=broker_ping,
    )

    def job_services() -> JobServices:
        # Runs on the worker's event loop: its own engine; in the embedded mode the
        # in-memory broadcast is shared (it delivers across threads safely).
        job_broadcast = broadcast if settings.embedded else make_broadcast(settings)
        return JobServices(
            settings=settings,
            engine=make_engine(settings.database_url),
            handlers=handlers,
            publisher=BroadcastPublisher(job_broadcast),
            clock=clock,
        )

    job_runtime.configure(job_services)
    return Runtime(settings=settings, services=services, jobs=jobs)


def redis_fire_lock(settings: Settings) -> FireLock:
    import redis.asyncio as aioredis

    assert settings.redis_url is not None
    return RedisFireLock(aioredis.Redis.from_url(settings.redis_url))


@contextlib.asynccontextmanager
async def running(settings: Settings) -> AsyncIterator[Runtime]:
    runtime = build_runtime(settings)
    try:
        yield runtime
    finally:
        await runtime.close()
