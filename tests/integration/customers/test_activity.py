"""Behaviour events: stored in one multi-row INSERT, moved and anonymised set-based."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from domain.activity.commands import EventInput, RecordEvents
from domain.activity.errors import InvalidActivityEvent
from domain.activity.model import ActivityKind
from domain.activity.services import record_events
from domain.customers.commands import CustomerRef
from domain.customers.services import find_customer
from persistence.tables.activity import activity_events
from tests.integration.customers.builders import count_rows, make_customer
from tests.integration.customers.conftest import MakeUow
from tests.support.statements import count_statements
from tests.unit.fakes import FixedClock


def page_view(ref: CustomerRef, url: str, **extra: Any) -> EventInput:
    return EventInput(kind=ActivityKind.PAGE_VIEW, customer=ref, url=url, **extra)


async def test_good_events_are_stored_in_one_insert_and_bad_ones_returned_by_index(
    engine: AsyncEngine, make_uow: MakeUow, clock: FixedClock
) -> None:
    customer = await make_customer(make_uow(), clock, email="ana@example.com")
    ref = CustomerRef(id=customer.id)
    batch = [page_view(ref, f"https://shop.example/p/{n}", properties={"n": n}) for n in range(50)]
    batch[7] = EventInput(kind=ActivityKind.REVIEW_POSTED, customer=ref, rating=9)
    batch[30] = EventInput(kind=ActivityKind.ADD_TO_CART, customer=ref, sku="TEE", quantity=2)

    with count_statements(engine) as counter:
        result = await record_events(make_uow(), clock, RecordEvents(events=batch))

    inserts = [s for s in counter.statements if s.lstrip().upper().startswith("INSERT")]
    assert len(inserts) == 1 and "activity_events" in inserts[0]
    assert [(r.index, type(r.error), r.error.field) for r in result.rejected] == [
        (7, InvalidActivityEvent, ("events", "7", "rating")),
    ]
    assert await count_rows(engine, activity_events) == 49
    async with make_uow() as uow:
        stored = await uow.activity.for_customer(customer.id)
    by_id = {event.id: event for event in result.recorded}
    assert [by_id[e.id] for e in stored] == stored  # every field reads back equal
    cart = next(e for e in stored if e.kind == ActivityKind.ADD_TO_CART)
    assert (cart.sku, cart.quantity) == ("TEE", 2)


async def test_events_naming_an_unknown_email_create_the_customer_once(
    engine: AsyncEngine, make_uow: MakeUow, clock: FixedClock
) -> None:
    ref = CustomerRef(email="new@example.com")
    result = await record_events(
        make_uow(),
        clock,
        RecordEvents(
            events=[
                page_view(ref, "https://shop.example/a"),
                page_view(ref, "https://shop.example/b"),
            ]
        ),
    )

    customer = await find_customer(make_uow(), email="new@example.com")
    assert customer is not None
    assert {e.customer_id for e in result.recorded} == {customer.id}
    assert await count_rows(engine, activity_events) == 2


async def test_events_read_back_oldest_first_and_move_between_customers(
    make_uow: MakeUow, clock: FixedClock
) -> None:
    one = await make_customer(make_uow(), clock, email="one@example.com")
    two = await make_customer(make_uow(), clock, email="two@example.com")
    now = clock.now()
    await record_events(
        make_uow(),
        clock,
        RecordEvents(
            events=[
                page_view(CustomerRef(id=one.id), "https://s/late", occurred_at=now),
                page_view(
                    CustomerRef(id=one.id), "https://s/early", occurred_at=now - timedelta(hours=1)
                ),
                page_view(CustomerRef(id=two.id), "https://s/other"),
            ]
        ),
    )

    async with make_uow() as uow:
        assert [e.url for e in await uow.activity.for_customer(one.id)] == [
            "https://s/early",
            "https://s/late",
        ]
        moved = await uow.activity.reassign_all(one.id, two.id)
        assert await uow.activity.count_for_customer(two.id) == 3
        back = await uow.activity.reassign(moved[:1], two.id, one.id)
        assert back == moved[:1]
        assert await uow.activity.reassign(moved[:1], two.id, one.id) == []  # no longer two's
        assert await uow.activity.count_for_customer(one.id) == 1
        await uow.commit()


async def test_anonymising_clears_urls_and_properties_of_one_customer_only(
    engine: AsyncEngine, make_uow: MakeUow, clock: FixedClock
) -> None:
    one = await make_customer(make_uow(), clock, email="a1@example.com")
    two = await make_customer(make_uow(), clock, email="a2@example.com")
    await record_events(
        make_uow(),
        clock,
        RecordEvents(
            events=[
                page_view(CustomerRef(id=one.id), "https://s/1", properties={"q": "shoes"}),
                EventInput(
                    kind=ActivityKind.PRODUCT_VIEW,
                    customer=CustomerRef(id=one.id),
                    sku="S-1",
                    url="https://s/p",
                ),
                page_view(CustomerRef(id=two.id), "https://s/2", properties={"q": "hats"}),
            ]
        ),
    )

    async with make_uow() as uow:
        changed = await uow.activity.anonymise_for_customer(one.id)
        await uow.commit()
    async with make_uow() as uow:
        ones = await uow.activity.for_customer(one.id)
        twos = await uow.activity.for_customer(two.id)

    assert changed == 2
    assert [(e.url, e.properties, e.sku) for e in ones] == [(None, {}, None), (None, {}, "S-1")]
    assert [(e.url, e.properties) for e in twos] == [("https://s/2", {"q": "hats"})]
