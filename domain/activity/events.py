"""Facts about behaviour events that other contexts react to."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import ClassVar
from uuid import UUID

from domain.events import DomainEvent


@dataclass(frozen=True, kw_only=True)
class ReviewPosted(DomainEvent):
    """A customer posted a review with a rating from 1 to 5."""

    name: ClassVar[str] = "activity.review_posted"
    event_id: UUID
    customer_id: UUID
    order_id: UUID | None
    sku: str | None
    rating: int
    occurred_at: datetime
