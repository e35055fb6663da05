"""A customer merge moves points and tier standing to the winner; undo gives them back."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncEngine

from tests.api.loyalty.support import (
    SIGNUP_BONUS,
    adjust,
    ledger,
    new_customer,
    redeem,
    stored_balance,
)
from tests.conftest import GraphQLClient

MERGE = """
mutation($input: CustomerMergeInput!) {
  customerMerge(input: $input) { merge { id } preview { moves { participant kind count } } userErrors { code message } }
}"""
UNMERGE = """
mutation($input: CustomerUnmergeInput!) { customerUnmerge(input: $input) { userErrors { code message } } }
"""


async def test_points_move_with_a_merge_and_back_with_its_undo(
    admin: GraphQLClient, engine: AsyncEngine
) -> None:
    winner, loser = await new_customer(admin), await new_customer(admin)
    await adjust(admin, customerId=loser, points=400)

    body = await admin.execute(MERGE, {"input": {"loserId": loser, "winnerId": winner}})
    payload = body["customerMerge"]
    assert payload["userErrors"] == []
    moves = {(m["participant"], m["kind"]): m["count"] for m in payload["preview"]["moves"]}
    assert moves[("loyalty", "points")] == SIGNUP_BONUS + 400

    # The winner holds both balances and both ledgers, each still summing to its balance
    assert await stored_balance(engine, winner) == 2 * SIGNUP_BONUS + 400
    assert await stored_balance(engine, loser) == 0
    assert (await ledger(engine, winner))[1] == 2 * SIGNUP_BONUS + 400
    assert await ledger(engine, loser) == (0, 0)

    # Spending some of the loser's points, then undoing the merge: what was spent stays spent
    await redeem(admin, customerId=winner, points=2 * SIGNUP_BONUS + 100)
    undone = await admin.execute(UNMERGE, {"input": {"mergeId": payload["merge"]["id"]}})
    assert undone["customerUnmerge"]["userErrors"] == []
    for customer in (winner, loser):
        _, total = await ledger(engine, customer)
        assert total == await stored_balance(engine, customer)
    assert await stored_balance(engine, winner) + await stored_balance(engine, loser) == 300
