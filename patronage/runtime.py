"""The composition root: builds and wires every adapter for a process.

The API process and the workers get the same use cases over the same persistence;
only the edges differ. In the embedded mode (no REDIS_URL) `serve` also runs the
Dramatiq worker and the scheduler in-process.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import logging
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field

from dramatiq import Worker

from api.context import Services
from api.tokens import CustomerTokens
from domain.activity.participation import register_handlers as register_activity_handlers
from domain.activity.participation import register_participants as activity_participants
from domain.bus import EventHandlers
from domain.customers.participants import Participants
from domain.customers.participation import register_participants as customers_participants
from domain.loyalty.export import register_exporter as loyalty_exporter
from domain.orders.participation import register_participants as orders_participants
from domain.orders.ticket_refunds import register_ticket_refund_handler
from domain.scoring.export import register_exporters as scoring_exporters
from domain.tags.export import register_exporter as tags_exporter
from domain.tags.handlers import register_handlers as register_tag_handlers
from domain.tags.merge import register_participants as tags_participants
from domain.tickets.erasure import register_erasure_handler as register_ticket_erasure
from domain.tickets.export import register_exporter as tickets_exporter
from domain.tickets.handlers import register_handlers as register_ticket_handlers
from domain.tickets.merge import register_participants as tickets_participants
from jobs import runtime as job_runtime
from jobs.broker import Jobs, make_jobs
from jobs.context import JobServices
from jobs.scheduler import SCHEDULES, FireLock, LocalFireLock, RedisFireLock, Scheduler
from patronage.clock import SystemClock
from patronage.loyalty import register_handlers as register_loyalty_handlers
from patronage.loyalty import register_participants as loyalty_participants
from patronage.publisher import BroadcastPublisher
from patronage.pubsub import Broadcast, InMemoryBroadcast, RedisBroadcast
from patronage.settings import Settings
from persistence.db import make_engine
from persistence.idempotency import SqlIdempotencyStore

log = logging.getLogger(__name__)

# Each context registers its in-transaction handlers here. A registrar takes the
# handlers and, when it needs configuration, the settings as a `settings` keyword.
HANDLER_REGISTRARS: list[Callable[..., None]] = [
    register_activity_handlers,
    register_ticket_handlers,
    register_ticket_erasure,
    lambda handlers: register_ticket_refund_handler(handlers, SystemClock()),
    register_loyalty_handlers,
    register_tag_handlers,
]


def build_handlers(settings: Settings | None = None) -> EventHandlers:
    """Every context's in-transaction handlers (default settings when none are given)."""
    settings = settings or Settings()
    handlers = EventHandlers()
    for register in HANDLER_REGISTRARS:
        if "settings" in inspect.signature(register).parameters:
            register(handlers, settings=settings)
        else:
            register(handlers)
    return handlers


# Each context that holds records of customers registers its merge participant and
# exporter here (customers first: identities and consents move before the rest).
# Exporters run in this order too; each adds one section to a privacy export.
PARTICIPANT_REGISTRARS: list[Callable[[Participants], None]] = [
    customers_participants,
    orders_participants,
    activity_participants,
    tickets_participants,
    tickets_exporter,
    loyalty_participants,
    loyalty_exporter,
    tags_participants,
    tags_exporter,
    scoring_exporters,
]


def build_participants() -> Participants:
    """The merge participants and privacy exporters of every context."""
    participants = Participants()
    for register in PARTICIPANT_REGISTRARS:
        register(participants)
    return participants


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
    handlers = build_handlers(settings)
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
        participants=build_participants(),
        send_job=lambda actor, **kwargs: jobs.send(actor, **kwargs),
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
            participants=services.participants,
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
