"""Customers with every fact the segment language reads, inserted into the real tables.

`CustomerFacts` says what one customer has (profile, stats, tier, points, scores,
engagement, tags, identities, orders with lines, behaviour events, tickets);
`insert_customers` writes the rows with plain SQL (these tests are about reading them),
`delete_customers` removes them again. `customer_facts` is a hypothesis strategy whose
values collide with the literals of `tests.unit.segments.strategies`, so random queries
match random customers often, at day boundaries of the store's time zone included.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from decimal import Decimal
from typing import Any
from uuid import UUID

from hypothesis import strategies as st
from sqlalchemy import delete, insert, update
from sqlalchemy.ext.asyncio import AsyncConnection

from domain.ids import new_id
from domain.segments.catalog import CONSENT_STATES, GENDERS, LIFECYCLE_STAGES, RFM_GROUPS
from persistence.tables.activity import activity_events
from persistence.tables.customers import customer_identities, customers
from persistence.tables.engagement import customer_engagement
from persistence.tables.loyalty import memberships, points_accounts
from persistence.tables.orders import customer_stats, order_lines, orders
from persistence.tables.scoring import customer_scores
from persistence.tables.segments import segment_members
from persistence.tables.tags import customer_tags
from persistence.tables.tickets import QUEUE_END, tickets
from tests.unit.segments.strategies import (
    LOWER_TEXTS,
    META_KEYS,
    SET_ITEMS,
    TAGS,
    TEXTS,
    UPPER_TEXTS,
)

EPOCH = datetime(2026, 1, 1, tzinfo=UTC)


@dataclass
class Stats:
    orders_count: int = 0
    net_spent: int = 0
    average_order_value: int = 0
    first_order_at: datetime | None = None
    last_order_at: datetime | None = None
    refunds_count: int = 0


@dataclass
class Scores:
    rfm_recency: int | None = None
    rfm_frequency: int | None = None
    rfm_monetary: int | None = None
    rfm_group: str | None = None
    clv: int | None = None
    churn_risk: Decimal | None = None
    lifecycle: str | None = None


@dataclass
class OrderFacts:
    channel: str = "web"
    status: str = "PAID"
    placed_at: datetime = EPOCH
    lines: list[tuple[str, str | None]] = field(default_factory=list)  # (sku, category)


@dataclass
class EventFacts:
    kind: str
    occurred_at: datetime
    rating: int | None = None


@dataclass
class CustomerFacts:
    """Everything about one customer; None means "no row" for the one-row tables."""

    id: UUID = field(default_factory=new_id)
    state: str = "LIVE"  # LIVE, MERGED or ERASED
    created_at: datetime = EPOCH
    profile: dict[str, Any] = field(default_factory=dict)
    public_metadata: dict[str, Any] = field(default_factory=dict)
    private_metadata: dict[str, Any] = field(default_factory=dict)
    stats: Stats | None = None
    tier: str | None = None
    points: tuple[int, int] | None = None  # (balance, lifetime earned)
    scores: Scores | None = None
    engagement: tuple[datetime | None, datetime | None] | None = None  # (opened, clicked)
    tags: dict[str, str] = field(default_factory=dict)  # tag -> MANUAL / RULE
    identities: list[str] = field(default_factory=list)  # channels
    orders: list[OrderFacts] = field(default_factory=list)
    events: list[EventFacts] = field(default_factory=list)
    tickets: list[str] = field(default_factory=list)  # statuses


async def insert_customers(conn: AsyncConnection, facts: list[CustomerFacts]) -> None:
    """Insert the customers and every row they have (one statement per table)."""
    if not facts:
        return
    await conn.execute(insert(customers), [_customer_row(f) for f in facts])
    anchor = facts[0].id
    for f in facts:
        if f.state == "MERGED":
            await conn.execute(
                update(customers).where(customers.c.id == f.id).values(merged_into=anchor)
            )
    await _insert(conn, customer_stats, [_stats_row(f) for f in facts if f.stats is not None])
    await _insert(
        conn,
        memberships,
        [
            {
                "customer_id": f.id,
                "tier_code": f.tier,
                "tier_since": EPOCH,
                "hold_until": None,
                "version": 1,
            }
            for f in facts
            if f.tier is not None
        ],
    )
    await _insert(
        conn,
        points_accounts,
        [
            {
                "customer_id": f.id,
                "balance": f.points[0],
                "lifetime_earned": f.points[1],
                "version": 1,
            }
            for f in facts
            if f.points is not None
        ],
    )
    await _insert(
        conn,
        customer_scores,
        [
            {"customer_id": f.id, "scored_at": EPOCH, **vars(f.scores)}
            for f in facts
            if f.scores is not None
        ],
    )
    await _insert(
        conn,
        customer_engagement,
        [
            {
                "customer_id": f.id,
                "last_message_opened_at": f.engagement[0],
                "last_message_clicked_at": f.engagement[1],
            }
            for f in facts
            if f.engagement is not None
        ],
    )
    await _insert(
        conn,
        customer_tags,
        [
            {"customer_id": f.id, "tag": tag, "kind": kind, "created_at": EPOCH}
            for f in facts
            for tag, kind in f.tags.items()
        ],
    )
    await _insert(
        conn,
        customer_identities,
        [
            {
                "id": new_id(),
                "customer_id": f.id,
                "channel": channel,
                "external_id": new_id().hex,
                "created_at": EPOCH,
            }
            for f in facts
            for channel in f.identities
        ],
    )
    order_rows: list[dict[str, Any]] = []
    line_rows: list[dict[str, Any]] = []
    for f in facts:
        for order in f.orders:
            order_id = new_id()
            order_rows.append(_order_row(order_id, f.id, order))
            line_rows.extend(
                {
                    "order_id": order_id,
                    "position": position,
                    "sku": sku,
                    "name": sku,
                    "quantity": 1,
                    "unit_price": 100,
                    "category": category,
                }
                for position, (sku, category) in enumerate(order.lines, start=1)
            )
    await _insert(conn, orders, order_rows)
    await _insert(conn, order_lines, line_rows)
    await _insert(
        conn,
        activity_events,
        [
            {
                "id": new_id(),
                "customer_id": f.id,
                "kind": e.kind,
                "occurred_at": e.occurred_at,
                "recorded_at": e.occurred_at,
                "rating": e.rating,
                "properties": {},
            }
            for f in facts
            for e in f.events
        ],
    )
    await _insert(conn, tickets, [_ticket_row(f.id, status) for f in facts for status in f.tickets])


async def delete_customers(conn: AsyncConnection, ids: list[UUID]) -> None:
    """Remove the customers and every row of theirs the segments tests write."""
    lines = order_lines.c.order_id.in_(
        orders.select().with_only_columns(orders.c.id).where(orders.c.customer_id.in_(ids))
    )
    await conn.execute(delete(order_lines).where(lines))
    for table in (
        orders,
        customer_stats,
        memberships,
        points_accounts,
        customer_scores,
        customer_engagement,
        customer_tags,
        customer_identities,
        activity_events,
        tickets,
        segment_members,
    ):
        await conn.execute(delete(table).where(table.c.customer_id.in_(ids)))
    await conn.execute(update(customers).where(customers.c.id.in_(ids)).values(merged_into=None))
    await conn.execute(delete(customers).where(customers.c.id.in_(ids)))


async def _insert(conn: AsyncConnection, table: Any, rows: list[dict[str, Any]]) -> None:
    if rows:
        await conn.execute(insert(table), rows)


def _customer_row(f: CustomerFacts) -> dict[str, Any]:
    profile = {
        "email": None,
        "email_key": None,
        "phone": None,
        "first_name": None,
        "last_name": None,
        "gender": None,
        "birthday": None,
        "country": None,
        "region": None,
        "city": None,
        "locale": None,
        "timezone": None,
        "email_consent": None,
        "sms_consent": None,
        "push_consent": None,
        **f.profile,
    }
    if profile["email"] is not None:
        profile["email_key"] = profile["email"].lower()
    return {
        "id": f.id,
        "created_at": f.created_at,
        "updated_at": f.created_at,
        "public_metadata": f.public_metadata,
        "private_metadata": f.private_metadata,
        "merged_into": None,
        "erased_at": EPOCH if f.state == "ERASED" else None,
        **profile,
    }


def _stats_row(f: CustomerFacts) -> dict[str, Any]:
    assert f.stats is not None
    return {"customer_id": f.id, "refunded_total": 0, **vars(f.stats)}


def _order_row(order_id: UUID, customer_id: UUID, order: OrderFacts) -> dict[str, Any]:
    return {
        "id": order_id,
        "channel": order.channel,
        "external_id": order_id.hex,
        "customer_id": customer_id,
        "status": order.status,
        "placed_at": order.placed_at,
        "currency": "EUR",
        "total_amount": 100,
        "base_total": 100,
        "created_at": EPOCH,
        "updated_at": EPOCH,
    }


_ticket_numbers = iter(range(10_000_000, 2**62))


def _ticket_row(customer_id: UUID, status: str) -> dict[str, Any]:
    clocks = {
        f"{prefix}_{suffix}": None
        for prefix in ("first_response", "next_response", "resolution")
        for suffix in ("started_at", "budget_us", "paused_us", "due_at", "met_at", "breach_flagged")
    }
    return {
        "id": new_id(),
        "number": next(_ticket_numbers),
        "kind": "INQUIRY",
        "subject": "help",
        "customer_id": customer_id,
        "order_id": None,
        "lines": [],
        "status": status,
        "priority": "NORMAL",
        "priority_rank": 2,
        "assignee_id": None,
        "paused_at": None,
        **clocks,
        "queue_due_at": QUEUE_END,
        "breach_check_at": None,
        "created_at": EPOCH,
        "updated_at": EPOCH,
        "first_responded_at": None,
        "resolved_at": None,
        "closed_at": None,
        "rating": None,
        "rated_at": None,
        "refund_requested": False,
        "source_event_id": None,
        "version": 1,
    }


# -- hypothesis ------------------------------------------------------------------------

_SHORT_TEXTS = [t for t in TEXTS if len(t) <= 2]
_SHORT_CODES = [t for t in UPPER_TEXTS if len(t) <= 2]
_MINUTES = st.sampled_from([0, 1, 719, 1439, -1])  # around local midnight and noon
_DAYS = st.integers(-2, 6)


def moments(as_of: date, zone: tzinfo) -> st.SearchStrategy[datetime]:
    """Instants -2 to 6 local days before `as_of`, close to the zone's midnights."""

    @st.composite
    def build(draw: st.DrawFn) -> datetime:
        day = as_of - timedelta(days=draw(_DAYS))
        local = datetime.combine(day, time(0), zone) + timedelta(minutes=draw(_MINUTES))
        return local.astimezone(UTC)

    return build()


