"""Reads of the scoring context: a customer's scores and engagement rows."""

from __future__ import annotations

from uuid import UUID

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection

from domain.scoring.model import CustomerEngagement, CustomerScores
from persistence.tables.engagement import customer_engagement
from persistence.tables.scoring import customer_scores


class SqlAlchemyScoringRecords:
    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def scores_of(self, customer_id: UUID) -> CustomerScores | None:
        stmt = select(customer_scores).where(customer_scores.c.customer_id == customer_id)
        row = (await self._conn.execute(stmt)).first()
        if row is None:
            return None
        return CustomerScores(
            customer_id=row.customer_id,
            rfm_recency=row.rfm_recency,
            rfm_frequency=row.rfm_frequency,
            rfm_monetary=row.rfm_monetary,
            rfm_group=row.rfm_group,
            clv=row.clv,
            churn_risk=row.churn_risk,
            lifecycle=row.lifecycle,
            scored_at=row.scored_at,
        )

    async def engagement_of(self, customer_id: UUID) -> CustomerEngagement | None:
        stmt = select(customer_engagement).where(customer_engagement.c.customer_id == customer_id)
        row = (await self._conn.execute(stmt)).first()
        if row is None:
            return None
        return CustomerEngagement(
            customer_id=row.customer_id,
            last_message_opened_at=row.last_message_opened_at,
            last_message_clicked_at=row.last_message_clicked_at,
        )
