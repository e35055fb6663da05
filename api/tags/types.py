"""GraphQL types of tags."""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import Any
from uuid import UUID

import strawberry

from api.segments.loaders import SegmentByIdLoader
from api.segments.types import Segment


@strawberry.enum(description="MANUAL: set by people and integrations; RULE: kept by a segment.")
class TagKind(Enum):
    MANUAL = "MANUAL"
    RULE = "RULE"


@strawberry.type(description="A tag, with how many customers carry it.")
class Tag:
    name: str = strawberry.field(description="The tag (normalised: lower case, single spaces).")
    kind: TagKind
    customers_count: int = strawberry.field(description="Customers carrying it now.")
    segment_id: strawberry.Private[UUID | None]

    @classmethod
    def from_row(cls, row: Any) -> Tag:
        return cls(
            name=row.tag,
            kind=TagKind(row.kind),
            customers_count=int(row.customers),
            segment_id=row.segment_id,
        )

    @strawberry.field(description="The segment a RULE tag follows (null for MANUAL tags).")
    async def segment(self, info: strawberry.Info) -> Segment | None:
        if self.segment_id is None:
            return None
        found = await info.context.loader(SegmentByIdLoader).load(self.segment_id)
        return Segment.from_model(found) if found is not None else None


@strawberry.type(description="A tag kept equal to a segment's members by its re-evaluation.")
class RuleTag:
    tag: str
    created_at: datetime
    segment_id: strawberry.Private[UUID]

    @strawberry.field(description="The segment the tag follows.")
    async def segment(self, info: strawberry.Info) -> Segment | None:
        found = await info.context.loader(SegmentByIdLoader).load(self.segment_id)
        return Segment.from_model(found) if found is not None else None


@strawberry.type(description="A tag one customer carries.")
class CustomerTag:
    name: str
    kind: TagKind
    added_at: datetime = strawberry.field(description="When the customer got it.")


async def customer_tags(info: strawberry.Info, customer_id: UUID) -> list[CustomerTag]:
    """The resolver of `Customer.tags` (through a loader: one statement per page)."""
    from api.tags.loaders import TagsByCustomerLoader

    views = await info.context.loader(TagsByCustomerLoader).load(customer_id)
    return [CustomerTag(name=v.tag, kind=TagKind(v.kind), added_at=v.created_at) for v in views]
