"""The segment and tag actors, run as tracked Jobs; the big one on 100,000 customers."""

from __future__ import annotations

import time
from collections.abc import Sequence
from datetime import date

import pytest
from sqlalchemy import Executable, func, select, text
from sqlalchemy.ext.asyncio import AsyncEngine
from strawberry import relay

from api.context import Services
from domain.background.events import JobUpdated
from domain.background.model import JobStatus
from domain.background.services import queue_job
from domain.events import DomainEvent
from domain.segments.services import CreateSegment, create_segment
from jobs import runtime
from jobs.context import JobServices
from jobs.segments import reevaluate_segments_job
from jobs.tags import apply_tags_by_query_job
from persistence.background import SqlAlchemyJobRepository
from persistence.tables.segments import segment_members
from persistence.tables.tags import customer_tags
from tests.integration.segments.broken_sql import BROKEN_QUERY, plant_broken_sql
from tests.integration.segments.rows import CustomerFacts, insert_customers

AS_OF = date(2026, 3, 30)


class Recorder:
    def __init__(self) -> None:
        self.events: list[DomainEvent] = []

    async def publish(self, events: Sequence[DomainEvent]) -> None:
        self.events.extend(events)


@pytest.fixture
def job_services(services: Services) -> JobServices:
    """Actors run on the test's engine, publishing into a recorder."""
    svc = JobServices(
        settings=services.settings,
        engine=services.engine,
        handlers=services.handlers,
        publisher=Recorder(),
        clock=services.clock,
    )
    runtime.configure(lambda: svc)
    return svc


async def _count(engine: AsyncEngine, statement: Executable) -> int:
    async with engine.connect() as conn:
        return int((await conn.execute(statement)).scalar_one())


async def test_the_reevaluate_actor_reports_per_segment_on_its_job(
    services: Services, engine: AsyncEngine, job_services: JobServices
) -> None:
    async with engine.begin() as conn:
        await insert_customers(conn, [CustomerFacts(tier="GOLD"), CustomerFacts()])
    gold = await create_segment(
        services.uow(), services.clock, CreateSegment(name="Gold", query="tier = 'GOLD'")
    )
    await create_segment(
        services.uow(), services.clock, CreateSegment(name="All", query="orders_count = 0")
    )
    job = await queue_job(
        services.uow(), services.clock, kind="segments.reevaluate", created_by="test"
    )
    result = await reevaluate_segments_job(as_of=AS_OF.isoformat(), job_id=str(job.id))

    assert result["asOf"] == "2026-03-30"
    assert [(s["entered"], s["left"]) for s in result["segments"]] == [(1, 0), (2, 0)]
    async with engine.connect() as conn:
        finished = await SqlAlchemyJobRepository(conn).get(job.id)
    assert finished is not None and finished.status is JobStatus.SUCCEEDED
    assert (finished.done, finished.total) == (2, 2)
    stored = select(func.count()).where(segment_members.c.segment_id == gold.id)
    assert await _count(engine, stored) == 1


async def test_tagging_100k_customers_by_query_commits_in_batches_and_reports_progress(
    services: Services, engine: AsyncEngine, job_services: JobServices
) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("the 100k-customer run is a PostgreSQL test")
    # Given 100,000 customers, 60% of them GOLD members, written set-based.
    async with engine.begin() as conn:
        await conn.execute(
            text(
                "INSERT INTO customers (id, created_at, updated_at, public_metadata, "
                "private_metadata) SELECT gen_random_uuid(), now(), now(), '{}', '{}' "
                "FROM generate_series(1, 100000)"
            )
        )
        await conn.execute(
            text(
                "INSERT INTO memberships (customer_id, tier_code, tier_since, version) "
                "SELECT id, CASE WHEN random() < 0.6 THEN 'GOLD' ELSE 'SILVER' END, now(), 1 "
                "FROM customers"
            )
        )
        await conn.execute(text("ANALYZE customers"))
        await conn.execute(text("ANALYZE memberships"))
    gold = await _count(engine, text("SELECT count(*) FROM memberships WHERE tier_code = 'GOLD'"))
    job = await queue_job(
        services.uow(), services.clock, kind="tags.apply_by_query", created_by="test", total=gold
    )

    # When the actor tags them by query.
    started = time.monotonic()
    result = await apply_tags_by_query_job(
        job_id=str(job.id), query="tier = 'GOLD'", tags=["Winter 2026"], as_of=AS_OF.isoformat()
    )
    elapsed = time.monotonic() - started

    # Then every GOLD customer is tagged, in batches of 1,000, each reported on the job.
    assert result == {"customers": gold, "changed": gold, "batches": -(-gold // 1000)}
    tagged = select(func.count()).where(customer_tags.c.tag == "winter 2026")
    assert await _count(engine, tagged) == gold
    updates = [e for e in job_services.publisher.events if isinstance(e, JobUpdated)]  # type: ignore[attr-defined]
    progress = [e for e in updates if e.status == JobStatus.RUNNING.value]
    assert len(progress) >= result["batches"]  # started, then one per committed batch
    async with engine.connect() as conn:
        finished = await SqlAlchemyJobRepository(conn).get(job.id)
    assert finished is not None and finished.status is JobStatus.SUCCEEDED
    assert finished.done == finished.total == gold
    assert elapsed < 60, f"took {elapsed:.1f}s"


async def test_one_segment_whose_sql_fails_is_reported_and_the_others_are_done(
    services: Services,
    engine: AsyncEngine,
    job_services: JobServices,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Given three segments, the middle one with SQL the database refuses when run
    async with engine.begin() as conn:
        await insert_customers(conn, [CustomerFacts(tier="GOLD"), CustomerFacts()])
    made = [
        await create_segment(services.uow(), services.clock, CreateSegment(name=n, query=q))
        for n, q in (("Gold", "tier = 'GOLD'"), ("Broken", BROKEN_QUERY), ("All", "age IS NULL"))
    ]
    plant_broken_sql(monkeypatch)
    job = await queue_job(
        services.uow(), services.clock, kind="segments.reevaluate", created_by="test"
    )

    # When the job re-evaluates them all
    result = await reevaluate_segments_job(as_of=AS_OF.isoformat(), job_id=str(job.id))

    # Then the broken one is reported, by global id and name, and the others are stored
    gold, broken, every = result["segments"]
    assert (gold["entered"], every["entered"]) == (1, 2)
    assert broken["name"] == "Broken" and broken["entered"] == 0
    assert "failed when run" in broken["problem"]
    assert gold["problem"] is None and every["problem"] is None
    assert gold["segmentId"] == str(relay.GlobalID("Segment", str(made[0].id)))
    async with engine.connect() as conn:
        finished = await SqlAlchemyJobRepository(conn).get(job.id)
    assert finished is not None and finished.status is JobStatus.SUCCEEDED
    assert (finished.done, finished.total) == (3, 3)
    stored = select(func.count()).where(segment_members.c.segment_id == made[2].id)
    assert await _count(engine, stored) == 2
