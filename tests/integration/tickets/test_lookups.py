"""What tickets read from other contexts: customers (merges, tiers), orders, settings."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from api.context import Services
from domain.activity.events import ReviewPosted
from domain.ids import new_id
from domain.tickets.priority import Priority
from domain.tickets.sla import SlaTarget
from domain.tickets.values import ActorKind, TicketKind
from persistence.tables.tickets import tickets
from persistence.tickets import ConfiguredTicketSettings
from tests.integration.tickets.seed import (
    erase_customer,
    make_customer,
    make_membership,
    make_order,
    merge_customer,
)


async def test_a_merged_away_customer_resolves_to_the_winner_of_the_chain(
    services: Services, engine: AsyncEngine
) -> None:
    first, second, last = [await make_customer(engine) for _ in range(3)]
    await merge_customer(engine, loser=first, winner=second)
    await merge_customer(engine, loser=second, winner=last)
    async with services.uow() as uow:
        value = await uow.ticket_customers.value_of(first)
    assert value is not None
    assert value.customer_id == last
    assert value.clv is None


async def test_unknown_and_erased_customers_have_no_value(
    services: Services, engine: AsyncEngine
) -> None:
    erased = await make_customer(engine)
    await erase_customer(engine, erased)
    async with services.uow() as uow:
        assert await uow.ticket_customers.value_of(new_id()) is None
        assert await uow.ticket_customers.value_of(erased) is None


async def test_the_tier_comes_from_the_loyalty_membership(
    services: Services, engine: AsyncEngine
) -> None:
    member, stranger = await make_customer(engine), await make_customer(engine)
    await make_membership(engine, customer_id=member, tier_code="GOLD")
    async with services.uow() as uow:
        gold = await uow.ticket_customers.value_of(member)
        none = await uow.ticket_customers.value_of(stranger)
    assert gold is not None and gold.tier_code == "GOLD"
    assert none is not None and none.tier_code is None


async def test_an_order_summary_adds_up_lines_of_one_sku(
    services: Services, engine: AsyncEngine
) -> None:
    customer = await make_customer(engine)
    order = await make_order(
        engine, customer_id=customer, lines=[("TEE-1", 1), ("CAP-9", 2), ("TEE-1", 3)]
    )
    async with services.uow() as uow:
        summary = await uow.ticket_orders.summary_of(order)
        assert await uow.ticket_orders.summary_of(new_id()) is None
    assert summary is not None
    assert summary.customer_id == customer
    assert dict(summary.quantities_by_sku) == {"TEE-1": 4, "CAP-9": 2}


async def test_ticket_settings_use_the_store_timezone() -> None:
    settings = await ConfiguredTicketSettings("Europe/Paris").current()
    assert settings.sla.calendar.timezone == "Europe/Paris"
    # 09:00 in Paris on a winter Monday is 08:00 UTC: a 30 minute budget ends at 08:30 UTC.
    budget = settings.sla.budget(Priority.URGENT, SlaTarget.FIRST_RESPONSE)
    due = settings.sla.calendar.add(datetime(2026, 3, 2, 7, 0, tzinfo=UTC), budget)
    assert due == datetime(2026, 3, 2, 8, 30, tzinfo=UTC)


async def test_a_low_review_opens_a_review_ticket_in_the_same_transaction(
    services: Services, engine: AsyncEngine
) -> None:
    # The tickets handler is registered in the composition root (HANDLER_REGISTRARS).
    customer = await make_customer(engine)
    order = await make_order(engine, customer_id=customer, lines={"TEE-1": 1})
    review = ReviewPosted(
        event_id=new_id(),
        customer_id=customer,
        order_id=order,
        sku="TEE-1",
        rating=1,
        occurred_at=datetime(2026, 3, 2, 10, 0, tzinfo=UTC),
    )
    for _ in range(2):  # the same event twice opens one ticket
        async with services.uow() as uow:
            uow.emit(review)
            await uow.commit()
    async with engine.connect() as conn:
        rows = (await conn.execute(select(tickets).where(tickets.c.customer_id == customer))).all()
    assert len(rows) == 1
    assert (rows[0].kind, rows[0].order_id, rows[0].source_event_id) == (
        TicketKind.REVIEW.value,
        order,
        review.event_id,
    )
    async with services.uow() as uow:
        ticket = await uow.tickets.get(rows[0].id)
    assert ticket is not None and ticket.messages[0].author.kind is ActorKind.SYSTEM
