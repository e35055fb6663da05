"""Tiers through the API: the seeded ladder, creating and changing tiers (ADMIN)."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import uuid4

import pytest

from api.context import Services
from api.loyalty.tier_mutations import multiplier_of
from domain.access.model import Role
from domain.loyalty.errors import InvalidTier
from tests.api.loyalty.support import new_customer, token_for
from tests.conftest import GraphQLClient, make_api_key

TIERS = "{ tiers { id code name rank metric threshold multiplier benefits holdMonths } }"
CREATE = """
mutation($input: TierCreateInput!) {
  tierCreate(input: $input) { tier { code rank multiplier benefits holdMonths metric } userErrors { field code } }
}"""
UPDATE = """
mutation($input: TierUpdateInput!) {
  tierUpdate(input: $input) { tier { code name multiplier threshold } userErrors { field code } }
}"""


async def test_the_default_ladder_is_seeded_and_any_caller_reads_it(
    services: Services, admin: GraphQLClient, gql: GraphQLClient
) -> None:
    customer = await new_customer(admin)
    app = gql.as_(token_for(services, customer))
    tiers = (await app.execute(TIERS))["tiers"]
    assert [(t["code"], t["rank"], t["threshold"], t["multiplier"]) for t in tiers] == [
        ("MEMBER", 0, 0, 1.0),
        ("SILVER", 1, 50_000, 1.25),
        ("GOLD", 2, 150_000, 1.5),
        ("PLATINUM", 3, 500_000, 2.0),
    ]
    assert tiers[0]["metric"] == "NET_SPEND_365D"
    node = await app.execute(
        "query($id: ID!) { node(id: $id) { ... on Tier { code } } }",
        {"id": tiers[2]["id"]},
    )
    assert node["node"] == {"code": "GOLD"}


async def test_an_admin_adds_a_tier(admin: GraphQLClient) -> None:
    await admin.execute(TIERS)
    body = await admin.execute(
        CREATE,
        {
            "input": {
                "code": "DIAMOND",
                "name": "Diamond",
                "rank": 4,
                "threshold": 1_000_000,
                "metric": "POINTS_EARNED_365D",
                "multiplier": 2.5,
                "benefits": ["Personal shopper"],
                "holdMonths": 24,
            }
        },
    )
    assert body["tierCreate"] == {
        "tier": {
            "code": "DIAMOND",
            "rank": 4,
            "multiplier": 2.5,
            "benefits": ["Personal shopper"],
            "holdMonths": 24,
            "metric": "POINTS_EARNED_365D",
        },
        "userErrors": [],
    }
    assert [t["code"] for t in (await admin.execute(TIERS))["tiers"]][-1] == "DIAMOND"


async def test_bad_tiers_are_refused_with_their_field(admin: GraphQLClient) -> None:
    await admin.execute(TIERS)

    async def create(**fields: object) -> list[dict[str, Any]]:
        base = {"code": "NEW", "name": "New", "rank": 9, "threshold": 1_000_000}
        body = await admin.execute(CREATE, {"input": {**base, **fields}})
        errors: list[dict[str, Any]] = body["tierCreate"]["userErrors"]
        return errors

    assert await create(code="GOLD") == [{"field": ["code"], "code": "ALREADY_EXISTS"}]
    assert await create(rank=2) == [{"field": ["rank"], "code": "ALREADY_EXISTS"}]
    assert await create(code="lower") == [{"field": ["code"], "code": "INVALID"}]
    assert await create(multiplier=1.23456) == [{"field": ["multiplier"], "code": "INVALID"}]
    assert await create(multiplier=0) == [{"field": ["multiplier"], "code": "INVALID"}]
    assert await create(holdMonths=121) == [{"field": ["holdMonths"], "code": "INVALID"}]


async def test_an_admin_changes_a_tier(admin: GraphQLClient) -> None:
    await admin.execute(TIERS)
    changed = await admin.execute(
        UPDATE, {"input": {"code": "GOLD", "name": "Gold+", "multiplier": 1.75}}
    )
    unknown = await admin.execute(UPDATE, {"input": {"code": "NOPE", "name": "x"}})
    lowest = await admin.execute(UPDATE, {"input": {"code": "MEMBER", "threshold": 100}})
    assert changed["tierUpdate"] == {
        "tier": {"code": "GOLD", "name": "Gold+", "multiplier": 1.75, "threshold": 150_000},
        "userErrors": [],
    }
    assert unknown["tierUpdate"]["userErrors"] == [{"field": ["code"], "code": "NOT_FOUND"}]
    assert lowest["tierUpdate"]["userErrors"] == [{"field": ["threshold"], "code": "INVALID"}]


async def test_the_widest_tier_code_and_name_are_stored_and_wider_ones_refused(
    admin: GraphQLClient,
) -> None:
    # The limits are the widths of tiers.code (32) and tiers.name (100): wider values used
    # to fail the write on PostgreSQL (a code with a trailing newline passed the pattern).
    await admin.execute(TIERS)
    code, name = "W" * 32, "n" * 100
    base = {"rank": 9, "threshold": 1_000_000}
    widest = await admin.execute(CREATE, {"input": {**base, "code": code, "name": name}})
    assert widest["tierCreate"]["userErrors"] == []
    stored = {t["code"]: t["name"] for t in (await admin.execute(TIERS))["tiers"]}
    assert stored[code] == name
    for field, value in (("code", code + "\n"), ("code", code + "W"), ("name", name + "n")):
        wider = await admin.execute(
            CREATE,
            {
                "input": {
                    **base,
                    "rank": 10,
                    "threshold": 2_000_000,
                    "code": "WIDER",
                    "name": "W",
                    field: value,
                }
            },
        )
        assert wider["tierCreate"]["userErrors"] == [{"field": [field], "code": "INVALID"}]
    renamed = await admin.execute(UPDATE, {"input": {"code": code, "name": name + "n"}})
    assert renamed["tierUpdate"]["userErrors"] == [{"field": ["name"], "code": "INVALID"}]


async def test_only_an_admin_manages_tiers(services: Services, gql: GraphQLClient) -> None:
    marketer = gql.as_(await make_api_key(services, Role.MARKETER))
    response = await marketer.post(
        CREATE, {"input": {"code": "X", "name": "X", "rank": 8, "threshold": 1}}
    )
    assert response.json()["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_a_huge_multiplier_is_refused_at_its_field(admin: GraphQLClient) -> None:
    # Floats from about 1e24 on used to overflow the decimal context (a masked
    # INTERNAL_SERVER_ERROR); anything above the maximum of 100 is a userError now.
    await admin.execute(TIERS)
    base = {"code": "BIGMULT", "name": "x", "rank": 14, "threshold": 1_000_000}
    for multiplier in (1e308, 1e25, 1e24, 100.0001, 101):
        response = await admin.post(CREATE, {"input": {**base, "multiplier": multiplier}})
        body = response.json()
        assert "errors" not in body, body
        assert body["data"]["tierCreate"] == {
            "tier": None,
            "userErrors": [{"field": ["multiplier"], "code": "INVALID"}],
        }
        changed = (
            await admin.post(UPDATE, {"input": {"code": "SILVER", "multiplier": multiplier}})
        ).json()
        assert "errors" not in changed, changed
        assert changed["data"]["tierUpdate"]["userErrors"] == [
            {"field": ["multiplier"], "code": "INVALID"}
        ]
    message = (
        await admin.execute(
            'mutation { tierUpdate(input: {code: "SILVER", multiplier: 1e25}) '
            "{ userErrors { message } } }"
        )
    )["tierUpdate"]["userErrors"][0]["message"]
    assert "at most 100" in message
    highest = await admin.execute(CREATE, {"input": {**base, "multiplier": 100}})
    assert highest["tierCreate"]["userErrors"] == []
    assert highest["tierCreate"]["tier"]["multiplier"] == 100.0
    silver = {t["code"]: t for t in (await admin.execute(TIERS))["tiers"]}["SILVER"]
    assert silver["multiplier"] == 1.25


def test_a_multiplier_that_is_not_a_finite_number_is_refused() -> None:
    # GraphQL's Float cannot carry them, but the conversion guards anyway.
    for value in (math.inf, -math.inf, math.nan):
        with pytest.raises(InvalidTier) as error:
            multiplier_of(value)
        assert error.value.field == ("multiplier",)


LADDER_ERRORS = "userErrors { field code message }"


async def test_a_tier_ranked_above_another_of_its_metric_needs_a_higher_threshold(
    admin: GraphQLClient,
) -> None:
    await admin.execute(TIERS)
    create = f"""
    mutation($input: TierCreateInput!) {{ tierCreate(input: $input) {{ tier {{ code }} {LADDER_ERRORS} }} }}"""
    update = f"""
    mutation($input: TierUpdateInput!) {{ tierUpdate(input: $input) {{ tier {{ code }} {LADDER_ERRORS} }} }}"""
    diamond = await admin.execute(
        create, {"input": {"code": "DIAMOND", "name": "D", "rank": 4, "threshold": 1_000_000}}
    )
    assert diamond["tierCreate"]["userErrors"] == []

    # Given the ladder MEMBER 0 < SILVER < GOLD < PLATINUM < DIAMOND 1,000,000 (net spend)
    # When a tier ranked above them all needs only 100
    jump = await admin.execute(
        create, {"input": {"code": "JUMP", "name": "J", "rank": 12, "threshold": 100}}
    )
    # Then it is refused, naming the tier it conflicts with
    [error] = jump["tierCreate"]["userErrors"]
    assert (error["field"], error["code"]) == (["threshold"], "INVALID")
    assert "JUMP" in error["message"] and "SILVER" in error["message"]
    equal = await admin.execute(
        create, {"input": {"code": "JUMP", "name": "J", "rank": 12, "threshold": 1_000_000}}
    )
    assert "DIAMOND" in equal["tierCreate"]["userErrors"][0]["message"]
    below = await admin.execute(
        create, {"input": {"code": "LOW", "name": "L", "rank": 5, "threshold": 0}}
    )
    assert below["tierCreate"]["userErrors"][0]["field"] == ["threshold"]

    # Changes are checked too: a threshold, a rank or a metric that breaks the climb.
    for change in (
        {"code": "GOLD", "threshold": 40_000},
        {"code": "GOLD", "threshold": 500_000},
        {"code": "SILVER", "rank": 7},
        {"code": "PLATINUM", "rank": 20},
    ):
        refused = await admin.execute(update, {"input": change})
        [error] = refused["tierUpdate"]["userErrors"]
        assert (error["field"], error["code"]) == (["threshold"], "INVALID"), change
    # Another metric is another path up: any threshold above 0 fits between the others.
    points_path = await admin.execute(
        create,
        {
            "input": {
                "code": "FAN",
                "name": "Fan",
                "rank": 10,
                "threshold": 500,
                "metric": "POINTS_EARNED_365D",
            }
        },
    )
    assert points_path["tierCreate"]["userErrors"] == []
    free = await admin.execute(
        create,
        {
            "input": {
                "code": "FREE",
                "name": "Free",
                "rank": 11,
                "threshold": 0,
                "metric": "POINTS_EARNED_365D",
            }
        },
    )
    assert "entry tier MEMBER" in free["tierCreate"]["userErrors"][0]["message"]
    ladder = [(t["code"], t["threshold"]) for t in (await admin.execute(TIERS))["tiers"]]
    assert ladder == [
        ("MEMBER", 0),
        ("SILVER", 50_000),
        ("GOLD", 150_000),
        ("PLATINUM", 500_000),
        ("DIAMOND", 1_000_000),
        ("FAN", 500),
    ]


async def test_a_small_order_does_not_lift_a_customer_past_the_top_tiers(
    admin: GraphQLClient,
) -> None:
    await admin.execute(TIERS)
    await admin.execute(
        CREATE, {"input": {"code": "JUMP", "name": "J", "rank": 12, "threshold": 100}}
    )
    customer = await new_customer(admin)
    order = await admin.execute(
        """
        mutation($input: OrderRecordInput!) {
          orderRecord(input: $input) {
            order { customer { membership { tier { code } } } } userErrors { code }
          }
        }""",
        {
            "input": {
                "channel": "web",
                "externalId": uuid4().hex,
                "customer": {"id": customer},
                "placedAt": (datetime.now(UTC) - timedelta(days=1)).isoformat(),
                "total": {"amount": 1000, "currency": "EUR"},
            }
        },
    )
    assert order["orderRecord"]["userErrors"] == []
    assert order["orderRecord"]["order"]["customer"]["membership"]["tier"]["code"] == "MEMBER"
