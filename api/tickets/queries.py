"""Queries of the tickets context: one ticket, the queue, and a customer's tickets."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

import strawberry
from strawberry import relay

from api.relay import (
    PAGE_ARGS_DOC,
    Connection,
    connection,
    decode_id_or_bad_request,
    page_request,
)
from api.tickets.actors import TicketUsers, viewer_of
from api.tickets.loaders import (
    TicketByIdLoader,
    TicketCountByCustomerLoader,
    TicketPagesByCustomerLoader,
)
from api.tickets.types import Ticket, may_read
from domain.tickets.values import TicketKind, TicketStatus
from persistence.queries.paging import Page, count, fetch_page
from persistence.queries.tickets import QueueFilter, ticket_queue, ticket_view

_NOTHING: Page[object] = Page(rows=[], cursors=[], has_next_page=False, has_previous_page=False)


async def _zero() -> int:
    return 0


@strawberry.type
class TicketsQuery:
    @strawberry.field(
        description=(
            "A ticket by id: SUPPORT and ADMIN read any; a customer token only its own "
            "(null otherwise)."
        ),
        permission_classes=[TicketUsers],
    )
    async def ticket(
        self,
        info: strawberry.Info,
        id: Annotated[relay.GlobalID, strawberry.argument(description="The ticket's id.")],
    ) -> Ticket | None:
        ticket_id = decode_id_or_bad_request(id, "Ticket")
        viewer = viewer_of(info)
        view = await info.context.loader(TicketByIdLoader).load(ticket_id)
        if view is None or not may_read(viewer, view):
            return None
        return Ticket.from_view(view, viewer, info.context.services.clock.now())

    @strawberry.field(
        description=(
            "The ticket queue: highest priority first (URGENT to LOW), then the earliest SLA "
            "due time; tickets owing nothing come last. SUPPORT and ADMIN see every ticket; "
            f"a customer token sees only its own. {PAGE_ARGS_DOC}"
        ),
        permission_classes=[TicketUsers],
    )
    async def tickets(
        self,
        info: strawberry.Info,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
        status: Annotated[
            list[TicketStatus] | None,
            strawberry.argument(description="Only tickets in one of these statuses."),
        ] = None,
        kind: Annotated[
            list[TicketKind] | None,
            strawberry.argument(description="Only tickets of one of these kinds."),
        ] = None,
        assignee: Annotated[
            relay.GlobalID | None,
            strawberry.argument(description="Only tickets assigned to this agent (an ApiKey id)."),
        ] = None,
        unassigned: Annotated[
            bool, strawberry.argument(description="Only tickets nobody is assigned to.")
        ] = False,
        customer: Annotated[
            relay.GlobalID | None,
            strawberry.argument(description="Only tickets of this customer (a Customer id)."),
        ] = None,
        query: Annotated[
            str | None,
            strawberry.argument(
                description=(
                    "Text search: for now, a case-insensitive match within the subject, or "
                    "the ticket number (`1042` or `#1042`)."
                )
            ),
        ] = None,
    ) -> Connection[Ticket]:
        page = page_request(first, after, last, before)
        viewer = viewer_of(info)
        customer_id = decode_id_or_bad_request(customer, "Customer") if customer else None
        if viewer.is_customer:
            # A customer token's queue is its own tickets, whatever it asks for.
            if customer_id is not None and customer_id != viewer.id:
                return connection(_NOTHING, lambda row: row, _zero)
            customer_id = viewer.id
        stmt, keys = ticket_queue(
            QueueFilter(
                statuses=status,
                kinds=kind,
                assignee_id=decode_id_or_bad_request(assignee, "ApiKey") if assignee else None,
                unassigned=unassigned,
                customer_id=customer_id,
                text=query,
            )
        )
        services = info.context.services
        async with services.read() as conn:
            fetched = await fetch_page(conn, stmt, keys, page)

        async def total() -> int:
            async with services.read() as conn:
                return await count(conn, stmt)

        now = services.clock.now()
        return connection(
            fetched, lambda row: Ticket.from_view(ticket_view(row), viewer, now), total
        )


async def customer_tickets(
    info: strawberry.Info,
    customer_id: UUID,
    first: int | None = None,
    after: str | None = None,
    last: int | None = None,
    before: str | None = None,
) -> Connection[Ticket]:
    """`Customer.tickets`: the customer's tickets, newest first, paged per customer in one
    statement for a whole list of customers. Attach it with `permission_classes=[TicketUsers]`
    (SUPPORT, ADMIN, CUSTOMER); a customer token gets an empty list for anyone else."""
    page = page_request(first, after, last, before)
    viewer = viewer_of(info)
    if viewer.is_customer and viewer.id != customer_id:
        return connection(_NOTHING, lambda row: row, _zero)
    fetched = await info.context.loader(TicketPagesByCustomerLoader).load((customer_id, page))
    count_loader = info.context.loader(TicketCountByCustomerLoader)

    async def total() -> int:
        return int(await count_loader.load((customer_id,)))

    now = info.context.services.clock.now()
    return connection(fetched, lambda row: Ticket.from_view(ticket_view(row), viewer, now), total)


CUSTOMER_TICKETS_DOC = f"The customer's tickets, newest first. {PAGE_ARGS_DOC}"
