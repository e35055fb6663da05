"""Tables of the orders context: orders, lines, refunds, and customer stats.

Amounts are integer minor units; `base_*` columns are in the store's base currency.
`customer_stats` is recomputed from orders and refunds on every order write (one
aggregate upsert), so lists, sorts and segments read one indexed row per customer.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Column,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
    Uuid,
)

from persistence.db import metadata
from persistence.types import Json, UtcDateTime

orders = Table(
    "orders",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("channel", String(64), nullable=False),
    Column("external_id", String(255), nullable=False),
    Column("customer_id", Uuid, ForeignKey("customers.id"), nullable=False),
    Column("status", String(24), nullable=False),
    Column("placed_at", UtcDateTime, nullable=False),
    Column("currency", String(3), nullable=False),
    Column("total_amount", BigInteger, nullable=False),
    Column("base_total", BigInteger, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    UniqueConstraint("channel", "external_id"),
)
Index("ix_orders_customer_placed", orders.c.customer_id, orders.c.placed_at, orders.c.id)
Index("ix_orders_placed_at", orders.c.placed_at)

order_lines = Table(
    "order_lines",
    metadata,
    Column("order_id", Uuid, ForeignKey("orders.id", ondelete="CASCADE"), primary_key=True),
    Column("position", Integer, primary_key=True),
    Column("sku", String(100), nullable=False),
    Column("name", String(255), nullable=False),
    Column("quantity", Integer, nullable=False),
    Column("unit_price", BigInteger, nullable=False),
    Column("category", String(100)),
)
Index("ix_order_lines_sku", order_lines.c.sku)
Index("ix_order_lines_category", order_lines.c.category)

order_refunds = Table(
    "order_refunds",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("order_id", Uuid, ForeignKey("orders.id", ondelete="CASCADE"), nullable=False),
    Column("amount", BigInteger, nullable=False),
    Column("currency", String(3), nullable=False),
    Column("base_amount", BigInteger, nullable=False),
    Column("reason", Text),
    Column("idempotency_key", String(255), nullable=False),
    Column("lines", Json, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    UniqueConstraint("order_id", "idempotency_key"),
)

customer_stats = Table(
    "customer_stats",
    metadata,
    Column("customer_id", Uuid, ForeignKey("customers.id"), primary_key=True),
    Column("orders_count", Integer, nullable=False),
    Column("net_spent", BigInteger, nullable=False),
    Column("average_order_value", BigInteger, nullable=False),
    Column("first_order_at", UtcDateTime),
    Column("last_order_at", UtcDateTime),
    Column("refunds_count", Integer, nullable=False),
    Column("refunded_total", BigInteger, nullable=False),
)
Index("ix_customer_stats_net_spent", customer_stats.c.net_spent)
Index("ix_customer_stats_last_order_at", customer_stats.c.last_order_at)
Index("ix_customer_stats_orders_count", customer_stats.c.orders_count)
