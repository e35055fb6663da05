"""Customer snapshots for the Python evaluator, read from the same rows the SQL reads.

Used by `Segment.explain`, by automation conditions, and by the test that checks the
compiler against the evaluator. Set-based: a fixed number of statements per chunk of
customers, whatever their number. Only live customers (not merged away, not erased) get
a snapshot. The meaning of each attribute is the compiler's (see `attributes`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import date, tzinfo
from typing import Any
from uuid import UUID

from sqlalchemy import func, select, union
from sqlalchemy.ext.asyncio import AsyncConnection

from domain.segments.snapshot import CustomerSnapshot
from persistence.customer_stats import PURCHASE_STATUSES
from persistence.queries.segments.attributes import (
    CART_KINDS,
    OPEN_TICKET_STATUSES,
    REVIEW_KIND,
)
from persistence.tables.activity import activity_events
from persistence.tables.customers import customer_identities, customers
from persistence.tables.engagement import customer_engagement
from persistence.tables.loyalty import memberships, points_accounts
from persistence.tables.orders import customer_stats, order_lines, orders
from persistence.tables.scoring import customer_scores
from persistence.tables.tags import customer_tags
from persistence.tables.tickets import tickets

CHUNK = 500

_c, _s, _m, _p = customers, customer_stats, memberships, points_accounts
_sc, _en = customer_scores, customer_engagement
_PROFILE = (
    "phone",
    "first_name",
    "last_name",
    "gender",
    "birthday",
    "country",
    "region",
    "city",
    "locale",
    "created_at",
    "email_consent",
    "sms_consent",
    "push_consent",
)
_SCORES = ("rfm_recency", "rfm_frequency", "rfm_monetary", "rfm_group", "churn_risk", "lifecycle")


async def load_snapshots(
    conn: AsyncConnection,
    customer_ids: Sequence[UUID],
    *,
    as_of: date,
    zone: tzinfo,
    currency_exponent: int = 2,
) -> dict[UUID, CustomerSnapshot]:
    """Snapshots of the live customers among `customer_ids`, keyed by id."""
    found: dict[UUID, CustomerSnapshot] = {}
    ids = list(dict.fromkeys(customer_ids))
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        facts = await _facts(conn, chunk)
        for customer_id, fields in facts.items():
            found[customer_id] = CustomerSnapshot(
                customer_id=customer_id,
                as_of=as_of,
                timezone=zone,
                currency_exponent=currency_exponent,
                **fields,
            )
    return found


async def _facts(conn: AsyncConnection, ids: list[UUID]) -> dict[UUID, dict[str, Any]]:
    rows = (await conn.execute(_profile_statement(ids))).all()
    facts: dict[UUID, dict[str, Any]] = {row.id: _profile(row) for row in rows}
    if not facts:
        return facts
    live = list(facts)
    for customer_id, count in await _pairs(conn, _open_tickets(live)):
        facts[customer_id]["open_tickets"] = count
    for customer_id, seen in await _pairs(conn, _latest_event(live)):
        facts[customer_id]["last_seen_at"] = seen
    for customer_id, cart in await _pairs(conn, _latest_event(live, CART_KINDS)):
        last_order = facts[customer_id]["last_order_at"]
        if last_order is None or cart > last_order:
            facts[customer_id]["cart_abandoned_at"] = cart
    for customer_id, rating in await _pairs(conn, _latest_rating(live)):
        facts[customer_id]["last_review_rating"] = rating
    sets: dict[str, defaultdict[UUID, set[str]]] = {
        name: defaultdict(set) for name in ("tags", "channels", "categories", "skus")
    }
    for customer_id, tag in await _pairs(conn, _tags(live)):
        sets["tags"][customer_id].add(tag)
    for customer_id, channel in await _pairs(conn, _channels(live)):
        sets["channels"][customer_id].add(channel)
    for row in (await conn.execute(_bought(live))).all():
        if row.category is not None:
            sets["categories"][row.customer_id].add(row.category)
        sets["skus"][row.customer_id].add(row.sku)
    for name, by_customer in sets.items():
        for customer_id, values in by_customer.items():
            facts[customer_id][name] = frozenset(values)
    return facts


async def _pairs(conn: AsyncConnection, statement: Any) -> list[tuple[Any, Any]]:
    return [(row[0], row[1]) for row in (await conn.execute(statement)).all()]


def _profile_statement(ids: list[UUID]) -> Any:
    joined: Any = _c
    for table in (_s, _m, _p, _sc, _en):
        joined = joined.outerjoin(table, table.c.customer_id == _c.c.id)
    return (
        select(
            _c.c.id,
            _c.c.email_key,
            *[_c.c[name] for name in _PROFILE],
            _c.c.public_metadata,
            _c.c.private_metadata,
            _s.c.customer_id.label("stats_id"),
            _s.c.orders_count,
            _s.c.net_spent,
            _s.c.average_order_value,
            _s.c.first_order_at,
            _s.c.last_order_at,
            _s.c.refunds_count,
            _m.c.tier_code,
            _p.c.balance,
            _p.c.lifetime_earned,
            *[_sc.c[name] for name in _SCORES],
            _sc.c.clv,
            _en.c.last_message_opened_at,
            _en.c.last_message_clicked_at,
        )
        .select_from(joined)
        .where(_c.c.id.in_(ids), _c.c.merged_into.is_(None), _c.c.erased_at.is_(None))
    )


def _profile(row: Any) -> dict[str, Any]:
    fields: dict[str, Any] = {name: getattr(row, name) for name in (*_PROFILE, *_SCORES)}
    has_stats = row.stats_id is not None
    fields.update(
        email=row.email_key,
        tier=row.tier_code,
        points_balance=row.balance if row.balance is not None else 0,
        points_lifetime=row.lifetime_earned if row.lifetime_earned is not None else 0,
        orders_count=row.orders_count if has_stats else 0,
        net_spent_minor=row.net_spent if has_stats else 0,
        average_order_value_minor=row.average_order_value if has_stats else 0,
        refunds_count=row.refunds_count if has_stats else 0,
        first_order_at=row.first_order_at,
        last_order_at=row.last_order_at,
        clv_minor=row.clv,
        open_tickets=0,
        last_message_opened_at=row.last_message_opened_at,
        last_message_clicked_at=row.last_message_clicked_at,
        meta=_meta(row.public_metadata, row.private_metadata),
    )
    return fields


def _meta(public: Any, private: Any) -> dict[str, str]:
    """String values only; a public value wins over a private one of the same key."""
    meta = {k: v for k, v in (private or {}).items() if isinstance(v, str)}
    meta.update({k: v for k, v in (public or {}).items() if isinstance(v, str)})
    return meta


def _open_tickets(ids: list[UUID]) -> Any:
    return (
        select(tickets.c.customer_id, func.count())
        .where(tickets.c.customer_id.in_(ids), tickets.c.status.in_(OPEN_TICKET_STATUSES))
        .group_by(tickets.c.customer_id)
    )


def _latest_event(ids: list[UUID], kinds: tuple[str, ...] | None = None) -> Any:
    e = activity_events
    conditions = [e.c.customer_id.in_(ids)]
    if kinds is not None:
        conditions.append(e.c.kind.in_(kinds))
    return (
        select(e.c.customer_id, func.max(e.c.occurred_at))
        .where(*conditions)
        .group_by(e.c.customer_id)
    )


def _latest_rating(ids: list[UUID]) -> Any:
    e = activity_events
    ranked = (
        select(
            e.c.customer_id,
            e.c.rating,
            func.row_number()
            .over(partition_by=e.c.customer_id, order_by=(e.c.occurred_at.desc(), e.c.id.desc()))
            .label("rank"),
        )
        .where(e.c.customer_id.in_(ids), e.c.kind == REVIEW_KIND)
        .subquery()
    )
    return select(ranked.c.customer_id, ranked.c.rating).where(ranked.c.rank == 1)


def _tags(ids: list[UUID]) -> Any:
    return select(customer_tags.c.customer_id, customer_tags.c.tag).where(
        customer_tags.c.customer_id.in_(ids)
    )


def _channels(ids: list[UUID]) -> Any:
    return union(
        select(customer_identities.c.customer_id, customer_identities.c.channel).where(
            customer_identities.c.customer_id.in_(ids)
        ),
        select(orders.c.customer_id, orders.c.channel).where(orders.c.customer_id.in_(ids)),
    )


def _bought(ids: list[UUID]) -> Any:
    return (
        select(orders.c.customer_id, order_lines.c.category, order_lines.c.sku)
        .select_from(order_lines.join(orders, orders.c.id == order_lines.c.order_id))
        .where(orders.c.customer_id.in_(ids), orders.c.status.in_(PURCHASE_STATUSES))
        .distinct()
    )
