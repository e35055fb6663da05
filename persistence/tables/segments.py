"""Tables of the segments context: saved segments and their stored membership.

`name_key` is the lower-cased name, so names are unique case-insensitively (the unique
index also settles two concurrent creates). `segment_members` is what the last
re-evaluation found; rule tags are synced from it, and it is replaced set-based.
"""

from __future__ import annotations

from sqlalchemy import Column, ForeignKey, Index, String, Table, Text, Uuid, text

from persistence.db import metadata
from persistence.tables.activity import activity_events
from persistence.tables.customers import customers
from persistence.types import UtcDateTime

segments = Table(
    "segments",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("name", String(100), nullable=False),
    Column("name_key", String(100), nullable=False, unique=True),
    Column("query", Text, nullable=False),
    Column("description", Text, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
)
Index("ix_segments_created_at_id", segments.c.created_at, segments.c.id)

segment_members = Table(
    "segment_members",
    metadata,
    Column("segment_id", Uuid, ForeignKey("segments.id", ondelete="CASCADE"), primary_key=True),
    Column("customer_id", Uuid, ForeignKey("customers.id"), primary_key=True),
)
Index("ix_segment_members_customer_id", segment_members.c.customer_id)

# Liveness, as the compiler tests it (see persistence.queries.segments.attributes): when
# it reads `customers`, live ids come from a small index-only scan; when it reads a
# one-row table instead, the few merged or erased customers are an anti-join.
_LIVE = "merged_into IS NULL AND erased_at IS NULL"
_GONE = "merged_into IS NOT NULL OR erased_at IS NOT NULL"
Index(
    "ix_customers_live",
    customers.c.id,
    postgresql_where=text(_LIVE),
    sqlite_where=text(_LIVE),
)
Index(
    "ix_customers_gone",
    customers.c.id,
    postgresql_where=text(_GONE),
    sqlite_where=text(_GONE),
)

# Indexes the segment compiler needs on the activity context's table: the latest cart
# event and the latest review of one customer are one index probe each.
_CART_KINDS = "kind IN ('ADD_TO_CART', 'CHECKOUT_STARTED')"
_REVIEW_KIND = "kind = 'REVIEW_POSTED'"
Index(
    "ix_activity_events_cart",
    activity_events.c.customer_id,
    activity_events.c.occurred_at,
    postgresql_where=text(_CART_KINDS),
    sqlite_where=text(_CART_KINDS),
)
Index(
    "ix_activity_events_review",
    activity_events.c.customer_id,
    activity_events.c.occurred_at,
    activity_events.c.id,
    postgresql_where=text(_REVIEW_KIND),
    sqlite_where=text(_REVIEW_KIND),
)
