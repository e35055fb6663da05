"""GraphQL types of the tickets context: Ticket, TicketMessage, their SLA and lines.

A ticket is shown to its viewer: a customer token never sees internal notes, the
assignee, or which agent wrote a reply; staff see everything.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any

import strawberry
from strawberry import relay

from api.nodes import visible_ids
from api.relay import PAGE_ARGS_DOC, Connection, connection, encode_id, page_request
from api.tickets.actors import TICKET_ROLES, viewer_of
from api.tickets.conversation import customer_page_request, with_customer_cursors
from api.tickets.loaders import (
    LastMessageByTicketLoader,
    LastPublicMessageByTicketLoader,
    MessageByIdLoader,
    MessageCountByTicketLoader,
    MessagePagesByTicketLoader,
    TicketByIdLoader,
)
from domain.errors import InvalidTransition
from domain.tickets.priority import Priority
from domain.tickets.sla import SlaTarget
from domain.tickets.values import Actor, ActorKind, TicketKind, TicketStatus
from domain.tickets.workflow import ALLOWED_TRANSITIONS, check_transition
from persistence.queries.tickets import MessageView, TicketView, message_view

if TYPE_CHECKING:
    from api.customers.types import Customer
    from api.orders.types import Order

TicketKindEnum = strawberry.enum(
    TicketKind,
    name="TicketKind",
    description=(
        "What the customer needs: INQUIRY (pre-sale), ORDER_ISSUE (logistics, tracking), "
        "RETURN, EXCHANGE, REFUND (after-sales, about an order's lines), COMPLAINT, and "
        "REVIEW (follow-up of a negative review: opened automatically for a review rated "
        "2 or less, or by an agent; a customer token cannot open one)."
    ),
)
TicketStatusEnum = strawberry.enum(
    TicketStatus,
    name="TicketStatus",
    description=(
        "Workflow: OPEN -> IN_PROGRESS -> WAITING_ON_CUSTOMER -> RESOLVED -> CLOSED; "
        "OPEN and WAITING_ON_CUSTOMER may be resolved directly, a RESOLVED ticket can be "
        "reopened (back to IN_PROGRESS) within 14 days, CLOSED is final. SLA clocks run "
        "only while OPEN or IN_PROGRESS."
    ),
)
TicketPriorityEnum = strawberry.enum(
    Priority,
    name="TicketPriority",
    description="How soon a ticket must be served; the queue serves URGENT first, LOW last.",
)
SlaTargetEnum = strawberry.enum(
    SlaTarget,
    name="SlaTarget",
    description=(
        "A service-level target: FIRST_RESPONSE (an agent's first public reply), "
        "NEXT_RESPONSE (an answer to the customer's latest message), RESOLUTION."
    ),
)
TicketAuthorKindEnum = strawberry.enum(
    ActorKind,
    name="TicketAuthorKind",
    description="Who wrote a message: an AGENT, the CUSTOMER, or the SYSTEM (automations).",
)


@strawberry.type(
    description="A line of the ticket's order that a return, exchange or refund is about."
)
class TicketLine:
    sku: str = strawberry.field(description="The SKU of the order line.")
    quantity: int = strawberry.field(description="How many units the request is about.")


@strawberry.type(description="One SLA target of a ticket and its clock.")
class SlaClock:
    target: SlaTarget = strawberry.field(description="Which target.")
    due_at: datetime = strawberry.field(
        description="When the target is due, counted in business hours and shifted by pauses."
    )
    met_at: datetime | None = strawberry.field(description="When it was met; null while running.")
    breached: bool = strawberry.field(description="Whether it was missed and flagged.")


@strawberry.type(
    description=(
        "Service-level due times of a ticket, counted in the store's business hours and "
        "paused while the ticket waits on the customer."
    )
)
class TicketSla:
    first_response_due_at: datetime | None = strawberry.field(
        description="When the first public reply by an agent is (or was) due."
    )
    next_response_due_at: datetime | None = strawberry.field(
        description=(
            "When an answer to the customer's latest message is due; null if none is owed yet."
        )
    )
    resolution_due_at: datetime | None = strawberry.field(
        description="When the ticket is (or was) due to be resolved."
    )
    next_due_at: datetime | None = strawberry.field(
        description=(
            "The earliest due time of a running target (the queue's order); null when "
            "nothing is owed."
        )
    )
    paused: bool = strawberry.field(
        description="Whether the clocks are paused (waiting on the customer, resolved or closed)."
    )
    breached: bool = strawberry.field(description="Whether any target was missed.")
    breached_targets: list[SlaTarget] = strawberry.field(description="The missed targets.")
    clocks: list[SlaClock] = strawberry.field(description="Every target started so far.")

    @classmethod
    def from_view(cls, view: TicketView) -> TicketSla:
        clocks = view.clocks

        def due(target: SlaTarget) -> datetime | None:
            clock = clocks.get(target)
            return clock.due_at if clock else None

        breached = [target for target, clock in clocks.items() if clock.breach_flagged]
        return cls(
            first_response_due_at=due(SlaTarget.FIRST_RESPONSE),
            next_response_due_at=due(SlaTarget.NEXT_RESPONSE),
            resolution_due_at=due(SlaTarget.RESOLUTION),
            next_due_at=view.next_due_at,
            paused=view.paused,
            breached=bool(breached),
            breached_targets=breached,
            clocks=[
                SlaClock(
                    target=clock.target,
                    due_at=clock.due_at,
                    met_at=clock.met_at,
                    breached=clock.breach_flagged,
                )
                for clock in clocks.values()
            ],
        )


def _author_id(view: MessageView, viewer: Actor) -> relay.GlobalID | None:
    if view.author_id is None:
        return None
    if view.author_kind is ActorKind.CUSTOMER:
        return encode_id("Customer", view.author_id)
    if view.author_kind is ActorKind.AGENT and viewer.is_staff:
        return encode_id("ApiKey", view.author_id)
    return None


SEQ_DOC = (
    "Position in the ticket's conversation, internal notes included: 1, 2, 3... Staff only: "
    "null for customer tokens, whose conversation (oldest first, without notes) would "
    "otherwise show gaps where notes sit."
)


@strawberry.type(description="A public reply or an internal note on a ticket (append-only).")
class TicketMessage(relay.Node):
    id: relay.NodeID[str]
    ticket_id: relay.GlobalID = strawberry.field(description="The ticket it belongs to.")
    seq: int | None = strawberry.field(description=SEQ_DOC)
    author_kind: ActorKind = strawberry.field(description="Who wrote it.")
    author_id: relay.GlobalID | None = strawberry.field(
        description=(
            "The author: a Customer id, or the agent's ApiKey id (shown to staff only); "
            "null for the system."
        )
    )
    body: str = strawberry.field(description="The text.")
    is_note: bool = strawberry.field(
        description="An internal note: visible to staff only, never to the customer."
    )
    created_at: datetime = strawberry.field(description="When it was written.")

    @classmethod
    def from_view(cls, view: MessageView, viewer: Actor) -> TicketMessage:
        return cls(
            id=str(view.id),
            ticket_id=encode_id("Ticket", view.ticket_id),
            seq=view.seq if viewer.is_staff else None,
            author_kind=view.author_kind,
            author_id=_author_id(view, viewer),
            body=view.body,
            is_note=view.is_note,
            created_at=view.created_at,
        )

    @classmethod
    async def resolve_nodes(
        cls, *, info: strawberry.Info, node_ids: Iterable[str], required: bool = False
    ) -> list[Any]:
        ids = visible_ids(info, node_ids, roles=set(TICKET_ROLES))
        viewer = viewer_of(info)
        messages = await info.context.loader(MessageByIdLoader).load_many(ids)
        owners = await info.context.loader(TicketByIdLoader).load_many(
            [m.ticket_id if m is not None else None for m in messages]
        )
        return [
            cls.from_view(message, viewer)
            if message is not None and ticket is not None and may_read(viewer, ticket, message)
            else None
            for message, ticket in zip(messages, owners, strict=True)
        ]


def may_read(viewer: Actor, ticket: TicketView, message: MessageView | None = None) -> bool:
    """Staff read every ticket; a customer only their own, and never its notes."""
    if viewer.is_staff:
        return True
    return ticket.customer_id == viewer.id and (message is None or not message.is_note)


def _allowed_transitions(view: TicketView, viewer: Actor, now: datetime) -> list[TicketStatus]:
    if not viewer.is_staff:
        return []
    allowed = []
    for target in ALLOWED_TRANSITIONS[view.status]:
        try:
            check_transition(view.status, target, resolved_at=view.resolved_at, now=now)
        except InvalidTransition:
            continue
        allowed.append(target)
    return allowed


@strawberry.type(
    description=(
        "A customer's support or after-sales case. Customers see and open their own "
        "tickets (without internal notes); SUPPORT and ADMIN work the queue."
    )
)
class Ticket(relay.Node):
    id: relay.NodeID[str]
    number: int = strawberry.field(description="Human-friendly number (#1042), unique.")
    kind: TicketKind = strawberry.field(description="What the customer needs.")
    subject: str = strawberry.field(description="One line summary, at most 200 characters.")
    status: TicketStatus = strawberry.field(description="Where the ticket stands.")
    priority: Priority = strawberry.field(
        description="Defaulted from the customer's value (tier), or set by an agent."
    )
    customer_id: relay.GlobalID = strawberry.field(description="The customer's id (a Customer).")
    order_id: relay.GlobalID | None = strawberry.field(
        description="The order it is about (an Order), if any."
    )
    lines: list[TicketLine] = strawberry.field(
        description="The order lines a RETURN, EXCHANGE or REFUND is about."
    )
    assignee_id: relay.GlobalID | None = strawberry.field(
        description="The agent's ApiKey id; null when unassigned (always null for customer tokens)."
    )
    sla: TicketSla = strawberry.field(description="Service-level due times and breaches.")
    rating: int | None = strawberry.field(
        description="The customer's satisfaction (1-5), once rated."
    )
    rated_at: datetime | None = strawberry.field(description="When it was rated.")
    created_at: datetime = strawberry.field(description="When it was opened.")
    updated_at: datetime = strawberry.field(description="When it last changed.")
    first_responded_at: datetime | None = strawberry.field(
        description="When an agent first replied publicly."
    )
    resolved_at: datetime | None = strawberry.field(
        description="When it was resolved; null while unresolved or after a reopen."
    )
    closed_at: datetime | None = strawberry.field(description="When it was closed.")
    allowed_transitions: list[TicketStatus] = strawberry.field(
        description=(
            "The statuses ticketTransition accepts now (a reopen only within 14 days of "
            "the resolution); empty for customer tokens."
        )
    )
    version: int = strawberry.field(
        description="Changes with every update; pass it as `expectedVersion` to refuse stale edits."
    )
    view: strawberry.Private[TicketView]
    viewer: strawberry.Private[Actor]

    @strawberry.field(description="The customer the ticket is for.")
    async def customer(
        self, info: strawberry.Info
    ) -> Annotated[Customer, strawberry.lazy("api.customers.types")] | None:
        from api.customers.loaders import CustomerByIdLoader
        from api.customers.types import Customer

        found = await info.context.loader(CustomerByIdLoader).load(self.view.customer_id)
        currency = info.context.services.settings.base_currency
        return Customer.from_view(found, currency) if found is not None else None

    @strawberry.field(description="The order the ticket is about, if any.")
    async def order(
        self, info: strawberry.Info
    ) -> Annotated[Order, strawberry.lazy("api.orders.types")] | None:
        from api.orders.loaders import OrderByIdLoader
        from api.orders.types import Order

        if self.view.order_id is None:
            return None
        found = await info.context.loader(OrderByIdLoader).load(self.view.order_id)
        currency = info.context.services.settings.base_currency
        return Order.from_view(found, currency) if found is not None else None

    @classmethod
    def from_view(cls, view: TicketView, viewer: Actor, now: datetime) -> Ticket:
        return cls(
            id=str(view.id),
            number=view.number,
            kind=view.kind,
            subject=view.subject,
            status=view.status,
            priority=view.priority,
            customer_id=encode_id("Customer", view.customer_id),
            order_id=encode_id("Order", view.order_id) if view.order_id else None,
            lines=[TicketLine(sku=line.sku, quantity=line.quantity) for line in view.lines],
            assignee_id=(
                encode_id("ApiKey", view.assignee_id)
                if view.assignee_id and viewer.is_staff
                else None
            ),
            sla=TicketSla.from_view(view),
            rating=view.rating,
            rated_at=view.rated_at,
            created_at=view.created_at,
            updated_at=view.updated_at,
            first_responded_at=view.first_responded_at,
            resolved_at=view.resolved_at,
            closed_at=view.closed_at,
            allowed_transitions=_allowed_transitions(view, viewer, now),
            version=view.version,
            view=view,
            viewer=viewer,
        )

    @strawberry.field(
        description=(
            "The conversation, oldest first; internal notes only for staff (customer "
            f"tokens are shown neither the notes nor any trace of them). {PAGE_ARGS_DOC}"
        )
    )
    async def messages(
        self,
        info: strawberry.Info,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[TicketMessage]:
        page = page_request(first, after, last, before)
        public_only = not self.viewer.is_staff
        if public_only:  # cursors by message id: positions would reveal notes
            page = await customer_page_request(info, self.view.id, page)
        loader = info.context.loader(MessagePagesByTicketLoader)
        fetched = await loader.load((self.view.id, page, public_only))
        if public_only:
            fetched = with_customer_cursors(fetched)
        count_loader = info.context.loader(MessageCountByTicketLoader)

        async def total() -> int:
            return int(await count_loader.load((self.view.id, public_only)))

        return connection(
            fetched, lambda row: TicketMessage.from_view(message_view(row), self.viewer), total
        )

    @strawberry.field(
        description="The latest message (for customer tokens: the latest public reply)."
    )
    async def last_message(self, info: strawberry.Info) -> TicketMessage | None:
        loader_class = (
            LastMessageByTicketLoader if self.viewer.is_staff else LastPublicMessageByTicketLoader
        )
        found = await info.context.loader(loader_class).load(self.view.id)
        return TicketMessage.from_view(found, self.viewer) if found is not None else None

    @classmethod
    async def resolve_nodes(
        cls, *, info: strawberry.Info, node_ids: Iterable[str], required: bool = False
    ) -> list[Any]:
        ids = visible_ids(info, node_ids, roles=set(TICKET_ROLES))
        viewer = viewer_of(info)
        now = info.context.services.clock.now()
        views = await info.context.loader(TicketByIdLoader).load_many(ids)
        return [
            cls.from_view(view, viewer, now)
            if view is not None and may_read(viewer, view)
            else None
            for view in views
        ]
