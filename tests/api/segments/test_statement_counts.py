"""Lists of segments and tags cost a fixed number of statements, whatever their length."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncEngine

from tests.api.segments.test_segments_api import create
from tests.conftest import GraphQLClient
from tests.support.statements import count_statements

SEGMENTS = """{ segments(first: 50) { totalCount nodes { name status count membersCount } } }"""
TAGS = "{ tags(first: 50) { nodes { name kind customersCount segment { name count } } } }"


async def _statements(admin: GraphQLClient, engine: AsyncEngine, query: str) -> int:
    with count_statements(engine) as counter:
        await admin.execute(query)
    return counter.count


async def test_segment_pages_cost_the_same_for_2_and_6_segments(
    admin: GraphQLClient, engine: AsyncEngine
) -> None:
    for n in range(2):
        await create(admin, name=f"s{n}", query=f"orders_count >= {n}")
    few = await _statements(admin, engine, SEGMENTS)
    for n in range(2, 6):
        await create(admin, name=f"s{n}", query=f"tags CONTAINS 't{n}'")
    many = await _statements(admin, engine, SEGMENTS)
    assert few == many


async def test_tag_pages_cost_the_same_for_1_and_4_rule_tags(
    admin: GraphQLClient, engine: AsyncEngine
) -> None:
    async def rule(n: int) -> None:
        segment = await create(admin, name=f"r{n}", query=f"tags CONTAINS 't{n}'")
        await admin.execute(
            """mutation($id: ID!, $tag: String!) { ruleTagDefine(input: {tag: $tag,
                 segmentId: $id}) { userErrors { message } } }""",
            {"id": segment["segment"]["id"], "tag": f"rule {n}"},
        )

    await rule(0)
    few = await _statements(admin, engine, TAGS)
    for n in range(1, 4):
        await rule(n)
    many = await _statements(admin, engine, TAGS)
    assert few == many
