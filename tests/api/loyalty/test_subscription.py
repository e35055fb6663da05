"""memberStatusChanged in-process: who hears what, and one update per commit."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncGenerator, AsyncIterator
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

import pytest
from graphql import ExecutionResult

from api.context import Context, Services
from api.principal import Principal
from api.schema import build_schema
from domain.access.model import Role
from tests.api.loyalty.support import SIGNUP_BONUS, adjust, new_customer, uuid_of
from tests.conftest import GraphQLClient

SUBSCRIBE = """
subscription($id: ID) {
  memberStatusChanged(customerId: $id) {
    customerId
    tierChange { fromTier toTier reason }
    pointsChange { delta balance entryKinds }
    membership { tier { code } holdUntil progress { nextTier remaining } }
    points { balance transactions(first: 5) { totalCount nodes { kind points } } }
  }
}"""

ORDER = """
mutation($input: OrderRecordInput!) { orderRecord(input: $input) { userErrors { code message } } }
"""


async def _subscribe(
    services: Services, principal: Principal, customer_id: str | None = None
) -> AsyncGenerator[Any, None] | ExecutionResult:
    schema = build_schema(services.settings)
    context = Context(services=services, request=None, principal=principal, request_id="t")  # type: ignore[arg-type]
    return await schema.subscribe(SUBSCRIBE, {"id": customer_id}, context_value=context)


async def _listening(stream: AsyncIterator[Any]) -> asyncio.Task[Any]:
    """Start waiting for the next update; returns once the subscription is in place."""
    task = asyncio.ensure_future(stream.__anext__())
    await asyncio.sleep(0.2)
    return task


def _customer(customer_id: UUID) -> Principal:
    return Principal(role=Role.CUSTOMER, customer_id=customer_id)


async def _first_error(result: AsyncGenerator[Any, None] | ExecutionResult) -> dict[str, Any]:
    if isinstance(result, ExecutionResult):
        found = result
    else:
        found = await asyncio.wait_for(result.__anext__(), 5)
    assert found.errors, found
    return found.errors[0].extensions or {}


async def test_a_customer_token_hears_its_own_changes_only(
    services: Services, admin: GraphQLClient
) -> None:
    mine, theirs = await new_customer(admin), await new_customer(admin)
    stream = await _subscribe(services, _customer(uuid_of(mine)))
    assert not isinstance(stream, ExecutionResult)
    try:
        waiting = await _listening(stream)
        await adjust(admin, customerId=theirs, points=5)
        await adjust(admin, customerId=mine, points=7)
        update = await asyncio.wait_for(waiting, 5)
    finally:
        await stream.aclose()

    assert update.errors is None, update.errors
    change = update.data["memberStatusChanged"]
    assert change["customerId"] == mine
    assert change["tierChange"] is None
    assert change["pointsChange"] == {
        "delta": 7,
        "balance": SIGNUP_BONUS + 7,
        "entryKinds": ["ADJUST"],
    }
    assert change["points"]["balance"] == SIGNUP_BONUS + 7
    assert change["points"]["transactions"]["totalCount"] == 2
    assert change["membership"]["tier"]["code"] == "MEMBER"


async def test_an_order_that_upgrades_arrives_as_one_update(
    services: Services, admin: GraphQLClient
) -> None:
    customer = await new_customer(admin, email="up@example.com")
    stream = await _subscribe(services, Principal(role=Role.ADMIN), customer)
    assert not isinstance(stream, ExecutionResult)
    try:
        waiting = await _listening(stream)
        placed = datetime.now(UTC).isoformat()
        body = await admin.execute(
            ORDER,
            {
                "input": {
                    "channel": "web",
                    "externalId": "up-1",
                    "customer": {"id": customer},
                    "placedAt": placed,
                    "total": {"amount": 60_000, "currency": "EUR"},
                }
            },
        )
        assert body["orderRecord"]["userErrors"] == []
        update = await asyncio.wait_for(waiting, 5)
        extra = asyncio.ensure_future(stream.__anext__())
        done, _ = await asyncio.wait({extra}, timeout=0.5)
        extra.cancel()
        with contextlib.suppress(asyncio.CancelledError, StopAsyncIteration):
            await extra
        assert not done, "a second update was sent for the same commit"
    finally:
        await stream.aclose()

    change = update.data["memberStatusChanged"]
    assert change["tierChange"] == {"fromTier": "MEMBER", "toTier": "SILVER", "reason": "UPGRADE"}
    # 600 EUR at the MEMBER rate, plus the first-order bonus (200).
    assert change["pointsChange"]["delta"] == 600 + 200
    assert change["pointsChange"]["entryKinds"] == ["EARN", "EARN"]
    assert change["membership"]["tier"]["code"] == "SILVER"
    assert change["membership"]["progress"] == {"nextTier": "GOLD", "remaining": 150_000 - 60_000}


async def test_a_customer_token_may_not_listen_to_another_customer(
    services: Services, admin: GraphQLClient
) -> None:
    mine, theirs = await new_customer(admin), await new_customer(admin)
    result = await _subscribe(services, _customer(uuid_of(mine)), theirs)
    assert (await _first_error(result))["code"] == "FORBIDDEN"


@pytest.mark.parametrize(
    ("role", "named", "code"),
    [
        (Role.MARKETER, True, "FORBIDDEN"),
        (Role.ANALYST, True, "FORBIDDEN"),
        (Role.SUPPORT, False, "BAD_REQUEST"),
        (Role.STOREFRONT, False, "BAD_REQUEST"),
    ],
)
async def test_who_else_may_listen(
    services: Services, admin: GraphQLClient, role: Role, named: bool, code: str
) -> None:
    customer = await new_customer(admin)
    result = await _subscribe(services, Principal(role=role), customer if named else None)
    assert (await _first_error(result))["code"] == code
