"""Tables of the loyalty context: memberships, points accounts (balance rows), ledger.

`memberships` and `points_accounts` hold one row per customer: segments, tickets and
reports join them by `customer_id`. The ledger is the truth; `points_accounts.balance`
is kept in step with it in the same transaction (and may never go below zero).
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Column,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Uuid,
)

from persistence.db import metadata
from persistence.types import UtcDateTime

memberships = Table(
    "memberships",
    metadata,
    Column("customer_id", Uuid, ForeignKey("customers.id"), primary_key=True),
    Column("tier_code", String(32), nullable=False),
    Column("tier_since", UtcDateTime, nullable=False),
    Column("hold_until", Date),
    Column("version", Integer, nullable=False),
)
Index("ix_memberships_tier_code", memberships.c.tier_code)
Index("ix_memberships_hold_until", memberships.c.hold_until)

points_accounts = Table(
    "points_accounts",
    metadata,
    Column("customer_id", Uuid, ForeignKey("customers.id"), primary_key=True),
    Column("balance", BigInteger, nullable=False),
    Column("lifetime_earned", BigInteger, nullable=False),
    Column("version", Integer, nullable=False),
    CheckConstraint("balance >= 0", name="balance_not_negative"),
)
Index("ix_points_accounts_balance", points_accounts.c.balance)
