"""The activity context's part in merges, exports and erasures."""

from __future__ import annotations

from uuid import UUID

from domain.activity.model import ActivityEvent
from domain.activity.repository import ActivityUnitOfWork
from domain.bus import EventHandlers
from domain.customers.events import CustomerErased
from domain.customers.json_values import JsonValue
from domain.customers.merge import MergePreviewPart, Moved
from domain.customers.participants import Participants


class ActivityParticipant:
    """Moves the loser's behaviour events to the winner."""

    name = "activity"

    async def preview(
        self, uow: ActivityUnitOfWork, loser_id: UUID, winner_id: UUID
    ) -> MergePreviewPart:
        count = await uow.activity.count_for_customer(loser_id)
        return MergePreviewPart(participant=self.name, moves={"events": count})

    async def apply(self, uow: ActivityUnitOfWork, loser_id: UUID, winner_id: UUID) -> Moved:
        return {"events": tuple(await uow.activity.reassign_all(loser_id, winner_id))}

    async def undo(
        self, uow: ActivityUnitOfWork, loser_id: UUID, winner_id: UUID, moved: Moved
    ) -> None:
        await uow.activity.reassign(list(moved.get("events", ())), winner_id, loser_id)


class ActivityExporter:
    """Exports the customer's behaviour events."""

    name = "events"

    async def export(self, uow: ActivityUnitOfWork, customer_id: UUID) -> JsonValue:
        return [event_json(event) for event in await uow.activity.for_customer(customer_id)]


def event_json(event: ActivityEvent) -> dict[str, JsonValue]:
    return {
        "id": str(event.id),
        "kind": event.kind.value,
        "occurredAt": event.occurred_at.isoformat(),
        "url": event.url,
        "sku": event.sku,
        "quantity": event.quantity,
        "rating": event.rating,
        "orderId": str(event.order_id) if event.order_id else None,
        "name": event.name,
        "properties": dict(event.properties),
    }


async def anonymise_events_of_erased_customer(
    event: CustomerErased, uow: ActivityUnitOfWork
) -> None:
    """An erased customer's events keep what reports need (kind, time, sku, rating) and
    lose what could identify the person (urls, free properties)."""
    await uow.activity.anonymise_for_customer(event.customer_id)


def register_participants(participants: Participants) -> None:
    """Register the activity merge participant and exporter."""
    participants.add_merge_participant(ActivityParticipant())
    participants.add_exporter(ActivityExporter())


def register_handlers(handlers: EventHandlers) -> None:
    """In-transaction reactions of the activity context: anonymise on CustomerErased."""
    handlers.on(CustomerErased, anonymise_events_of_erased_customer)
