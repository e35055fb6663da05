"""A customer merge moves the loser's manual tags (the tags context's participant)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncEngine

from tests.api.segments.test_segments_api import gid, given
from tests.conftest import GraphQLClient
from tests.integration.segments.rows import CustomerFacts

MERGE = """
mutation($input: CustomerMergeInput!) {
  customerMerge(input: $input) {
    preview { moves { participant kind count } }
    merge { id }
    userErrors { message }
  }
}"""
PREVIEW = """query($q: String!) { segmentPreview(query: $q) { count customers { id } } }"""


async def test_merging_moves_manual_tags_to_the_winner(
    admin: GraphQLClient, engine: AsyncEngine
) -> None:
    winner, loser = await given(
        engine, CustomerFacts(tags={"b2b": "MANUAL"}), CustomerFacts(tags={"vip": "MANUAL"})
    )
    variables = {"input": {"loserId": gid("Customer", loser), "winnerId": gid("Customer", winner)}}
    dry = await admin.execute(MERGE, {"input": {**variables["input"], "dryRun": True}})
    assert {"participant": "tags", "kind": "tags", "count": 1} in (
        dry["customerMerge"]["preview"]["moves"]
    )
    done = await admin.execute(MERGE, variables)
    assert done["customerMerge"]["userErrors"] == []

    vip = (await admin.execute(PREVIEW, {"q": "tags CONTAINS 'vip'"}))["segmentPreview"]
    assert vip == {"count": 1, "customers": [{"id": gid("Customer", winner)}]}
