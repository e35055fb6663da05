"""Mutations of the tickets context: each calls one use case and returns the ticket."""

from __future__ import annotations

import strawberry

from api.errors import ErrorCode, register_error_code
from api.loyalty.keys import ledger_key
from api.mutation import mutation
from api.relay import decode_id
from api.tickets.actors import Agents, TicketCustomer, TicketUsers, viewer_of
from api.tickets.inputs import (
    TicketAssignInput,
    TicketCreateInput,
    TicketCreatePayload,
    TicketGoodwillGrantInput,
    TicketPayload,
    TicketRateInput,
    TicketReplyInput,
    TicketReplyPayload,
    TicketReprioritizeInput,
    TicketTransitionInput,
)
from api.tickets.types import Ticket, TicketMessage
from domain.tickets.commands import (
    AssignTicket,
    CreateTicket,
    GrantGoodwillPoints,
    RateTicket,
    ReplyToTicket,
    ReprioritizeTicket,
    TransitionTicket,
)
from domain.tickets.errors import ConcurrentModification
from domain.tickets.model import Ticket as TicketModel
from domain.tickets.services import (
    assign_ticket,
    create_ticket,
    grant_goodwill_points,
    rate_ticket,
    reply_to_ticket,
    reprioritize_ticket,
    transition_ticket,
)
from domain.tickets.values import OrderLineRef
from persistence.queries.tickets import message_view_of, ticket_view_of, tickets_by_id

register_error_code(ConcurrentModification, ErrorCode.CONCURRENT_MODIFICATION)


def _shown(info: strawberry.Info, ticket: TicketModel) -> Ticket:
    services = info.context.services
    return Ticket.from_view(ticket_view_of(ticket), viewer_of(info), services.clock.now())


