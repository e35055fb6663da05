"""Loyalty's part in a customer merge: ledger, lots, balance and tier move to the winner.

Implements `domain.customers.participants.MergeParticipant`. Kinds in `Moved`:
"points_entries" and "points_lots" (ids moved), and "membership_tier" (the id of the
winner's tier before the merge, present only when the merge raised the winner's tier).
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from domain.customers.merge import MergePreviewPart, Moved
from domain.loyalty.ledger import PointsAccount
from domain.loyalty.membership_services import membership_in
from domain.loyalty.points_services import store_in
from domain.loyalty.repository import LoyaltyUnitOfWork
from domain.loyalty.tier_services import load_ladder
from domain.ports import Clock

ENTRIES = "points_entries"
LOTS = "points_lots"
TIER = "membership_tier"


class LoyaltyMergeParticipant:
    """Moves a loser's points and tier standing to the winner, and back on undo."""

    name = "loyalty"

    def __init__(self, clock: Clock) -> None:
        self.clock = clock

    async def preview(self, uow: Any, loser_id: UUID, winner_id: UUID) -> MergePreviewPart:
        """The loser's open lots and points that would move (nothing blocks a merge)."""
        loyalty: LoyaltyUnitOfWork = uow
        account = await loyalty.points.get(loser_id)
        lots = len(account.lots) if account else 0
        return MergePreviewPart(
            participant=self.name,
            moves={LOTS: lots, "points": account.balance if account else 0},
        )

    async def apply(self, uow: Any, loser_id: UUID, winner_id: UUID) -> Moved:
        """Move entries and lots, add the balance, keep the higher of the two tiers."""
        loyalty: LoyaltyUnitOfWork = uow
        now = self.clock.now()
        loser, loser_new, winner, winner_new = await _lock_pair(loyalty, loser_id, winner_id)
        lots = winner.absorb(loser)
        entry_ids = await loyalty.points.move_entries(loser_id, winner_id)
        await store_in(loyalty, loser, is_new=loser_new)
        await store_in(loyalty, winner, is_new=winner_new)
        moved: dict[str, tuple[UUID, ...]] = {
            ENTRIES: tuple(entry_ids),
            LOTS: tuple(lot.id for lot in lots),
        }

        ladder = await load_ladder(loyalty)
        winner_membership = await membership_in(loyalty, ladder, winner_id, now)
        loser_membership = await loyalty.memberships.get(loser_id)
        if loser_membership is not None:
            mine = ladder.get(winner_membership.tier_code)
            theirs = ladder.get(loser_membership.tier_code)
            if theirs.rank > mine.rank:
                winner_membership.assign(ladder, theirs, now, loser_membership.hold_until)
                moved[TIER] = (mine.id,)
                await loyalty.memberships.save(winner_membership)
                for event in winner_membership.take_events():
                    loyalty.emit(event)
        return moved

    async def undo(self, uow: Any, loser_id: UUID, winner_id: UUID, moved: Moved) -> None:
        """Give back the entries and the lots the winner still holds; what the winner used
        meanwhile is recorded, not clawed back. Restore the winner's earlier tier."""
        loyalty: LoyaltyUnitOfWork = uow
        now = self.clock.now()
        loser, loser_new, winner, winner_new = await _lock_pair(loyalty, loser_id, winner_id)
        totals = await loyalty.points.move_entries_back(
            tuple(moved.get(ENTRIES, ())), winner_id, loser_id
        )
        winner.release(
            loser,
            set(moved.get(LOTS, ())),
            entries_points=totals.points,
            entries_earned=totals.earned,
            now=now,
            idempotency_key=f"merge-undo:{loser_id}:{winner_id}:{now.isoformat()}",
        )
        await store_in(loyalty, loser, is_new=loser_new)
        await store_in(loyalty, winner, is_new=winner_new)

        tier_ids = moved.get(TIER, ())
        if tier_ids:
            ladder = await load_ladder(loyalty)
            before = next((t for t in ladder.tiers if t.id == tier_ids[0]), None)
            if before is not None:
                membership = await membership_in(loyalty, ladder, winner_id, now)
                membership.assign(ladder, before, now, membership.hold_until)
                await loyalty.memberships.save(membership)
                for event in membership.take_events():
                    loyalty.emit(event)


async def _lock_pair(
    uow: LoyaltyUnitOfWork, loser_id: UUID, winner_id: UUID
) -> tuple[PointsAccount, bool, PointsAccount, bool]:
    # Lock in id order, so two merges touching the same customers cannot deadlock.
    found: dict[UUID, PointsAccount | None] = {}
    for customer_id in sorted((loser_id, winner_id)):
        found[customer_id] = await uow.points.get_for_update(customer_id)
    loser = found[loser_id]
    winner = found[winner_id]
    return (
        loser or PointsAccount(customer_id=loser_id),
        loser is None,
        winner or PointsAccount(customer_id=winner_id),
        winner is None,
    )
