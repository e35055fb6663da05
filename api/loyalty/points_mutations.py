"""Mutations of the points ledger: `pointsRedeem` and `pointsAdjust`.

Both need an idempotency key (in the input or the `Idempotency-Key` header), except for
a dry run: see api/loyalty/keys.py. `dryRun` returns the would-be balance and the lots
that would be touched, and changes nothing.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Annotated
from uuid import UUID

import strawberry

import api.loyalty.errors  # noqa: F401  (registers INSUFFICIENT_POINTS and others)
from api.customers.loaders import CustomerByIdLoader
from api.customers.ownership import acting_customer
from api.errors import UserError
from api.inputs import IDEMPOTENCY_KEY_DOC, user_errors_field
from api.loyalty.keys import ledger_key
from api.loyalty.types import PointsLotUse, PointsTransaction
from api.mutation import mutation
from api.permissions import require
from api.relay import decode_id
from domain.access.model import Role
from domain.errors import NotFound, ValidationFailed
from domain.loyalty.ledger import Source, SourceKind
from domain.loyalty.points_services import (
    AdjustPoints,
    PointsResult,
    RedeemPoints,
    adjust_points,
    redeem_points,
)
from patronage.loyalty import loyalty_program
from persistence.queries.loyalty import lots_by_id

if TYPE_CHECKING:
    from api.customers.types import Customer

Redeemers = require(Role.CUSTOMER, Role.STOREFRONT, Role.ADMIN)
Adjusters = require(Role.ADMIN, Role.SUPPORT)


class CustomerNotFound(NotFound):
    """Raised when the customer named does not exist."""


class CustomerErased(ValidationFailed):
    """Raised when points of an erased customer would change."""


def points_key_field() -> str | None:
    return strawberry.field(
        default=None,
        description=(
            f"{IDEMPOTENCY_KEY_DOC} Required (here or in the header), except on a dry run; "
            "it is also kept on the ledger entry, so a retry never changes points twice."
        ),
    )


@strawberry.type(description="What a points change did, or would do on a dry run.")
class PointsChangePayload:
    transaction: PointsTransaction | None = strawberry.field(
        default=None, description="The ledger entry written; null on a dry run."
    )
    delta: int | None = strawberry.field(
        default=None, description="The change of the balance (negative when spending)."
    )
    balance: int | None = strawberry.field(
        default=None, description="The balance after the change (would-be on a dry run)."
    )
    lots: list[PointsLotUse] | None = strawberry.field(
        default=None,
        description="The lots touched, oldest first: what was taken from each, or the new lot.",
    )
    dry_run: bool | None = strawberry.field(
        default=None, description="True when nothing was changed (a preview)."
    )
    customer_id: strawberry.Private[UUID | None] = None
    user_errors: list[UserError] = user_errors_field()

    @strawberry.field(description="The customer whose points changed.")
    async def customer(
        self, info: strawberry.Info
    ) -> Annotated[Customer, strawberry.lazy("api.customers.types")] | None:
        from api.customers.types import Customer

        if self.customer_id is None:
            return None
        view = await info.context.loader(CustomerByIdLoader).load(self.customer_id)
        currency = info.context.services.settings.base_currency
        return Customer.from_view(view, currency) if view is not None else None


@strawberry.type(description="What a redemption did, or would do on a dry run.")
class PointsRedeemPayload(PointsChangePayload):
    pass


@strawberry.type(description="What an adjustment did, or would do on a dry run.")
class PointsAdjustPayload(PointsChangePayload):
    pass


@strawberry.input(description="Points to spend from a balance, oldest points first.")
class PointsRedeemInput:
    points: int = strawberry.field(description="Points to spend (> 0, at most the balance).")
    customer_id: strawberry.ID | None = strawberry.field(
        default=None,
        description="The customer; required with an API key, implied by a customer token.",
    )
    reason: str = strawberry.field(
        default="redemption", description="What the points pay for (shown in the ledger)."
    )
    dry_run: bool = strawberry.field(
        default=False,
        description=(
            "Only preview: the would-be balance and lots, nothing kept (no idempotency key needed)."
        ),
    )
    idempotency_key: str | None = points_key_field()


@strawberry.input(description="A manual change of a balance, with the reason for it.")
class PointsAdjustInput:
    customer_id: strawberry.ID = strawberry.field(description="The customer's id.")
    points: int = strawberry.field(
        description="Points to add (> 0) or take away (< 0, at most the balance)."
    )
    reason: str = strawberry.field(description="Why (required; kept in the ledger).")
    expires_at: datetime | None = strawberry.field(
        default=None,
        description="For added points: when they expire (default: the programme's expiry).",
    )
    ticket_id: strawberry.ID | None = strawberry.field(
        default=None,
        description=(
            "The ticket this goodwill gesture belongs to, if any: one of the customer's "
            "tickets (another customer's is INVALID, an unknown one NOT_FOUND, at ticketId)."
        ),
    )
    dry_run: bool = strawberry.field(
        default=False,
        description=(
            "Only preview: the would-be balance and lots, nothing kept (no idempotency key needed)."
        ),
    )
    idempotency_key: str | None = points_key_field()


async def _existing_customer(info: strawberry.Info, customer_id: UUID) -> UUID:
    """The customer's id (a merged-away id answers the winner's)."""
    view = await info.context.loader(CustomerByIdLoader).load(customer_id)
    if view is None:
        raise CustomerNotFound("no such customer", field=("customerId",))
    if view.erased_at is not None:
        raise CustomerErased("the customer was erased", field=("customerId",))
    return view.id


async def _lots(
    info: strawberry.Info, result: PointsResult, new_lot_expires_at: datetime | None
) -> list[PointsLotUse]:
    entry = result.entry
    ids = [a.lot_id for a in result.allocations]
    if entry.lot_id is not None:
        ids.append(entry.lot_id)
    async with info.context.services.read() as conn:
        rows = await lots_by_id(conn, ids)
    uses = []
    if entry.lot_id is not None:
        stored = rows.get(entry.lot_id)  # absent on a dry run
        expires_at = stored.expires_at if stored is not None else new_lot_expires_at
        assert expires_at is not None
        uses.append(
            PointsLotUse(
                lot_id=strawberry.ID(str(entry.lot_id)),
                points=entry.points,
                earned_at=entry.created_at,
                expires_at=expires_at,
            )
        )
    for allocation in result.allocations:
        row = rows[allocation.lot_id]
        uses.append(
            PointsLotUse(
                lot_id=strawberry.ID(str(allocation.lot_id)),
                points=allocation.points,
                earned_at=row.earned_at,
                expires_at=row.expires_at,
            )
        )
    return uses


async def _fill(
    info: strawberry.Info,
    payload: PointsChangePayload,
    result: PointsResult,
    new_lot_expires_at: datetime | None = None,
) -> PointsChangePayload:
    payload.transaction = None if result.dry_run else PointsTransaction.from_entry(result.entry)
    payload.delta = result.delta
    payload.balance = result.balance
    payload.lots = await _lots(info, result, new_lot_expires_at)
    payload.dry_run = result.dry_run
    payload.customer_id = result.customer_id
    return payload


@strawberry.type
class PointsMutation:
    @mutation(
        description=(
            "Spend points, oldest first (a customer token for its own balance; STOREFRONT "
            "or ADMIN for any). More than the balance is refused with INSUFFICIENT_POINTS; "
            "concurrent redemptions of one balance spend it at most once."
        ),
        permission_classes=[Redeemers],
    )
    async def points_redeem(
        self, info: strawberry.Info, input: PointsRedeemInput
    ) -> PointsRedeemPayload:
        services = info.context.services
        customer_id = await _existing_customer(info, acting_customer(info, input.customer_id))
        result = await redeem_points(
            services.uow(),
            services.clock,
            RedeemPoints(
                customer_id=customer_id,
                points=input.points,
                idempotency_key=ledger_key(info, input.idempotency_key, dry_run=input.dry_run),
                actor=info.context.principal.actor,
                reason=input.reason,
                dry_run=input.dry_run,
            ),
        )
        payload = await _fill(info, PointsRedeemPayload(), result)
        assert isinstance(payload, PointsRedeemPayload)
        return payload

    @mutation(
        description=(
            "Add or take away points by hand, with a reason (ADMIN, SUPPORT). Taking more "
            "than the balance is refused with INSUFFICIENT_POINTS."
        ),
        permission_classes=[Adjusters],
    )
    async def points_adjust(
        self, info: strawberry.Info, input: PointsAdjustInput
    ) -> PointsAdjustPayload:
        services = info.context.services
        customer_id = await _existing_customer(
            info, decode_id(input.customer_id, "Customer", field=("customerId",))
        )
        expires_at = input.expires_at
        if expires_at is not None and expires_at.tzinfo is None:
            expires_at = expires_at.replace(tzinfo=UTC)
        source = (
            Source(
                SourceKind.TICKET, str(decode_id(input.ticket_id, "Ticket", field=("ticketId",)))
            )
            if input.ticket_id is not None
            else None
        )
        program = loyalty_program(services.settings)
        result = await adjust_points(
            services.uow(),
            services.clock,
            program,
            AdjustPoints(
                customer_id=customer_id,
                points=input.points,
                reason=input.reason,
                idempotency_key=ledger_key(info, input.idempotency_key, dry_run=input.dry_run),
                actor=info.context.principal.actor,
                source=source,
                expires_at=expires_at,
                dry_run=input.dry_run,
            ),
        )
        new_lot_expires_at = expires_at or program.expiry_for(result.entry.created_at)
        payload = await _fill(info, PointsAdjustPayload(), result, new_lot_expires_at)
        assert isinstance(payload, PointsAdjustPayload)
        return payload
