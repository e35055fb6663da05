"""Live updates of tickets, fed by the committed ticket events of every process."""

from __future__ import annotations

from collections.abc import AsyncGenerator, Callable
from datetime import datetime
from enum import Enum
from typing import Annotated, Any
from uuid import UUID

import strawberry
from strawberry import relay

from api.relay import decode_id_or_bad_request, encode_id
from api.subscriptions import listen
from api.tickets.actors import TicketUsers, viewer_of
from api.tickets.loaders import (
    MessageByIdLoader,
)
from api.tickets.types import Ticket, TicketMessage
from domain.tickets.events import (
    TicketAssigned,
    TicketCreated,
    TicketPriorityChanged,
    TicketRated,
    TicketReplied,
    TicketSlaBreached,
    TicketTransitioned,
)
from domain.tickets.sla import SlaTarget
from domain.tickets.values import Actor, TicketStatus
from persistence.queries.tickets import tickets_by_id


@strawberry.enum(description="What happened to a ticket.")
class TicketUpdateKind(Enum):
    CREATED = "CREATED"
    TRANSITIONED = "TRANSITIONED"
    REPLIED = "REPLIED"
    ASSIGNED = "ASSIGNED"
    PRIORITY_CHANGED = "PRIORITY_CHANGED"
    SLA_BREACHED = "SLA_BREACHED"
    RATED = "RATED"


_KINDS = {
    TicketCreated.name: TicketUpdateKind.CREATED,
    TicketTransitioned.name: TicketUpdateKind.TRANSITIONED,
    TicketReplied.name: TicketUpdateKind.REPLIED,
    TicketAssigned.name: TicketUpdateKind.ASSIGNED,
    TicketPriorityChanged.name: TicketUpdateKind.PRIORITY_CHANGED,
    TicketSlaBreached.name: TicketUpdateKind.SLA_BREACHED,
    TicketRated.name: TicketUpdateKind.RATED,
}
# What a customer hears about its own tickets: not the internal handling.
_CUSTOMER_KINDS = {
    TicketUpdateKind.CREATED,
    TicketUpdateKind.TRANSITIONED,
    TicketUpdateKind.REPLIED,
    TicketUpdateKind.RATED,
}


@strawberry.type(description="A change to a ticket, delivered after it was committed.")
class TicketUpdate:
    kind: TicketUpdateKind = strawberry.field(description="What happened.")
    ticket_id: relay.GlobalID = strawberry.field(description="The ticket's id.")
    occurred_at: datetime = strawberry.field(description="When it happened.")
    ticket: Ticket | None = strawberry.field(
        description="The ticket as it is when the update is delivered."
    )
    from_status: TicketStatus | None = strawberry.field(
        description="TRANSITIONED: the status it left."
    )
    to_status: TicketStatus | None = strawberry.field(
        description="TRANSITIONED: the status it entered."
    )
    breached_target: SlaTarget | None = strawberry.field(
        description="SLA_BREACHED: the target that was missed."
    )
    message_id: strawberry.Private[UUID | None]
    viewer: strawberry.Private[Actor]

    @strawberry.field(description="REPLIED: the message written (notes only reach staff).")
    async def message(self, info: strawberry.Info) -> TicketMessage | None:
        if self.message_id is None:
            return None
        found = await info.context.loader(MessageByIdLoader).load(self.message_id)
        return TicketMessage.from_view(found, self.viewer) if found is not None else None


def update_filter(
    viewer: Actor, ticket_id: UUID | None, assignee_id: UUID | None
) -> Callable[[dict[str, Any]], bool]:
    """Which event payloads a subscriber receives."""

    def accept(payload: dict[str, Any]) -> bool:
        if ticket_id is not None and payload["ticket_id"] != str(ticket_id):
            return False
        if viewer.is_customer:
            # Only its own tickets, never notes, and not the internal handling.
            return (
                payload["customer_id"] == str(viewer.id)
                and _KINDS[payload["event"]] in _CUSTOMER_KINDS
                and not payload.get("is_note", False)
            )
        if assignee_id is not None:
            wanted = str(assignee_id)
            return wanted in (payload.get("assignee_id"), payload.get("previous_assignee_id"))
        return True

    return accept


@strawberry.type
class TicketsSubscription:
    @strawberry.subscription(
        description=(
            "Tickets being created, transitioned, replied to, assigned, reprioritised, "
            "breaching their SLA or rated, from any process. SUPPORT and ADMIN may filter by "
            "ticket or by assignee (an update of a ticket assigned to or away from the agent); "
            "a customer token receives only its own tickets' creation, transitions, public "
            "replies and ratings (the `assignee` filter is ignored for it)."
        ),
        permission_classes=[TicketUsers],
    )
    async def ticket_updated(
        self,
        info: strawberry.Info,
        ticket_id: Annotated[
            relay.GlobalID | None, strawberry.argument(description="Only updates of this ticket.")
        ] = None,
        assignee: Annotated[
            relay.GlobalID | None,
            strawberry.argument(
                description="Only tickets assigned to (or away from) this agent (an ApiKey id)."
            ),
        ] = None,
    ) -> AsyncGenerator[TicketUpdate, None]:
        viewer = viewer_of(info)
        wanted_ticket = decode_id_or_bad_request(ticket_id, "Ticket") if ticket_id else None
        wanted_assignee = decode_id_or_bad_request(assignee, "ApiKey") if assignee else None
        services = info.context.services
        accept = update_filter(viewer, wanted_ticket, wanted_assignee)
        async for event in listen(info, *_KINDS, accept=accept):
            updated = UUID(event["ticket_id"])
            async with services.read() as conn:
                view = (await tickets_by_id(conn, [updated])).get(updated)
            yield TicketUpdate(
                kind=_KINDS[event["event"]],
                ticket_id=encode_id("Ticket", updated),
                occurred_at=datetime.fromisoformat(event["occurred_at"]),
                ticket=Ticket.from_view(view, viewer, services.clock.now()) if view else None,
                from_status=_status(event.get("from_status")),
                to_status=_status(event.get("to_status")),
                breached_target=SlaTarget(event["target"]) if "target" in event else None,
                message_id=UUID(event["message_id"]) if "message_id" in event else None,
                viewer=viewer,
            )


def _status(value: str | None) -> TicketStatus | None:
    return TicketStatus(value) if value is not None else None