@strawberry.type
class TicketsMutation:
    @mutation(
        description=(
            "Open a ticket (SUPPORT, ADMIN, or a customer token for itself). The priority "
            "defaults from the customer's tier; the SLA clocks start now."
        ),
        permission_classes=[TicketUsers],
    )
    async def ticket_create(
        self, info: strawberry.Info, input: TicketCreateInput
    ) -> TicketCreatePayload:
        services = info.context.services
        command = CreateTicket(
            actor=viewer_of(info),
            kind=input.kind,
            subject=input.subject,
            body=input.body,
            customer_id=(
                decode_id(input.customer_id, "Customer", field=("customerId",))
                if input.customer_id is not None
                else None
            ),
            order_id=(
                decode_id(input.order_id, "Order", field=("orderId",))
                if input.order_id is not None
                else None
            ),
            lines=[OrderLineRef(line.sku, line.quantity) for line in input.lines],
            priority=input.priority,
        )
        ticket = await create_ticket(services.uow(), services.clock, command)
        return TicketCreatePayload(ticket=_shown(info, ticket))

    @mutation(
        description=(
            "Move a ticket in the workflow (SUPPORT, ADMIN). A transition the workflow does "
            "not allow is refused with INVALID_TRANSITION naming the allowed ones (so of "
            "two agents moving an OPEN ticket to IN_PROGRESS at once, without "
            "expectedVersion, one moves it and the other gets INVALID_TRANSITION); "
            "resolving a REFUND ticket with lines records the refund on the order."
        ),
        permission_classes=[Agents],
    )
    async def ticket_transition(
        self, info: strawberry.Info, input: TicketTransitionInput
    ) -> TicketPayload:
        services = info.context.services
        command = TransitionTicket(
            actor=viewer_of(info),
            ticket_id=decode_id(input.id, "Ticket", field=("id",)),
            to=input.status,
            expected_version=input.expected_version,
            refund_amount=input.refund_amount.to_value() if input.refund_amount else None,
        )
        ticket = await transition_ticket(services.uow, services.clock, command)
        return TicketPayload(ticket=_shown(info, ticket))

    @mutation(
        description="Assign a ticket to an agent, or unassign it (SUPPORT, ADMIN).",
        permission_classes=[Agents],
    )
    async def ticket_assign(self, info: strawberry.Info, input: TicketAssignInput) -> TicketPayload:
        services = info.context.services
        command = AssignTicket(
            actor=viewer_of(info),
            ticket_id=decode_id(input.id, "Ticket", field=("id",)),
            assignee_id=(
                decode_id(input.assignee_id, "ApiKey", field=("assigneeId",))
                if input.assignee_id is not None
                else None
            ),
            expected_version=input.expected_version,
        )
        ticket = await assign_ticket(services.uow, services.clock, command)
        return TicketPayload(ticket=_shown(info, ticket))

    @mutation(
        description=(
            "Reply to a ticket, or add an internal note (staff only). An agent's public "
            "reply meets the response targets; a customer's reply reopens a waiting or "
            "recently resolved ticket. Messages are append-only: replies written at the "
            "same time all land (unless expectedVersion is passed)."
        ),
        permission_classes=[TicketUsers],
    )
    async def ticket_reply(
        self, info: strawberry.Info, input: TicketReplyInput
    ) -> TicketReplyPayload:
        services = info.context.services
        viewer = viewer_of(info)
        ticket_id = decode_id(input.id, "Ticket", field=("id",))
        command = ReplyToTicket(
            actor=viewer,
            ticket_id=ticket_id,
            body=input.body,
            is_note=input.is_note,
            expected_version=input.expected_version,
        )
        message = await reply_to_ticket(services.uow, services.clock, command)
        # The use case returns the message; the ticket is read back as committed.
        async with services.read() as conn:
            view = (await tickets_by_id(conn, [ticket_id]))[ticket_id]
        return TicketReplyPayload(
            ticket=Ticket.from_view(view, viewer, services.clock.now()),
            message=TicketMessage.from_view(message_view_of(ticket_id, message), viewer),
        )

    @mutation(
        description="Rate a resolved ticket 1 to 5, once (the ticket's customer token).",
        permission_classes=[TicketCustomer],
    )
    async def ticket_rate(self, info: strawberry.Info, input: TicketRateInput) -> TicketPayload:
        services = info.context.services
        command = RateTicket(
            actor=viewer_of(info),
            ticket_id=decode_id(input.id, "Ticket", field=("id",)),
            rating=input.rating,
        )
        ticket = await rate_ticket(services.uow, services.clock, command)
        return TicketPayload(ticket=_shown(info, ticket))

    @mutation(
        description=(
            "Override a ticket's priority (SUPPORT, ADMIN); its SLA due times are "
            "recomputed from when each clock started."
        ),
        permission_classes=[Agents],
    )
    async def ticket_reprioritize(
        self, info: strawberry.Info, input: TicketReprioritizeInput
    ) -> TicketPayload:
        services = info.context.services
        command = ReprioritizeTicket(
            actor=viewer_of(info),
            ticket_id=decode_id(input.id, "Ticket", field=("id",)),
            priority=input.priority,
            expected_version=input.expected_version,
        )
        ticket = await reprioritize_ticket(services.uow, services.clock, command)
        return TicketPayload(ticket=_shown(info, ticket))

    @mutation(
        description=(
            "Grant the ticket's customer goodwill points (SUPPORT, ADMIN), credited to their "
            "points ledger in the same transaction and noted on the ticket. Like every "
            "points change it needs an idempotency key (idempotencyKey or the "
            "Idempotency-Key header): without one it is refused at idempotencyKey."
        ),
        permission_classes=[Agents],
    )
    async def ticket_goodwill_grant(
        self, info: strawberry.Info, input: TicketGoodwillGrantInput
    ) -> TicketPayload:
        services = info.context.services
        ticket_id = decode_id(input.id, "Ticket", field=("id",))
        command = GrantGoodwillPoints(
            actor=viewer_of(info),
            ticket_id=ticket_id,
            points=input.points,
            reason=input.reason,
            # Required, as for every points change; the ledger keeps it (per caller).
            idempotency_key=ledger_key(info, input.idempotency_key),
        )
        ticket = await grant_goodwill_points(services.uow, services.clock, command)
        return TicketPayload(ticket=_shown(info, ticket))
