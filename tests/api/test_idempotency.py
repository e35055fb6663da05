"""Every mutation is idempotent under a key: replay, conflict, concurrency, secrets."""

from __future__ import annotations

import asyncio

import pytest

from api.context import Services
from tests.conftest import GraphQLClient

CREATE = """
mutation($name: String!, $key: String) {
  apiKeyCreate(input: {name: $name, role: ANALYST, idempotencyKey: $key}) {
    apiKey { id name }
    key
    userErrors { field code message }
  }
}"""

CREATE_NO_KEY_ARG = """
mutation($name: String!) {
  apiKeyCreate(input: {name: $name, role: ANALYST}) { apiKey { id } userErrors { code } }
}"""


async def _key_count(admin: GraphQLClient, name: str) -> int:
    body = await admin.execute("{ apiKeys(first: 100) { nodes { name } } }")
    return sum(1 for n in body["apiKeys"]["nodes"] if n["name"] == name)


async def test_a_replay_returns_the_first_response_and_changes_nothing(
    admin: GraphQLClient,
) -> None:
    first = await admin.execute(CREATE, {"name": "replayed", "key": "k-1"})
    second = await admin.execute(CREATE, {"name": "replayed", "key": "k-1"})
    assert second["apiKeyCreate"]["apiKey"] == first["apiKeyCreate"]["apiKey"]
    assert await _key_count(admin, "replayed") == 1


async def test_a_replayed_secret_is_not_stored(admin: GraphQLClient) -> None:
    first = await admin.execute(CREATE, {"name": "secret", "key": "k-secret"})
    second = await admin.execute(CREATE, {"name": "secret", "key": "k-secret"})
    assert first["apiKeyCreate"]["key"].startswith("pat_")
    assert second["apiKeyCreate"]["key"] is None


async def test_the_same_key_with_another_request_is_an_idempotency_conflict(
    admin: GraphQLClient,
) -> None:
    await admin.execute(CREATE, {"name": "one", "key": "k-2"})
    other = await admin.execute(CREATE, {"name": "two", "key": "k-2"})
    payload = other["apiKeyCreate"]
    assert payload["apiKey"] is None
    assert payload["userErrors"][0]["code"] == "IDEMPOTENCY_CONFLICT"
    assert payload["userErrors"][0]["field"] == ["idempotencyKey"]
    assert await _key_count(admin, "two") == 0


async def test_the_header_works_like_the_argument(admin: GraphQLClient) -> None:
    headers = {"idempotency-key": "h-1"}
    first = await admin.execute(CREATE_NO_KEY_ARG, {"name": "by header"}, headers=headers)
    second = await admin.execute(CREATE_NO_KEY_ARG, {"name": "by header"}, headers=headers)
    assert first == second
    assert await _key_count(admin, "by header") == 1
    conflict = await admin.execute(CREATE_NO_KEY_ARG, {"name": "other"}, headers=headers)
    assert conflict["apiKeyCreate"]["userErrors"][0]["code"] == "IDEMPOTENCY_CONFLICT"


async def test_keys_are_scoped_to_the_caller(admin: GraphQLClient, services: Services) -> None:
    from domain.access.model import Role
    from tests.conftest import make_api_key

    other_admin = admin.as_(await make_api_key(services, Role.ADMIN, "other admin"))
    await admin.execute(CREATE, {"name": "mine", "key": "shared-key"})
    theirs = await other_admin.execute(CREATE, {"name": "theirs", "key": "shared-key"})
    assert theirs["apiKeyCreate"]["userErrors"] == []


async def test_without_a_key_every_call_has_an_effect(admin: GraphQLClient) -> None:
    await admin.execute(CREATE, {"name": "plain"})
    await admin.execute(CREATE, {"name": "plain"})
    assert await _key_count(admin, "plain") == 2


async def test_a_user_error_response_is_replayed_too(admin: GraphQLClient) -> None:
    first = await admin.execute(CREATE, {"name": "", "key": "k-bad"})
    second = await admin.execute(CREATE, {"name": "", "key": "k-bad"})
    assert first == second
    assert first["apiKeyCreate"]["userErrors"][0]["code"] == "INVALID"


