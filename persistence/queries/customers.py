"""Read side of customers: list statements, sort keys and loader batches.

Read models are plain frozen dataclasses; a list page is one statement (customers joined
to their stats), and each relation is one statement per page through a loader batch.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Any
from uuid import UUID

from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.sql.elements import ColumnElement

from persistence.tables.customers import consent_entries, customer_identities, customers
from persistence.tables.orders import customer_stats

# Sort keys must not be NULL (keyset comparison); customers without orders sort as epoch.
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


class CustomerSortKey(StrEnum):
    CREATED_AT = "CREATED_AT"
    NAME = "NAME"
    NET_SPENT = "NET_SPENT"
    LAST_ORDER_AT = "LAST_ORDER_AT"


@dataclass(frozen=True, slots=True)
class StatsView:
    orders_count: int
    net_spent: int
    average_order_value: int
    first_order_at: datetime | None
    last_order_at: datetime | None
    refunds_count: int
    refunded_total: int


@dataclass(frozen=True, slots=True)
class CustomerView:
    id: UUID
    created_at: datetime
    updated_at: datetime
    email: str | None
    phone: str | None
    first_name: str | None
    last_name: str | None
    gender: str | None
    birthday: date | None
    country: str | None
    region: str | None
    city: str | None
    locale: str | None
    timezone: str | None
    public_metadata: dict[str, Any]
    private_metadata: dict[str, Any]
    merged_into: UUID | None
    erased_at: datetime | None
    stats: StatsView


@dataclass(frozen=True, slots=True)
class IdentityView:
    id: UUID
    customer_id: UUID
    channel: str
    external_id: str
    created_at: datetime


@dataclass(frozen=True, slots=True)
class ConsentEntryView:
    id: UUID
    customer_id: UUID
    channel: str
    state: str
    opt_in_level: str | None
    source: str
    occurred_at: datetime
    recorded_at: datetime


_STATS_COLUMNS = [
    func.coalesce(customer_stats.c.orders_count, 0).label("s_orders_count"),
    func.coalesce(customer_stats.c.net_spent, 0).label("s_net_spent"),
    func.coalesce(customer_stats.c.average_order_value, 0).label("s_aov"),
    customer_stats.c.first_order_at.label("s_first_order_at"),
    customer_stats.c.last_order_at.label("s_last_order_at"),
    func.coalesce(customer_stats.c.refunds_count, 0).label("s_refunds_count"),
    func.coalesce(customer_stats.c.refunded_total, 0).label("s_refunded_total"),
]


def customer_select() -> Select[Any]:
    """Customers with their stats, one row each."""
    return select(customers, *_STATS_COLUMNS).select_from(
        customers.outerjoin(customer_stats, customer_stats.c.customer_id == customers.c.id)
    )


def customer_from_row(row: Any) -> CustomerView:
    m = row._mapping
    return CustomerView(
        id=m["id"],
        created_at=m["created_at"],
        updated_at=m["updated_at"],
        email=m["email"],
        phone=m["phone"],
        first_name=m["first_name"],
        last_name=m["last_name"],
        gender=m["gender"],
        birthday=m["birthday"],
        country=m["country"],
        region=m["region"],
        city=m["city"],
        locale=m["locale"],
        timezone=m["timezone"],
        public_metadata=m["public_metadata"] or {},
        private_metadata=m["private_metadata"] or {},
        merged_into=m["merged_into"],
        erased_at=m["erased_at"],
        stats=StatsView(
            orders_count=int(m["s_orders_count"]),
            net_spent=int(m["s_net_spent"]),
            average_order_value=int(m["s_aov"]),
            first_order_at=_utc(m["s_first_order_at"]),
            last_order_at=_utc(m["s_last_order_at"]),
            refunds_count=int(m["s_refunds_count"]),
            refunded_total=int(m["s_refunded_total"]),
        ),
    )


def _utc(value: Any) -> datetime | None:
    # Labelled columns lose nothing on PostgreSQL; on SQLite UtcDateTime still applies,
    # but an aggregate or COALESCE would not, so normalise here once.
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def customers_list(
    sort_key: CustomerSortKey, *, where: ColumnElement[bool] | None = None
) -> tuple[Select[Any], list[ColumnElement[Any]]]:
    """The list statement (live customers, merged losers excluded) and its keyset keys."""
    stmt = customer_select().where(customers.c.merged_into.is_(None))
    if where is not None:
        stmt = stmt.where(where)
    keys: list[ColumnElement[Any]]
    if sort_key is CustomerSortKey.NAME:
        keys = [
            func.coalesce(customers.c.last_name, ""),
            func.coalesce(customers.c.first_name, ""),
            customers.c.id,
        ]
    elif sort_key is CustomerSortKey.NET_SPENT:
        keys = [func.coalesce(customer_stats.c.net_spent, 0), customers.c.id]
    elif sort_key is CustomerSortKey.LAST_ORDER_AT:
        keys = [func.coalesce(customer_stats.c.last_order_at, _EPOCH), customers.c.id]
    else:
        keys = [customers.c.created_at, customers.c.id]
    return stmt, keys


async def customers_by_id(conn: AsyncConnection, ids: Sequence[UUID]) -> dict[UUID, CustomerView]:
    """Customers by id; a merged loser's id answers its (final) winner."""
    found: dict[UUID, CustomerView] = {}
    wanted = list(ids)
    # Merge chains are short (a loser points at a winner that may itself have been
    # merged later); each hop is one statement for the whole batch.
    pointers: dict[UUID, UUID] = {i: i for i in wanted}
    for _hop in range(5):
        if not wanted:
            break
        rows = (await conn.execute(customer_select().where(customers.c.id.in_(wanted)))).all()
        by_id = {row.id: customer_from_row(row) for row in rows}
        next_wanted: list[UUID] = []
        for origin, current in list(pointers.items()):
            view = by_id.get(current)
            if view is None:
                continue
            if view.merged_into is not None:
                pointers[origin] = view.merged_into
                next_wanted.append(view.merged_into)
            else:
                found[origin] = view
                del pointers[origin]
        wanted = list(dict.fromkeys(next_wanted))
    return found


