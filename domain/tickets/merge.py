"""Tickets' part in customer merges: the loser's tickets move to the winner."""

from __future__ import annotations

from uuid import UUID

from domain.customers.merge import MergePreviewPart, Moved
from domain.customers.participants import Participants
from domain.tickets.repository import TicketsUnitOfWork


class TicketsMergeParticipant:
    """Moves every ticket (with its messages) of the loser to the winner, and back on undo.

    Nothing blocks a merge: open tickets simply continue under the winner.
    """

    name = "tickets"

    async def preview(
        self, uow: TicketsUnitOfWork, loser_id: UUID, winner_id: UUID
    ) -> MergePreviewPart:
        ids = await uow.tickets.ticket_ids_of_customer(loser_id)
        return MergePreviewPart(participant=self.name, moves={"tickets": len(ids)})

    async def apply(self, uow: TicketsUnitOfWork, loser_id: UUID, winner_id: UUID) -> Moved:
        ids = await uow.tickets.ticket_ids_of_customer(loser_id)
        if ids:
            await uow.tickets.move_to_customer(ids, winner_id)
        return {"tickets": tuple(ids)}

    async def undo(
        self, uow: TicketsUnitOfWork, loser_id: UUID, winner_id: UUID, moved: Moved
    ) -> None:
        still_with_winner = set(await uow.tickets.ticket_ids_of_customer(winner_id))
        back = [
            ticket_id for ticket_id in moved.get("tickets", ()) if ticket_id in still_with_winner
        ]
        if back:
            await uow.tickets.move_to_customer(back, loser_id)


def register_participants(participants: Participants) -> None:
    """Register the tickets merge participant."""
    participants.add_merge_participant(TicketsMergeParticipant())
