"""Loyalty's part in a privacy export (`domain.customers.participants`): the membership
with its tier history, the points balance, every ledger entry and every lot."""

from __future__ import annotations

from uuid import UUID

from domain.customers.json_values import JsonValue
from domain.customers.participants import Participants
from domain.loyalty.entries import LedgerEntry, Lot
from domain.loyalty.membership import TierChange
from domain.loyalty.repository import LoyaltyExportUnitOfWork


class LoyaltyExporter:
    """Exports what the programme holds about the customer."""

    name = "loyalty"

    async def export(self, uow: LoyaltyExportUnitOfWork, customer_id: UUID) -> JsonValue:
        membership = await uow.memberships.get(customer_id)
        account = await uow.points.get(customer_id)
        return {
            "membership": None
            if membership is None
            else {
                "tierCode": membership.tier_code,
                "tierSince": membership.tier_since.isoformat(),
                "holdUntil": membership.hold_until.isoformat() if membership.hold_until else None,
            },
            "tierHistory": [
                tier_change_json(change)
                for change in await uow.memberships.tier_history(customer_id)
            ],
            "points": None
            if account is None
            else {"balance": account.balance, "lifetimeEarned": account.lifetime_earned},
            "ledger": [entry_json(entry) for entry in await uow.points.entries_of(customer_id)],
            "lots": [lot_json(lot) for lot in await uow.points.all_lots_of(customer_id)],
        }


def tier_change_json(change: TierChange) -> dict[str, JsonValue]:
    return {
        "fromCode": change.from_code,
        "toCode": change.to_code,
        "reason": change.reason.value,
        "at": change.at.isoformat(),
    }


def entry_json(entry: LedgerEntry) -> dict[str, JsonValue]:
    return {
        "id": str(entry.id),
        "kind": entry.kind.value,
        "points": entry.points,
        "balanceAfter": entry.balance_after,
        "reason": entry.reason,
        "actor": entry.actor,
        "source": None
        if entry.source is None
        else {"kind": entry.source.kind.value, "id": entry.source.id},
        "idempotencyKey": entry.idempotency_key,
        "createdAt": entry.created_at.isoformat(),
        "shortfall": entry.shortfall,
        "lotId": str(entry.lot_id) if entry.lot_id else None,
        "allocations": [
            {"lotId": str(allocation.lot_id), "points": allocation.points}
            for allocation in entry.allocations
        ],
    }


def lot_json(lot: Lot) -> dict[str, JsonValue]:
    return {
        "id": str(lot.id),
        "entryId": str(lot.entry_id),
        "points": lot.points,
        "remaining": lot.remaining,
        "earnedAt": lot.earned_at.isoformat(),
        "expiresAt": lot.expires_at.isoformat(),
    }


def register_exporter(participants: Participants) -> None:
    """Register the loyalty exporter."""
    participants.add_exporter(LoyaltyExporter())