def _maybe(strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.one_of(st.none(), strategy)


def birthdays(as_of: date) -> st.SearchStrategy[date]:
    """Birthdays giving ages 0 to 6 on `as_of` (some a day off a birthday), a few days
    of 1990, and 29 Februaries."""

    @st.composite
    def around_age(draw: st.DrawFn) -> date:
        years, shift = draw(st.integers(0, 6)), draw(st.integers(-1, 1))
        same_day = date(as_of.year - years, as_of.month, min(as_of.day, 28))
        return same_day + timedelta(days=shift)

    return st.one_of(
        around_age(),
        around_age(),
        around_age(),
        st.dates(date(1990, 1, 1), date(1990, 1, 6)),
        st.sampled_from([date(2024, 2, 29), date(2020, 2, 29), date(2023, 3, 1)]),
    )


_SMALL = st.integers(0, 6)
_MONEY = st.integers(-8, 8)
_META_VALUES = st.one_of(st.sampled_from(TEXTS), st.integers(0, 3), st.booleans(), st.none())


@st.composite
def customer_facts(draw: st.DrawFn, as_of: date, zone: tzinfo) -> CustomerFacts:
    at = moments(as_of, zone)
    texts = st.sampled_from(TEXTS)
    profile = {
        "email": draw(_maybe(st.sampled_from([*LOWER_TEXTS, "Ana@Example.com"]))),
        **{
            name: draw(_maybe(texts))
            for name in ("phone", "first_name", "last_name", "region", "city", "locale")
        },
        "country": draw(_maybe(st.sampled_from(_SHORT_TEXTS + _SHORT_CODES))),
        "gender": draw(_maybe(st.sampled_from(GENDERS))),
        "birthday": draw(st.one_of(st.none(), birthdays(as_of), birthdays(as_of))),
        **{
            name: draw(_maybe(st.sampled_from(CONSENT_STATES)))
            for name in ("email_consent", "sms_consent", "push_consent")
        },
    }
    meta = st.dictionaries(st.sampled_from(META_KEYS), _META_VALUES, max_size=2)
    stats = draw(
        _maybe(
            st.builds(
                Stats,
                orders_count=_SMALL,
                net_spent=_MONEY,
                average_order_value=_MONEY,
                first_order_at=_maybe(at),
                last_order_at=_maybe(at),
                refunds_count=_SMALL,
            )
        )
    )
    scores = draw(
        _maybe(
            st.builds(
                Scores,
                rfm_recency=_maybe(st.integers(1, 5)),
                rfm_frequency=_maybe(st.integers(1, 5)),
                rfm_monetary=_maybe(st.integers(1, 5)),
                rfm_group=_maybe(st.sampled_from(RFM_GROUPS)),
                clv=_maybe(_MONEY),
                churn_risk=_maybe(_MONEY.map(lambda n: Decimal(n).scaleb(-2))),
                lifecycle=_maybe(st.sampled_from(LIFECYCLE_STAGES)),
            )
        )
    )
    items = st.sampled_from(SET_ITEMS)
    order = st.builds(
        OrderFacts,
        channel=items,
        status=st.sampled_from(
            ["PAID", "FULFILLED", "PARTIALLY_REFUNDED", "CANCELLED", "PENDING", "REFUNDED"]
        ),
        placed_at=at,
        lines=st.lists(st.tuples(items, _maybe(items)), max_size=2),
    )
    event = st.builds(
        EventFacts,
        kind=st.sampled_from(["PAGE_VIEW", "ADD_TO_CART", "CHECKOUT_STARTED", "REVIEW_POSTED"]),
        occurred_at=at,
        rating=_maybe(st.integers(1, 5)),
    )
    return CustomerFacts(
        state=draw(st.sampled_from(["LIVE"] * 8 + ["MERGED", "ERASED"])),
        created_at=draw(at),
        profile=profile,
        public_metadata=draw(meta),
        private_metadata=draw(meta),
        stats=stats,
        tier=draw(_maybe(st.sampled_from(TEXTS + UPPER_TEXTS))),
        points=draw(_maybe(st.tuples(_SMALL, _SMALL))),
        scores=scores,
        engagement=draw(_maybe(st.tuples(_maybe(at), _maybe(at)))),
        tags=draw(
            st.dictionaries(st.sampled_from(TAGS), st.sampled_from(["MANUAL", "RULE"]), max_size=2)
        ),
        identities=draw(st.lists(items, max_size=2)),
        orders=draw(st.lists(order, max_size=2)),
        events=draw(st.lists(event, max_size=3)),
        tickets=draw(
            st.lists(
                st.sampled_from(
                    ["OPEN", "IN_PROGRESS", "WAITING_ON_CUSTOMER", "RESOLVED", "CLOSED"]
                ),
                max_size=2,
            )
        ),
    )


def unique_emails(facts: list[CustomerFacts]) -> list[CustomerFacts]:
    """Emails are unique case-insensitively: later duplicates lose theirs."""
    seen: set[str] = set()
    for f in facts:
        email = f.profile.get("email")
        if email is not None:
            if email.lower() in seen:
                f.profile["email"] = None
            else:
                seen.add(email.lower())
    return facts
