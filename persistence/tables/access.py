"""Tables of the access context: API keys, idempotency records, the audit log."""

from __future__ import annotations

from sqlalchemy import Column, ForeignKey, Index, Integer, String, Table, Text, Uuid

from persistence.db import metadata
from persistence.types import Json, UtcDateTime

api_keys = Table(
    "api_keys",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("name", String(100), nullable=False),
    Column("role", String(20), nullable=False),
    Column("digest", String(64), nullable=False, unique=True),
    Column("hint", String(8), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("revoked_at", UtcDateTime),
    Column("created_by", Uuid, ForeignKey("api_keys.id", ondelete="SET NULL")),
)

idempotency_records = Table(
    "idempotency_records",
    metadata,
    # The key is scoped to the caller (an API key or a customer), so two clients that
    # happen to pick the same key never see each other's responses.
    Column("scope", String(64), primary_key=True),
    Column("key", String(255), primary_key=True),
    Column("fingerprint", String(64), nullable=False),
    Column("status", String(12), nullable=False),
    Column("response", Json),
    Column("created_at", UtcDateTime, nullable=False),
    Column("locked_until", UtcDateTime, nullable=False),
)
Index("ix_idempotency_records_created_at", idempotency_records.c.created_at)

audit_log = Table(
    "audit_log",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", UtcDateTime, nullable=False),
    Column("actor", String(120), nullable=False),
    Column("action", String(80), nullable=False),
    Column("target", String(120), nullable=False),
    Column("details", Json, nullable=False),
    Column("request_id", String(64)),
    Column("note", Text),
)
Index("ix_audit_log_target", audit_log.c.target)
