"""Tracked jobs on the real database, and who may see them through the API."""

from __future__ import annotations

from api.context import Services
from api.relay import encode_id
from domain.access.model import Role
from domain.background.services import queue_job
from domain.customers.json_values import JsonValue
from jobs.context import JobServices
from jobs.tracking import Progress, run_tracked
from tests.conftest import GraphQLClient, make_api_key


def _job_services(services: Services) -> JobServices:
    return JobServices(
        settings=services.settings,
        engine=services.engine,
        handlers=services.handlers,
        publisher=services.publisher,
        clock=services.clock,
    )


async def test_a_tracked_job_records_progress_and_its_result(
    admin: GraphQLClient, services: Services
) -> None:
    job = await queue_job(
        services.uow(),
        services.clock,
        kind="demo.count",
        created_by=f"api_key:{(await _admin_id(admin))}",
    )

    async def work(progress: Progress) -> JsonValue:
        await progress(5, 10)
        return {"counted": 10}

    await run_tracked(_job_services(services), job.id, work)
    body = await admin.execute(
        "query($id: ID!) { job(id: $id) { status progress { done total percent } result } }",
        {"id": str(encode_id("Job", job.id))},
    )
    assert body["job"] == {
        "status": "SUCCEEDED",
        "progress": {"done": 10, "total": 10, "percent": 100.0},
        "result": {"counted": 10},
    }


async def test_a_failing_job_is_marked_failed_with_the_reason(
    admin: GraphQLClient, services: Services
) -> None:
    job = await queue_job(services.uow(), services.clock, kind="demo.fail", created_by="cli")

    async def work(progress: Progress) -> JsonValue:
        raise ValueError("bad row 7")

    await run_tracked(_job_services(services), job.id, work)
    body = await admin.execute(
        "query($id: ID!) { job(id: $id) { status error } }", {"id": str(encode_id("Job", job.id))}
    )
    assert body["job"] == {"status": "FAILED", "error": "ValueError: bad row 7"}


async def test_other_callers_do_not_see_a_job(admin: GraphQLClient, services: Services) -> None:
    job = await queue_job(
        services.uow(), services.clock, kind="demo", created_by="api_key:someone-else"
    )
    marketer = admin.as_(await make_api_key(services, Role.MARKETER))
    body = await marketer.execute(
        "query($id: ID!) { job(id: $id) { status } }", {"id": str(encode_id("Job", job.id))}
    )
    assert body["job"] is None
    seen_by_admin = await admin.execute(
        "query($id: ID!) { job(id: $id) { status } }", {"id": str(encode_id("Job", job.id))}
    )
    assert seen_by_admin["job"] == {"status": "QUEUED"}


async def _admin_id(admin: GraphQLClient) -> str:
    from api.relay import decode_id

    body = await admin.execute("{ apiKeys(first: 1) { nodes { id } } }")
    return str(decode_id(body["apiKeys"]["nodes"][0]["id"], "ApiKey"))
