"""Use case: record a batch of behaviour events, each validated on its own."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from domain.activity.commands import EventInput, RecordEvents
from domain.activity.errors import TooManyEvents
from domain.activity.events import ReviewPosted
from domain.activity.model import ActivityEvent, ActivityKind, EventDetails
from domain.activity.repository import ActivityUnitOfWork
from domain.customers.lookup import resolve_or_create_customer
from domain.customers.paths import under
from domain.errors import DomainError
from domain.ports import Clock

MAX_BATCH = 1000


@dataclass(frozen=True, kw_only=True)
class RejectedEvent:
    """An event of the batch that was not recorded; `error.field` starts ("events", index)."""

    index: int
    error: DomainError


@dataclass(frozen=True, kw_only=True)
class RecordedEvents:
    recorded: tuple[ActivityEvent, ...]
    rejected: tuple[RejectedEvent, ...]


async def record_events(
    uow: ActivityUnitOfWork, clock: Clock, command: RecordEvents
) -> RecordedEvents:
    """Record up to MAX_BATCH events: the valid ones are stored, the others returned with
    their error (its field path names the index). Customers are named as in orderRecord
    (an unknown identity or email creates one). Emits ReviewPosted for each review."""
    if len(command.events) > MAX_BATCH:
        raise TooManyEvents(
            f"at most {MAX_BATCH} events per call, got {len(command.events)}", field=("events",)
        )
    recorded: list[ActivityEvent] = []
    rejected: list[RejectedEvent] = []
    async with uow:
        now = clock.now()
        for index, item in enumerate(command.events):
            try:
                with under("events", str(index)):
                    recorded.append(await _one(uow, item, now))
            except DomainError as error:
                rejected.append(RejectedEvent(index=index, error=error))
        if recorded:
            await uow.activity.add_many(recorded)
            for event in recorded:
                if event.kind == ActivityKind.REVIEW_POSTED and event.rating is not None:
                    uow.emit(
                        ReviewPosted(
                            event_id=event.id,
                            customer_id=event.customer_id,
                            order_id=event.order_id,
                            sku=event.sku,
                            rating=event.rating,
                            occurred_at=event.occurred_at,
                        )
                    )
        await uow.commit()
    return RecordedEvents(recorded=tuple(recorded), rejected=tuple(rejected))


async def _one(uow: ActivityUnitOfWork, item: EventInput, now: datetime) -> ActivityEvent:
    # Validate first: a malformed event must not create a customer.
    details = EventDetails.validate(
        kind=item.kind,
        now=now,
        occurred_at=item.occurred_at,
        url=item.url,
        sku=item.sku,
        quantity=item.quantity,
        rating=item.rating,
        order_id=item.order_id,
        name=item.name,
        properties=item.properties,
    )
    with under("customer"):
        customer, _ = await resolve_or_create_customer(uow, item.customer, now=now)
    return ActivityEvent.record(details, customer_id=customer.id, now=now)
