"""The scheduled SLA breach job, fired by the scheduler and run by the in-process worker."""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

import pytest
from dramatiq import Worker
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from api.context import Services
from domain.ids import new_id
from domain.ports import Clock
from domain.tickets.commands import CreateTicket
from domain.tickets.services import create_ticket
from domain.tickets.values import Actor, TicketKind
from jobs import runtime
from jobs.broker import make_jobs
from jobs.context import JobServices
from jobs.scheduler import SCHEDULES, LocalFireLock, Scheduler
from patronage.clock import SystemClock
from patronage.publisher import BroadcastPublisher
from patronage.pubsub import InMemoryBroadcast
from patronage.runtime import build_handlers
from patronage.settings import Settings
from persistence.db import make_engine
from persistence.tables.tickets import tickets
from tests.integration.tickets.seed import make_customer
from tests.unit.fakes import FixedClock


async def _open(services: Services, clock: Clock, customer_id: UUID) -> UUID:
    ticket = await create_ticket(
        services.uow(),
        clock,
        CreateTicket(
            actor=Actor.agent(new_id()),
            kind=TicketKind.INQUIRY,
            subject="Anyone there?",
            body="Hello?",
            customer_id=customer_id,
        ),
    )
    return ticket.id


async def _flags(engine: AsyncEngine, ticket_id: UUID) -> tuple[bool, bool]:
    async with engine.connect() as conn:
        row = (
            await conn.execute(
                select(
                    tickets.c.first_response_breach_flagged, tickets.c.resolution_breach_flagged
                ).where(tickets.c.id == ticket_id)
            )
        ).one()
    return bool(row[0]), bool(row[1])


async def test_the_minute_schedule_flags_missed_targets_and_publishes_them(
    services: Services, engine: AsyncEngine, settings: Settings
) -> None:
    # Given a ticket opened a month ago and never answered, and one opened just now
    customer = await make_customer(engine)
    late = await _open(services, FixedClock(datetime.now(UTC) - timedelta(days=30)), customer)
    fresh = await _open(services, SystemClock(), customer)
    broadcast = InMemoryBroadcast()
    runtime.configure(
        lambda: JobServices(
            settings=settings,
            engine=make_engine(settings.database_url),
            handlers=build_handlers(),
            publisher=BroadcastPublisher(broadcast),
            clock=SystemClock(),
        )
    )
    jobs = make_jobs(settings)
    worker = Worker(jobs.broker, worker_threads=1)
    worker.start()
    try:
        async with broadcast.subscribe("tickets.sla_breached") as stream:
            # When a minute passes on the scheduler's clock
            now = [datetime(2026, 3, 2, 10, 0, 30, tzinfo=UTC)]
            scheduler = Scheduler(
                SCHEDULES,
                zone=settings.zone,
                lock=LocalFireLock(),
                send=lambda name, kwargs: jobs.send(name, **kwargs),
                now=lambda: now[0],
            )
            now[0] += timedelta(minutes=1)
            fired = await scheduler.run_once()
            assert [name for name, _ in fired] == ["flag-sla-breaches"]
            # Then the worker flags both missed targets of the late ticket, once each
            received: list[dict[str, Any]] = []
            for _ in range(2):
                received.append(await asyncio.wait_for(anext(aiter(stream)), 10))
        assert {(p["ticket_id"], p["target"]) for p in received} == {
            (str(late), "FIRST_RESPONSE"),
            (str(late), "RESOLUTION"),
        }
        assert await _flags(engine, late) == (True, True)
        assert await _flags(engine, fresh) == (False, False)
    finally:
        worker.stop()
        jobs.close()
        await runtime.dispose()
        await broadcast.close()


async def test_running_the_job_again_flags_nothing_new(
    services: Services,
    engine: AsyncEngine,
    settings: Settings,
    caplog: pytest.LogCaptureFixture,
) -> None:
    customer = await make_customer(engine)
    late = await _open(services, FixedClock(datetime.now(UTC) - timedelta(days=30)), customer)
    runtime.configure(
        lambda: JobServices(
            settings=settings,
            engine=make_engine(settings.database_url),
            handlers=build_handlers(),
            publisher=BroadcastPublisher(InMemoryBroadcast()),
            clock=SystemClock(),
        )
    )
    jobs = make_jobs(settings)
    worker = Worker(jobs.broker, worker_threads=1)
    worker.start()
    try:
        with caplog.at_level(logging.DEBUG, logger="jobs.broker"):
            for _ in range(2):
                jobs.send("tickets.flag_sla_breaches")
                await asyncio.to_thread(jobs.broker.join, "default", timeout=10_000)
                await asyncio.to_thread(worker.join)
        # The actor's return values (how many it flagged), as the broker logs them.
        results = [
            r.args[1]  # type: ignore[index]
            for r in caplog.records
            if r.name == "jobs.broker" and "flag_sla_breaches" in str(r.args)
        ]
        assert results == [2, 0]
        assert await _flags(engine, late) == (True, True)
    finally:
        worker.stop()
        jobs.close()
        await runtime.dispose()
