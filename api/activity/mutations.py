"""Batch ingestion of behaviour events."""

from __future__ import annotations

from datetime import datetime

import strawberry
from strawberry import relay

from api.customers.inputs import CustomerRefInput
from api.enums import ActivityKind
from api.errors import UserError, user_error
from api.inputs import idempotency_key_field
from api.mutation import mutation
from api.permissions import require
from api.relay import decode_id, encode_id
from api.scalars import JSON
from domain.access.model import Role
from domain.activity.commands import EventInput as EventCommand
from domain.activity.commands import RecordEvents
from domain.activity.errors import TooManyEvents
from domain.activity.model import MAX_NAME as MAX_EVENT_NAME
from domain.activity.services import record_events
from domain.errors import DomainError

MAX_EVENTS = 1000


@strawberry.input(description="One behaviour event.")
class EventInput:
    kind: ActivityKind
    customer: CustomerRefInput
    occurred_at: datetime | None = strawberry.field(default=None, description="Default: now.")
    url: str | None = None
    sku: str | None = None
    quantity: int | None = None
    rating: int | None = strawberry.field(default=None, description="1 to 5, REVIEW_POSTED only.")
    order_id: strawberry.ID | None = None
    name: str | None = strawberry.field(
        default=None,
        description=(
            f"Required for CUSTOM: a letter, then up to {MAX_EVENT_NAME - 1} letters, digits, "
            "'_', '.', ':' or '-'."
        ),
    )
    properties: JSON | None = None


@strawberry.input(description=f"Up to {MAX_EVENTS} events, each validated on its own.")
class EventsRecordInput:
    events: list[EventInput]
    idempotency_key: str | None = idempotency_key_field()


@strawberry.type
class EventsRecordPayload:
    recorded: int = strawberry.field(default=0, description="How many events were stored.")
    event_ids: list[relay.GlobalID] = strawberry.field(
        default_factory=list, description="Ids of the stored events, in input order."
    )
    user_errors: list[UserError] = strawberry.field(
        default_factory=list,
        description='One per refused event; field starts with ["events", index].',
    )


@strawberry.type
class ActivityMutation:
    @mutation(
        description=(
            f"Record up to {MAX_EVENTS} behaviour events: good ones are stored, bad ones "
            "come back as userErrors naming their index."
        ),
        permission_classes=[require(Role.ADMIN, Role.STOREFRONT)],
    )
    async def events_record(
        self, info: strawberry.Info, input: EventsRecordInput
    ) -> EventsRecordPayload:
        services = info.context.services
        if len(input.events) > MAX_EVENTS:
            raise TooManyEvents(
                f"at most {MAX_EVENTS} events per call, got {len(input.events)}", field=("events",)
            )
        commands: list[EventCommand] = []
        errors: list[UserError] = []
        positions: list[int] = []  # input index of each command
        for index, e in enumerate(input.events):
            try:
                order_id = (
                    decode_id(e.order_id, "Order", field=("orderId",))
                    if e.order_id is not None
                    else None
                )
                ref = e.customer.to_command()
            except DomainError as error:
                error.field = ("events", str(index), *(error.field or ()))
                errors.append(user_error(error))
                continue
            positions.append(index)
            commands.append(
                EventCommand(
                    kind=e.kind,
                    customer=ref,
                    occurred_at=e.occurred_at,
                    url=e.url,
                    sku=e.sku,
                    quantity=e.quantity,
                    rating=e.rating,
                    order_id=order_id,
                    name=e.name,
                    properties=e.properties or {},
                )
            )
        result = await record_events(services.uow(), services.clock, RecordEvents(events=commands))
        for rejected in result.rejected:
            # The use case numbers events within the batch it was given: map back.
            path = list(rejected.error.field or ("events", str(rejected.index)))
            if len(path) >= 2 and path[0] == "events":
                path[1] = str(positions[int(path[1])])
            rejected.error.field = tuple(path)
            errors.append(user_error(rejected.error))
        errors.sort(key=lambda u: int(u.field[1]) if u.field and len(u.field) > 1 else -1)
        return EventsRecordPayload(
            recorded=len(result.recorded),
            event_ids=[encode_id("BehaviourEvent", e.id) for e in result.recorded],
            user_errors=errors,
        )
