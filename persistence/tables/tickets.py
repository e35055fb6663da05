"""Tables of the tickets context: tickets with their SLA clocks, append-only messages.

Each SLA target (`first_response_`, `next_response_`, `resolution_`) has its clock in six
columns (started, budget and paused business time in microseconds, due, met, breach
flagged); a clock that has not started has NULLs. Two columns are derived from the
clocks on every write, so that the two hot reads are one index range each:

- `queue_due_at`: the earliest due time of a running clock, or QUEUE_END (9999-12-31) when
  nothing is owed, so the agents' queue (priority rank, then due time) pages by keyset
  without NULL handling;
- `breach_check_at`: the earliest due time of a running clock whose breach is not flagged
  yet, while the ticket is OPEN or IN_PROGRESS (the SLA runs), else NULL: the breach job
  reads `breach_check_at < now` in that order.

Ticket numbers come from the `ticket_number_seq` sequence on PostgreSQL (no lock is held
until commit, gaps are fine) and from the one-row `ticket_number_counter` on SQLite,
where writers are serialised anyway.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    ForeignKey,
    Index,
    Integer,
    Sequence,
    SmallInteger,
    String,
    Table,
    Text,
    Uuid,
)

from persistence.db import metadata
from persistence.types import Json, UtcDateTime

QUEUE_END = datetime(9999, 12, 31, tzinfo=UTC)
FIRST_TICKET_NUMBER = 1001

ticket_number_seq = Sequence("ticket_number_seq", start=FIRST_TICKET_NUMBER, metadata=metadata)

CLOCK_PREFIXES = ("first_response", "next_response", "resolution")


def _clock_columns(prefix: str) -> list[Column[object]]:
    return [
        Column(f"{prefix}_started_at", UtcDateTime),
        Column(f"{prefix}_budget_us", BigInteger),
        Column(f"{prefix}_paused_us", BigInteger),
        Column(f"{prefix}_due_at", UtcDateTime),
        Column(f"{prefix}_met_at", UtcDateTime),
        Column(f"{prefix}_breach_flagged", Boolean),
    ]


tickets = Table(
    "tickets",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("number", BigInteger, nullable=False, unique=True),
    Column("kind", String(16), nullable=False),
    Column("subject", String(200), nullable=False),
    Column("customer_id", Uuid, ForeignKey("customers.id"), nullable=False),
    Column("order_id", Uuid, ForeignKey("orders.id")),
    # [{"sku": str, "quantity": int}] of the order, for RETURN, EXCHANGE and REFUND.
    Column("lines", Json, nullable=False),
    Column("status", String(24), nullable=False),
    Column("priority", String(8), nullable=False),
    # Priority.rank: 0 for URGENT (served first) to 3 for LOW.
    Column("priority_rank", SmallInteger, nullable=False),
    # The agent's reference (the API key id); no foreign key: agents are not stored here.
    Column("assignee_id", Uuid),
    Column("paused_at", UtcDateTime),
    *_clock_columns("first_response"),
    *_clock_columns("next_response"),
    *_clock_columns("resolution"),
    Column("queue_due_at", UtcDateTime, nullable=False),
    Column("breach_check_at", UtcDateTime),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    Column("first_responded_at", UtcDateTime),
    Column("resolved_at", UtcDateTime),
    Column("closed_at", UtcDateTime),
    Column("rating", SmallInteger),
    Column("rated_at", UtcDateTime),
    Column("refund_requested", Boolean, nullable=False),
    # The event a ticket was opened for automatically (a low review): one ticket per event.
    Column("source_event_id", Uuid, unique=True),
    Column("version", Integer, nullable=False),
    CheckConstraint("rating IS NULL OR rating BETWEEN 1 AND 5", name="rating_range"),
    CheckConstraint("version >= 1", name="version_positive"),
)
# The queue: by status (the usual filter), then priority and due time; keyset on id.
Index(
    "ix_tickets_queue",
    tickets.c.status,
    tickets.c.priority_rank,
    tickets.c.queue_due_at,
    tickets.c.id,
)
Index("ix_tickets_priority", tickets.c.priority_rank, tickets.c.queue_due_at, tickets.c.id)
Index(
    "ix_tickets_assignee",
    tickets.c.assignee_id,
    tickets.c.priority_rank,
    tickets.c.queue_due_at,
    tickets.c.id,
)
Index("ix_tickets_customer", tickets.c.customer_id, tickets.c.created_at, tickets.c.id)
Index("ix_tickets_order_id", tickets.c.order_id)
Index("ix_tickets_breach_check_at", tickets.c.breach_check_at)

ticket_messages = Table(
    "ticket_messages",
    metadata,
    Column("ticket_id", Uuid, ForeignKey("tickets.id", ondelete="CASCADE"), primary_key=True),
    # 1, 2, 3... per ticket; messages are append-only.
    Column("seq", Integer, primary_key=True),
    Column("id", Uuid, nullable=False, unique=True),
    Column("author_kind", String(8), nullable=False),
    Column("author_id", Uuid),
    Column("body", Text, nullable=False),
    Column("is_note", Boolean, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
)

ticket_number_counter = Table(
    "ticket_number_counter",
    metadata,
    Column("id", SmallInteger, primary_key=True),
    Column("last_number", BigInteger, nullable=False),
)
