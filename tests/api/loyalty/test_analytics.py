"""analytics { pointsLiability }: outstanding points and their value (ADMIN, ANALYST)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from api.context import Services
from domain.access.model import Role
from tests.api.loyalty.support import SIGNUP_BONUS, adjust, new_customer, redeem
from tests.conftest import GraphQLClient, make_api_key

LIABILITY = """
query($asOf: DateTime) { analytics { pointsLiability(asOf: $asOf) { points value { amount currency } } } }
"""


async def test_the_liability_is_the_points_outstanding_and_their_value(
    services: Services, admin: GraphQLClient, gql: GraphQLClient
) -> None:
    first, second = await new_customer(admin), await new_customer(admin)
    await adjust(admin, customerId=first, points=400)
    await redeem(admin, customerId=second, points=60)
    analyst = gql.as_(await make_api_key(services, Role.ANALYST))

    now = (await analyst.execute(LIABILITY))["analytics"]["pointsLiability"]
    before = (
        await admin.execute(
            LIABILITY, {"asOf": (datetime.now(UTC) - timedelta(days=1)).isoformat()}
        )
    )["analytics"]["pointsLiability"]

    outstanding = 2 * SIGNUP_BONUS + 400 - 60
    assert now == {"points": outstanding, "value": {"amount": outstanding, "currency": "EUR"}}
    assert before == {"points": 0, "value": {"amount": 0, "currency": "EUR"}}


async def test_other_roles_may_not_read_the_liability(
    services: Services, gql: GraphQLClient
) -> None:
    for role in (Role.MARKETER, Role.SUPPORT):
        client = gql.as_(await make_api_key(services, role))
        body = (await client.post(LIABILITY)).json()
        assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN", role
    storefront = gql.as_(await make_api_key(services, Role.STOREFRONT))
    assert (await storefront.post(LIABILITY)).json()["errors"][0]["extensions"][
        "code"
    ] == "FORBIDDEN"
