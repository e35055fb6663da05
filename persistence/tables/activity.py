"""Behaviour events (page views, carts, reviews, custom events)."""

from __future__ import annotations

from sqlalchemy import Column, ForeignKey, Index, Integer, SmallInteger, String, Table, Text, Uuid

from persistence.db import metadata
from persistence.types import Json, UtcDateTime

activity_events = Table(
    "activity_events",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("customer_id", Uuid, ForeignKey("customers.id"), nullable=False),
    Column("kind", String(24), nullable=False),
    Column("occurred_at", UtcDateTime, nullable=False),
    Column("recorded_at", UtcDateTime, nullable=False),
    Column("url", Text),
    Column("sku", String(100)),
    Column("quantity", Integer),
    Column("rating", SmallInteger),
    # Not a foreign key: a storefront may report a review before the order is recorded.
    Column("order_id", Uuid),
    Column("name", String(100)),
    Column("properties", Json, nullable=False),
)
Index(
    "ix_activity_events_customer",
    activity_events.c.customer_id,
    activity_events.c.occurred_at,
    activity_events.c.id,
)
Index("ix_activity_events_kind_occurred", activity_events.c.kind, activity_events.c.occurred_at)
