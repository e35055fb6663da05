"""Faults are masked for clients and logged with the request id."""

from __future__ import annotations

import logging

import pytest

from tests.conftest import GraphQLClient


async def test_an_unexpected_error_is_masked_and_logged_with_the_request_id(
    admin: GraphQLClient, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    import api.access.mutations as mutations

    async def broken(*args: object, **kwargs: object) -> object:
        raise RuntimeError("secret connection string leaked")

    monkeypatch.setattr(mutations, "create_api_key", broken)
    with caplog.at_level(logging.ERROR, logger="patronage.api"):
        response = await admin.post(
            'mutation { apiKeyCreate(input: {name: "x", role: ADMIN}) { key } }',
            headers={"x-request-id": "req-42"},
        )
    error = response.json()["errors"][0]
    assert "secret" not in error["message"]
    assert error["extensions"] == {"code": "INTERNAL_SERVER_ERROR", "requestId": "req-42"}
    assert "req-42" in error["message"]
    logged = [r for r in caplog.records if r.name == "patronage.api"]
    assert logged and logged[0].exc_info is not None
    assert "secret connection string leaked" in str(logged[0].exc_info[1])


async def test_a_bad_global_id_is_a_user_error(admin: GraphQLClient) -> None:
    from api.relay import encode_id

    wrong_type = str(encode_id("Customer", "01a209c2-5d13-7168-a6c0-29425fa9e4e0"))
    body = await admin.execute(
        "mutation($id: ID!) { apiKeyRevoke(input: {id: $id}) { userErrors { code field } } }",
        {"id": wrong_type},
    )
    assert body["apiKeyRevoke"]["userErrors"] == [{"code": "INVALID_ID", "field": ["id"]}]  # type: ignore[index]


async def test_paging_arguments_are_checked(admin: GraphQLClient) -> None:
    body = (await admin.post("{ apiKeys(first: 1000) { totalCount } }")).json()
    assert body["errors"][0]["extensions"]["code"] == "BAD_REQUEST"
    body = (await admin.post('{ apiKeys(after: "garbage") { totalCount } }')).json()
    assert body["errors"][0]["extensions"]["code"] == "BAD_REQUEST"
