"""Tables of the loyalty context: tiers, memberships and their history, the points ledger.

`memberships` and `points_accounts` hold one row per customer: segments, tickets and
reports join them by `customer_id`. The ledger is the truth; `points_accounts.balance`
is kept in step with it in the same transaction (and may never go below zero).

The ledger: `points_entries` are append-only (never updated, except `customer_id` when
a merge moves them); each earning entry creates a `points_lots` row, consumed oldest
first; `points_allocations` record what each consuming entry took from which lot.
Invariant: balance = sum of the entries' points = sum of the lots' remaining.
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
    Numeric,
    String,
    Table,
    Text,
    Uuid,
)

from persistence.db import metadata
from persistence.types import Json, UtcDateTime

tiers = Table(
    "tiers",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("code", String(32), nullable=False, unique=True),
    Column("name", String(100), nullable=False),
    Column("rank", Integer, nullable=False, unique=True),
    Column("metric", String(32), nullable=False),
    Column("threshold", BigInteger, nullable=False),
    Column("multiplier", Numeric(12, 4), nullable=False),
    Column("benefits", Json, nullable=False),
    Column("hold_months", Integer, nullable=False),
)

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

# The tier history: one row per change of a membership's tier, append-only.
tier_changes = Table(
    "tier_changes",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("customer_id", Uuid, ForeignKey("customers.id"), nullable=False),
    Column("from_code", String(32)),
    Column("to_code", String(32), nullable=False),
    Column("reason", String(16), nullable=False),
    Column("at", UtcDateTime, nullable=False),
)
Index("ix_tier_changes_customer_at", tier_changes.c.customer_id, tier_changes.c.at)

points_entries = Table(
    "points_entries",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("customer_id", Uuid, ForeignKey("customers.id"), nullable=False),
    Column("kind", String(8), nullable=False),
    Column("points", BigInteger, nullable=False),
    Column("reason", Text, nullable=False),
    Column("actor", String(200), nullable=False),
    Column("source_kind", String(16)),
    Column("source_id", String(255)),
    # Unique over the whole ledger: a replayed request finds its first entry here.
    Column("idempotency_key", String(255), nullable=False, unique=True),
    Column("fingerprint", String(64), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("balance_after", BigInteger, nullable=False),
    Column("shortfall", BigInteger, nullable=False),
    # The lot an earning entry created (no foreign key: the lot references the entry).
    Column("lot_id", Uuid),
    CheckConstraint("kind IN ('EARN', 'REDEEM', 'EXPIRE', 'ADJUST', 'REVERSE')", name="kind_known"),
    CheckConstraint("balance_after >= 0", name="balance_after_not_negative"),
    CheckConstraint("shortfall >= 0", name="shortfall_not_negative"),
)
Index(
    "ix_points_entries_customer_created",
    points_entries.c.customer_id,
    points_entries.c.created_at,
    points_entries.c.id,
)
Index("ix_points_entries_source", points_entries.c.source_kind, points_entries.c.source_id)

points_lots = Table(
    "points_lots",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("customer_id", Uuid, ForeignKey("customers.id"), nullable=False),
    Column("entry_id", Uuid, ForeignKey("points_entries.id"), nullable=False),
    Column("points", BigInteger, nullable=False),
    Column("remaining", BigInteger, nullable=False),
    Column("earned_at", UtcDateTime, nullable=False),
    Column("expires_at", UtcDateTime, nullable=False),
    CheckConstraint("remaining >= 0 AND remaining <= points", name="remaining_within_points"),
)
# Open lots only: FIFO consumption per customer, and the nightly expiry by date.
Index(
    "ix_points_lots_open_fifo",
    points_lots.c.customer_id,
    points_lots.c.earned_at,
    points_lots.c.id,
    postgresql_where=points_lots.c.remaining > 0,
    sqlite_where=points_lots.c.remaining > 0,
)
Index(
    "ix_points_lots_open_expiry",
    points_lots.c.expires_at,
    postgresql_where=points_lots.c.remaining > 0,
    sqlite_where=points_lots.c.remaining > 0,
)

points_allocations = Table(
    "points_allocations",
    metadata,
    Column("entry_id", Uuid, ForeignKey("points_entries.id"), primary_key=True),
    Column("lot_id", Uuid, ForeignKey("points_lots.id"), primary_key=True),
    Column("points", BigInteger, nullable=False),
    CheckConstraint("points > 0", name="points_positive"),
)
Index("ix_points_allocations_lot_id", points_allocations.c.lot_id)