async def customer_id_by_email(conn: AsyncConnection, email: str) -> UUID | None:
    row = (
        await conn.execute(
            select(customers.c.id).where(customers.c.email_key == email.strip().lower())
        )
    ).first()
    return row.id if row else None


async def customer_id_by_identity(
    conn: AsyncConnection, channel: str, external_id: str
) -> UUID | None:
    row = (
        await conn.execute(
            select(customer_identities.c.customer_id).where(
                customer_identities.c.channel == channel.strip().lower(),
                customer_identities.c.external_id == external_id.strip(),
            )
        )
    ).first()
    return row.customer_id if row else None


async def identities_by_customer(
    conn: AsyncConnection, customer_ids: Sequence[UUID]
) -> dict[UUID, list[IdentityView]]:
    rows = (
        await conn.execute(
            select(customer_identities)
            .where(customer_identities.c.customer_id.in_(customer_ids))
            .order_by(customer_identities.c.created_at, customer_identities.c.id)
        )
    ).all()
    found: dict[UUID, list[IdentityView]] = {}
    for row in rows:
        found.setdefault(row.customer_id, []).append(
            IdentityView(
                id=row.id,
                customer_id=row.customer_id,
                channel=row.channel,
                external_id=row.external_id,
                created_at=row.created_at,
            )
        )
    return found


async def consent_entries_by_customer(
    conn: AsyncConnection, customer_ids: Sequence[UUID]
) -> dict[UUID, list[ConsentEntryView]]:
    """Every consent entry per customer, oldest first (current state = last per channel)."""
    rows = (
        await conn.execute(
            select(consent_entries)
            .where(consent_entries.c.customer_id.in_(customer_ids))
            .order_by(
                consent_entries.c.occurred_at, consent_entries.c.recorded_at, consent_entries.c.id
            )
        )
    ).all()
    found: dict[UUID, list[ConsentEntryView]] = {}
    for row in rows:
        found.setdefault(row.customer_id, []).append(
            ConsentEntryView(
                id=row.id,
                customer_id=row.customer_id,
                channel=row.channel,
                state=row.state,
                opt_in_level=row.opt_in_level,
                source=row.source,
                occurred_at=row.occurred_at,
                recorded_at=row.recorded_at,
            )
        )
    return found


async def history_size(conn: AsyncConnection, customer_id: UUID) -> int:
    """How many orders, behaviour events, points ledger entries and ticket messages the
    customer has (the long lists of an export, which size it); one statement."""
    from persistence.tables.activity import activity_events
    from persistence.tables.loyalty import points_entries
    from persistence.tables.orders import orders
    from persistence.tables.tickets import ticket_messages, tickets

    order_count, event_count, entry_count = (
        select(func.count()).where(table.c.customer_id == customer_id).scalar_subquery()
        for table in (orders, activity_events, points_entries)
    )
    message_count = (
        select(func.count())
        .select_from(ticket_messages.join(tickets, tickets.c.id == ticket_messages.c.ticket_id))
        .where(tickets.c.customer_id == customer_id)
        .scalar_subquery()
    )
    total = order_count + event_count + entry_count + message_count
    return int((await conn.execute(select(total))).scalar_one())
