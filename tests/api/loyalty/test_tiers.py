"""Tiers through the API: the seeded ladder, creating and changing tiers (ADMIN)."""

from __future__ import annotations

from typing import Any

from api.context import Services
from domain.access.model import Role
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
        base = {"code": "NEW", "name": "New", "rank": 9, "threshold": 10}
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
    base = {"rank": 9, "threshold": 10}
    widest = await admin.execute(CREATE, {"input": {**base, "code": code, "name": name}})
    assert widest["tierCreate"]["userErrors"] == []
    stored = {t["code"]: t["name"] for t in (await admin.execute(TIERS))["tiers"]}
    assert stored[code] == name
    for field, value in (("code", code + "\n"), ("code", code + "W"), ("name", name + "n")):
        wider = await admin.execute(
            CREATE, {"input": {**base, "rank": 10, "code": "WIDER", "name": "W", field: value}}
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
