"""Commands of the activity context."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from uuid import UUID

from domain.activity.model import ActivityKind
from domain.customers.commands import CustomerRef


@dataclass(frozen=True, kw_only=True)
class EventInput:
    """One behaviour event as sent; which fields apply depends on `kind`:
    PAGE_VIEW url; PRODUCT_VIEW sku; ADD_TO_CART sku, quantity (default 1);
    CHECKOUT_STARTED none; REVIEW_POSTED rating (1-5), order_id and sku optional;
    CUSTOM name. `properties` (JSON object) and `occurred_at` (default now) apply to all."""

    kind: ActivityKind
    customer: CustomerRef
    occurred_at: datetime | None = None
    url: str | None = None
    sku: str | None = None
    quantity: int | None = None
    rating: int | None = None
    order_id: UUID | None = None
    name: str | None = None
    properties: Mapping[str, object] = field(default_factory=dict)


@dataclass(frozen=True, kw_only=True)
class RecordEvents:
    events: Sequence[EventInput]
