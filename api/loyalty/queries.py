"""Queries of loyalty: the tiers, and the member status fields the Customer type shows.

`customer_membership` and `customer_points` are the resolvers behind
`Customer.membership` and `Customer.points` (attached in api/customers/types.py): they
go through per-request dataloaders, so a page of customers costs a fixed number of
statements whatever its size.
"""

from __future__ import annotations

from uuid import UUID

import strawberry

from api.loyalty.loaders import MemberStatusLoader
from api.loyalty.types import Membership, Points, Tier
from api.permissions import AnyCaller
from domain.loyalty.tier_services import list_tiers
from persistence.queries.loyalty import MembershipStatusView, ladder_of, tiers_all


async def customer_membership(info: strawberry.Info, customer_id: UUID) -> Membership:
    """The membership of a customer the caller may see (the Customer type checked that)."""
    view = await info.context.loader(MemberStatusLoader).load(
        (MemberStatusLoader.MEMBERSHIP, customer_id)
    )
    if view is None:
        # Not a stored customer (removed meanwhile): shown in the lowest tier.
        services = info.context.services
        async with services.read() as conn:
            lowest = ladder_of(await tiers_all(conn)).lowest
        view = MembershipStatusView(
            customer_id=customer_id,
            tier=lowest,
            tier_since=services.clock.now(),
            hold_until=None,
            next_tier=None,
            progress=None,
        )
    return Membership.from_view(view)


async def customer_points(info: strawberry.Info, customer_id: UUID) -> Points:
    """The points of a customer the caller may see (zero before the first entry)."""
    view = await info.context.loader(MemberStatusLoader).load(
        (MemberStatusLoader.POINTS, customer_id)
    )
    return Points.from_view(customer_id, view)


@strawberry.type
class LoyaltyQuery:
    @strawberry.field(
        description=(
            "The tiers of the loyalty programme, lowest rank first (any caller: apps show "
            "the ladder). The defaults MEMBER, SILVER, GOLD and PLATINUM are seeded on first use."
        ),
        permission_classes=[AnyCaller],
    )
    async def tiers(self, info: strawberry.Info) -> list[Tier]:
        services = info.context.services
        async with services.read() as conn:
            found = await tiers_all(conn)
        if not found:
            found = list(await list_tiers(services.uow()))
        return [Tier.from_model(t) for t in found]
