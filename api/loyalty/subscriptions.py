"""`memberStatusChanged`: live tier and points changes, published after each commit.

Who may listen: a customer token to its own customer (no argument needed; naming
another customer is FORBIDDEN); ADMIN to one customer or to all; SUPPORT and STOREFRONT
to one customer they name (a storefront relays its shopper's updates, support watches
the customer it is helping); MARKETER and ANALYST are refused (reports and segments
serve them, not a live feed of individuals).

One commit often changes both (an order earns points and upgrades the tier): events
arriving within COALESCE_SECONDS of each other are sent as one update per customer,
with the status read once after them.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncGenerator, AsyncIterator
from typing import Annotated, Any
from uuid import UUID

import strawberry
from strawberry import relay

from api.errors import ApiError, TopLevelCode
from api.loyalty.enums import EntryKind, TierChangeReason
from api.loyalty.types import Membership, Points
from api.permissions import require
from api.relay import InvalidGlobalId, decode_id, encode_id
from api.subscriptions import listen
from domain.access.model import Role
from domain.loyalty.events import MembershipTierChanged, PointsBalanceChanged
from patronage.loyalty import loyalty_program
from persistence.queries.loyalty import membership_statuses, points_statuses

COALESCE_SECONDS = 0.05
Listeners = require(Role.ADMIN, Role.SUPPORT, Role.STOREFRONT, Role.CUSTOMER)


@strawberry.type(description="A change of tier.")
class TierChange:
    from_tier: str | None = strawberry.field(description="Code of the tier before (null: new).")
    to_tier: str = strawberry.field(description="Code of the tier now.")
    reason: TierChangeReason = strawberry.field(description="Why the tier changed.")


@strawberry.type(description="A change of the points balance (possibly several entries).")
class PointsChange:
    delta: int = strawberry.field(description="Net change of the balance.")
    balance: int = strawberry.field(description="The balance after the change.")
    entry_kinds: list[EntryKind] = strawberry.field(description="Kinds of the entries, in order.")


@strawberry.type(description="A member's tier or points changed; the status as it is now.")
class MemberStatusChange:
    customer_id: relay.GlobalID = strawberry.field(description="The customer (Customer id).")
    tier_change: TierChange | None = strawberry.field(description="Set when the tier changed.")
    points_change: PointsChange | None = strawberry.field(
        description="Set when the balance changed."
    )
    membership: Membership = strawberry.field(description="The membership after the change.")
    points: Points = strawberry.field(description="The points after the change.")


async def _batches(
    source: AsyncIterator[dict[str, Any]], window: float
) -> AsyncIterator[list[dict[str, Any]]]:
    """Messages of `source` grouped: the first one and whatever follows within `window`."""
    queue: asyncio.Queue[dict[str, Any] | BaseException] = asyncio.Queue()

    async def pump() -> None:
        try:
            async for message in source:
                await queue.put(message)
        except Exception as error:
            await queue.put(error)

    task = asyncio.create_task(pump())
    try:
        while True:
            batch = [await queue.get()]
            await asyncio.sleep(window)
            while not queue.empty():
                batch.append(queue.get_nowait())
            for item in batch:
                if isinstance(item, BaseException):
                    raise item
            yield batch  # type: ignore[misc]
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


def _listened_customer(info: strawberry.Info, customer_id: strawberry.ID | None) -> UUID | None:
    principal = info.context.principal
    try:
        wanted = decode_id(customer_id, "Customer") if customer_id is not None else None
    except InvalidGlobalId as error:
        raise ApiError(error.message, TopLevelCode.BAD_REQUEST) from None
    if principal.is_customer:
        if wanted is not None and wanted != principal.customer_id:
            raise ApiError(
                "a customer token listens to its own customer only", TopLevelCode.FORBIDDEN
            )
        return principal.customer_id
    if wanted is None and principal.role is not Role.ADMIN:
        raise ApiError(
            f"customerId is required for the role {principal.role.value}", TopLevelCode.BAD_REQUEST
        )
    return wanted


async def _changes(info: strawberry.Info, batch: list[dict[str, Any]]) -> list[MemberStatusChange]:
    """One change per customer in the batch, with the status read once for all of them
    (directly, not through the connection-long loader cache: each update is new)."""
    by_customer: dict[UUID, list[dict[str, Any]]] = {}
    for message in batch:
        by_customer.setdefault(UUID(message["customer_id"]), []).append(message)
    ids = list(by_customer)
    services = info.context.services
    program, now = loyalty_program(services.settings), services.clock.now()
    async with services.read() as conn:
        memberships = await membership_statuses(conn, ids, program, now)
        balances = await points_statuses(conn, ids, program, now)
    changes = []
    for customer_id, messages in by_customer.items():
        membership = memberships.get(customer_id)
        if membership is None:
            continue  # the customer is gone: nothing left to show
        tiers = [m for m in messages if m["event"] == MembershipTierChanged.name]
        points = [m for m in messages if m["event"] == PointsBalanceChanged.name]
        changes.append(
            MemberStatusChange(
                customer_id=encode_id("Customer", customer_id),
                tier_change=TierChange(
                    from_tier=tiers[0]["from_code"],
                    to_tier=tiers[-1]["to_code"],
                    reason=TierChangeReason(tiers[-1]["reason"]),
                )
                if tiers
                else None,
                points_change=PointsChange(
                    delta=sum(m["delta"] for m in points),
                    balance=points[-1]["balance"],
                    entry_kinds=[EntryKind(m["entry_kind"]) for m in points],
                )
                if points
                else None,
                membership=Membership.from_view(membership),
                points=Points.from_view(customer_id, balances.get(customer_id)),
            )
        )
    return changes


@strawberry.type
class LoyaltySubscription:
    @strawberry.subscription(
        description=(
            "Tier and points changes of members, from any process, after they are committed. "
            "A customer token listens to its own customer (no argument needed). ADMIN may "
            "name a customer or listen to all; SUPPORT and STOREFRONT must name one; "
            "MARKETER and ANALYST may not listen. Changes committed together arrive as one "
            "update per customer."
        ),
        permission_classes=[Listeners],
    )
    async def member_status_changed(
        self,
        info: strawberry.Info,
        customer_id: Annotated[
            strawberry.ID | None,
            strawberry.argument(description="Only this customer's changes (a Customer id)."),
        ] = None,
    ) -> AsyncGenerator[MemberStatusChange, None]:
        wanted = _listened_customer(info, customer_id)
        text = str(wanted) if wanted is not None else None
        events = listen(
            info,
            MembershipTierChanged.name,
            PointsBalanceChanged.name,
            accept=lambda message: text is None or message.get("customer_id") == text,
        )
        async for batch in _batches(events, COALESCE_SECONDS):
            for change in await _changes(info, batch):
                # The batch was pumped while the one before was still being resolved:
                # what that resolution loaded is older than this change.
                info.context.forget_loaded()
                yield change
