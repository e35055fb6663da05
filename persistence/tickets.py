"""Repositories of the tickets context, and its lookups into customers, loyalty and orders."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any
from uuid import UUID

from sqlalchemy import Select, func, insert, or_, select, update
from sqlalchemy.engine import Row
from sqlalchemy.ext.asyncio import AsyncConnection

from domain.access.model import Role
from domain.tickets.errors import ConcurrentModification
from domain.tickets.model import Ticket
from domain.tickets.priority import Priority
from domain.tickets.repository import CustomerValue, OrderSummary
from domain.tickets.sla import SlaClock, SlaTarget, TicketSettings
from domain.tickets.values import (
    Actor,
    ActorKind,
    OrderLineRef,
    TicketKind,
    TicketMessage,
    TicketStatus,
)
from persistence.db import metadata
from persistence.tables.access import api_keys
from persistence.tables.customers import customers
from persistence.tables.orders import order_lines, orders
from persistence.tables.tickets import (
    FIRST_TICKET_NUMBER,
    QUEUE_END,
    ticket_messages,
    ticket_number_counter,
    ticket_number_seq,
    tickets,
)

_US = timedelta(microseconds=1)
# A merge chain longer than this is a data error, not a customer to open tickets for.
_MAX_MERGE_HOPS = 16

AGENT_ROLES = (Role.SUPPORT.value, Role.ADMIN.value)


def _uuid(value: UUID | None) -> UUID | None:
    # asyncpg returns its own UUID subclass, which orjson (event payloads) cannot encode.
    return UUID(int=value.int) if value is not None else None


def _id(value: UUID) -> UUID:
    return UUID(int=value.int)


def clock_prefix(target: SlaTarget) -> str:
    """The column prefix of a target's clock ("first_response", ...)."""
    return target.value.lower()


def _clock_values(ticket: Ticket) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for target in SlaTarget:
        clock = ticket.sla_clocks.get(target)
        prefix = clock_prefix(target)
        values[f"{prefix}_started_at"] = clock.started_at if clock else None
        values[f"{prefix}_budget_us"] = clock.budget // _US if clock else None
        values[f"{prefix}_paused_us"] = clock.paused // _US if clock else None
        values[f"{prefix}_due_at"] = clock.due_at if clock else None
        values[f"{prefix}_met_at"] = clock.met_at if clock else None
        values[f"{prefix}_breach_flagged"] = clock.breach_flagged if clock else None
    return values


def _breach_check_at(ticket: Ticket) -> datetime | None:
    if not ticket.status.sla_running:
        return None
    dues = [
        clock.due_at
        for clock in ticket.sla_clocks.values()
        if clock.is_running and not clock.breach_flagged
    ]
    return min(dues) if dues else None


def _mutable_values(ticket: Ticket) -> dict[str, Any]:
    """Every column a change of the ticket may touch, with the derived queue columns."""
    return {
        "customer_id": ticket.customer_id,
        "status": ticket.status.value,
        "priority": ticket.priority.value,
        "priority_rank": ticket.priority.rank,
        "assignee_id": ticket.assignee_id,
        "paused_at": ticket.paused_at,
        **_clock_values(ticket),
        "queue_due_at": ticket.next_due_at or QUEUE_END,
        "breach_check_at": _breach_check_at(ticket),
        "updated_at": ticket.updated_at,
        "first_responded_at": ticket.first_responded_at,
        "resolved_at": ticket.resolved_at,
        "closed_at": ticket.closed_at,
        "rating": ticket.rating,
        "rated_at": ticket.rated_at,
        "refund_requested": ticket.refund_requested,
        "version": ticket.version,
    }


def _message_values(ticket_id: UUID, message: TicketMessage) -> dict[str, Any]:
    return {
        "ticket_id": ticket_id,
        "seq": message.seq,
        "id": message.id,
        "author_kind": message.author.kind.value,
        "author_id": message.author.id,
        "body": message.body,
        "is_note": message.is_note,
        "created_at": message.created_at,
    }


