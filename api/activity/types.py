"""GraphQL types of behaviour events."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import strawberry
from strawberry import relay

from api.enums import ActivityKind
from api.relay import encode_id
from api.scalars import JSON
from persistence.queries.activity import event_from_row


@strawberry.type(description="Something a customer did: a page view, a cart, a review...")
class BehaviourEvent:
    id: relay.GlobalID
    kind: ActivityKind
    occurred_at: datetime
    recorded_at: datetime
    url: str | None
    sku: str | None
    quantity: int | None
    rating: int | None = strawberry.field(description="1 to 5, for REVIEW_POSTED.")
    order_id: relay.GlobalID | None
    name: str | None = strawberry.field(description="The event name, for CUSTOM.")
    properties: JSON

    @classmethod
    def from_row(cls, row: Any) -> BehaviourEvent:
        view = event_from_row(row)
        return cls(
            id=encode_id("BehaviourEvent", view.id),
            kind=ActivityKind(view.kind),
            occurred_at=view.occurred_at,
            recorded_at=view.recorded_at,
            url=view.url,
            sku=view.sku,
            quantity=view.quantity,
            rating=view.rating,
            order_id=encode_id("Order", view.order_id) if view.order_id else None,
            name=view.name,
            properties=view.properties or {},
        )
