"""Tags over GraphQL: by ids, by query (inside the request or as a Job), counts, rule tags."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from api.context import Services
from domain.access.model import Role
from jobs import runtime
from jobs.context import JobServices
from jobs.tags import apply_tags_by_query_job
from tests.api.segments.test_segments_api import gid, given
from tests.conftest import GraphQLClient, make_api_key
from tests.integration.segments.rows import CustomerFacts

ADD = """
mutation($input: TagsChangeInput!) {
  tagsAdd(input: $input) { customersCount changedCount batches jobId job { id kind status progress { done total } } userErrors { field code message } }
}"""
REMOVE = ADD.replace("tagsAdd", "tagsRemove")
TAGS = "{ tags(first: 20) { totalCount nodes { name kind customersCount segment { name } } } }"


async def add(client: GraphQLClient, **fields: Any) -> dict[str, Any]:
    payload: dict[str, Any] = (await client.execute(ADD, {"input": fields}))["tagsAdd"]
    return payload


async def test_tags_by_ids_are_normalised_counted_and_removed(
    admin: GraphQLClient, engine: AsyncEngine
) -> None:
    a, b, gone = await given(
        engine,
        CustomerFacts(),
        CustomerFacts(tags={"vip": "MANUAL"}),
        CustomerFacts(state="ERASED"),
    )
    added = await add(
        admin,
        tags=[" VIP ", "Newsletter  Fans"],
        customerIds=[gid("Customer", a), gid("Customer", b)],
    )
    assert added == {
        "customersCount": 2,
        "changedCount": 3,
        "batches": 1,
        "jobId": None,
        "job": None,
        "userErrors": [],
    }
    listed = (await admin.execute(TAGS))["tags"]
    assert listed["nodes"] == [
        {"name": "newsletter fans", "kind": "MANUAL", "customersCount": 2, "segment": None},
        {"name": "vip", "kind": "MANUAL", "customersCount": 2, "segment": None},
    ]
    removed = await admin.execute(
        REMOVE, {"input": {"tags": ["vip"], "customerIds": [gid("Customer", a)]}}
    )
    assert removed["tagsRemove"]["changedCount"] == 1

    unknown = await add(admin, tags=["vip"], customerIds=[gid("Customer", gone)])
    assert unknown["userErrors"][0]["code"] == "NOT_FOUND"
    assert unknown["userErrors"][0]["field"] == ["customerIds", "0"]


@pytest.mark.parametrize(
    ("fields", "path", "words"),
    [
        ({"tags": ["vip"]}, ["customerIds"], "either customerIds or query"),
        ({"tags": ["vip"], "query": "tier = 'A'", "customerIds": []}, ["customerIds"], "either"),
        ({"tags": ["-bad"], "query": "tier = 'A'"}, ["tags", "0"], "must start with a letter"),
        ({"tags": ["vip"], "query": "tier = "}, ["query"], "(line 1, column 7)"),
        ({"tags": ["vip"], "query": "tiers = 'A'"}, ["query"], "did you mean 'tier'?"),
    ],
)
async def test_bad_tag_requests_are_user_errors(
    admin: GraphQLClient, fields: dict[str, Any], path: list[str], words: str
) -> None:
    [error] = (await add(admin, **fields))["userErrors"]
    assert error["field"] == path and words in error["message"]


async def test_a_small_query_is_tagged_inside_the_request(
    admin: GraphQLClient, engine: AsyncEngine
) -> None:
    await given(engine, *[CustomerFacts(tier="GOLD") for _ in range(3)], CustomerFacts())
    added = await add(admin, tags=["gold club"], query="tier = 'GOLD'")
    assert added == {
        "customersCount": 3,
        "changedCount": 3,
        "batches": 1,
        "jobId": None,
        "job": None,
        "userErrors": [],
    }
    preview = await admin.execute(
        """{ segmentPreview(query: "tags CONTAINS 'Gold Club'") { count } }"""
    )
    assert preview["segmentPreview"]["count"] == 3


async def test_a_large_query_runs_as_a_job_with_progress(
    admin: GraphQLClient, engine: AsyncEngine, services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("domain.tags.services.JOB_THRESHOLD", 2)
    monkeypatch.setattr("api.tags.mutations.JOB_THRESHOLD", 2)
    await given(engine, *[CustomerFacts(tier="GOLD") for _ in range(5)])
    sent: list[tuple[str, dict[str, Any]]] = []
    services.send_job = lambda actor, **kwargs: sent.append((actor, kwargs))

    added = await add(admin, tags=["winter"], query="tier = 'GOLD'")
    assert added["customersCount"] is None
    # The payload carries the job itself; the deprecated jobId names the same one.
    assert added["job"] == {
        "id": added["jobId"],
        "kind": "tags.apply_by_query",
        "status": "QUEUED",
        "progress": {"done": 0, "total": 5},
    }
    [(actor, kwargs)] = sent
    assert actor == "tags.apply_by_query"
    assert kwargs["query"] == "tier = 'GOLD'" and kwargs["tags"] == ["winter"]
    job_query = (
        """query($id: ID!) { job(id: $id) { kind status progress { done total } result } }"""
    )
    queued = (await admin.execute(job_query, {"id": added["jobId"]}))["job"]
    assert queued == {
        "kind": "tags.apply_by_query",
        "status": "QUEUED",
        "progress": {"done": 0, "total": 5},
        "result": None,
    }

    # The worker runs the actor with what was sent.
    runtime.configure(
        lambda: JobServices(
            settings=services.settings,
            engine=services.engine,
            handlers=services.handlers,
            publisher=services.publisher,
            clock=services.clock,
        )
    )
    await apply_tags_by_query_job(**kwargs)
    done = (await admin.execute(job_query, {"id": added["jobId"]}))["job"]
    assert done["status"] == "SUCCEEDED" and done["progress"] == {"done": 5, "total": 5}
    assert done["result"] == {"customers": 5, "changed": 5, "batches": 1}


async def test_rule_tags_cannot_be_set_by_hand_and_show_their_segment(
    admin: GraphQLClient, engine: AsyncEngine, services: Services
) -> None:
    [member] = await given(engine, CustomerFacts(tier="GOLD"))
    created = await admin.execute(
        """mutation { segmentCreate(input: {name: "Gold", query: "tier = 'GOLD'"}) {
             segment { id } } }"""
    )
    segment_id = created["segmentCreate"]["segment"]["id"]
    await admin.execute(
        """mutation($id: ID!) { segmentReevaluate(input: {id: $id}) { results { entered } } }""",
        {"id": segment_id},
    )
    await admin.execute(
        """mutation($id: ID!) { ruleTagDefine(input: {tag: "gold", segmentId: $id}) {
             userErrors { message } } }""",
        {"id": segment_id},
    )
    listed = (await admin.execute(TAGS))["tags"]["nodes"]
    assert listed == [
        {"name": "gold", "kind": "RULE", "customersCount": 1, "segment": {"name": "Gold"}}
    ]
    refused = await add(admin, tags=["gold"], customerIds=[gid("Customer", member)])
    assert refused["userErrors"][0]["code"] == "CONFLICT"
    assert refused["userErrors"][0]["field"] == ["tags", "0"]
    by_query = await add(admin, tags=["gold"], query="orders_count = 0")
    assert by_query["userErrors"][0]["code"] == "CONFLICT"

    analyst = admin.as_(await make_api_key(services, Role.ANALYST))
    assert (await analyst.execute(TAGS))["tags"]["totalCount"] == 1
    forbidden = (await analyst.post(ADD, {"input": {"tags": ["x"], "query": "tier = 'A'"}})).json()
    assert forbidden["errors"][0]["extensions"]["code"] == "FORBIDDEN"