async def test_a_failed_request_releases_its_key(
    admin: GraphQLClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    import api.access.mutations as mutations
    from domain.access.services import create_api_key as real

    async def broken(*args: object, **kwargs: object) -> object:
        raise RuntimeError("database on fire")

    monkeypatch.setattr(mutations, "create_api_key", broken)
    failed = (await admin.post(CREATE, {"name": "retry", "key": "k-retry"})).json()
    assert failed["errors"][0]["extensions"]["code"] == "INTERNAL_SERVER_ERROR"
    monkeypatch.setattr(mutations, "create_api_key", real)
    retried = await admin.execute(CREATE, {"name": "retry", "key": "k-retry"})
    assert retried["apiKeyCreate"]["userErrors"] == []
    assert await _key_count(admin, "retry") == 1


async def test_concurrent_replays_have_one_effect(admin: GraphQLClient) -> None:
    responses = await asyncio.gather(
        *(admin.execute(CREATE, {"name": "concurrent", "key": "k-race"}) for _ in range(20))
    )
    ids = {r["apiKeyCreate"]["apiKey"]["id"] for r in responses}
    assert len(ids) == 1
    assert await _key_count(admin, "concurrent") == 1


async def test_an_overlong_key_is_refused(admin: GraphQLClient) -> None:
    # In the input, the key is a field like any other: a userError (API.md), nothing done.
    body = (await admin.post(CREATE, {"name": "x", "key": "k" * 300})).json()
    assert "errors" not in body, body
    payload = body["data"]["apiKeyCreate"]
    assert payload["apiKey"] is None and payload["key"] is None
    [error] = payload["userErrors"]
    assert (error["field"], error["code"]) == (["idempotencyKey"], "INVALID")
    assert "255" in error["message"]
    assert await _key_count(admin, "x") == 0


async def test_the_widest_key_is_stored_and_one_character_more_refused(
    admin: GraphQLClient,
) -> None:
    # The widest key fits idempotency_records.key (255), in the argument as in the header.
    first = await admin.execute(CREATE, {"name": "widest", "key": "k" * 255})
    again = await admin.execute(CREATE, {"name": "widest", "key": "k" * 255})
    assert again["apiKeyCreate"]["apiKey"] == first["apiKeyCreate"]["apiKey"]
    header = {"idempotency-key": "h" * 255}
    await admin.execute(CREATE_NO_KEY_ARG, {"name": "widest"}, headers=header)
    await admin.execute(CREATE_NO_KEY_ARG, {"name": "widest"}, headers=header)
    assert await _key_count(admin, "widest") == 2
    # One character more: a userError in the input, a bad request in the header.
    body = (await admin.post(CREATE, {"name": "wider", "key": "k" * 256})).json()
    assert body["data"]["apiKeyCreate"]["userErrors"][0]["code"] == "INVALID"
    headers = {"idempotency-key": "h" * 256}
    body = (await admin.post(CREATE_NO_KEY_ARG, {"name": "wider"}, headers=headers)).json()
    assert body["errors"][0]["extensions"]["code"] == "BAD_REQUEST"
    assert await _key_count(admin, "wider") == 0


async def test_a_key_holding_a_nul_character_is_a_bad_request(admin: GraphQLClient) -> None:
    # PostgreSQL text cannot hold NUL: the claim's INSERT used to fail with the raw
    # database message (SQL included) in the response.
    body = (await admin.post(CREATE, {"name": "nul", "key": "a\x00b"})).json()
    assert body["errors"][0]["extensions"]["code"] == "BAD_REQUEST"
    assert "NUL" in body["errors"][0]["message"]
    assert await _key_count(admin, "nul") == 0


async def test_an_integer_wider_than_64_bits_under_a_key_is_a_request_error(
    admin: GraphQLClient,
) -> None:
    # The fingerprint's JSON encoder stops at 64 bits; the client must still see that
    # its variable is not an Int, not an internal error.
    query = """
    mutation($amount: Int!) {
      orderRecord(input: {channel: "shop", externalId: "big", placedAt: "2026-01-01T00:00:00Z",
        customer: {email: "big@example.com"}, total: {amount: $amount, currency: "EUR"},
        lines: []}) { order { id } userErrors { code } }
    }"""
    response = await admin.post(query, {"amount": 2**70}, headers={"idempotency-key": "big"})
    [error] = response.json()["errors"]
    assert error.get("extensions", {}).get("code") != "INTERNAL_SERVER_ERROR", error
    assert "amount" in error["message"], error
