"""Goodwill points granted on a support ticket are credited to the ledger.

Tickets records the decision (`GoodwillPointsGranted`); loyalty credits the points in
the same transaction, as a manual ADJUST entry sourced from the ticket, under the
grant's idempotency key so a replayed grant credits nothing twice.
"""

from __future__ import annotations

from typing import Any

from domain.bus import EventHandlers
from domain.loyalty.entries import EntryKind, Posting, Source, SourceKind
from domain.loyalty.idempotency import fingerprint, prefixed_key
from domain.loyalty.points_services import post_in
from domain.loyalty.program import LoyaltyProgram
from domain.ports import Clock
from domain.tickets.events import GoodwillPointsGranted


class GoodwillCredit:
    def __init__(self, program: LoyaltyProgram, clock: Clock) -> None:
        self._program = program
        self._clock = clock

    async def __call__(self, event: GoodwillPointsGranted, uow: Any) -> None:
        actor = f"api_key:{event.granted_by}" if event.granted_by else "support"
        posting = Posting(
            reason=event.reason,
            actor=actor,
            source=Source(SourceKind.TICKET, str(event.ticket_id)),
            # The client's key may be as long as any idempotency key (255): a long one is
            # digested rather than refused at the ledger's narrower limit.
            idempotency_key=prefixed_key("goodwill:", event.idempotency_key),
            fingerprint=fingerprint(
                "goodwill",
                customer_id=event.customer_id,
                points=event.points,
                ticket_id=event.ticket_id,
            ),
        )
        now = self._clock.now()
        await post_in(
            uow,
            event.customer_id,
            posting,
            lambda account: account.earn(
                event.points,
                posting,
                now=now,
                expires_at=self._program.expiry_for(now),
                kind=EntryKind.ADJUST,
            ),
        )


def register_goodwill_handler(
    handlers: EventHandlers, clock: Clock, program: LoyaltyProgram | None = None
) -> None:
    handlers.on(GoodwillPointsGranted, GoodwillCredit(program or LoyaltyProgram(), clock))
