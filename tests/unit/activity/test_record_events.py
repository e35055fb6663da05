from __future__ import annotations

from typing import Any
from uuid import uuid4

import pytest

from domain.activity.commands import EventInput, RecordEvents
from domain.activity.errors import InvalidActivityEvent, TooManyEvents
from domain.activity.events import ReviewPosted
from domain.activity.model import ActivityKind
from domain.activity.services import MAX_BATCH, record_events
from domain.customers.commands import CustomerRef, IdentityInput
from domain.customers.errors import UnknownCustomer
from domain.customers.events import CustomerCreated
from domain.errors import ValidationFailed
from tests.unit.activity.fakes import FakeActivityUnitOfWork
from tests.unit.fakes import FixedClock

ANA = CustomerRef(identity=IdentityInput(channel="web", external_id="visitor-1"))


def event(kind: ActivityKind, *, customer: CustomerRef = ANA, **fields: Any) -> EventInput:
    return EventInput(kind=kind, customer=customer, **fields)


def page_view(**fields: Any) -> EventInput:
    return event(ActivityKind.PAGE_VIEW, url="https://shop.example/", **fields)


async def test_valid_events_are_stored_and_bad_ones_reported_by_index(
    uow: FakeActivityUnitOfWork, clock: FixedClock
) -> None:
    events = [page_view() for _ in range(10)]
    events[3] = event(ActivityKind.CUSTOM, properties={"x": 1})
    events[7] = event(ActivityKind.REVIEW_POSTED, rating=6)
    events[8] = event(ActivityKind.PAGE_VIEW, url="https://shop.example/", rating=4)

    result = await record_events(uow, clock, RecordEvents(events=events))

    assert len(result.recorded) == 7
    assert len(uow.activity.rows) == 7
    assert [(r.index, type(r.error), r.error.field) for r in result.rejected] == [
        (3, InvalidActivityEvent, ("events", "3", "name")),
        (7, InvalidActivityEvent, ("events", "7", "rating")),
        (8, InvalidActivityEvent, ("events", "8", "rating")),
    ]
    assert all(isinstance(r.error, ValidationFailed) for r in result.rejected)
    assert uow.committed == 1


async def test_every_kind_is_recorded_with_its_fields(
    uow: FakeActivityUnitOfWork, clock: FixedClock
) -> None:
    order_id = uuid4()
    events = [
        page_view(),
        event(ActivityKind.PRODUCT_VIEW, sku="TEE-1"),
        event(ActivityKind.ADD_TO_CART, sku="TEE-1"),
        event(ActivityKind.CHECKOUT_STARTED),
        event(ActivityKind.REVIEW_POSTED, rating=2, order_id=order_id, sku="TEE-1"),
        event(ActivityKind.CUSTOM, name="wishlist.added", properties={"list": ["a", 1]}),
    ]

    result = await record_events(uow, clock, RecordEvents(events=events))

    assert result.rejected == ()
    kinds = [e.kind for e in result.recorded]
    assert kinds == list(ActivityKind)
    assert result.recorded[2].quantity == 1
    assert result.recorded[5].properties == {"list": ["a", 1]}
    reviews = [e for e in uow.published if isinstance(e, ReviewPosted)]
    assert [(r.rating, r.order_id, r.sku) for r in reviews] == [(2, order_id, "TEE-1")]
    assert reviews[0].event_id == result.recorded[4].id


async def test_events_of_one_unknown_identity_create_one_customer(
    uow: FakeActivityUnitOfWork, clock: FixedClock
) -> None:
    result = await record_events(uow, clock, RecordEvents(events=[page_view(), page_view()]))

    assert len(uow.customers.rows) == 1
    assert len({e.customer_id for e in result.recorded}) == 1
    assert sum(isinstance(e, CustomerCreated) for e in uow.published) == 1


async def test_a_bad_event_creates_no_customer(
    uow: FakeActivityUnitOfWork, clock: FixedClock
) -> None:
    result = await record_events(uow, clock, RecordEvents(events=[event(ActivityKind.PAGE_VIEW)]))

    assert result.rejected[0].error.field == ("events", "0", "url")
    assert uow.customers.rows == {}


async def test_unknown_customer_id_is_reported_at_its_index(
    uow: FakeActivityUnitOfWork, clock: FixedClock
) -> None:
    events = [page_view(), page_view(customer=CustomerRef(id=uuid4()))]

    result = await record_events(uow, clock, RecordEvents(events=events))

    [rejected] = result.rejected
    assert isinstance(rejected.error, UnknownCustomer)
    assert rejected.error.field == ("events", "1", "customer", "id")
    assert len(result.recorded) == 1


@pytest.mark.parametrize(
    ("bad", "field"),
    [
        (event(ActivityKind.PRODUCT_VIEW), ("sku",)),
        (event(ActivityKind.ADD_TO_CART, sku="X", quantity=0), ("quantity",)),
        (event(ActivityKind.REVIEW_POSTED), ("rating",)),
        (event(ActivityKind.REVIEW_POSTED, rating=0), ("rating",)),
        (event(ActivityKind.CUSTOM, name="9lives"), ("name",)),
        (page_view(properties={"k": float("inf")}), ("properties", "k")),
        (page_view(customer=CustomerRef()), ("customer",)),
        (page_view(customer=CustomerRef(email="nope@")), ("customer", "email")),
    ],
)
async def test_malformed_event_is_reported_with_its_path(
    uow: FakeActivityUnitOfWork, clock: FixedClock, bad: EventInput, field: tuple[str, ...]
) -> None:
    result = await record_events(uow, clock, RecordEvents(events=[page_view(), bad]))

    [rejected] = result.rejected
    assert rejected.index == 1
    assert rejected.error.field == ("events", "1", *field)


async def test_more_than_a_thousand_events_are_refused_whole(
    uow: FakeActivityUnitOfWork, clock: FixedClock
) -> None:
    with pytest.raises(TooManyEvents) as caught:
        await record_events(uow, clock, RecordEvents(events=[page_view()] * (MAX_BATCH + 1)))

    assert caught.value.field == ("events",)
    assert uow.activity.rows == {}
    assert uow.committed == 0


async def test_a_thousand_events_are_accepted(
    uow: FakeActivityUnitOfWork, clock: FixedClock
) -> None:
    result = await record_events(uow, clock, RecordEvents(events=[page_view()] * MAX_BATCH))

    assert len(result.recorded) == MAX_BATCH
