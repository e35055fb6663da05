"""ticketTransition, ticketAssign, ticketReprioritize, ticketGoodwillGrant: the agent's side."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from api.context import Services
from api.relay import encode_id
from domain.access.model import Role
from domain.access.services import create_api_key, revoke_api_key
from domain.ids import new_id
from tests.api.tickets.conftest import (
    ASSIGN,
    GOODWILL,
    REPLY,
    REPRIORITIZE,
    TRANSITION,
    Agent,
    CustomerCaller,
    call,
    open_ticket,
)
from tests.unit.fakes import FixedClock

MESSAGES = """query($id: ID!) { ticket(id: $id) {
  messages { totalCount nodes { seq body isNote authorKind } }
} }"""


async def _move(agent: Agent, ticket_id: str, *statuses: str) -> dict[str, Any]:
    payload: dict[str, Any] = {}
    for status in statuses:
        payload = await call(
            agent.client, TRANSITION, "ticketTransition", id=ticket_id, status=status
        )
        assert payload["userErrors"] == [], payload
    ticket: dict[str, Any] = payload["ticket"]
    return ticket


async def test_a_ticket_goes_through_the_whole_workflow(
    agent: Agent, customer: CustomerCaller, clock: FixedClock
) -> None:
    ticket = await open_ticket(agent.client, customer_gid=customer.gid)
    progressed = await _move(agent, ticket["id"], "IN_PROGRESS")
    assert progressed["allowedTransitions"] == ["WAITING_ON_CUSTOMER", "RESOLVED"]
    waiting = await _move(agent, ticket["id"], "WAITING_ON_CUSTOMER")
    assert waiting["sla"]["paused"] is True
    clock.advance(hours=1)
    resolved = await _move(agent, ticket["id"], "RESOLVED")
    assert resolved["resolvedAt"] == "2026-03-02T11:00:00+00:00"
    assert resolved["allowedTransitions"] == ["IN_PROGRESS", "CLOSED"]
    closed = await _move(agent, ticket["id"], "CLOSED")
    assert (closed["status"], closed["allowedTransitions"], closed["version"]) == (
        "CLOSED",
        [],
        5,
    )


async def test_an_invalid_transition_is_refused_naming_the_allowed_ones(
    agent: Agent, customer: CustomerCaller
) -> None:
    ticket = await open_ticket(agent.client, customer_gid=customer.gid)
    payload = await call(
        agent.client, TRANSITION, "ticketTransition", id=ticket["id"], status="CLOSED"
    )
    assert payload["ticket"] is None
    [error] = payload["userErrors"]
    assert error["code"] == "INVALID_TRANSITION"
    assert error["field"] == ["status"]
    assert "allowed from OPEN: IN_PROGRESS, RESOLVED" in error["message"]


async def test_a_closed_ticket_allows_nothing(agent: Agent, customer: CustomerCaller) -> None:
    ticket = await open_ticket(agent.client, customer_gid=customer.gid)
    await _move(agent, ticket["id"], "RESOLVED", "CLOSED")
    payload = await call(
        agent.client, TRANSITION, "ticketTransition", id=ticket["id"], status="IN_PROGRESS"
    )
    [error] = payload["userErrors"]
    assert error["code"] == "INVALID_TRANSITION"
    assert "CLOSED is final" in error["message"]
    assign = await call(agent.client, ASSIGN, "ticketAssign", id=ticket["id"], assigneeId=agent.gid)
    assert assign["userErrors"][0]["code"] == "CONFLICT"


async def test_a_resolved_ticket_reopens_within_14_days_only(
    agent: Agent, customer: CustomerCaller, clock: FixedClock
) -> None:
    early = await open_ticket(agent.client, customer_gid=customer.gid)
    late = await open_ticket(agent.client, customer_gid=customer.gid)
    await _move(agent, early["id"], "RESOLVED")
    await _move(agent, late["id"], "RESOLVED")

    clock.advance(days=13)
    reopened = await _move(agent, early["id"], "IN_PROGRESS")
    assert reopened["resolvedAt"] is None

    clock.advance(days=1, seconds=1)
    listed = await agent.client.execute(
        "query($id: ID!) { ticket(id: $id) { allowedTransitions } }", {"id": late["id"]}
    )
    assert listed["ticket"]["allowedTransitions"] == ["CLOSED"]
    payload = await call(
        agent.client, TRANSITION, "ticketTransition", id=late["id"], status="IN_PROGRESS"
    )
    [error] = payload["userErrors"]
    assert error["code"] == "INVALID_TRANSITION"
    assert "within 14 days" in error["message"]


async def test_a_stale_expected_version_is_a_concurrent_modification(
    agent: Agent, other_agent: Agent, customer: CustomerCaller
) -> None:
    ticket = await open_ticket(agent.client, customer_gid=customer.gid)
    await call(
        other_agent.client, ASSIGN, "ticketAssign", id=ticket["id"], assigneeId=other_agent.gid
    )
    payload = await call(
        agent.client,
        TRANSITION,
        "ticketTransition",
        id=ticket["id"],
        status="IN_PROGRESS",
        expectedVersion=1,
    )
    assert payload["ticket"] is None
    [error] = payload["userErrors"]
    assert (error["code"], error["field"]) == ("CONCURRENT_MODIFICATION", ["expectedVersion"])
    fresh = await call(
        agent.client,
        TRANSITION,
        "ticketTransition",
        id=ticket["id"],
        status="IN_PROGRESS",
        expectedVersion=2,
    )
    assert fresh["ticket"]["version"] == 3


async def test_two_agents_transitioning_at_once_one_wins(
    agent: Agent, other_agent: Agent, customer: CustomerCaller, engine: AsyncEngine
) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("concurrent writers are a PostgreSQL concern (SQLite serialises them)")
    for _ in range(5):  # several rounds: both orders of arrival are exercised
        ticket = await open_ticket(agent.client, customer_gid=customer.gid)
        results = await asyncio.gather(
            call(
                agent.client,
                TRANSITION,
                "ticketTransition",
                id=ticket["id"],
                status="IN_PROGRESS",
                expectedVersion=1,
            ),
            call(
                other_agent.client,
                TRANSITION,
                "ticketTransition",
                id=ticket["id"],
                status="RESOLVED",
                expectedVersion=1,
            ),
        )
        winners = [r for r in results if r["ticket"] is not None]
        losers = [r for r in results if r["ticket"] is None]
        assert len(winners) == 1 and len(losers) == 1, results
        assert losers[0]["userErrors"][0]["code"] == "CONCURRENT_MODIFICATION"
        assert winners[0]["ticket"]["version"] == 2


async def test_assigning_and_unassigning_a_ticket(
    agent: Agent, other_agent: Agent, customer: CustomerCaller
) -> None:
    ticket = await open_ticket(agent.client, customer_gid=customer.gid)
    assigned = await call(
        agent.client, ASSIGN, "ticketAssign", id=ticket["id"], assigneeId=other_agent.gid
    )
    assert assigned["ticket"]["assigneeId"] == other_agent.gid
    again = await call(
        agent.client, ASSIGN, "ticketAssign", id=ticket["id"], assigneeId=other_agent.gid
    )
    assert again["ticket"]["version"] == assigned["ticket"]["version"]  # no change, no write
    unassigned = await call(agent.client, ASSIGN, "ticketAssign", id=ticket["id"], assigneeId=None)
    assert unassigned["ticket"]["assigneeId"] is None
    wrong = await call(
        agent.client, ASSIGN, "ticketAssign", id=ticket["id"], assigneeId=customer.gid
    )
    assert wrong["userErrors"][0]["code"] == "INVALID_ID"


async def test_a_ticket_is_assigned_only_to_an_active_support_or_admin_key(
    agent: Agent, services: Services, customer: CustomerCaller
) -> None:
    ticket = await open_ticket(agent.client, customer_gid=customer.gid)
    storefront = await create_api_key(
        services.uow(), services.clock, name="shop", role=Role.STOREFRONT, actor="test"
    )
    gone = await create_api_key(
        services.uow(), services.clock, name="gone", role=Role.SUPPORT, actor="test"
    )
    await revoke_api_key(services.uow(), services.clock, key_id=gone.key.id, actor="test")
    for key_id in (new_id(), storefront.key.id, gone.key.id):
        refused = await call(
            agent.client,
            ASSIGN,
            "ticketAssign",
            id=ticket["id"],
            assigneeId=str(encode_id("ApiKey", key_id)),
        )
        assert refused["ticket"] is None
        [error] = refused["userErrors"]
        assert (error["code"], error["field"]) == ("NOT_FOUND", ["assigneeId"]), error
    admin = await create_api_key(
        services.uow(), services.clock, name="boss", role=Role.ADMIN, actor="test"
    )
    taken = await call(
        agent.client,
        ASSIGN,
        "ticketAssign",
        id=ticket["id"],
        assigneeId=str(encode_id("ApiKey", admin.key.id)),
    )
    assert taken["userErrors"] == []
    assert taken["ticket"]["version"] == ticket["version"] + 1  # the refusals wrote nothing


async def test_customers_cannot_run_the_workflow(customer: CustomerCaller) -> None:
    ticket = await open_ticket(customer.client)
    for mutation, extra in (
        (TRANSITION, {"status": "RESOLVED"}),
        (ASSIGN, {}),
        (REPRIORITIZE, {"priority": "URGENT"}),
        (GOODWILL, {"points": 10, "reason": "sorry"}),
    ):
        body = (
            await customer.client.post(mutation, {"input": {"id": ticket["id"], **extra}})
        ).json()
        assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_reprioritizing_moves_the_due_times(agent: Agent, customer: CustomerCaller) -> None:
    ticket = await open_ticket(agent.client, customer_gid=customer.gid)
    assert ticket["sla"]["firstResponseDueAt"] == "2026-03-02T15:00:00+00:00"  # NORMAL: 4 h
    urgent = await call(
        agent.client, REPRIORITIZE, "ticketReprioritize", id=ticket["id"], priority="URGENT"
    )
    assert urgent["ticket"]["priority"] == "URGENT"
    assert urgent["ticket"]["sla"]["firstResponseDueAt"] == "2026-03-02T10:30:00+00:00"


async def test_goodwill_points_are_noted_on_the_ticket(
    agent: Agent, customer: CustomerCaller
) -> None:
    ticket = await open_ticket(agent.client, customer_gid=customer.gid)
    refused = await call(
        agent.client,
        GOODWILL,
        "ticketGoodwillGrant",
        id=ticket["id"],
        points=0,
        reason="x",
        idempotencyKey="gw-0",
    )
    assert (refused["userErrors"][0]["code"], refused["userErrors"][0]["field"]) == (
        "INVALID",
        ["points"],
    )
    no_reason = await call(
        agent.client,
        GOODWILL,
        "ticketGoodwillGrant",
        id=ticket["id"],
        points=5,
        reason=" ",
        idempotencyKey="gw-1",
    )
    assert no_reason["userErrors"][0]["field"] == ["reason"]
    granted = await call(
        agent.client,
        GOODWILL,
        "ticketGoodwillGrant",
        id=ticket["id"],
        points=250,
        reason="Late parcel",
        idempotencyKey="gw-2",
    )
    assert granted["userErrors"] == []
    staff = await agent.client.execute(MESSAGES, {"id": ticket["id"]})
    note = staff["ticket"]["messages"]["nodes"][-1]
    assert note == {
        "seq": 2,
        "body": "Goodwill: 250 points granted. Late parcel",
        "isNote": True,
        "authorKind": "AGENT",
    }
    seen = await customer.client.execute(MESSAGES, {"id": ticket["id"]})
    assert seen["ticket"]["messages"]["totalCount"] == 1


async def test_an_agent_reply_meets_the_first_response(
    agent: Agent, customer: CustomerCaller, clock: FixedClock
) -> None:
    ticket = await open_ticket(agent.client, customer_gid=customer.gid)
    clock.advance(minutes=30)
    replied = await call(agent.client, REPLY, "ticketReply", id=ticket["id"], body="On it.")
    assert replied["message"]["authorKind"] == "AGENT"
    assert replied["message"]["authorId"] == agent.gid
    detail = await agent.client.execute(
        "query($id: ID!) { ticket(id: $id) { firstRespondedAt sla { clocks { target metAt } } } }",
        {"id": ticket["id"]},
    )
    clocks = {c["target"]: c["metAt"] for c in detail["ticket"]["sla"]["clocks"]}
    assert clocks["FIRST_RESPONSE"] == clock.now().isoformat()
    assert clocks["RESOLUTION"] is None
    assert detail["ticket"]["firstRespondedAt"] == clock.now().isoformat()
