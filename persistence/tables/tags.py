"""Tables of the tags context: tag assignments (manual and rule) and rule tag definitions.

Tags are stored normalised (`domain.tags.model.normalise_tag`), so SQL compares them
with plain equality. One row per (customer, tag): a tag is either manual or a rule tag
everywhere (the domain refuses to mix them), and `kind` says which.
"""

from __future__ import annotations

from sqlalchemy import CheckConstraint, Column, ForeignKey, Index, String, Table, Uuid

from persistence.db import metadata
from persistence.types import UtcDateTime

customer_tags = Table(
    "customer_tags",
    metadata,
    Column("customer_id", Uuid, ForeignKey("customers.id"), primary_key=True),
    Column("tag", String(64), primary_key=True),
    Column("kind", String(8), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    CheckConstraint("kind IN ('MANUAL', 'RULE')", name="kind_known"),
)
# `tags CONTAINS 'vip'` as a semi-join from the tag side, and the counts per tag.
Index("ix_customer_tags_tag", customer_tags.c.tag, customer_tags.c.customer_id)

rule_tags = Table(
    "rule_tags",
    metadata,
    Column("tag", String(64), primary_key=True),
    # Deferred: deleting a followed segment is refused by the tags context's handler at
    # commit with a clear error; the key is the safety net behind it.
    Column(
        "segment_id",
        Uuid,
        ForeignKey("segments.id", deferrable=True, initially="DEFERRED"),
        nullable=False,
    ),
    Column("created_at", UtcDateTime, nullable=False),
)
Index("ix_rule_tags_segment_id", rule_tags.c.segment_id)
