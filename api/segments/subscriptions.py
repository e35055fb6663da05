"""Subscriptions of segments: customers entering and leaving saved segments."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from datetime import date
from typing import Annotated

import strawberry
from strawberry import relay

from api.permissions import Staff
from api.relay import decode_id_or_bad_request, encode_id
from api.subscriptions import listen
from domain.segments.events import MEMBERSHIP_CHUNK, SegmentMembershipChanged


@strawberry.type(
    description=(
        f"Customers who entered or left a segment at a re-evaluation. At most "
        f"{MEMBERSHIP_CHUNK} ids per message: a large change comes in several parts."
    )
)
class SegmentMembershipChange:
    segment_id: relay.GlobalID
    as_of: date = strawberry.field(description="The date the segment was evaluated as of.")
    part: int = strawberry.field(description="1, 2, ... for one re-evaluation.")
    entered: list[relay.GlobalID] = strawberry.field(description="Customers who joined.")
    left: list[relay.GlobalID] = strawberry.field(description="Customers who left.")


@strawberry.type
class SegmentSubscription:
    @strawberry.subscription(
        description="Customers entering and leaving saved segments, from any process (staff).",
        permission_classes=[Staff],
    )
    async def segment_membership_changed(
        self,
        info: strawberry.Info,
        segment_id: Annotated[
            strawberry.ID | None,
            strawberry.argument(description="Only this segment (all segments when omitted)."),
        ] = None,
    ) -> AsyncGenerator[SegmentMembershipChange, None]:
        wanted = str(decode_id_or_bad_request(segment_id, "Segment")) if segment_id else None
        events = listen(
            info,
            SegmentMembershipChanged.name,
            accept=lambda e: wanted is None or e["segment_id"] == wanted,
        )
        async for event in events:
            yield SegmentMembershipChange(
                segment_id=encode_id("Segment", event["segment_id"]),
                as_of=date.fromisoformat(event["as_of"]),
                part=event["part"],
                entered=[encode_id("Customer", i) for i in event["entered"]],
                left=[encode_id("Customer", i) for i in event["left"]],
            )
