"""Per-customer facts computed from behaviour: scores and message engagement."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from uuid import UUID


@dataclass(frozen=True, kw_only=True)
class CustomerScores:
    """One customer's scores from the nightly run; None where a score is unknown.
    `clv` is in minor units of the base currency; `churn_risk` is 1 - P(alive)."""

    customer_id: UUID
    rfm_recency: int | None
    rfm_frequency: int | None
    rfm_monetary: int | None
    rfm_group: str | None
    clv: int | None
    churn_risk: Decimal | None
    lifecycle: str | None
    scored_at: datetime


@dataclass(frozen=True, kw_only=True)
class CustomerEngagement:
    """When the customer last opened and last clicked a message (kept by campaigns)."""

    customer_id: UUID
    last_message_opened_at: datetime | None
    last_message_clicked_at: datetime | None
