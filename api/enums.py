"""Domain enums exposed in the schema, wrapped once with their descriptions.

Import enums for annotations from here: strawberry registers a plain enum on first use,
so a type declared before the wrapping would publish a second, undescribed copy.
"""

from __future__ import annotations

import strawberry

from domain.activity.model import ActivityKind
from domain.customers.consent import ConsentChannel, ConsentState, OptInLevel
from domain.customers.profile import Gender
from domain.orders.status import OrderStatus

strawberry.enum(Gender, name="Gender", description="Gender as the customer gave it.")
strawberry.enum(ConsentChannel, name="ConsentChannel", description="A channel needing consent.")
strawberry.enum(ConsentState, name="ConsentState", description="Consent state of a channel.")
strawberry.enum(
    OptInLevel, name="OptInLevel", description="SINGLE opt-in, or CONFIRMED (double opt-in)."
)
strawberry.enum(
    OrderStatus,
    name="OrderStatus",
    description="Where an order stands; PAID, FULFILLED and PARTIALLY_REFUNDED count as purchases.",
)
strawberry.enum(ActivityKind, name="EventKind", description="What a behaviour event records.")

__all__ = ["ActivityKind", "ConsentChannel", "ConsentState", "Gender", "OptInLevel", "OrderStatus"]
