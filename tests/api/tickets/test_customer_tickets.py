"""customer_tickets, the resolver the lead attaches as `Customer.tickets`."""

from __future__ import annotations

import asyncio
from types import SimpleNamespace
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from api.context import Context, Services
from api.principal import Principal
from api.tickets.queries import customer_tickets
from domain.access.model import Role
from domain.ids import new_id
from tests.api.tickets.conftest import Agent, CustomerCaller, MakeCaller, open_ticket
from tests.support.statements import count_statements
from tests.unit.fakes import FixedClock


def _info(services: Services, principal: Principal) -> Any:
    context = Context(services=services, request=None, principal=principal, request_id="t")  # type: ignore[arg-type]
    return SimpleNamespace(context=context)


def _subjects(conn: Any) -> list[str]:
    return [edge.node.subject for edge in conn.edges]


async def test_a_customers_tickets_are_newest_first_and_paged(
    services: Services, agent: Agent, customer: CustomerCaller, clock: FixedClock
) -> None:
    for n in range(3):
        await open_ticket(agent.client, customer_gid=customer.gid, subject=f"t{n}")
        clock.advance(minutes=1)
    info = _info(services, Principal(role=Role.SUPPORT, api_key_id=agent.key_id))
    first = await customer_tickets(info, customer.id, first=2)
    assert _subjects(first) == ["t2", "t1"]
    assert first.page_info.has_next_page
    assert await first.total_count() == 3
    rest = await customer_tickets(info, customer.id, first=2, after=first.page_info.end_cursor)
    assert _subjects(rest) == ["t0"]


async def test_a_customer_token_sees_its_own_tickets_only(
    services: Services, customer: CustomerCaller, make_caller: MakeCaller
) -> None:
    other = await make_caller()
    await open_ticket(customer.client, subject="mine")
    await open_ticket(other.client, subject="theirs")
    info = _info(services, Principal(role=Role.CUSTOMER, customer_id=customer.id))
    assert _subjects(await customer_tickets(info, customer.id)) == ["mine"]
    refused = await customer_tickets(info, other.id)
    assert _subjects(refused) == []
    assert await refused.total_count() == 0


async def test_the_tickets_of_many_customers_load_in_one_statement(
    services: Services, engine: AsyncEngine, agent: Agent, make_caller: MakeCaller
) -> None:
    callers: list[CustomerCaller] = [await make_caller() for _ in range(3)]
    for caller in callers:
        await open_ticket(caller.client, subject=f"of {caller.id}")
    info = _info(services, Principal(role=Role.SUPPORT, api_key_id=new_id()))
    with count_statements(engine) as counter:
        pages = await asyncio.gather(
            *(customer_tickets(info, caller.id, first=5) for caller in callers)
        )
    assert [_subjects(page) for page in pages] == [[f"of {c.id}"] for c in callers]
    assert counter.count == 1
