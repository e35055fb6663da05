"""Loyalty's reports in `analytics`: the points liability."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import strawberry

from api.money import Money
from api.permissions import require
from domain.access.model import Role
from patronage.loyalty import loyalty_program
from persistence.queries.loyalty import outstanding_points

LiabilityReaders = require(Role.ADMIN, Role.ANALYST)


@strawberry.type(description="Points the store owes its members, and what they are worth.")
class PointsLiability:
    as_of: datetime = strawberry.field(description="The moment the report is for.")
    points: int = strawberry.field(
        description="Points outstanding: booked by then, less lots already past their expiry."
    )
    value: Money = strawberry.field(
        description="What the outstanding points are worth in the base currency."
    )


@strawberry.type
class LoyaltyAnalytics:
    @strawberry.field(
        description="Outstanding points and their value, now or at a past moment (ADMIN, ANALYST).",
        permission_classes=[LiabilityReaders],
    )
    async def points_liability(
        self,
        info: strawberry.Info,
        as_of: Annotated[datetime | None, strawberry.argument(description="Default: now.")] = None,
    ) -> PointsLiability:
        services = info.context.services
        program = loyalty_program(services.settings)
        moment = as_of or services.clock.now()
        async with services.read() as conn:
            points = await outstanding_points(conn, moment)
        return PointsLiability(
            as_of=moment,
            points=points,
            value=Money(amount=program.value_of(points), currency=program.base_currency),
        )
