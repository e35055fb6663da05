"""Read side of the tickets context: the agents' queue, and batches for loaders.

Read models are plain frozen rows (no aggregates): `TicketView` carries what a screen
shows of a ticket, `MessageView` one message. Filtering notes out for customers is the
caller's job (`MessageView.is_note`), so one batch serves staff and customers alike.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import Select, and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncConnection

from domain.tickets.model import Ticket
from domain.tickets.priority import Priority
from domain.tickets.sla import SlaTarget
from domain.tickets.values import ActorKind, OrderLineRef, TicketKind, TicketMessage, TicketStatus
from persistence.queries.paging import Page, PageRequest, count_by_parent, fetch_pages_by_parent
from persistence.tables.tickets import QUEUE_END, ticket_messages, tickets
from persistence.tickets import clock_prefix


@dataclass(frozen=True, slots=True)
class ClockView:
    """One SLA clock as stored."""

    target: SlaTarget
    due_at: datetime
    met_at: datetime | None
    breach_flagged: bool


@dataclass(frozen=True, slots=True)
class TicketView:
    """A ticket as lists and detail screens show it."""

    id: UUID
    number: int
    kind: TicketKind
    subject: str
    status: TicketStatus
    priority: Priority
    customer_id: UUID
    order_id: UUID | None
    lines: tuple[OrderLineRef, ...]
    assignee_id: UUID | None
    clocks: dict[SlaTarget, ClockView]
    paused: bool
    next_due_at: datetime | None
    rating: int | None
    rated_at: datetime | None
    created_at: datetime
    updated_at: datetime
    first_responded_at: datetime | None
    resolved_at: datetime | None
    closed_at: datetime | None
    version: int


@dataclass(frozen=True, slots=True)
class MessageView:
    """A public reply or an internal note."""

    ticket_id: UUID
    seq: int
    id: UUID
    author_kind: ActorKind
    author_id: UUID | None
    body: str
    is_note: bool
    created_at: datetime


def ticket_view(row: Any) -> TicketView:
    clocks: dict[SlaTarget, ClockView] = {}
    for target in SlaTarget:
        prefix = clock_prefix(target)
        due_at = getattr(row, f"{prefix}_due_at")
        if due_at is not None:
            clocks[target] = ClockView(
                target=target,
                due_at=due_at,
                met_at=getattr(row, f"{prefix}_met_at"),
                breach_flagged=bool(getattr(row, f"{prefix}_breach_flagged")),
            )
    return TicketView(
        id=row.id,
        number=row.number,
        kind=TicketKind(row.kind),
        subject=row.subject,
        status=TicketStatus(row.status),
        priority=Priority(row.priority),
        customer_id=row.customer_id,
        order_id=row.order_id,
        lines=tuple(OrderLineRef(line["sku"], line["quantity"]) for line in row.lines),
        assignee_id=row.assignee_id,
        clocks=clocks,
        paused=row.paused_at is not None,
        next_due_at=None if row.queue_due_at == QUEUE_END else row.queue_due_at,
        rating=row.rating,
        rated_at=row.rated_at,
        created_at=row.created_at,
        updated_at=row.updated_at,
        first_responded_at=row.first_responded_at,
        resolved_at=row.resolved_at,
        closed_at=row.closed_at,
        version=row.version,
    )


def message_view(row: Any) -> MessageView:
    return MessageView(
        ticket_id=row.ticket_id,
        seq=row.seq,
        id=row.id,
        author_kind=ActorKind(row.author_kind),
        author_id=row.author_id,
        body=row.body,
        is_note=row.is_note,
        created_at=row.created_at,
    )


@dataclass(frozen=True, slots=True)
class QueueFilter:
    """Filters of the ticket queue; None means "any"."""

    statuses: Sequence[TicketStatus] | None = None
    kinds: Sequence[TicketKind] | None = None
    assignee_id: UUID | None = None
    unassigned: bool = False
    customer_id: UUID | None = None
    text: str | None = None


def _like_pattern(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def ticket_queue(flt: QueueFilter) -> tuple[Select[Any], list[Any]]:
    """The statement and keyset keys of the queue: priority (URGENT first), then the
    earliest due time (tickets owing nothing last), then id."""
    stmt = select(tickets)
    if flt.statuses is not None:
        stmt = stmt.where(tickets.c.status.in_([s.value for s in flt.statuses]))
    if flt.kinds is not None:
        stmt = stmt.where(tickets.c.kind.in_([k.value for k in flt.kinds]))
    if flt.assignee_id is not None:
        stmt = stmt.where(tickets.c.assignee_id == flt.assignee_id)
    if flt.unassigned:
        stmt = stmt.where(tickets.c.assignee_id.is_(None))
    if flt.customer_id is not None:
        stmt = stmt.where(tickets.c.customer_id == flt.customer_id)
    text = (flt.text or "").strip()
    if text:
        subject = tickets.c.subject.ilike(_like_pattern(text), escape="\\")
        number = text.removeprefix("#")
        stmt = stmt.where(
            or_(subject, tickets.c.number == int(number)) if number.isdigit() else subject
        )
    return stmt, [tickets.c.priority_rank, tickets.c.queue_due_at, tickets.c.id]


async def tickets_by_id(conn: AsyncConnection, ids: Sequence[UUID]) -> dict[UUID, TicketView]:
    rows = await conn.execute(select(tickets).where(tickets.c.id.in_(ids)))
    return {row.id: ticket_view(row) for row in rows}


async def _last_messages(
    conn: AsyncConnection, ticket_ids: Sequence[UUID], *, public_only: bool
) -> dict[UUID, MessageView]:
    inner = select(ticket_messages.c.ticket_id, func.max(ticket_messages.c.seq).label("seq")).where(
        ticket_messages.c.ticket_id.in_(ticket_ids)
    )
    if public_only:
        inner = inner.where(ticket_messages.c.is_note.is_(False))
    last = inner.group_by(ticket_messages.c.ticket_id).subquery()
    rows = await conn.execute(
        select(ticket_messages).join(
            last,
            and_(
                ticket_messages.c.ticket_id == last.c.ticket_id, ticket_messages.c.seq == last.c.seq
            ),
        )
    )
    return {row.ticket_id: message_view(row) for row in rows}


async def last_messages_by_ticket_id(
    conn: AsyncConnection, ticket_ids: Sequence[UUID]
) -> dict[UUID, MessageView]:
    """The latest message of each ticket, notes included (for staff)."""
    return await _last_messages(conn, ticket_ids, public_only=False)


async def last_public_messages_by_ticket_id(
    conn: AsyncConnection, ticket_ids: Sequence[UUID]
) -> dict[UUID, MessageView]:
    """The latest public reply of each ticket (for the ticket's customer)."""
    return await _last_messages(conn, ticket_ids, public_only=True)


def ticket_view_of(ticket: Ticket) -> TicketView:
    """The read model of an aggregate just changed by a use case (no query needed)."""
    return TicketView(
        id=ticket.id,
        number=ticket.number,
        kind=ticket.kind,
        subject=ticket.subject,
        status=ticket.status,
        priority=ticket.priority,
        customer_id=ticket.customer_id,
        order_id=ticket.order_id,
        lines=ticket.lines,
        assignee_id=ticket.assignee_id,
        clocks={
            target: ClockView(
                target=target,
                due_at=clock.due_at,
                met_at=clock.met_at,
                breach_flagged=clock.breach_flagged,
            )
            for target, clock in ticket.sla_clocks.items()
        },
        paused=ticket.paused_at is not None,
        next_due_at=ticket.next_due_at,
        rating=ticket.rating,
        rated_at=ticket.rated_at,
        created_at=ticket.created_at,
        updated_at=ticket.updated_at,
        first_responded_at=ticket.first_responded_at,
        resolved_at=ticket.resolved_at,
        closed_at=ticket.closed_at,
        version=ticket.version,
    )


def message_view_of(ticket_id: UUID, message: TicketMessage) -> MessageView:
    """The read model of a message just written by a use case."""
    return MessageView(
        ticket_id=ticket_id,
        seq=message.seq,
        id=message.id,
        author_kind=message.author.kind,
        author_id=message.author.id,
        body=message.body,
        is_note=message.is_note,
        created_at=message.created_at,
    )


async def messages_by_id(conn: AsyncConnection, ids: Sequence[UUID]) -> dict[UUID, MessageView]:
    rows = await conn.execute(select(ticket_messages).where(ticket_messages.c.id.in_(ids)))
    return {row.id: message_view(row) for row in rows}


def _messages_statement(public_only: bool) -> Select[Any]:
    stmt = select(ticket_messages)
    return stmt.where(ticket_messages.c.is_note.is_(False)) if public_only else stmt


async def message_pages_by_ticket(
    conn: AsyncConnection, ticket_ids: Sequence[UUID], page: PageRequest, public_only: bool
) -> dict[UUID, Page[Any]]:
    """One page of messages per ticket, oldest first, in one statement (rows carry the
    message columns)."""
    return await fetch_pages_by_parent(
        conn,
        _messages_statement(public_only),
        ticket_messages.c.ticket_id,
        ticket_ids,
        [ticket_messages.c.seq],
        page,
    )


async def message_counts_by_ticket(
    conn: AsyncConnection, ticket_ids: Sequence[UUID], public_only: bool
) -> dict[UUID, int]:
    return await count_by_parent(
        conn, _messages_statement(public_only), ticket_messages.c.ticket_id, ticket_ids
    )


def customer_tickets_statement() -> tuple[Select[Any], list[Any]]:
    """A customer's tickets, newest first (keyset keys, to page descending)."""
    return select(tickets), [tickets.c.created_at, tickets.c.id]


async def ticket_pages_by_customer(
    conn: AsyncConnection, customer_ids: Sequence[UUID], page: PageRequest
) -> dict[UUID, Page[Any]]:
    """One page of tickets per customer, newest first, in one statement."""
    stmt, keys = customer_tickets_statement()
    return await fetch_pages_by_parent(
        conn, stmt, tickets.c.customer_id, customer_ids, keys, page, descending=True
    )


async def ticket_counts_by_customer(
    conn: AsyncConnection, customer_ids: Sequence[UUID]
) -> dict[UUID, int]:
    stmt, _ = customer_tickets_statement()
    return await count_by_parent(conn, stmt, tickets.c.customer_id, customer_ids)
