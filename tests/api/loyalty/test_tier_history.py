"""Membership.history: every tier change, newest first, for staff and for the member."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import uuid4

from sqlalchemy import insert

from api.context import Services
from domain.ids import new_id
from persistence.tables.customers import customers
from persistence.tables.loyalty import memberships, tier_changes
from tests.api.loyalty.support import new_customer, token_for
from tests.conftest import GraphQLClient
from tests.support.statements import count_statements

HISTORY = """
fragment History on Customer {
  membership {
    tier { code }
    history(first: $first, after: $after) {
      totalCount
      pageInfo { hasNextPage endCursor }
      nodes { fromTier toTier reason changedAt }
    }
  }
}
"""
ME = (
    HISTORY
    + """
query($first: Int, $after: String) { me { id ...History } }"""
)
CUSTOMER = (
    HISTORY
    + """
query($id: ID!, $first: Int, $after: String) { customer(id: $id) { id ...History } }"""
)
ORDER = """
mutation($input: OrderRecordInput!) { orderRecord(input: $input) { userErrors { code } } }
"""


async def _order(admin: GraphQLClient, customer: str, amount: int) -> None:
    body = await admin.execute(
        ORDER,
        {
            "input": {
                "channel": "web",
                "externalId": uuid4().hex,
                "customer": {"id": customer},
                "placedAt": (datetime.now(UTC) - timedelta(hours=1)).isoformat(),
                "total": {"amount": amount, "currency": "EUR"},
            }
        },
    )
    assert body["orderRecord"]["userErrors"] == []


async def test_a_member_reads_their_tier_history_newest_first(
    services: Services, admin: GraphQLClient, gql: GraphQLClient
) -> None:
    # Given a member who joined, then reached SILVER and then GOLD
    customer = await new_customer(admin)
    await _order(admin, customer, 60_000)
    await _order(admin, customer, 100_000)
    app = gql.as_(token_for(services, customer))

    # When the member reads their own membership
    me = (await app.execute(ME, {}))["me"]

    # Then every change is there, newest first, with its reason and time
    history = me["membership"]["history"]
    assert me["membership"]["tier"]["code"] == "GOLD"
    assert history["totalCount"] == 3
    assert [(n["fromTier"], n["toTier"], n["reason"]) for n in history["nodes"]] == [
        ("SILVER", "GOLD", "UPGRADE"),
        ("MEMBER", "SILVER", "UPGRADE"),
        (None, "MEMBER", "INITIAL"),
    ]
    times = [datetime.fromisoformat(n["changedAt"]) for n in history["nodes"]]
    assert times == sorted(times, reverse=True)
    assert all(t.tzinfo is not None for t in times)
    # Staff read the same, page by page.
    first = (await admin.execute(CUSTOMER, {"id": customer, "first": 2}))["customer"]
    page = first["membership"]["history"]
    assert page["pageInfo"]["hasNextPage"] is True and len(page["nodes"]) == 2
    rest = (
        await admin.execute(
            CUSTOMER, {"id": customer, "first": 2, "after": page["pageInfo"]["endCursor"]}
        )
    )["customer"]["membership"]["history"]
    assert rest["nodes"] == history["nodes"][2:]
    assert rest["pageInfo"]["hasNextPage"] is False


async def _seed(services: Services, count: int) -> None:
    now = datetime(2026, 1, 1, tzinfo=UTC)
    customer_rows, membership_rows, change_rows = [], [], []
    for i in range(count):
        cid = new_id()
        customer_rows.append(
            {
                "id": cid,
                "created_at": now + timedelta(seconds=i),
                "updated_at": now,
                "email": f"h{i}-{uuid4().hex[:8]}@example.com",
                "email_key": f"h{i}-{uuid4().hex[:8]}@example.com",
                "public_metadata": {},
                "private_metadata": {},
            }
        )
        membership_rows.append(
            {
                "customer_id": cid,
                "tier_code": "SILVER",
                "tier_since": now,
                "hold_until": None,
                "version": 1,
            }
        )
        for j, (before, after, reason) in enumerate(
            ((None, "MEMBER", "INITIAL"), ("MEMBER", "SILVER", "UPGRADE"))
        ):
            change_rows.append(
                {
                    "id": new_id(),
                    "customer_id": cid,
                    "from_code": before,
                    "to_code": after,
                    "reason": reason,
                    "at": now + timedelta(days=j),
                }
            )
    async with services.engine.begin() as conn:
        for table, rows in (
            (customers, customer_rows),
            (memberships, membership_rows),
            (tier_changes, change_rows),
        ):
            await conn.execute(insert(table), rows)


PAGE = """
query($n: Int!) {
  customers(first: $n) {
    nodes {
      id
      membership {
        tier { code }
        history(first: 5) { totalCount nodes { fromTier toTier reason changedAt } }
      }
    }
  }
}"""


async def test_a_page_of_customers_with_their_tier_history_costs_fixed_statements(
    admin: GraphQLClient, services: Services
) -> None:
    await admin.execute("{ tiers { code } }")  # the default ladder, seeded once
    await _seed(services, 100)
    counts = {}
    for n in (10, 100):
        with count_statements(services.engine) as counter:
            body = await admin.execute(PAGE, {"n": n})
        nodes = body["customers"]["nodes"]
        assert len(nodes) == n
        assert all(c["membership"]["history"]["totalCount"] == 2 for c in nodes)
        assert all(
            [h["reason"] for h in c["membership"]["history"]["nodes"]] == ["UPGRADE", "INITIAL"]
            for c in nodes
        )
        counts[n] = counter.count
    # auth, page, loyalty status (tiers, memberships), history page, history count.
    assert counts[10] == counts[100] <= 6, counts
