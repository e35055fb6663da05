"""segmentMembershipChanged: who entered and left, for the segment asked about."""

from __future__ import annotations

import asyncio
from typing import Any

from graphql import ExecutionResult

from api.context import Context, Services
from api.principal import Principal
from api.schema import build_schema
from domain.access.model import Role
from tests.api.segments.test_segments_api import gid, given
from tests.conftest import GraphQLClient
from tests.integration.segments.rows import CustomerFacts

SUBSCRIBE = """
subscription($id: ID) {
  segmentMembershipChanged(segmentId: $id) { segmentId asOf part entered left }
}"""
CREATE = """mutation($name: String!, $q: String!) {
  segmentCreate(input: {name: $name, query: $q}) { segment { id } } }"""
REEVALUATE = """mutation($id: ID!) {
  segmentReevaluate(input: {id: $id, asOf: "2026-03-30"}) { results { entered left } } }"""


async def _subscribe(services: Services, role: Role, segment_id: str | None) -> Any:
    schema = build_schema(services.settings)
    context = Context(
        services=services,
        request=None,  # type: ignore[arg-type]
        principal=Principal(role=role),
        request_id="t",
    )
    return await schema.subscribe(SUBSCRIBE, {"id": segment_id}, context_value=context)


async def test_a_reevaluation_is_heard_by_the_subscribers_of_that_segment(
    services: Services, admin: GraphQLClient
) -> None:
    gold, _ = await given(services.engine, CustomerFacts(tier="GOLD"), CustomerFacts())
    other = await admin.execute(CREATE, {"name": "All", "q": "orders_count = 0"})
    wanted = await admin.execute(CREATE, {"name": "Gold", "q": "tier = 'GOLD'"})
    other_id = other["segmentCreate"]["segment"]["id"]
    wanted_id = wanted["segmentCreate"]["segment"]["id"]

    stream = await _subscribe(services, Role.MARKETER, wanted_id)
    assert not isinstance(stream, ExecutionResult)
    try:
        waiting = asyncio.ensure_future(stream.__anext__())
        await asyncio.sleep(0.2)
        await admin.execute(REEVALUATE, {"id": other_id})
        await admin.execute(REEVALUATE, {"id": wanted_id})
        update = await asyncio.wait_for(waiting, 5)
    finally:
        await stream.aclose()
    assert update.errors is None, update.errors
    assert update.data["segmentMembershipChanged"] == {
        "segmentId": wanted_id,
        "asOf": "2026-03-30",
        "part": 1,
        "entered": [gid("Customer", gold)],
        "left": [],
    }


async def test_a_storefront_key_may_not_listen(services: Services) -> None:
    result = await _subscribe(services, Role.STOREFRONT, None)
    if not isinstance(result, ExecutionResult):
        result = await asyncio.wait_for(result.__anext__(), 5)
    assert result.errors and result.errors[0].extensions["code"] == "FORBIDDEN"
