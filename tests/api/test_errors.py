"""Faults are masked for clients and logged with the request id."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from sqlalchemy.exc import ProgrammingError
from strawberry.types.execution import PreExecutionError

import api.nul_characters as nul_characters
from api.auth import authenticate
from api.context import Context, Services
from api.schema import build_schema
from domain.access.model import Role
from patronage.observability import RequestIdFilter, request_id_var
from tests.conftest import GraphQLClient, make_api_key


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
    assert body["apiKeyRevoke"]["userErrors"] == [{"code": "INVALID_ID", "field": ["id"]}]


async def test_paging_arguments_are_checked(admin: GraphQLClient) -> None:
    body = (await admin.post("{ apiKeys(first: 1000) { totalCount } }")).json()
    assert body["errors"][0]["extensions"]["code"] == "BAD_REQUEST"
    body = (await admin.post('{ apiKeys(after: "garbage") { totalCount } }')).json()
    assert body["errors"][0]["extensions"]["code"] == "BAD_REQUEST"


def _database_error() -> Exception:
    return ProgrammingError(
        "INSERT INTO idempotency_records (scope, key) VALUES ($1, $2)",
        {"scope": "s", "key": "k"},
        Exception('relation "idempotency_records" does not exist'),
    )


async def test_an_unexpected_error_in_an_extension_is_masked_and_logged(
    admin: GraphQLClient,
    services: Services,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    # Given an idempotency store whose database fails before the mutation runs
    async def broken(*args: object, **kwargs: object) -> object:
        raise _database_error()

    monkeypatch.setattr(services.idempotency, "claim", broken)
    caplog.handler.addFilter(RequestIdFilter())  # as the served app's log handler does
    # When a mutation carrying an idempotency key is sent
    with caplog.at_level(logging.ERROR, logger="patronage.api"):
        response = await admin.post(
            'mutation { apiKeyCreate(input: {name: "x", role: ADMIN, idempotencyKey: "k"}) '
            "{ key } }",
            headers={"x-request-id": "req-ext"},
        )
    # Then the client sees a masked fault with the request id, and no SQL
    [error] = response.json()["errors"]
    assert error["message"] == "Internal server error (request id req-ext)"
    assert error["extensions"] == {"code": "INTERNAL_SERVER_ERROR", "requestId": "req-ext"}
    assert "INSERT" not in response.text and "idempotency_records" not in response.text
    # And the log has the original error, under the same request id
    logged = [r for r in caplog.records if r.name == "patronage.api" and r.exc_info]
    assert logged, caplog.records
    assert "INSERT INTO idempotency_records" in str(logged[0].exc_info[1])  # type: ignore[index]
    assert logged[0].request_id == "req-ext"  # type: ignore[attr-defined]


@pytest.mark.parametrize("failures", [2, 10])
async def test_a_response_that_cannot_be_stored_is_still_returned(
    admin: GraphQLClient,
    services: Services,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    failures: int,
) -> None:
    # Given a store that fails to record the response `failures` times after the
    # mutation committed (a blip: retried; an outage: given up)
    monkeypatch.setattr("api.idempotency.COMPLETE_DELAYS", (0.0, 0.0, 0.0))
    complete = services.idempotency.complete
    calls = 0

    async def flaky(*args: Any, **kwargs: Any) -> None:
        nonlocal calls
        calls += 1
        if calls <= failures:
            raise _database_error()
        await complete(*args, **kwargs)

    monkeypatch.setattr(services.idempotency, "complete", flaky)
    mutation = (
        'mutation { apiKeyCreate(input: {name: "kept", role: ANALYST, idempotencyKey: "k2"}) '
        "{ apiKey { id } key } }"
    )
    # When the mutation is sent, the client gets its response: the effect happened, and
    # an error would invite a retry that could repeat it
    with caplog.at_level(logging.ERROR, logger="api.idempotency"):
        body = (await admin.post(mutation)).json()
    assert "errors" not in body, body
    created = body["data"]["apiKeyCreate"]
    assert created["key"].startswith("pat_")
    if failures == 2:
        # Then a blip is retried: the response is stored and a replay returns it
        assert calls == 3
        replay = (await admin.post(mutation)).json()["data"]["apiKeyCreate"]
        assert replay == {"apiKey": created["apiKey"], "key": None}
    else:
        # Then an outage is logged, with the key
        assert calls == 4
        assert any("k2" in r.getMessage() for r in caplog.records), caplog.records


async def test_a_fault_of_an_extension_ends_a_stream_masked(
    services: Services, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    # Given an extension whose validation hook fails (strawberry lets that escape a stream,
    # the path of WebSocket operations)
    def broken(*args: object) -> object:
        raise RuntimeError("SELECT secret FROM vault")

    monkeypatch.setattr(nul_characters, "variables_problem", broken)
    key = await make_api_key(services, Role.ADMIN)
    principal = await authenticate(services, f"Bearer {key}")
    context = Context(services=services, request=None, principal=principal, request_id="ws-1")  # type: ignore[arg-type]
    schema = build_schema(services.settings)
    # When a subscription is started
    token = request_id_var.set("ws-1")
    try:
        with caplog.at_level(logging.ERROR, logger="patronage.api"):
            source = await schema.stream(
                "subscription { apiKeyChanged { apiKeyId } }", context_value=context
            )
            results = [result async for result in source]
    finally:
        request_id_var.reset(token)
    # Then it ends at once with the masked fault, as a pre-execution error
    [result] = results
    assert isinstance(result, PreExecutionError)
    [error] = result.errors or []
    assert error.message == "Internal server error (request id ws-1)"
    assert error.extensions == {"code": "INTERNAL_SERVER_ERROR", "requestId": "ws-1"}
    logged = [r for r in caplog.records if r.name == "patronage.api" and r.exc_info]
    assert "SELECT secret FROM vault" in str(logged[0].exc_info[1])  # type: ignore[index]
