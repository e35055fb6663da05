"""Tables of the customers context: profiles, identities, consent log, merges.

`email_consent`, `sms_consent` and `push_consent` on `customers` are the current state
derived from the append-only `consent_entries`, kept in step by the consent repository
(like a balance row beside a ledger), so segment queries filter on an indexed column.
"""

from __future__ import annotations

from sqlalchemy import (
    Column,
    Date,
    ForeignKey,
    Index,
    String,
    Table,
    Text,
    UniqueConstraint,
    Uuid,
)

from persistence.db import metadata
from persistence.types import Json, UtcDateTime

customers = Table(
    "customers",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    Column("email", String(320)),
    # Lower-cased email: uniqueness is case-insensitive. NULLs do not collide.
    Column("email_key", String(320), unique=True),
    Column("phone", String(32)),
    Column("first_name", String(100)),
    Column("last_name", String(100)),
    Column("gender", String(16)),
    Column("birthday", Date),
    Column("country", String(2)),
    Column("region", String(100)),
    Column("city", String(100)),
    Column("locale", String(35)),
    Column("timezone", String(64)),
    Column("public_metadata", Json, nullable=False),
    Column("private_metadata", Json, nullable=False),
    Column("email_consent", String(16)),
    Column("sms_consent", String(16)),
    Column("push_consent", String(16)),
    Column("merged_into", Uuid, ForeignKey("customers.id")),
    Column("erased_at", UtcDateTime),
)
Index("ix_customers_created_at_id", customers.c.created_at, customers.c.id)
Index("ix_customers_name", customers.c.last_name, customers.c.first_name, customers.c.id)
Index("ix_customers_merged_into", customers.c.merged_into)
Index("ix_customers_phone", customers.c.phone)

customer_identities = Table(
    "customer_identities",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("customer_id", Uuid, ForeignKey("customers.id", ondelete="CASCADE"), nullable=False),
    Column("channel", String(64), nullable=False),
    Column("external_id", String(255), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    UniqueConstraint("channel", "external_id"),
)
Index("ix_customer_identities_customer_id", customer_identities.c.customer_id)

consent_entries = Table(
    "consent_entries",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("customer_id", Uuid, ForeignKey("customers.id"), nullable=False),
    Column("channel", String(8), nullable=False),
    Column("state", String(16), nullable=False),
    Column("opt_in_level", String(16)),
    Column("source", String(100), nullable=False),
    Column("occurred_at", UtcDateTime, nullable=False),
    Column("recorded_at", UtcDateTime, nullable=False),
)
Index(
    "ix_consent_entries_customer",
    consent_entries.c.customer_id,
    consent_entries.c.channel,
    consent_entries.c.occurred_at,
)

customer_merges = Table(
    "customer_merges",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("loser_id", Uuid, ForeignKey("customers.id"), nullable=False),
    Column("winner_id", Uuid, ForeignKey("customers.id"), nullable=False),
    Column("actor", String(120), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    # What each participant moved: {participant: {kind: [ids]}}, for undo.
    Column("moved", Json, nullable=False),
    Column("undone_at", UtcDateTime),
    Column("note", Text),
)
Index("ix_customer_merges_loser", customer_merges.c.loser_id)
Index("ix_customer_merges_winner", customer_merges.c.winner_id)
