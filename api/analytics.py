"""The `analytics` query: one object whose fields are reports, contributed per context.

A context adds its reports as a strawberry type of fields (each with its own roles) to
REPORTS; `Analytics` is built from all of them, as the schema is from each context's
Query. `analytics` itself is open to staff; every report declares who may read it.
"""

from __future__ import annotations

import strawberry

from api.loyalty.analytics import LoyaltyAnalytics
from api.permissions import Staff

REPORTS: tuple[type, ...] = (LoyaltyAnalytics,)

Analytics = strawberry.type(
    type("Analytics", REPORTS, {}),
    name="Analytics",
    description="Store-wide reports; each field lists the roles that may read it.",
)


@strawberry.type
class AnalyticsQuery:
    @strawberry.field(
        description="Reports over the whole store (staff roles; see each report's roles).",
        permission_classes=[Staff],
    )
    def analytics(self) -> Analytics:  # type: ignore[valid-type]
        return Analytics()
