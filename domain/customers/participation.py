"""The customers context's own merge participants: identities and consents."""

from __future__ import annotations

from uuid import UUID

from domain.customers.consent import ConsentChannel, ConsentEntry
from domain.customers.merge import MergePreviewPart, Moved
from domain.customers.participants import Participants
from domain.customers.repository import CustomersUnitOfWork


class IdentitiesParticipant:
    """Moves the loser's identities to the winner (and back on undo)."""

    name = "identities"

    async def preview(
        self, uow: CustomersUnitOfWork, loser_id: UUID, winner_id: UUID
    ) -> MergePreviewPart:
        loser = await uow.customers.get(loser_id)
        count = len(loser.identities) if loser is not None else 0
        return MergePreviewPart(participant=self.name, moves={"identities": count})

    async def apply(self, uow: CustomersUnitOfWork, loser_id: UUID, winner_id: UUID) -> Moved:
        return {"identities": await _move(uow, loser_id, winner_id, None)}

    async def undo(
        self, uow: CustomersUnitOfWork, loser_id: UUID, winner_id: UUID, moved: Moved
    ) -> None:
        await _move(uow, winner_id, loser_id, set(moved.get("identities", ())))


async def _move(
    uow: CustomersUnitOfWork, from_id: UUID, to_id: UUID, ids: set[UUID] | None
) -> tuple[UUID, ...]:
    source = await uow.customers.get_for_update(from_id)
    target = await uow.customers.get_for_update(to_id)
    if source is None or target is None:
        raise RuntimeError(f"customers {from_id} and {to_id} must exist to move identities")
    released = source.release_identities(ids)
    # Save the releasing side first: identity rows are unique on (channel, external_id).
    await uow.customers.save(source)
    target.adopt_identities(released)
    await uow.customers.save(target)
    return tuple(identity.id for identity in released)


class ConsentsParticipant:
    """Moves the loser's consent entries to the winner: the latest change of the person,
    on either record, becomes the winner's current consent."""

    name = "consents"

    async def preview(
        self, uow: CustomersUnitOfWork, loser_id: UUID, winner_id: UUID
    ) -> MergePreviewPart:
        count = await uow.consents.count_for_customer(loser_id)
        return MergePreviewPart(participant=self.name, moves={"consents": count})

    async def apply(self, uow: CustomersUnitOfWork, loser_id: UUID, winner_id: UUID) -> Moved:
        before = (await uow.consents.get_log(winner_id)).snapshot()
        moved = await uow.consents.reassign_all(loser_id, winner_id)
        await _note_changes(uow, winner_id, before)
        return {"consents": tuple(moved)}

    async def undo(
        self, uow: CustomersUnitOfWork, loser_id: UUID, winner_id: UUID, moved: Moved
    ) -> None:
        winner_before = (await uow.consents.get_log(winner_id)).snapshot()
        loser_before = (await uow.consents.get_log(loser_id)).snapshot()
        await uow.consents.reassign(list(moved.get("consents", ())), winner_id, loser_id)
        await _note_changes(uow, winner_id, winner_before)
        await _note_changes(uow, loser_id, loser_before)


async def _note_changes(
    uow: CustomersUnitOfWork, customer_id: UUID, before: dict[ConsentChannel, ConsentEntry | None]
) -> None:
    log = await uow.consents.get_log(customer_id)
    log.note_changes_since(before)
    for event in log.pull_events():
        uow.emit(event)


def register_participants(participants: Participants) -> None:
    """Register the identities and consents participants of merges."""
    participants.add_merge_participant(IdentitiesParticipant())
    participants.add_merge_participant(ConsentsParticipant())
