"""How loyalty reacts, in the same transaction, to other contexts' facts.

- CustomerCreated: membership in the lowest tier, an account, the sign-up bonus.
- OrderRecorded (counting as a purchase): earn, first-order bonus, qualify for a tier.
- OrderStatusChanged: becoming a purchase (PENDING -> PAID) earns then; CANCELLED
  reverses all of the order's points.
- OrderRefunded: reverses the order's points in proportion to the amount refunded.
- ReviewPosted: the review bonus, once per review.
"""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import UUID

from domain.activity.events import ReviewPosted
from domain.bus import EventHandlers
from domain.customers.events import CustomerCreated
from domain.loyalty.ledger import PointsAccount, Source, SourceKind
from domain.loyalty.membership_services import membership_in, qualify_in
from domain.loyalty.order_points import (
    award_bonus_in,
    earn_for_order_in,
    order_source,
    reverse_for_order_in,
)
from domain.loyalty.points_services import store_in
from domain.loyalty.program import LoyaltyProgram
from domain.loyalty.repository import LoyaltyUnitOfWork
from domain.loyalty.tier_services import load_ladder
from domain.orders.events import OrderRecorded, OrderRefunded, OrderStatusChanged
from domain.orders.status import OrderStatus
from domain.ports import Clock


class SystemClock:
    """The real time, in UTC."""

    def now(self) -> datetime:
        return datetime.now(UTC)


class LoyaltyHandlers:
    """The handlers, bound to the programme's settings and a clock."""

    def __init__(self, program: LoyaltyProgram, clock: Clock) -> None:
        self.program = program
        self.clock = clock

    async def customer_created(self, event: CustomerCreated, uow: LoyaltyUnitOfWork) -> None:
        ladder = await load_ladder(uow)
        await membership_in(uow, ladder, event.customer_id, self.clock.now())
        if await uow.points.get_for_update(event.customer_id) is None:
            await store_in(uow, PointsAccount(customer_id=event.customer_id), is_new=True)
        await award_bonus_in(
            uow,
            self.clock,
            self.program,
            customer_id=event.customer_id,
            points=self.program.signup_bonus,
            reason="sign-up bonus",
            source=Source(SourceKind.RULE, "signup"),
            idempotency_key=f"signup:{event.customer_id}",
        )

    async def order_recorded(self, event: OrderRecorded, uow: LoyaltyUnitOfWork) -> None:
        if not event.status.counts_as_purchase:
            return
        await self._purchase(uow, event.customer_id, event.order_id, event.base_total)
        if event.is_first_purchase:
            await award_bonus_in(
                uow,
                self.clock,
                self.program,
                customer_id=event.customer_id,
                points=self.program.first_order_bonus,
                reason="first order bonus",
                source=order_source(event.order_id),
                idempotency_key=f"order:{event.order_id}:first-order",
            )
        # Earn first, then qualify: with a points metric this order's points count.
        await qualify_in(uow, self.clock, self.program, event.customer_id)

    async def order_status_changed(self, event: OrderStatusChanged, uow: LoyaltyUnitOfWork) -> None:
        if event.new_status is OrderStatus.CANCELLED:
            await reverse_for_order_in(
                uow,
                self.clock,
                order_id=event.order_id,
                reversed_share=None,
                idempotency_key=f"order:{event.order_id}:cancel",
                reason="order cancelled",
            )
        elif event.new_status.counts_as_purchase and not event.old_status.counts_as_purchase:
            await self._purchase(uow, event.customer_id, event.order_id, event.base_total)
            await qualify_in(uow, self.clock, self.program, event.customer_id)

    async def order_refunded(self, event: OrderRefunded, uow: LoyaltyUnitOfWork) -> None:
        share = (
            None if event.fully_refunded else (event.base_refunded_total, event.order_base_total)
        )
        await reverse_for_order_in(
            uow,
            self.clock,
            order_id=event.order_id,
            reversed_share=share,
            idempotency_key=f"refund:{event.refund_id}",
            reason="order refunded",
        )

    async def review_posted(self, event: ReviewPosted, uow: LoyaltyUnitOfWork) -> None:
        await award_bonus_in(
            uow,
            self.clock,
            self.program,
            customer_id=event.customer_id,
            points=self.program.review_bonus,
            reason="review bonus",
            source=Source(SourceKind.RULE, f"review:{event.event_id}"),
            idempotency_key=f"review:{event.event_id}",
        )

    async def _purchase(
        self, uow: LoyaltyUnitOfWork, customer_id: UUID, order_id: UUID, base_total: int
    ) -> None:
        await earn_for_order_in(
            uow,
            self.clock,
            self.program,
            customer_id=customer_id,
            order_id=order_id,
            base_total=base_total,
        )


def register_handlers(
    handlers: EventHandlers,
    program: LoyaltyProgram | None = None,
    clock: Clock | None = None,
) -> None:
    """Wire loyalty's in-transaction reactions; the unit of work handed to them must be a
    `LoyaltyUnitOfWork` (the application's unit of work carries every repository)."""
    bound = LoyaltyHandlers(program or LoyaltyProgram(), clock or SystemClock())
    handlers.on(CustomerCreated, bound.customer_created)
    handlers.on(OrderRecorded, bound.order_recorded)
    handlers.on(OrderStatusChanged, bound.order_status_changed)
    handlers.on(OrderRefunded, bound.order_refunded)
    handlers.on(ReviewPosted, bound.review_posted)
