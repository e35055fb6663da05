"""The ticket queue: order, filters, who sees what, keyset pages, constant statement count."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from api.context import Services
from domain.ids import new_id
from domain.tickets.commands import CreateTicket, ReplyToTicket
from domain.tickets.priority import Priority
from domain.tickets.services import create_ticket, reply_to_ticket
from domain.tickets.values import Actor, TicketKind
from tests.api.tickets.conftest import (
    ASSIGN,
    TRANSITION,
    Agent,
    CustomerCaller,
    MakeCaller,
    call,
    open_ticket,
)
from tests.conftest import GraphQLClient
from tests.integration.tickets.seed import make_customer
from tests.support.statements import count_statements
from tests.unit.fakes import FixedClock

QUEUE = """
query($first: Int, $after: String, $last: Int, $before: String, $status: [TicketStatus!],
      $kind: [TicketKind!], $assignee: ID, $unassigned: Boolean, $customer: ID, $query: String) {
  tickets(first: $first, after: $after, last: $last, before: $before, status: $status,
          kind: $kind, assignee: $assignee, unassigned: $unassigned, customer: $customer,
          query: $query) {
    totalCount
    nodes { subject priority status }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  }
}"""


async def _subjects(client: GraphQLClient, **variables: Any) -> list[str]:
    data = await client.execute(QUEUE, variables)
    return [node["subject"] for node in data["tickets"]["nodes"]]


async def test_the_queue_serves_priority_first_then_the_earliest_due_time(
    agent: Agent, customer: CustomerCaller, clock: FixedClock
) -> None:
    # Opened in this order, 10 minutes apart: due times grow with the opening time.
    for subject, priority in [
        ("normal early", "NORMAL"),
        ("low", "LOW"),
        ("urgent", "URGENT"),
        ("normal late", "NORMAL"),
        ("high", "HIGH"),
        ("urgent but resolved", "URGENT"),
    ]:
        await open_ticket(
            agent.client, customer_gid=customer.gid, subject=subject, priority=priority
        )
        clock.advance(minutes=10)
    # A resolved ticket owes nothing: it comes last among its priority.
    [resolved_id] = await _ids(agent, "resolved")
    await call(agent.client, TRANSITION, "ticketTransition", id=resolved_id, status="RESOLVED")
    assert await _subjects(agent.client) == [
        "urgent",
        "urgent but resolved",
        "high",
        "normal early",
        "normal late",
        "low",
    ]
    assert await _subjects(agent.client, status=["OPEN"]) == [
        "urgent",
        "high",
        "normal early",
        "normal late",
        "low",
    ]


async def _ids(agent: Agent, query: str) -> list[str]:
    data = await agent.client.execute(
        "query($q: String) { tickets(query: $q) { nodes { id } } }", {"q": query}
    )
    return [n["id"] for n in data["tickets"]["nodes"]]


async def test_the_queue_filters_by_status_kind_assignee_customer_and_text(
    agent: Agent, other_agent: Agent, customer: CustomerCaller, make_caller: MakeCaller
) -> None:
    other = await make_caller()
    parcel = await open_ticket(agent.client, customer_gid=customer.gid, subject="Parcel lost")
    await open_ticket(
        agent.client, customer_gid=customer.gid, subject="100% unhappy", kind="COMPLAINT"
    )
    await open_ticket(agent.client, customer_gid=other.gid, subject="Size question")
    await call(agent.client, ASSIGN, "ticketAssign", id=parcel["id"], assigneeId=other_agent.gid)
    await call(agent.client, TRANSITION, "ticketTransition", id=parcel["id"], status="IN_PROGRESS")

    assert await _subjects(agent.client, status=["IN_PROGRESS"]) == ["Parcel lost"]
    assert await _subjects(agent.client, kind=["COMPLAINT"]) == ["100% unhappy"]
    assert await _subjects(agent.client, assignee=other_agent.gid) == ["Parcel lost"]
    assert sorted(await _subjects(agent.client, unassigned=True)) == [
        "100% unhappy",
        "Size question",
    ]
    assert await _subjects(agent.client, customer=other.gid) == ["Size question"]
    assert await _subjects(agent.client, query="PARCEL") == ["Parcel lost"]
    # LIKE wildcards in the text are matched literally.
    assert await _subjects(agent.client, query="0%") == ["100% unhappy"]
    assert await _subjects(agent.client, query="_") == []
    assert await _subjects(agent.client, query=f"#{parcel['number']}") == ["Parcel lost"]


async def test_a_customer_lists_only_their_own_tickets(
    agent: Agent, customer: CustomerCaller, make_caller: MakeCaller
) -> None:
    other = await make_caller()
    await open_ticket(customer.client, subject="mine")
    await open_ticket(other.client, subject="theirs")
    assert await _subjects(customer.client) == ["mine"]
    assert await _subjects(customer.client, customer=other.gid) == []
    data = await customer.client.execute(QUEUE, {"customer": other.gid})
    assert data["tickets"]["totalCount"] == 0
    assert sorted(await _subjects(agent.client)) == ["mine", "theirs"]


async def test_the_queue_pages_forwards_and_backwards(
    agent: Agent, customer: CustomerCaller, clock: FixedClock
) -> None:
    for n in range(5):
        await open_ticket(agent.client, customer_gid=customer.gid, subject=f"t{n}")
        clock.advance(minutes=1)
    seen: list[str] = []
    after = None
    while True:
        data = (await agent.client.execute(QUEUE, {"first": 2, "after": after}))["tickets"]
        seen += [n["subject"] for n in data["nodes"]]
        if not data["pageInfo"]["hasNextPage"]:
            break
        after = data["pageInfo"]["endCursor"]
    assert seen == ["t0", "t1", "t2", "t3", "t4"]
    back = (await agent.client.execute(QUEUE, {"last": 2, "before": after}))["tickets"]
    # `after` is the end of the second page (t3): the two before it.
    assert [n["subject"] for n in back["nodes"]] == ["t1", "t2"]
    assert back["pageInfo"]["hasPreviousPage"] is True
    bad = (await agent.client.post(QUEUE, {"after": "not-a-cursor"})).json()
    assert bad["errors"][0]["extensions"]["code"] == "BAD_REQUEST"


PAGE_WITH_MESSAGES = """query($first: Int) { tickets(first: $first) { nodes {
  number lastMessage { body } messages(first: 2) { nodes { body } }
} } }"""


async def _seed_tickets(services: Services, engine: AsyncEngine, count: int) -> None:
    clock = FixedClock()
    agent = Actor.agent(new_id())
    customer_id = await make_customer(engine)
    for n in range(count):
        ticket = await create_ticket(
            services.uow(),
            clock,
            CreateTicket(
                actor=agent,
                kind=TicketKind.INQUIRY,
                subject=f"ticket {n}",
                body="Hello",
                customer_id=customer_id,
                priority=Priority.NORMAL,
            ),
        )
        await reply_to_ticket(
            services.uow(),
            clock,
            ReplyToTicket(actor=agent, ticket_id=ticket.id, body=f"note {n}", is_note=True),
        )


async def test_a_page_of_50_tickets_costs_the_statements_of_a_page_of_5(
    agent: Agent, services: Services, engine: AsyncEngine
) -> None:
    await _seed_tickets(services, engine, 50)
    counts = {}
    for size in (5, 50):
        with count_statements(engine) as counter:
            data = await agent.client.execute(PAGE_WITH_MESSAGES, {"first": size})
        nodes = data["tickets"]["nodes"]
        assert len(nodes) == size
        assert all(n["lastMessage"]["body"].startswith("note ") for n in nodes)
        assert all(len(n["messages"]["nodes"]) == 2 for n in nodes)
        counts[size] = counter.count
    # The key lookup, the page, the last messages, the message pages.
    assert counts[5] == counts[50] == 4, counts
