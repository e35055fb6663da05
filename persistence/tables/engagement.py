"""When each customer last opened and clicked a message (one row per customer).

Kept by the campaigns context as opens and clicks arrive; read by segments
(`last_message_opened_days`, `last_message_clicked_days`). Empty until then.
"""

from __future__ import annotations

from sqlalchemy import Column, ForeignKey, Index, Table, Uuid

from persistence.db import metadata
from persistence.types import UtcDateTime

customer_engagement = Table(
    "customer_engagement",
    metadata,
    Column("customer_id", Uuid, ForeignKey("customers.id"), primary_key=True),
    Column("last_message_opened_at", UtcDateTime),
    Column("last_message_clicked_at", UtcDateTime),
)
Index("ix_customer_engagement_opened", customer_engagement.c.last_message_opened_at)
Index("ix_customer_engagement_clicked", customer_engagement.c.last_message_clicked_at)
