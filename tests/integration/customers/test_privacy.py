"""Privacy: erasure scrubs a person (and the customers merged into it), export gives all."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from domain.activity.commands import EventInput, RecordEvents
from domain.activity.model import ActivityKind
from domain.activity.services import record_events
from domain.customers.commands import CustomerRef, EraseCustomer, MergeCustomers, SetConsent
from domain.customers.consent import ConsentChannel, ConsentState
from domain.customers.merging import merge_customers
from domain.customers.participants import Participants
from domain.customers.privacy import erase_customer, export_customer
from domain.customers.services import set_consent
from persistence.tables.access import audit_log
from persistence.tables.activity import activity_events
from persistence.tables.customers import consent_entries, customer_identities, customers
from persistence.tables.orders import customer_stats, orders
from tests.integration.customers.builders import count_rows, fetch_one, make_customer, make_order
from tests.integration.customers.conftest import MakeUow
from tests.unit.fakes import FixedClock
from tests.unit.orders.builders import order_command

ACTOR = "admin:test"


async def test_erasure_scrubs_the_person_keeps_orders_and_is_audited_once(
    engine: AsyncEngine, make_uow: MakeUow, clock: FixedClock, participants: Participants
) -> None:
    # Given a customer with a merged duplicate, identities, consent, an order and events
    person = await make_customer(
        make_uow(),
        clock,
        email="ana@example.com",
        phone="+33612345678",
        first_name="Ana",
        city="Lyon",
        metadata={"vip": True},
        identities=(("shopify", "A-1"),),
    )
    duplicate = await make_customer(
        make_uow(), clock, email="ana.old@example.com", identities=(("pos", "P-9"),)
    )
    await set_consent(
        make_uow(),
        clock,
        SetConsent(
            customer_id=person.id,
            channel=ConsentChannel.SMS,
            state=ConsentState.SUBSCRIBED,
            source="form",
        ),
    )
    order = await make_order(
        make_uow(),
        clock,
        order_command(external_id="E-1", customer=CustomerRef(id=person.id), total=2000),
    )
    await record_events(
        make_uow(),
        clock,
        RecordEvents(
            events=[
                EventInput(
                    kind=ActivityKind.PRODUCT_VIEW,
                    customer=CustomerRef(id=duplicate.id),
                    sku="S",
                    url="https://s/p?email=ana",
                    properties={"ref": "mail"},
                )
            ]
        ),
    )
    await merge_customers(
        make_uow(),
        clock,
        participants,
        MergeCustomers(loser_id=duplicate.id, winner_id=person.id, actor=ACTOR),
    )
    clock.advance(minutes=1)

    # When the person is erased through the duplicate's id, twice
    await erase_customer(make_uow(), clock, EraseCustomer(customer_id=duplicate.id, actor=ACTOR))
    await erase_customer(make_uow(), clock, EraseCustomer(customer_id=person.id, actor=ACTOR))

    # Then both records are scrubbed, identities dropped, consent withdrawn
    for customer_id in (person.id, duplicate.id):
        row = await fetch_one(engine, customers, customers.c.id == customer_id)
        assert (row.email, row.email_key, row.phone, row.first_name, row.city) == (None,) * 5
        assert (row.public_metadata, row.erased_at) == ({}, clock.now())
    assert await count_rows(engine, customer_identities) == 0
    row = await fetch_one(engine, customers, customers.c.id == person.id)
    assert row.sms_consent == "UNSUBSCRIBED"
    assert await count_rows(engine, consent_entries) == 2
    # Orders and stats are kept; events are anonymised
    assert (await fetch_one(engine, orders)).id == order.id
    stats = await fetch_one(engine, customer_stats, customer_stats.c.customer_id == person.id)
    assert stats.net_spent == 2000
    event = await fetch_one(engine, activity_events)
    assert (event.url, event.properties, event.sku) == (None, {}, "S")
    # Each erasure is audited once, the second request changed nothing
    erasures = await count_rows(engine, audit_log, audit_log.c.action == "customer.erase")
    assert erasures == 2
    # And the erased email is free again
    again = await make_customer(make_uow(), clock, email="ana@example.com")
    assert again.id != person.id


async def test_an_export_holds_profile_identities_consents_merged_records_orders_and_events(
    make_uow: MakeUow, clock: FixedClock, participants: Participants
) -> None:
    person = await make_customer(
        make_uow(), clock, email="bea@example.com", identities=(("shopify", "B-1"),)
    )
    duplicate = await make_customer(make_uow(), clock, email="bea2@example.com")
    await set_consent(
        make_uow(),
        clock,
        SetConsent(
            customer_id=duplicate.id,
            channel=ConsentChannel.EMAIL,
            state=ConsentState.SUBSCRIBED,
            source="form",
        ),
    )
    order = await make_order(
        make_uow(),
        clock,
        order_command(external_id="X-1", customer=CustomerRef(id=duplicate.id), total=1500),
    )
    await record_events(
        make_uow(),
        clock,
        RecordEvents(
            events=[
                EventInput(
                    kind=ActivityKind.PAGE_VIEW,
                    customer=CustomerRef(id=person.id),
                    url="https://s/",
                )
            ]
        ),
    )
    await merge_customers(
        make_uow(),
        clock,
        participants,
        MergeCustomers(loser_id=duplicate.id, winner_id=person.id, actor=ACTOR),
    )

    data: Any = await export_customer(make_uow(), participants, duplicate.id)

    assert data["customer"]["id"] == str(person.id)
    assert [i["externalId"] for i in data["identities"]] == ["B-1"]
    assert data["consents"]["current"]["EMAIL"]["state"] == "SUBSCRIBED"
    assert [c["id"] for c in data["mergedCustomers"]] == [str(duplicate.id)]
    assert [o["id"] for o in data["orders"]] == [str(order.id)]
    assert [e["url"] for e in data["events"]] == ["https://s/"]
