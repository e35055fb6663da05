"""Member status for apps: `me { membership points }`, row rules, constant statements.

These read `Customer.membership` and `Customer.points`, whose resolvers are
api.loyalty.queries.customer_membership / customer_points.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncEngine

from api.context import Services
from domain.loyalty.program import add_months_to_date
from tests.api.loyalty.support import SIGNUP_BONUS, adjust, new_customer, token_for
from tests.conftest import GraphQLClient
from tests.support.statements import count_statements

STATUS = """
fragment Status on Customer {
  membership {
    tier { code name rank benefits multiplier }
    tierSince holdUntil
    progress { nextTier metric remaining deadline }
  }
  points {
    balance lifetimeEarned
    expiringSoon { amount date }
    transactions(first: 10) { totalCount nodes { kind points reason } }
  }
}
"""
ME = STATUS + "query { me { id ...Status } }"
CUSTOMER = STATUS + "query($id: ID!) { customer(id: $id) { id ...Status } }"
ORDER = """
mutation($input: OrderRecordInput!) { orderRecord(input: $input) { userErrors { code } } }
"""


async def test_a_new_member_sees_the_lowest_tier_and_the_way_up(
    services: Services, admin: GraphQLClient, gql: GraphQLClient
) -> None:
    customer = await new_customer(admin)
    today = datetime.now(UTC)

    me = (await gql.as_(token_for(services, customer)).execute(ME))["me"]

    assert me["id"] == customer
    membership = me["membership"]
    assert membership["tier"] == {
        "code": "MEMBER",
        "name": "Member",
        "rank": 0,
        "benefits": ["Points on every purchase", "Birthday bonus"],
        "multiplier": 1.0,
    }
    assert membership["holdUntil"] is None
    assert membership["progress"] == {
        "nextTier": "SILVER",
        "metric": "NET_SPEND_365D",
        "remaining": 50_000,
        "deadline": (today + timedelta(days=365)).date().isoformat(),
    }
    assert me["points"] == {
        "balance": SIGNUP_BONUS,
        "lifetimeEarned": SIGNUP_BONUS,
        "expiringSoon": [],
        "transactions": {
            "totalCount": 1,
            "nodes": [{"kind": "EARN", "points": SIGNUP_BONUS, "reason": "sign-up bonus"}],
        },
    }


async def test_a_qualifying_order_upgrades_and_points_show_what_expires_soon(
    services: Services, admin: GraphQLClient, gql: GraphQLClient
) -> None:
    customer = await new_customer(admin)
    placed = datetime.now(UTC) - timedelta(days=2)
    await admin.execute(
        ORDER,
        {
            "input": {
                "channel": "web",
                "externalId": "ms-1",
                "customer": {"id": customer},
                "placedAt": placed.isoformat(),
                "total": {"amount": 60_000, "currency": "EUR"},
            }
        },
    )
    soon = datetime.now(UTC) + timedelta(days=10)
    await adjust(admin, customerId=customer, points=30, expiresAt=soon.isoformat())

    me = (await gql.as_(token_for(services, customer)).execute(ME))["me"]

    membership = me["membership"]
    assert membership["tier"]["code"] == "SILVER"
    assert membership["holdUntil"] == add_months_to_date(datetime.now(UTC).date(), 12).isoformat()
    assert membership["progress"] == {
        "nextTier": "GOLD",
        "metric": "NET_SPEND_365D",
        "remaining": 150_000 - 60_000,
        "deadline": (placed + timedelta(days=365)).date().isoformat(),
    }
    points = me["points"]
    assert points["balance"] == SIGNUP_BONUS + 600 + 200 + 30
    assert points["expiringSoon"] == [{"amount": 30, "date": soon.date().isoformat()}]
    assert [n["kind"] for n in points["transactions"]["nodes"]] == [
        "ADJUST",
        "EARN",
        "EARN",
        "EARN",
    ]


async def test_a_customer_token_cannot_read_another_customers_points(
    services: Services, admin: GraphQLClient, gql: GraphQLClient
) -> None:
    mine, theirs = await new_customer(admin), await new_customer(admin)
    app = gql.as_(token_for(services, mine))

    other = await app.execute(CUSTOMER, {"id": theirs})
    own = await app.execute(CUSTOMER, {"id": mine})
    staff = await admin.execute(CUSTOMER, {"id": theirs})

    assert other["customer"] is None
    assert own["customer"]["points"]["balance"] == SIGNUP_BONUS
    assert staff["customer"]["points"]["balance"] == SIGNUP_BONUS


PAGE = STATUS + "query($n: Int!) { customers(first: $n) { nodes { id ...Status } } }"


async def test_a_page_of_members_costs_the_same_statements_whatever_its_size(
    admin: GraphQLClient, engine: AsyncEngine
) -> None:
    for _ in range(8):
        customer = await new_customer(admin)
        await adjust(admin, customerId=customer, points=5)
    counts = []
    for size in (2, 8):
        with count_statements(engine) as counter:
            body = await admin.execute(PAGE, {"n": size})
        assert len(body["customers"]["nodes"]) == size
        counts.append(counter.count)
    assert counts[0] == counts[1], counts
