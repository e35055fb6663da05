"""The scoring context's part in a privacy export (`domain.customers.participants`):
the profiling results held about the customer, each section null when there is no row."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from domain.customers.json_values import JsonValue
from domain.customers.participants import Participants
from domain.scoring.repository import ScoringUnitOfWork


class ScoresExporter:
    """Exports the customer's RFM scores, CLV, churn risk and lifecycle stage."""

    name = "scores"

    async def export(self, uow: ScoringUnitOfWork, customer_id: UUID) -> JsonValue:
        scores = await uow.scoring.scores_of(customer_id)
        if scores is None:
            return None
        return {
            "rfmRecency": scores.rfm_recency,
            "rfmFrequency": scores.rfm_frequency,
            "rfmMonetary": scores.rfm_monetary,
            "rfmGroup": scores.rfm_group,
            "clv": scores.clv,
            "churnRisk": float(scores.churn_risk) if scores.churn_risk is not None else None,
            "lifecycle": scores.lifecycle,
            "scoredAt": scores.scored_at.isoformat(),
        }


class EngagementExporter:
    """Exports when the customer last opened and clicked a message."""

    name = "engagement"

    async def export(self, uow: ScoringUnitOfWork, customer_id: UUID) -> JsonValue:
        engagement = await uow.scoring.engagement_of(customer_id)
        if engagement is None:
            return None
        return {
            "lastMessageOpenedAt": _time(engagement.last_message_opened_at),
            "lastMessageClickedAt": _time(engagement.last_message_clicked_at),
        }


def _time(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def register_exporters(participants: Participants) -> None:
    """Register the scores and engagement exporters."""
    participants.add_exporter(ScoresExporter())
    participants.add_exporter(EngagementExporter())