def message_from_row(row: Any) -> TicketMessage:
    return TicketMessage(
        seq=row.seq,
        id=_id(row.id),
        author=Actor(ActorKind(row.author_kind), _uuid(row.author_id)),
        body=row.body,
        is_note=row.is_note,
        created_at=row.created_at,
    )


def clocks_from_row(row: Any) -> dict[SlaTarget, SlaClock]:
    clocks: dict[SlaTarget, SlaClock] = {}
    for target in SlaTarget:
        prefix = clock_prefix(target)
        started_at = getattr(row, f"{prefix}_started_at")
        if started_at is None:
            continue
        clocks[target] = SlaClock(
            target=target,
            started_at=started_at,
            budget=getattr(row, f"{prefix}_budget_us") * _US,
            paused=getattr(row, f"{prefix}_paused_us") * _US,
            due_at=getattr(row, f"{prefix}_due_at"),
            met_at=getattr(row, f"{prefix}_met_at"),
            breach_flagged=bool(getattr(row, f"{prefix}_breach_flagged")),
        )
    return clocks


def ticket_from_rows(row: Any, message_rows: Iterable[Any]) -> Ticket:
    """The aggregate from its row and its message rows (in any order)."""
    return Ticket(
        id=_id(row.id),
        number=row.number,
        kind=TicketKind(row.kind),
        subject=row.subject,
        customer_id=_id(row.customer_id),
        order_id=_uuid(row.order_id),
        lines=tuple(OrderLineRef(line["sku"], line["quantity"]) for line in row.lines),
        status=TicketStatus(row.status),
        priority=Priority(row.priority),
        assignee_id=_uuid(row.assignee_id),
        messages=sorted((message_from_row(m) for m in message_rows), key=lambda m: m.seq),
        sla_clocks=clocks_from_row(row),
        paused_at=row.paused_at,
        created_at=row.created_at,
        updated_at=row.updated_at,
        first_responded_at=row.first_responded_at,
        resolved_at=row.resolved_at,
        closed_at=row.closed_at,
        rating=row.rating,
        rated_at=row.rated_at,
        refund_requested=row.refund_requested,
        source_event_id=_uuid(row.source_event_id),
        version=row.version,
    )


