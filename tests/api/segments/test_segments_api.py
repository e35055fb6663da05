"""Segments over GraphQL: saving, previewing, explaining, errors with positions."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from uuid import UUID

import pytest
from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncEngine

from api.context import Services
from domain.access.model import Role
from domain.ids import new_id
from persistence.tables.segments import segments
from tests.conftest import GraphQLClient, make_api_key
from tests.integration.segments.rows import CustomerFacts, Stats, insert_customers

CREATE = """
mutation($input: SegmentCreateInput!) {
  segmentCreate(input: $input) {
    segment { id name query status count membersCount }
    count dryRun
    userErrors { field code message }
  }
}"""
PREVIEW = """
query($q: String!, $first: Int) {
  segmentPreview(query: $q, first: $first) {
    count customers { id } error { message line column expected }
  }
}"""


def decode_id(value: str, kind: str) -> UUID:
    from api.relay import decode_id as decode

    return decode(value, kind)


def gid(kind: str, value: UUID) -> str:
    from api.relay import encode_id

    return str(encode_id(kind, value))


async def given(engine: AsyncEngine, *facts: CustomerFacts) -> list[UUID]:
    async with engine.begin() as conn:
        await insert_customers(conn, list(facts))
    return [f.id for f in facts]


async def create(client: GraphQLClient, **fields: Any) -> dict[str, Any]:
    data = await client.execute(CREATE, {"input": fields})
    payload: dict[str, Any] = data["segmentCreate"]
    return payload


async def preview(client: GraphQLClient, query: str, first: int | None = None) -> dict[str, Any]:
    data = await client.execute(PREVIEW, {"q": query, "first": first})
    payload: dict[str, Any] = data["segmentPreview"]
    return payload


async def test_a_saved_segment_has_a_live_count_and_a_preview(
    admin: GraphQLClient, engine: AsyncEngine
) -> None:
    ids = await given(
        engine,
        *[CustomerFacts(tier="GOLD") for _ in range(3)],
        CustomerFacts(tier="SILVER"),
    )
    created = await create(admin, name="Gold", query="tier = 'GOLD'", description="Top tier")
    assert created["userErrors"] == []
    assert created["segment"]["count"] == 3 and created["count"] == 3
    assert created["segment"]["status"] == "VALID"

    data = await admin.execute(
        """query($id: ID!) { segment(id: $id) { name count customers(first: 2) { id } } }""",
        {"id": created["segment"]["id"]},
    )
    assert data["segment"]["count"] == 3
    assert [c["id"] for c in data["segment"]["customers"]] == [gid("Customer", i) for i in ids[:2]]

    # A customer joins the tier: the count is live.
    async with engine.begin() as conn:
        await insert_customers(conn, [CustomerFacts(tier="GOLD")])
    listed = await admin.execute("{ segments(first: 10) { totalCount nodes { name count } } }")
    assert listed["segments"] == {"totalCount": 1, "nodes": [{"name": "Gold", "count": 4}]}


async def test_dry_run_counts_without_saving(admin: GraphQLClient, engine: AsyncEngine) -> None:
    await given(engine, CustomerFacts(stats=Stats(orders_count=3)), CustomerFacts())
    dry = await create(admin, name="Repeat", query="orders_count >= 2", dryRun=True)
    assert dry == {"segment": None, "count": 1, "dryRun": True, "userErrors": []}
    listed = await admin.execute("{ segments { totalCount } }")
    assert listed["segments"]["totalCount"] == 0

    saved = await create(admin, name="Repeat", query="orders_count >= 2")
    update = await admin.execute(
        """mutation($input: SegmentUpdateInput!) {
             segmentUpdate(input: $input) { segment { query } count dryRun userErrors { message } }
           }""",
        {"input": {"id": saved["segment"]["id"], "query": "orders_count >= 0", "dryRun": True}},
    )
    assert update["segmentUpdate"] == {
        "segment": None,
        "count": 2,
        "dryRun": True,
        "userErrors": [],
    }
    again = await admin.execute(
        """query($id: ID!) { segment(id: $id) { query } }""", {"id": saved["segment"]["id"]}
    )
    assert again["segment"]["query"] == "orders_count >= 2"


@pytest.mark.parametrize(
    ("query", "line", "column", "words"),
    [
        (")tier = 'GOLD'", 1, 1, "at the start of the query"),
        ("tier = 'GOLD' AND orders_count = = 1", 1, 34, "after '=', found '='"),
        ("tier = 'GOLD' AND\n  orders_count >", 2, 17, "but the query ends here"),
    ],
)
async def test_syntax_errors_name_their_position(
    admin: GraphQLClient, query: str, line: int, column: int, words: str
) -> None:
    created = await create(admin, name="Broken", query=query)
    assert created["segment"] is None
    [error] = created["userErrors"]
    assert error["field"] == ["query"] and error["code"] == "INVALID"
    assert f"(line {line}, column {column})" in error["message"]
    assert words in error["message"]

    shown = (await preview(admin, query))["error"]
    assert (shown["line"], shown["column"]) == (line, column)
    assert shown["expected"]


async def test_an_unknown_attribute_gets_a_suggestion(admin: GraphQLClient) -> None:
    shown = await preview(admin, "orders_cout > 3")
    assert shown["count"] is None and shown["customers"] == []
    assert "unknown attribute 'orders_cout'" in shown["error"]["message"]
    assert "did you mean 'orders_count'?" in shown["error"]["message"]
    assert (shown["error"]["line"], shown["error"]["column"]) == (1, 1)


@pytest.mark.parametrize(
    ("query", "column", "words"),
    [
        ("tier > 5", 6, "does not apply to tier"),
        ("orders_count = 'many'", 16, "orders_count takes whole numbers"),
        ("birthday = '1990-02-30'", 12, "not a valid date"),
        ("tier IN ()", 9, "an IN list needs at least one value"),
    ],
)
async def test_type_errors_are_found_at_parse_time(
    admin: GraphQLClient, query: str, column: int, words: str
) -> None:
    shown = (await preview(admin, query))["error"]
    assert words in shown["message"]
    assert shown["column"] == column


async def test_deeply_nested_input_is_refused_not_a_crash(admin: GraphQLClient) -> None:
    nested = "tier = 'GOLD'"
    for level in range(40):
        nested = f"(tier = 'SILVER' {'AND' if level % 2 else 'OR'} {nested})"
    for query in (nested, "NOT " * 100 + "tier = 'GOLD'"):
        shown = (await preview(admin, query))["error"]
        assert "nests deeper than 32 levels" in shown["message"]
    too_long = (await preview(admin, "NOT " * 5_000 + "tier = 'GOLD'"))["error"]
    assert "longer than 10000 characters" in too_long["message"]
    # Redundant parentheses group without nesting: fine however many.
    grouped = await preview(admin, "(" * 400 + "tier = 'GOLD'" + ")" * 400)
    assert grouped["error"] is None and grouped["count"] == 0


async def test_a_segment_whose_query_no_longer_parses_is_reported(
    admin: GraphQLClient, engine: AsyncEngine
) -> None:
    broken_id = new_id()
    at = datetime(2026, 1, 1, tzinfo=UTC)
    async with engine.begin() as conn:
        await conn.execute(
            insert(segments).values(
                id=broken_id,
                name="Retired",
                name_key="retired",
                query="loyalty_score > 3",
                description="",
                created_at=at,
                updated_at=at,
            )
        )
    await given(engine, CustomerFacts())
    data = await admin.execute(
        """{ segments { nodes { id status problem { message line column } count
                                 customers { id } } } }"""
    )
    [node] = data["segments"]["nodes"]
    assert node["status"] == "INVALID" and node["count"] is None and node["customers"] == []
    assert "loyalty_score" in node["problem"]["message"]

    reevaluated = await admin.execute(
        "mutation { segmentReevaluate(input: {}) { results { segmentId problem } userErrors { message } } }"
    )
    [result] = reevaluated["segmentReevaluate"]["results"]
    assert "loyalty_score" in result["problem"]

    repaired = await admin.execute(
        """mutation($input: SegmentUpdateInput!) {
             segmentUpdate(input: $input) { segment { status count } userErrors { message } }
           }""",
        {"input": {"id": node["id"], "query": "orders_count = 0"}},
    )
    assert repaired["segmentUpdate"]["segment"] == {"status": "VALID", "count": 1}


async def test_explain_tells_per_clause_what_held_and_the_value_seen(
    admin: GraphQLClient, engine: AsyncEngine, services: Services
) -> None:
    [customer] = await given(
        engine,
        CustomerFacts(
            tier="GOLD",
            profile={"email": "ana@example.com", "region": "Nord"},
            stats=Stats(orders_count=1, net_spent=4_250),
        ),
    )
    created = await create(
        admin,
        name="Mixed",
        query="tier = 'GOLD' AND (net_spent > 100 OR last_order_days > 30) AND email = 'x@y.z'",
    )
    query = """query($id: ID!, $c: ID!) { segment(id: $id) { explain(customerId: $c) {
                 matched clauses { text outcome attribute value }
                 tree { text outcome children { outcome children { outcome } } } } } }"""
    variables = {"id": created["segment"]["id"], "c": gid("Customer", customer)}
    explained = (await admin.execute(query, variables))["segment"]["explain"]
    assert explained["matched"] is False
    assert explained["clauses"] == [
        {"text": "tier = 'GOLD'", "outcome": "TRUE", "attribute": "tier", "value": "'GOLD'"},
        {"text": "net_spent > 100", "outcome": "FALSE", "attribute": "net_spent", "value": "42.50"},
        {
            "text": "last_order_days > 30",
            "outcome": "UNKNOWN",
            "attribute": "last_order_days",
            "value": "NULL",
        },
        {
            "text": "email = 'x@y.z'",
            "outcome": "FALSE",
            "attribute": "email",
            "value": "'ana@example.com'",
        },
    ]
    assert explained["tree"]["outcome"] == "FALSE"
    assert [c["outcome"] for c in explained["tree"]["children"]] == ["TRUE", "UNKNOWN", "FALSE"]

    # An ANALYST key may not explain a clause on personal data (its outcome would tell
    # the email); without one, it sees the structure and masked places.
    analyst = admin.as_(await make_api_key(services, Role.ANALYST))
    refused = await analyst.post(query, variables)
    [error] = refused.json()["errors"]
    assert error["extensions"]["code"] == "FORBIDDEN"
    assert "email cannot be used: it is personal data" in error["message"]
    regional = await create(admin, name="Regional", query="tier = 'gold' OR region = 'Nord'")
    variables["id"] = regional["segment"]["id"]
    masked = (await analyst.execute(query, variables))["segment"]["explain"]["clauses"]
    assert masked[1]["value"] == "'***'" and masked[0]["value"] == "'GOLD'"


async def test_only_marketers_and_admins_write_while_staff_read(
    admin: GraphQLClient, services: Services
) -> None:
    marketer = admin.as_(await make_api_key(services, Role.MARKETER))
    support = admin.as_(await make_api_key(services, Role.SUPPORT))
    storefront = admin.as_(await make_api_key(services, Role.STOREFRONT))
    created = await create(marketer, name="Any", query="orders_count >= 0")
    assert created["userErrors"] == []

    refused = (
        await support.post(CREATE, {"input": {"name": "X", "query": "tier = 'GOLD'"}})
    ).json()
    assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert (await support.execute("{ segments { totalCount } }"))["segments"]["totalCount"] == 1
    hidden = (await storefront.post("{ segments { totalCount } }")).json()
    assert hidden["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_names_are_unique_and_deleting_is_refused_while_a_rule_tag_follows(
    admin: GraphQLClient,
) -> None:
    first = await create(admin, name="VIPs", query="tags CONTAINS 'vip'")
    again = await create(admin, name="vips", query="tier = 'GOLD'")
    assert again["userErrors"][0]["code"] == "ALREADY_EXISTS"
    assert again["userErrors"][0]["field"] == ["name"]

    segment_id = first["segment"]["id"]
    defined = await admin.execute(
        """mutation($input: RuleTagDefineInput!) {
             ruleTagDefine(input: $input) { ruleTag { tag segment { name } } userErrors { message } }
           }""",
        {"input": {"tag": "Followers", "segmentId": segment_id}},
    )
    assert defined["ruleTagDefine"]["ruleTag"] == {"tag": "followers", "segment": {"name": "VIPs"}}
    delete = """mutation($input: SegmentDeleteInput!) {
                  segmentDelete(input: $input) { deletedSegmentId userErrors { code message } }
                }"""
    refused = (await admin.execute(delete, {"input": {"id": segment_id}}))["segmentDelete"]
    assert refused["deletedSegmentId"] is None
    assert refused["userErrors"][0]["code"] == "CONFLICT"
    assert "followers" in refused["userErrors"][0]["message"]

    await admin.execute("""mutation { ruleTagDrop(input: {tag: "followers"}) { removedCount } }""")
    deleted = (await admin.execute(delete, {"input": {"id": segment_id}}))["segmentDelete"]
    assert deleted == {"deletedSegmentId": segment_id, "userErrors": []}


async def test_reevaluation_can_run_as_a_background_job(
    admin: GraphQLClient, services: Services
) -> None:
    sent: list[tuple[str, dict[str, Any]]] = []
    services.send_job = lambda actor, **kwargs: sent.append((actor, kwargs))
    created = await create(admin, name="All", query="orders_count >= 0")
    data = await admin.execute(
        """mutation($id: ID!) { segmentReevaluate(input: {id: $id, asOf: "2026-03-30",
             background: true}) { results { entered } jobId job { id kind status }
             userErrors { message } } }""",
        {"id": created["segment"]["id"]},
    )
    payload = data["segmentReevaluate"]
    assert payload["results"] is None
    assert payload["job"] == {
        "id": payload["jobId"],
        "kind": "segments.reevaluate",
        "status": "QUEUED",
    }
    [(actor, kwargs)] = sent
    assert actor == "segments.reevaluate"
    assert kwargs["as_of"] == "2026-03-30"
    assert kwargs["segment_ids"] == [str(decode_id(created["segment"]["id"], "Segment"))]
    job = await admin.execute(
        "query($id: ID!) { job(id: $id) { kind status } }", {"id": payload["jobId"]}
    )
    assert job["job"] == {"kind": "segments.reevaluate", "status": "QUEUED"}


async def test_reevaluating_an_unknown_segment_is_a_user_error(admin: GraphQLClient) -> None:
    data = await admin.execute(
        """mutation($id: ID!) { segmentReevaluate(input: {id: $id}) {
             results { entered } userErrors { field code } } }""",
        {"id": gid("Segment", new_id())},
    )
    assert data["segmentReevaluate"] == {
        "results": None,
        "userErrors": [{"field": ["id"], "code": "NOT_FOUND"}],
    }


async def test_the_widest_segment_names_are_stored_and_wider_ones_refused(
    admin: GraphQLClient,
) -> None:
    # name and name_key (the lower-cased name) are both 100 wide; 'İ' lower-cases to two
    # characters, so a 100-character name holding one used to fail the write on PostgreSQL.
    widest = await create(admin, name="n" * 100, query="orders_count >= 0")
    assert widest["userErrors"] == []
    assert widest["segment"]["name"] == "n" * 100
    dotted = await create(admin, name="\u0130" + "n" * 98, query="orders_count >= 0")
    assert dotted["userErrors"] == []
    for name in ("m" * 101, "\u0130" + "m" * 99):
        wider = await create(admin, name=name, query="orders_count >= 0")
        assert wider["segment"] is None
        assert wider["userErrors"][0]["field"] == ["name"]
        assert "100" in wider["userErrors"][0]["message"]
    renamed = await admin.execute(
        """mutation($input: SegmentUpdateInput!) {
             segmentUpdate(input: $input) { segment { name } userErrors { field } } }""",
        {"input": {"id": widest["segment"]["id"], "name": "\u0130" + "m" * 99}},
    )
    assert renamed["segmentUpdate"] == {"segment": None, "userErrors": [{"field": ["name"]}]}
