"""One segment whose SQL fails when run: reported on its own, never fatal for the rest;
a failing count saves nothing."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

import api.segments.mutations as segment_mutations
from persistence.tables.segments import segments
from tests.api.segments.test_segments_api import create, gid, given
from tests.conftest import GraphQLClient
from tests.integration.segments.broken_sql import BROKEN_QUERY, plant_broken_sql
from tests.integration.segments.rows import CustomerFacts

UPDATE = """
mutation($input: SegmentUpdateInput!) {
  segmentUpdate(input: $input) { segment { query } count userErrors { field code message } }
}"""
PAGE = "{ segments(first: 10) { nodes { name count membersCount } } }"
REEVALUATE = """mutation { segmentReevaluate(input: {}) {
  results { segmentId entered left problem } userErrors { message } } }"""


async def _saved(engine: AsyncEngine) -> list[str]:
    async with engine.connect() as conn:
        return list((await conn.execute(select(segments.c.query))).scalars())


async def _failing_count(*args: Any, **kwargs: Any) -> int:
    raise RuntimeError("the database went away while counting")


async def test_a_create_whose_count_fails_saves_nothing(
    admin: GraphQLClient, engine: AsyncEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(segment_mutations, "count_matching", _failing_count)
    body = (
        await admin.post(
            "mutation($i: SegmentCreateInput!) { segmentCreate(input: $i) { count } }",
            {"i": {"name": "ovf", "query": "orders_count > 1"}},
        )
    ).json()
    assert body["errors"][0]["extensions"]["code"] == "INTERNAL_SERVER_ERROR"
    assert await _saved(engine) == []


async def test_an_update_whose_new_query_fails_to_count_changes_nothing(
    admin: GraphQLClient, engine: AsyncEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    created = await create(admin, name="s", query="orders_count > 1")
    monkeypatch.setattr(segment_mutations, "count_matching", _failing_count)
    variables = {"input": {"id": created["segment"]["id"], "query": "orders_count > 2"}}
    body = (await admin.post(UPDATE, variables)).json()
    assert body["errors"][0]["extensions"]["code"] == "INTERNAL_SERVER_ERROR"
    assert await _saved(engine) == ["orders_count > 1"]
    # A rename keeps the query: it is saved, and only its count is unknown.
    renamed = await admin.execute(UPDATE, {"input": {"id": created["segment"]["id"], "name": "t"}})
    assert renamed["segmentUpdate"]["count"] is None
    assert renamed["segmentUpdate"]["userErrors"] == []


async def test_a_segment_whose_sql_fails_is_reported_alone(
    admin: GraphQLClient, engine: AsyncEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given two good segments around one whose SQL the database refuses when run
    await given(engine, CustomerFacts(tier="GOLD"), CustomerFacts())
    await create(admin, name="Gold", query="tier = 'GOLD'")
    broken = await create(admin, name="Broken", query=BROKEN_QUERY)
    await create(admin, name="All", query="orders_count = 0")
    plant_broken_sql(monkeypatch)

    # The page of counts degrades for that segment only
    response = (await admin.post(PAGE)).json()
    nodes = response["data"]["segments"]["nodes"]
    assert [(n["name"], n["count"]) for n in nodes] == [("Gold", 1), ("Broken", None), ("All", 2)]
    [error] = response["errors"]
    assert error["path"] == ["segments", "nodes", 1, "count"]

    # Re-evaluating all reports it and does the others
    reevaluated = await admin.execute(REEVALUATE)
    results = reevaluated["segmentReevaluate"]["results"]
    assert [(r["entered"], r["problem"] is None) for r in results] == [
        (1, True),
        (0, False),
        (2, True),
    ]
    assert results[1]["segmentId"] == broken["segment"]["id"]
    assert "failed when run" in results[1]["problem"]
    members = (await admin.post(PAGE)).json()["data"]["segments"]["nodes"]
    assert [n["membersCount"] for n in [members[0], members[2]]] == [1, 2]


async def test_not_found_names_the_segment_by_its_global_id(admin: GraphQLClient) -> None:
    created = await create(admin, name="gone", query="orders_count > 1")
    segment_id = created["segment"]["id"]
    delete = """mutation($i: SegmentDeleteInput!) { segmentDelete(input: $i) {
                  deletedSegmentId userErrors { field code message } } }"""
    await admin.execute(delete, {"i": {"id": segment_id}})
    again = (await admin.execute(delete, {"i": {"id": segment_id}}))["segmentDelete"]
    [error] = again["userErrors"]
    assert error["code"] == "NOT_FOUND" and error["message"] == f"no segment with id {segment_id}"
    assert gid("Segment", created_id(segment_id)) == segment_id


def created_id(global_id: str) -> Any:
    from tests.api.segments.test_segments_api import decode_id

    return decode_id(global_id, "Segment")


@pytest.mark.parametrize("first", [101, 1000, -5])
async def test_a_preview_size_outside_0_to_100_is_refused_like_a_page_size(
    admin: GraphQLClient, first: int
) -> None:
    body = (
        await admin.post(
            'query($f: Int) { segmentPreview(query: "orders_count > 1", first: $f) { count } }',
            {"f": first},
        )
    ).json()
    assert body["errors"][0]["extensions"]["code"] == "BAD_REQUEST"
    assert "between 0 and 100" in body["errors"][0]["message"]