class SqlAlchemyTicketRepository:
    """Tickets with their messages; `save` is a compare-and-set on `version`."""

    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn
        # How many messages are stored per ticket read or written here: `save` appends
        # the rest (the version check guarantees nobody appended meanwhile).
        self._stored_messages: dict[UUID, int] = {}

    async def next_number(self) -> int:
        if self._conn.dialect.name == "postgresql":
            number = await self._conn.execute(select(ticket_number_seq.next_value()))
            return int(number.scalar_one())
        # SQLite: writers hold the database lock (BEGIN IMMEDIATE), so a counter row is safe.
        bumped = await self._conn.scalar(
            update(ticket_number_counter)
            .where(ticket_number_counter.c.id == 1)
            .values(last_number=ticket_number_counter.c.last_number + 1)
            .returning(ticket_number_counter.c.last_number)
        )
        if bumped is not None:
            return int(bumped)
        await self._conn.execute(
            insert(ticket_number_counter).values(id=1, last_number=FIRST_TICKET_NUMBER)
        )
        return FIRST_TICKET_NUMBER

    async def add(self, ticket: Ticket) -> None:
        await self._conn.execute(
            insert(tickets).values(
                id=ticket.id,
                number=ticket.number,
                kind=ticket.kind.value,
                subject=ticket.subject,
                order_id=ticket.order_id,
                lines=[line.as_dict() for line in ticket.lines],
                created_at=ticket.created_at,
                source_event_id=ticket.source_event_id,
                **_mutable_values(ticket),
            )
        )
        await self._append_messages(ticket, stored=0)

    async def get(self, ticket_id: UUID) -> Ticket | None:
        found = await self._load(tickets.c.id == ticket_id)
        return found[0] if found else None

    async def save(self, ticket: Ticket, expected_version: int) -> None:
        result = await self._conn.execute(
            update(tickets)
            .where(tickets.c.id == ticket.id, tickets.c.version == expected_version)
            .values(**_mutable_values(ticket))
        )
        if result.rowcount == 0:
            raise ConcurrentModification(
                "the ticket was changed by someone else meanwhile; reload it and try again"
            )
        stored = self._stored_messages.get(ticket.id)
        if stored is None:
            last_seq = await self._conn.execute(
                select(func.coalesce(func.max(ticket_messages.c.seq), 0)).where(
                    ticket_messages.c.ticket_id == ticket.id
                )
            )
            stored = int(last_seq.scalar_one())
        await self._append_messages(ticket, stored=stored)

    async def find_by_source_event(self, event_id: UUID) -> Ticket | None:
        found = await self._load(tickets.c.source_event_id == event_id)
        return found[0] if found else None

    async def find_breach_candidates(self, now: datetime, limit: int) -> list[Ticket]:
        # `breach_check_at` is NULL unless the SLA runs and an unflagged clock is running.
        return await self._load(
            tickets.c.breach_check_at < now,
            order_by=(tickets.c.breach_check_at, tickets.c.id),
            limit=limit,
        )

    async def ticket_ids_of_customer(self, customer_id: UUID) -> list[UUID]:
        rows = await self._conn.execute(
            select(tickets.c.id).where(tickets.c.customer_id == customer_id).order_by(tickets.c.id)
        )
        return [_id(row.id) for row in rows]

    async def move_to_customer(self, ticket_ids: Sequence[UUID], customer_id: UUID) -> int:
        if not ticket_ids:
            return 0
        result = await self._conn.execute(
            update(tickets)
            .where(tickets.c.id.in_(ticket_ids))
            .values(customer_id=customer_id, version=tickets.c.version + 1)
        )
        return int(result.rowcount)

    async def replace_texts_of_customer(self, customer_id: UUID, text: str) -> int:
        # Two statements whatever the number of tickets and messages. Tickets first: which
        # need a new version depends on the message bodies still to be replaced.
        untouched_message = (
            select(ticket_messages.c.seq)
            .where(ticket_messages.c.ticket_id == tickets.c.id, ticket_messages.c.body != text)
            .exists()
        )
        result = await self._conn.execute(
            update(tickets)
            .where(
                tickets.c.customer_id == customer_id,
                or_(tickets.c.subject != text, untouched_message),
            )
            .values(subject=text, version=tickets.c.version + 1)
        )
        await self._conn.execute(
            update(ticket_messages)
            .where(
                ticket_messages.c.ticket_id.in_(
                    select(tickets.c.id).where(tickets.c.customer_id == customer_id)
                ),
                ticket_messages.c.body != text,
            )
            .values(body=text)
        )
        return int(result.rowcount)

    async def for_customer(self, customer_id: UUID) -> list[Ticket]:
        # Messages by a subquery on the customer, not an IN list of ticket ids: two
        # statements however many tickets the customer has.
        return await self._load(
            tickets.c.customer_id == customer_id,
            order_by=(tickets.c.created_at, tickets.c.id),
            messages_of=select(tickets.c.id).where(tickets.c.customer_id == customer_id),
        )

    async def _load(
        self,
        *where: Any,
        order_by: Sequence[Any] = (),
        limit: int | None = None,
        messages_of: Select[Any] | None = None,
    ) -> list[Ticket]:
        stmt = select(tickets).where(*where).order_by(*order_by)
        if limit is not None:
            stmt = stmt.limit(limit)
        rows = (await self._conn.execute(stmt)).all()
        if not rows:
            return []
        by_ticket: dict[UUID, list[Row[Any]]] = defaultdict(list)
        of_tickets = (
            ticket_messages.c.ticket_id.in_(messages_of)
            if messages_of is not None
            else ticket_messages.c.ticket_id.in_([r.id for r in rows])
        )
        message_rows = await self._conn.execute(select(ticket_messages).where(of_tickets))
        for message in message_rows:
            by_ticket[message.ticket_id].append(message)
        loaded = [ticket_from_rows(row, by_ticket[row.id]) for row in rows]
        for ticket in loaded:
            self._stored_messages[ticket.id] = len(ticket.messages)
        return loaded

    async def _append_messages(self, ticket: Ticket, *, stored: int) -> None:
        new = [m for m in ticket.messages if m.seq > stored]
        if new:
            await self._conn.execute(
                insert(ticket_messages), [_message_values(ticket.id, m) for m in new]
            )
        self._stored_messages[ticket.id] = len(ticket.messages)


