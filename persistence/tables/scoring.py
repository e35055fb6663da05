"""Per-customer scores (one row per customer), written by the nightly scoring run.

Read by segments (`rfm_*`, `clv`, `churn_risk`, `lifecycle`), tickets (priority from
value) and `Customer.score`. Empty until scoring fills it: the segment attributes are
then NULL (unknown) for everyone. `clv` is in minor units of the base currency.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Column,
    ForeignKey,
    Index,
    Numeric,
    SmallInteger,
    String,
    Table,
    Uuid,
)

from persistence.db import metadata
from persistence.types import UtcDateTime

customer_scores = Table(
    "customer_scores",
    metadata,
    Column("customer_id", Uuid, ForeignKey("customers.id"), primary_key=True),
    Column("rfm_recency", SmallInteger),
    Column("rfm_frequency", SmallInteger),
    Column("rfm_monetary", SmallInteger),
    Column("rfm_group", String(20)),
    Column("clv", BigInteger),
    # Six decimals: exact on PostgreSQL, and exactly representable as a double on SQLite.
    Column("churn_risk", Numeric(7, 6)),
    Column("lifecycle", String(16)),
    Column("scored_at", UtcDateTime, nullable=False),
    CheckConstraint("rfm_recency BETWEEN 1 AND 5", name="rfm_recency_range"),
    CheckConstraint("rfm_frequency BETWEEN 1 AND 5", name="rfm_frequency_range"),
    CheckConstraint("rfm_monetary BETWEEN 1 AND 5", name="rfm_monetary_range"),
)
Index("ix_customer_scores_rfm_group", customer_scores.c.rfm_group)
Index("ix_customer_scores_lifecycle", customer_scores.c.lifecycle)
Index("ix_customer_scores_clv", customer_scores.c.clv)
Index("ix_customer_scores_churn_risk", customer_scores.c.churn_risk)
