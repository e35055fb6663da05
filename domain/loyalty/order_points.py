"""Points from orders: earning at base rate x tier multiplier, and reversing in proportion.

The points of an order are its EARN entries with source ORDER:<order id> (the earn itself
and the first-order bonus). Refunds reverse a share of them: after refunds totalling R of
an order total T, floor(earned * R / T) are reversed in all (all of them once fully
refunded), so partial refunds add up exactly and a full refund leaves nothing behind.
"""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

from domain.loyalty.idempotency import fingerprint
from domain.loyalty.ledger import EntryKind, LedgerEntry, Posting, Source, SourceKind
from domain.loyalty.membership_services import membership_in
from domain.loyalty.points_services import PointsResult, earn_in, replayed_in, reverse_in
from domain.loyalty.program import LoyaltyProgram
from domain.loyalty.repository import LoyaltyUnitOfWork
from domain.loyalty.tier_services import load_ladder
from domain.ports import Clock

SYSTEM = "system"


def order_source(order_id: UUID) -> Source:
    return Source(SourceKind.ORDER, str(order_id))


async def earn_for_order_in(
    uow: LoyaltyUnitOfWork,
    clock: Clock,
    program: LoyaltyProgram,
    *,
    customer_id: UUID,
    order_id: UUID,
    base_total: int,
) -> PointsResult | None:
    """Earn the order's points at the customer's current tier multiplier (once per order)."""
    ladder = await load_ladder(uow)
    membership = await membership_in(uow, ladder, customer_id, clock.now())
    multiplier = ladder.get(membership.tier_code).multiplier
    posting = Posting(
        reason="order",
        actor=SYSTEM,
        source=order_source(order_id),
        idempotency_key=f"order:{order_id}:earn",
        fingerprint=fingerprint(
            "order-earn", customer_id=customer_id, order_id=order_id, base_total=base_total
        ),
    )
    points = program.points_for(base_total, multiplier)
    return await earn_in(uow, clock, program, customer_id, points, posting)


async def award_bonus_in(
    uow: LoyaltyUnitOfWork,
    clock: Clock,
    program: LoyaltyProgram,
    *,
    customer_id: UUID,
    points: int,
    reason: str,
    source: Source,
    idempotency_key: str,
) -> PointsResult | None:
    """Credit a bonus (sign-up, first order, review, birthday) once per key."""
    posting = Posting(
        reason=reason,
        actor=SYSTEM,
        source=source,
        idempotency_key=idempotency_key,
        fingerprint=fingerprint(
            "bonus",
            customer_id=customer_id,
            reason=reason,
            source=f"{source.kind.value}:{source.id}",
        ),
    )
    return await earn_in(uow, clock, program, customer_id, points, posting)


async def reverse_for_order_in(
    uow: LoyaltyUnitOfWork,
    clock: Clock,
    *,
    order_id: UUID,
    reversed_share: tuple[int, int] | None,
    idempotency_key: str,
    reason: str,
) -> PointsResult | None:
    """Bring the order's reversed points up to `reversed_share` (refunded, total) of what it
    earned, or to all of it when None (cancelled / fully refunded)."""
    entries = await uow.points.entries_for_source(order_source(order_id))
    if not entries:
        return None
    earned = sum(e.points for e in entries if e.kind is EntryKind.EARN)
    already = reversed_points(entries)
    if reversed_share is None:
        target = earned
    else:
        refunded, total = reversed_share
        target = earned if total <= 0 or refunded >= total else earned * refunded // total
    # Entries move with a customer merge, so the owner is whoever holds them now.
    customer_id = entries[-1].customer_id
    posting = Posting(
        reason=reason,
        actor=SYSTEM,
        source=order_source(order_id),
        idempotency_key=idempotency_key,
        fingerprint=fingerprint(
            "order-reverse",
            order_id=order_id,
            share=None if reversed_share is None else list(reversed_share),
        ),
    )
    # A replayed refund finds its own entry already counted: answer with the first result.
    replayed = await replayed_in(uow, posting)
    if replayed is not None:
        return replayed
    return await reverse_in(uow, clock, customer_id, target - already, posting)


def reversed_points(entries: Sequence[LedgerEntry]) -> int:
    """Points already reversed, counting shortfalls (they were due even if not there)."""
    return sum(-e.points + e.shortfall for e in entries if e.kind is EntryKind.REVERSE)