class SqlTicketCustomerLookup:
    """A customer's value for ticket priority: the tier of their loyalty membership.

    The loyalty context's `memberships` table is read only when it is part of the schema
    (`"memberships" in metadata.tables`); CLV stays None until scoring stores it.
    """

    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def value_of(self, customer_id: UUID) -> CustomerValue | None:
        current = customer_id
        for _ in range(_MAX_MERGE_HOPS):
            row = (
                await self._conn.execute(
                    select(customers.c.id, customers.c.merged_into, customers.c.erased_at).where(
                        customers.c.id == current
                    )
                )
            ).first()
            if row is None or row.erased_at is not None:
                return None
            if row.merged_into is None:
                winner = _id(row.id)
                return CustomerValue(customer_id=winner, tier_code=await self._tier_of(winner))
            current = row.merged_into
        return None

    async def _tier_of(self, customer_id: UUID) -> str | None:
        memberships = metadata.tables.get("memberships")
        if memberships is None:
            return None
        tier = await self._conn.scalar(
            select(memberships.c.tier_code).where(memberships.c.customer_id == customer_id)
        )
        return str(tier) if tier is not None else None


class SqlTicketOrderLookup:
    """An order's customer and its quantities per SKU (lines of one SKU added up)."""

    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def summary_of(self, order_id: UUID) -> OrderSummary | None:
        rows = (
            await self._conn.execute(
                select(orders.c.id, orders.c.customer_id, order_lines.c.sku, order_lines.c.quantity)
                .select_from(orders.outerjoin(order_lines, order_lines.c.order_id == orders.c.id))
                .where(orders.c.id == order_id)
            )
        ).all()
        if not rows:
            return None
        quantities: dict[str, int] = defaultdict(int)
        for row in rows:
            if row.sku is not None:
                quantities[row.sku] += row.quantity
        return OrderSummary(
            order_id=_id(rows[0].id),
            customer_id=_id(rows[0].customer_id),
            quantities_by_sku=dict(quantities),
        )


class SqlTicketAgentLookup:
    """Agents are the API keys of SUPPORT and ADMIN that are not revoked."""

    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def is_agent(self, agent_id: UUID) -> bool:
        found = await self._conn.execute(
            select(api_keys.c.id).where(
                api_keys.c.id == agent_id,
                api_keys.c.role.in_(AGENT_ROLES),
                api_keys.c.revoked_at.is_(None),
            )
        )
        return found.first() is not None


@lru_cache(maxsize=8)
def standard_ticket_settings(store_timezone: str) -> TicketSettings:
    """The standard service rules in the store's zone (made once per zone: it is frozen)."""
    return TicketSettings.standard(store_timezone)


class ConfiguredTicketSettings:
    """The ticket settings from configuration: standard hours in the store's timezone."""

    def __init__(self, store_timezone: str) -> None:
        self._store_timezone = store_timezone

    async def current(self) -> TicketSettings:
        return standard_ticket_settings(self._store_timezone)
