"""Behaviour events: what a customer did on a storefront or app."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from enum import StrEnum
from uuid import UUID

from domain.activity.errors import InvalidActivityEvent
from domain.customers.json_values import InvalidJsonValue, JsonValue, check_json_object
from domain.ids import new_id

CLOCK_SKEW = timedelta(minutes=5)
MAX_URL = 2048
# The widths of the activity_events.sku and .name columns.
MAX_SKU = 100
MAX_NAME = 100
# Matched whole (`fullmatch`): a `$` anchor would let a trailing newline through.
_NAME = re.compile(rf"[A-Za-z][A-Za-z0-9_.:-]{{0,{MAX_NAME - 1}}}")


class ActivityKind(StrEnum):
    PAGE_VIEW = "PAGE_VIEW"
    PRODUCT_VIEW = "PRODUCT_VIEW"
    ADD_TO_CART = "ADD_TO_CART"
    CHECKOUT_STARTED = "CHECKOUT_STARTED"
    REVIEW_POSTED = "REVIEW_POSTED"
    CUSTOM = "CUSTOM"


# The optional fields each kind takes; anything else given is refused, so that a client's
# mistake (a rating on a page view) shows at once.
_FIELDS: dict[ActivityKind, frozenset[str]] = {
    ActivityKind.PAGE_VIEW: frozenset({"url"}),
    ActivityKind.PRODUCT_VIEW: frozenset({"sku", "url"}),
    ActivityKind.ADD_TO_CART: frozenset({"sku", "quantity", "url"}),
    ActivityKind.CHECKOUT_STARTED: frozenset({"url"}),
    ActivityKind.REVIEW_POSTED: frozenset({"rating", "order_id", "sku"}),
    ActivityKind.CUSTOM: frozenset({"name", "url", "sku", "order_id"}),
}
_PUBLIC = {"url": "url", "sku": "sku", "quantity": "quantity", "rating": "rating",
           "order_id": "orderId", "name": "name"}  # fmt: skip


@dataclass(frozen=True, kw_only=True)
class EventDetails:
    """What an event says, validated for its kind, before it is tied to a customer."""

    kind: ActivityKind
    occurred_at: datetime
    url: str | None = None
    sku: str | None = None
    quantity: int | None = None
    rating: int | None = None
    order_id: UUID | None = None
    name: str | None = None
    properties: dict[str, JsonValue] = field(default_factory=dict)

    @classmethod
    def validate(
        cls,
        *,
        kind: ActivityKind,
        now: datetime,
        occurred_at: datetime | None = None,
        url: str | None = None,
        sku: str | None = None,
        quantity: int | None = None,
        rating: int | None = None,
        order_id: UUID | None = None,
        name: str | None = None,
        properties: Mapping[str, object] | None = None,
    ) -> EventDetails:
        """A validated event; error fields are relative to the event (("rating",))."""
        given = {"url": url, "sku": sku, "quantity": quantity, "rating": rating,
                 "order_id": order_id, "name": name}  # fmt: skip
        for key, value in given.items():
            if value is not None and key not in _FIELDS[kind]:
                raise InvalidActivityEvent(
                    f"{_PUBLIC[key]} does not apply to {kind} events", field=(_PUBLIC[key],)
                )
        when = occurred_at or now
        if when.tzinfo is None:
            raise InvalidActivityEvent("occurredAt must carry a timezone", field=("occurredAt",))
        if when > now + CLOCK_SKEW:
            raise InvalidActivityEvent("occurredAt cannot be in the future", field=("occurredAt",))
        url = _text(url, "url", MAX_URL)
        sku = _text(sku, "sku", MAX_SKU)
        if kind == ActivityKind.PAGE_VIEW and url is None:
            raise InvalidActivityEvent("a PAGE_VIEW needs its url", field=("url",))
        if kind in (ActivityKind.PRODUCT_VIEW, ActivityKind.ADD_TO_CART) and sku is None:
            raise InvalidActivityEvent(f"a {kind} needs its sku", field=("sku",))
        if kind == ActivityKind.ADD_TO_CART:
            quantity = 1 if quantity is None else quantity
            if quantity < 1:
                raise InvalidActivityEvent("quantity must be at least 1", field=("quantity",))
        if kind == ActivityKind.REVIEW_POSTED and (rating is None or not 1 <= rating <= 5):
            raise InvalidActivityEvent(
                "a REVIEW_POSTED needs a rating from 1 to 5", field=("rating",)
            )
        if kind == ActivityKind.CUSTOM and (name is None or not _NAME.fullmatch(name)):
            raise InvalidActivityEvent(
                f"a CUSTOM event needs a name: a letter, then up to {MAX_NAME - 1} letters, "
                "digits, '_', '.', ':' or '-'",
                field=("name",),
            )
        try:
            checked = check_json_object(properties or {})
        except InvalidJsonValue as error:
            raise InvalidActivityEvent(
                f"properties: {error.message}", field=("properties", *(error.field or ()))
            ) from error
        return cls(
            kind=kind, occurred_at=when, url=url, sku=sku, quantity=quantity, rating=rating,
            order_id=order_id, name=name, properties=checked,
        )  # fmt: skip


@dataclass(frozen=True, kw_only=True)
class ActivityEvent:
    """A recorded behaviour event of a customer."""

    id: UUID
    customer_id: UUID
    kind: ActivityKind
    occurred_at: datetime
    recorded_at: datetime
    url: str | None = None
    sku: str | None = None
    quantity: int | None = None
    rating: int | None = None
    order_id: UUID | None = None
    name: str | None = None
    properties: dict[str, JsonValue] = field(default_factory=dict)

    @classmethod
    def record(cls, details: EventDetails, *, customer_id: UUID, now: datetime) -> ActivityEvent:
        return cls(
            id=new_id(), customer_id=customer_id, recorded_at=now, kind=details.kind,
            occurred_at=details.occurred_at, url=details.url, sku=details.sku,
            quantity=details.quantity, rating=details.rating, order_id=details.order_id,
            name=details.name, properties=details.properties,
        )  # fmt: skip

    def anonymised(self) -> ActivityEvent:
        """The event without what could identify the person (url, free properties)."""
        return replace(self, url=None, properties={})


def _text(raw: str | None, field: str, limit: int) -> str | None:
    if raw is None:
        return None
    text = raw.strip()
    if not text:
        return None
    if len(text) > limit or not text.isprintable():
        raise InvalidActivityEvent(
            f"{field} must be at most {limit} printable characters", field=(field,)
        )
    return text
