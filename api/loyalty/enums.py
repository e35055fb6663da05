"""Loyalty enums exposed in the schema, wrapped once with their descriptions.

Import them for annotations from here (see api/enums.py for why).
"""

from __future__ import annotations

import strawberry

from domain.loyalty.entries import EntryKind, SourceKind
from domain.loyalty.membership import TierChangeReason
from domain.loyalty.tiers import QualificationMetric

strawberry.enum(
    QualificationMetric,
    name="QualificationMetric",
    description=(
        "What a tier's threshold measures over the rolling 365 days: NET_SPEND_365D is "
        "purchases less refunds in minor units of the base currency; POINTS_EARNED_365D "
        "is points earned (bonuses and positive adjustments included, reversals deducted)."
    ),
)
strawberry.enum(
    EntryKind,
    name="PointsEntryKind",
    description=(
        "What a ledger entry did: EARN (a purchase or a bonus), REDEEM, EXPIRE, ADJUST "
        "(by hand, either way), REVERSE (points of a refunded or cancelled order)."
    ),
)
strawberry.enum(
    SourceKind,
    name="PointsSourceKind",
    description="What caused a ledger entry: an ORDER, a TICKET, a CAMPAIGN, a RULE, or MANUAL.",
)
strawberry.enum(
    TierChangeReason,
    name="TierChangeReason",
    description=(
        "Why a tier changed: INITIAL (membership began), UPGRADE (qualified), DOWNGRADE "
        "(nightly evaluation after the hold), MANUAL (support or a customer merge)."
    ),
)

__all__ = ["EntryKind", "QualificationMetric", "SourceKind", "TierChangeReason"]
