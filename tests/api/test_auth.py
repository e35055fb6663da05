"""Authentication (API keys, customer tokens) and role permissions."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from api.context import Services
from domain.access.model import Role
from domain.ids import new_id
from tests.conftest import GraphQLClient, make_api_key


async def test_no_credentials_is_unauthenticated(gql: GraphQLClient) -> None:
    response = await gql.post("{ __typename }")
    assert response.status_code == 401
    assert response.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_an_unknown_key_is_unauthenticated(gql: GraphQLClient) -> None:
    response = await gql.as_("pat_not-a-real-key").post("{ __typename }")
    assert response.status_code == 401
    assert response.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_a_malformed_header_is_unauthenticated(gql: GraphQLClient) -> None:
    response = await gql.post("{ __typename }", headers={"authorization": "Basic abc"})
    assert response.status_code == 401


async def test_a_revoked_key_is_refused(admin: GraphQLClient, services: Services) -> None:
    key = await make_api_key(services, Role.MARKETER, "to revoke")
    assert (await admin.as_(key).post("{ __typename }")).status_code == 200
    keys = await admin.execute("{ apiKeys(first: 10) { nodes { id name } } }")
    key_id = next(n["id"] for n in keys["apiKeys"]["nodes"] if n["name"] == "to revoke")
    revoked = await admin.execute(
        "mutation($id: ID!) { apiKeyRevoke(input: {id: $id}) { apiKey { revokedAt } userErrors { code } } }",
        {"id": key_id},
    )
    assert revoked["apiKeyRevoke"]["apiKey"]["revokedAt"] is not None
    assert (await admin.as_(key).post("{ __typename }")).status_code == 401


async def test_revoking_twice_is_a_user_error(admin: GraphQLClient, services: Services) -> None:
    await make_api_key(services, Role.ANALYST, "twice")
    keys = await admin.execute("{ apiKeys(first: 10) { nodes { id name } } }")
    key_id = next(n["id"] for n in keys["apiKeys"]["nodes"] if n["name"] == "twice")
    mutation = "mutation($id: ID!) { apiKeyRevoke(input: {id: $id}) { userErrors { code field } } }"
    await admin.execute(mutation, {"id": key_id})
    again = await admin.execute(mutation, {"id": key_id})
    assert again["apiKeyRevoke"]["userErrors"] == [{"code": "INVALID_TRANSITION", "field": None}]


async def test_a_wrong_role_is_forbidden(gql: GraphQLClient, services: Services) -> None:
    marketer = gql.as_(await make_api_key(services, Role.MARKETER))
    body = (await marketer.post("{ apiKeys { totalCount } }")).json()
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    body = (
        await marketer.post('mutation { apiKeyCreate(input: {name: "x", role: ADMIN}) { key } }')
    ).json()
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_a_customer_token_authenticates_as_that_customer(
    gql: GraphQLClient, services: Services
) -> None:
    token, _ = services.tokens.issue(new_id(), issued_by=new_id(), now=datetime.now(UTC))
    response = await gql.as_(token).post("{ __typename }")
    assert response.status_code == 200
    body = (await gql.as_(token).post("{ apiKeys { totalCount } }")).json()
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_an_expired_customer_token_is_refused(gql: GraphQLClient, services: Services) -> None:
    token, _ = services.tokens.issue(
        new_id(), issued_by=new_id(), now=datetime.now(UTC) - timedelta(hours=1)
    )
    assert (await gql.as_(token).post("{ __typename }")).status_code == 401


async def test_a_token_signed_with_another_secret_is_refused(gql: GraphQLClient) -> None:
    from api.tokens import CustomerTokens

    forger = CustomerTokens("another-secret-of-sufficient-length-123", timedelta(minutes=5))
    token, _ = forger.issue(new_id(), issued_by=new_id(), now=datetime.now(UTC))
    assert (await gql.as_(token).post("{ __typename }")).status_code == 401


async def test_created_keys_are_stored_hashed(admin: GraphQLClient, services: Services) -> None:
    from sqlalchemy import select

    from persistence.tables.access import api_keys

    body = await admin.execute(
        'mutation { apiKeyCreate(input: {name: "new", role: STOREFRONT}) { key apiKey { hint role } } }'
    )
    secret = body["apiKeyCreate"]["key"]
    assert secret.startswith("pat_")
    async with services.read() as conn:
        stored = (await conn.execute(select(api_keys.c.digest, api_keys.c.hint))).all()
    assert all(secret not in (row.digest, row.hint) or row.hint == secret[-4:] for row in stored)
    assert all(row.digest != secret for row in stored)
    assert (await admin.as_(secret).post("{ __typename }")).status_code == 200
