"""Loyalty's part in an erasure: the customer's points account is closed.

On CustomerErased (in the erase's transaction) one ADJUST entry, sourced from the
erasure rule, takes the whole balance, so balance = sum of the ledger = unexpired lots
= 0 afterwards. The ledger and the tier history are kept: they hold no personal data and
the points liability and tier reports still add up. An account already at 0 (a customer
merged away) gets no entry; the entry's key makes a second closing a no-op.
"""

from __future__ import annotations

from uuid import UUID

from domain.bus import EventHandlers
from domain.customers.events import CustomerErased
from domain.loyalty.entries import LedgerEntry, Posting, Source, SourceKind
from domain.loyalty.points_services import store_in
from domain.loyalty.repository import LoyaltyUnitOfWork
from domain.ports import Clock

ERASURE_REASON = "points closed: the customer's personal data was erased"
ERASURE_SOURCE = Source(SourceKind.RULE, "erasure")


def erasure_key(customer_id: UUID) -> str:
    """The idempotency key of the entry that closes an erased customer's account."""
    return f"erasure:{customer_id}"


async def close_points_in(
    uow: LoyaltyUnitOfWork, clock: Clock, customer_id: UUID
) -> LedgerEntry | None:
    """Within the caller's transaction: bring the customer's balance to 0 for good.
    Returns the closing entry, or None when there was nothing to close."""
    account = await uow.points.get_for_update(customer_id)
    if account is None or account.balance == 0:
        return None
    key = erasure_key(customer_id)
    if await uow.points.entry_by_key(key) is not None:
        return None
    posting = Posting(
        reason=ERASURE_REASON, actor="system", source=ERASURE_SOURCE, idempotency_key=key
    )
    entry = account.close(posting, now=clock.now())
    await store_in(uow, account, is_new=False)
    return entry


def register_erasure_handler(handlers: EventHandlers, clock: Clock) -> None:
    """Close the points account of every erased customer, in the erase's transaction."""

    async def close_points_of_erased_customer(
        event: CustomerErased, uow: LoyaltyUnitOfWork
    ) -> None:
        await close_points_in(uow, clock, event.customer_id)

    handlers.on(CustomerErased, close_points_of_erased_customer)
