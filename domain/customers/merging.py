"""Use cases: merge two customers (with a dry run) and undo a merge."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from domain.customers.commands import MergeCustomers, UnmergeCustomers
from domain.customers.errors import MergeBlocked, UnknownCustomer, UnknownMerge
from domain.customers.merge import Merge, MergePreview
from domain.customers.model import Customer
from domain.customers.participants import Participants
from domain.customers.repository import CustomerRepository, CustomersUnitOfWork
from domain.ids import new_id
from domain.ports import Clock


@dataclass(frozen=True, kw_only=True)
class MergeOutcome:
    """The preview, and the merge record unless it was a dry run."""

    preview: MergePreview
    merge: Merge | None


async def merge_customers(
    uow: CustomersUnitOfWork, clock: Clock, participants: Participants, command: MergeCustomers
) -> MergeOutcome:
    """Merge `loser_id` into `winner_id`: every participant moves its records; the loser
    becomes a pointer to the winner. A dry run only previews (nothing is written).

    Refused: MergeIntoItself, CustomerAlreadyMerged and CustomerIsErased (either side,
    also in a dry run); MergeBlocked when a participant reports blockers.
    """
    async with uow:
        lock = not command.dry_run
        loser = await _customer(uow.customers, command.loser_id, "loserId", lock=lock)
        winner = await _customer(uow.customers, command.winner_id, "winnerId", lock=lock)
        loser.ensure_can_merge_into(winner)
        parts = [
            await participant.preview(uow, loser.id, winner.id)
            for participant in participants.merge_participants()
        ]
        preview = MergePreview(loser_id=loser.id, winner_id=winner.id, parts=tuple(parts))
        if command.dry_run:
            return MergeOutcome(preview=preview, merge=None)
        if preview.blockers:
            raise MergeBlocked(preview.blockers)
        now = clock.now()
        merge = Merge(
            id=new_id(), loser_id=loser.id, winner_id=winner.id, actor=command.actor, created_at=now
        )
        loser.merge_into(winner, merge_id=merge.id, now=now)
        # Saved before the participants run: they load (and save) customers themselves.
        await uow.customers.save(loser)
        _emit(uow, loser)
        for participant in participants.merge_participants():
            merge.moved[participant.name] = await participant.apply(uow, loser.id, winner.id)
        await uow.merges.add(merge)
        await uow.audit.record(
            actor=command.actor,
            action="customer.merge",
            target=str(winner.id),
            details={
                "mergeId": str(merge.id),
                "loserId": str(loser.id),
                "moved": {kind: count for kind, count in preview.moves.items()},
            },
        )
        await uow.commit()
    return MergeOutcome(preview=preview, merge=merge)


async def unmerge_customers(
    uow: CustomersUnitOfWork, clock: Clock, participants: Participants, command: UnmergeCustomers
) -> Merge:
    """Undo a merge: the loser stands alone again and gets back the records that moved.

    Refused (see `Merge.undo`): MergeAlreadyUndone, CustomerIsErased, MergeSuperseded.
    Records that moved to the winner and were created later stay with the winner.
    """
    async with uow:
        merge = await uow.merges.get_for_update(command.merge_id)
        if merge is None:
            raise UnknownMerge(f"no merge with id {command.merge_id}", field=("mergeId",))
        loser = await _customer(uow.customers, merge.loser_id, "mergeId", lock=True)
        winner = await _customer(uow.customers, merge.winner_id, "mergeId", lock=True)
        now = clock.now()
        merge.undo(
            loser=loser, winner=winner, later=await uow.merges.later_involving(merge), now=now
        )
        loser.unmerge(merge_id=merge.id, now=now)
        await uow.customers.save(loser)
        _emit(uow, loser)
        for participant in reversed(list(participants.merge_participants())):
            await participant.undo(uow, loser.id, winner.id, merge.moved.get(participant.name, {}))
        await uow.merges.save(merge)
        await uow.audit.record(
            actor=command.actor,
            action="customer.unmerge",
            target=str(loser.id),
            details={"mergeId": str(merge.id), "winnerId": str(winner.id)},
        )
        await uow.commit()
    return merge


async def _customer(
    customers: CustomerRepository, customer_id: UUID, field: str, *, lock: bool
) -> Customer:
    # Merge takes ids as they are: a merged loser is refused, not resolved to its winner.
    customer = await (customers.get_for_update if lock else customers.get)(customer_id)
    if customer is None:
        raise UnknownCustomer(f"no customer with id {customer_id}", field=(field,))
    return customer


def _emit(uow: CustomersUnitOfWork, customer: Customer) -> None:
    for event in customer.pull_events():
        uow.emit(event)
