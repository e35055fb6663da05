"""Ticket mutations sent at the same time: without `expectedVersion` they behave as if
serialised (never CONCURRENT_MODIFICATION); with a stale one they are refused."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.api.tickets.conftest import (
    ASSIGN,
    GOODWILL,
    RATE,
    REPLY,
    REPRIORITIZE,
    TRANSITION,
    Agent,
    CustomerCaller,
    call,
    open_ticket,
)

MESSAGES = """query($id: ID!) { ticket(id: $id) {
  status version messages(first: 100) { totalCount nodes { seq body } }
} }"""


@pytest.fixture(autouse=True)
def _postgres_only(engine: AsyncEngine) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("concurrent writers are a PostgreSQL concern (SQLite serialises them)")


def _codes(payloads: Sequence[dict[str, Any]]) -> list[str]:
    return [error["code"] for payload in payloads for error in payload["userErrors"]]


async def test_twenty_simultaneous_replies_all_land(agent: Agent, customer: CustomerCaller) -> None:
    ticket = await open_ticket(customer.client)

    replies = await asyncio.gather(
        *(
            call(
                (agent if n % 2 else customer).client,
                REPLY,
                "ticketReply",
                id=ticket["id"],
                body=f"message {n}",
            )
            for n in range(20)
        )
    )

    assert _codes(replies) == []
    assert all(reply["message"] is not None for reply in replies)
    data = await agent.client.execute(MESSAGES, {"id": ticket["id"]})
    messages = data["ticket"]["messages"]
    assert messages["totalCount"] == 21
    assert [m["seq"] for m in messages["nodes"]] == list(range(1, 22))
    assert sorted(m["body"] for m in messages["nodes"][1:]) == sorted(
        f"message {n}" for n in range(20)
    )


async def test_ten_simultaneous_identical_transitions_move_the_ticket_once(
    agent: Agent, other_agent: Agent, customer: CustomerCaller
) -> None:
    ticket = await open_ticket(agent.client, customer_gid=customer.gid)

    results = await asyncio.gather(
        *(
            call(
                (agent if n % 2 else other_agent).client,
                TRANSITION,
                "ticketTransition",
                id=ticket["id"],
                status="IN_PROGRESS",
            )
            for n in range(10)
        )
    )

    # The first moves it; the others, re-applied to an IN_PROGRESS ticket, ask for a move
    # the workflow does not allow (IN_PROGRESS -> IN_PROGRESS).
    moved = [r for r in results if r["ticket"] is not None]
    refused = [r for r in results if r["ticket"] is None]
    assert len(moved) == 1 and moved[0]["ticket"]["version"] == 2, results
    assert {(e["code"], tuple(e["field"])) for r in refused for e in r["userErrors"]} == {
        ("INVALID_TRANSITION", ("status",))
    }
    assert "CONCURRENT_MODIFICATION" not in _codes(results)
    data = await agent.client.execute(MESSAGES, {"id": ticket["id"]})
    assert (data["ticket"]["status"], data["ticket"]["version"]) == ("IN_PROGRESS", 2)


async def test_different_changes_at_once_are_all_applied(
    agent: Agent, other_agent: Agent, customer: CustomerCaller
) -> None:
    ticket = await open_ticket(customer.client)
    await call(agent.client, TRANSITION, "ticketTransition", id=ticket["id"], status="RESOLVED")

    results = await asyncio.gather(
        call(agent.client, ASSIGN, "ticketAssign", id=ticket["id"], assigneeId=other_agent.gid),
        call(
            other_agent.client, REPRIORITIZE, "ticketReprioritize", id=ticket["id"], priority="HIGH"
        ),
        call(customer.client, RATE, "ticketRate", id=ticket["id"], rating=4),
        call(agent.client, REPLY, "ticketReply", id=ticket["id"], body="Thanks!", isNote=True),
        call(agent.client, TRANSITION, "ticketTransition", id=ticket["id"], status="CLOSED"),
    )

    # Closing may come before the others, which a closed ticket refuses (CONFLICT); the
    # rating is taken either way. Nothing is refused for having lost a race.
    assert "CONCURRENT_MODIFICATION" not in _codes(results)
    assert set(_codes(results)) <= {"CONFLICT"}


async def test_simultaneous_replies_with_the_same_expected_version_one_wins(
    agent: Agent, customer: CustomerCaller
) -> None:
    ticket = await open_ticket(customer.client)

    results = await asyncio.gather(
        *(
            call(
                agent.client,
                REPLY,
                "ticketReply",
                id=ticket["id"],
                body=f"answer {n}",
                expectedVersion=ticket["version"],
            )
            for n in range(5)
        )
    )

    assert sum(r["message"] is not None for r in results) == 1
    assert _codes(results) == ["CONCURRENT_MODIFICATION"] * 4
    data = await agent.client.execute(MESSAGES, {"id": ticket["id"]})
    assert data["ticket"]["messages"]["totalCount"] == 2


async def test_simultaneous_goodwill_grants_all_land(
    agent: Agent, customer: CustomerCaller
) -> None:
    # Goodwill takes turns like the other ticket changes: each grant is credited once.
    ticket = await open_ticket(agent.client, customer_gid=customer.gid)
    balance = "{ me { points { balance } } }"
    before = (await customer.client.execute(balance))["me"]["points"]["balance"]

    grants = await asyncio.gather(
        *(
            call(
                agent.client,
                GOODWILL,
                "ticketGoodwillGrant",
                id=ticket["id"],
                points=10,
                reason=f"sorry {n}",
                idempotencyKey=f"goodwill-{n}",
            )
            for n in range(8)
        )
    )

    assert _codes(grants) == []
    after = (await customer.client.execute(balance))["me"]["points"]["balance"]
    assert after == before + 8 * 10
    versions = [grant["ticket"]["version"] for grant in grants]
    assert len(set(versions)) == len(versions)  # eight changes, one after another
