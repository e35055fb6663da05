"""What a typed query is checked against, wherever the API takes one: number ranges,
the configured tier codes, and personal data for ANALYST keys."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from api.context import Services
from domain.access.model import Role
from persistence.tables.segments import segments
from tests.api.segments.test_segments_api import create, given, preview
from tests.api.segments.test_tags_api import add
from tests.conftest import GraphQLClient, make_api_key
from tests.integration.segments.rows import CustomerFacts, Stats

CUSTOMERS = "query($q: String!) { customers(first: 5, query: $q) { totalCount } }"

OUT_OF_RANGE = [
    ("orders_count > 2147483648", 16, "0 to 2147483647"),
    ("orders_count IN (999999999999999, -1)", 18, "0 to 2147483647"),
    ("birthday_month = 2147483648", 18, "1 to 12"),
    ("rfm_recency = 2147483648", 15, "1 to 5"),
    ("open_tickets > 2147483648", 16, "0 to 2147483647"),
    ("refunds_count = 2147483648", 17, "0 to 2147483647"),
    ("last_review_rating > 40000", 22, "1 to 5"),
    ("churn_risk > 2147483648", 14, "0 to 1"),
    ("birthday_month = 13", 18, "1 to 12"),
]


async def saved_count(engine: AsyncEngine) -> int:
    async with engine.connect() as conn:
        return int((await conn.execute(select(func.count()).select_from(segments))).scalar_one())


@pytest.mark.parametrize(("query", "column", "allowed"), OUT_OF_RANGE)
async def test_a_number_beyond_an_attributes_range_is_a_type_error_everywhere(
    admin: GraphQLClient, engine: AsyncEngine, query: str, column: int, allowed: str
) -> None:
    # Given a customer, so that the SQL would run if the query got that far
    await given(engine, CustomerFacts(stats=Stats(orders_count=3)))

    # segmentPreview: `error`, with the position and the range
    error = (await preview(admin, query))["error"]
    assert (error["line"], error["column"]) == (1, column)
    assert "out of range" in error["message"] and allowed in error["message"]

    # customers(query:): a BAD_REQUEST naming it (never a masked internal error)
    body = (await admin.post(CUSTOMERS, {"q": query})).json()
    assert body["errors"][0]["extensions"]["code"] == "BAD_REQUEST"
    assert allowed in body["errors"][0]["message"]

    # segmentCreate, dry run or not, and tagsAdd(query:): a userError on `query`
    for dry_run in (True, False):
        created = await create(admin, name="ovf", query=query, dryRun=dry_run)
        [user_error] = created["userErrors"]
        assert user_error["field"] == ["query"] and allowed in user_error["message"]
    [tag_error] = (await add(admin, tags=["x"], query=query))["userErrors"]
    assert tag_error["field"] == ["query"] and allowed in tag_error["message"]
    assert await saved_count(engine) == 0


async def test_an_unknown_tier_is_a_type_error_listing_the_configured_codes(
    admin: GraphQLClient,
) -> None:
    error = (await preview(admin, "tier = 'NOPE'"))["error"]
    assert error["column"] == 8
    assert "'NOPE' is not a value of tier" in error["message"]
    assert "MEMBER, SILVER, GOLD, PLATINUM" in error["message"]
    near = (await preview(admin, "tier IN ('GOLD', 'silvr')"))["error"]
    assert "did you mean 'SILVER'?" in near["message"]
    created = await create(admin, name="nope", query="tier = 'NOPE'")
    assert created["userErrors"][0]["field"] == ["query"]


async def test_tier_and_enum_values_compare_case_insensitively(
    admin: GraphQLClient, engine: AsyncEngine
) -> None:
    await given(
        engine,
        CustomerFacts(tier="GOLD", profile={"email_consent": "SUBSCRIBED", "country": "FR"}),
        CustomerFacts(tier="SILVER"),
    )
    for query in ("tier = 'gold'", "tier IN ('Gold')", "email_consent = 'subscribed'"):
        assert (await preview(admin, query))["count"] == 1, query
    assert (await preview(admin, "country = 'fr' AND tier != 'silver'"))["count"] == 1
    assert (await admin.execute(CUSTOMERS, {"q": "tier = 'gold'"}))["customers"]["totalCount"] == 1


PERSONAL = [
    ("email = 'chloe@example.com'", "email"),
    ("phone = '+33600000000'", "phone"),
    ("orders_count > 0 AND first_name = 'Chloé'", "first_name"),
    ("last_name IS NOT NULL", "last_name"),
    ("birthday < '1990-01-01'", "birthday"),
    ("city = 'Lyon'", "city"),
    ("meta.size = 'M'", "meta.size"),
]


async def analyst_of(services: Services, admin: GraphQLClient) -> GraphQLClient:
    return admin.as_(await make_api_key(services, Role.ANALYST))


@pytest.mark.parametrize(("query", "attribute"), PERSONAL)
async def test_an_analyst_cannot_test_personal_data(
    admin: GraphQLClient, engine: AsyncEngine, services: Services, query: str, attribute: str
) -> None:
    # Given chloe, whose email an ANALYST key sees masked
    await given(
        engine,
        CustomerFacts(
            profile={
                "email": "chloe@example.com",
                "phone": "+33600000000",
                "first_name": "Chloé",
                "last_name": "M",
                "city": "Lyon",
            },
            public_metadata={"size": "M"},
        ),
    )
    analyst = await analyst_of(services, admin)

    # segmentPreview answers with `error` naming the attribute and why, and no count
    refused = await preview(analyst, query)
    assert refused["count"] is None and refused["customers"] == []
    assert f"{attribute} cannot be used" in refused["error"]["message"]
    assert "masked for ANALYST" in refused["error"]["message"]

    # customers(query:) refuses it too
    body = (await analyst.post(CUSTOMERS, {"q": query})).json()
    assert body["errors"][0]["extensions"]["code"] == "BAD_REQUEST"
    assert f"{attribute} cannot be used" in body["errors"][0]["message"]

    # while a MARKETER-level key may (the admin sees chloe)
    assert (await preview(admin, query))["error"] is None


async def test_an_analyst_keeps_aggregate_safe_attributes_and_cannot_write(
    admin: GraphQLClient, engine: AsyncEngine, services: Services
) -> None:
    await given(engine, CustomerFacts(profile={"country": "FR", "region": "Nord"}))
    analyst = await analyst_of(services, admin)
    safe = "birthday_month IN (1, 2) OR age > 30 OR country = 'FR' OR region = 'Nord'"
    answer = await preview(analyst, safe)
    assert answer["error"] is None and answer["count"] == 1
    # Writing with a query (segments, tags by query) is for MARKETER and ADMIN only.
    for document, variables in (
        (
            "mutation($i: SegmentCreateInput!) { segmentCreate(input: $i) { count } }",
            {"i": {"name": "p", "query": "email = 'chloe@example.com'"}},
        ),
        (
            "mutation($i: TagsChangeInput!) { tagsAdd(input: $i) { customersCount } }",
            {"i": {"tags": ["x"], "query": "email = 'chloe@example.com'"}},
        ),
    ):
        body: dict[str, Any] = (await analyst.post(document, variables)).json()
        assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
