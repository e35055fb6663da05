"""Stored responses of mutations keyed by (caller scope, idempotency key).

A claim is its own short transaction, committed at once, so that concurrent requests
carrying the same key see each other: exactly one wins the INSERT and executes; the
others wait for its stored response. A claim whose holder died is taken over once its
lock expires.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import Enum
from typing import Any

from sqlalchemy import and_, delete, select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from persistence.dialect import insert_for
from persistence.tables.access import idempotency_records as records

IN_PROGRESS = "IN_PROGRESS"
COMPLETE = "COMPLETE"


class ClaimState(Enum):
    NEW = "new"
    REPLAY = "replay"
    CONFLICT = "conflict"
    IN_PROGRESS = "in_progress"


@dataclass(frozen=True, slots=True)
class Claim:
    state: ClaimState
    response: Any = None


class SqlIdempotencyStore:
    def __init__(self, engine: AsyncEngine, now: Callable[[], datetime]) -> None:
        self._engine = engine
        self._now = now

    async def claim(self, scope: str, key: str, fingerprint: str, *, lock_for: timedelta) -> Claim:
        """Try to become the one request that executes under `key`."""
        now = self._now()
        async with self._engine.begin() as conn:
            stmt = (
                insert_for(self._engine.dialect.name, records)
                .values(
                    scope=scope,
                    key=key,
                    fingerprint=fingerprint,
                    status=IN_PROGRESS,
                    response=None,
                    created_at=now,
                    locked_until=now + lock_for,
                )
                .on_conflict_do_nothing(index_elements=["scope", "key"])
            )
            if (await conn.execute(stmt)).rowcount == 1:
                return Claim(ClaimState.NEW)
            row = (
                await conn.execute(
                    select(records).where(records.c.scope == scope, records.c.key == key)
                )
            ).one()
            if row.fingerprint != fingerprint:
                return Claim(ClaimState.CONFLICT)
            if row.status == COMPLETE:
                return Claim(ClaimState.REPLAY, row.response)
            if row.locked_until > now:
                return Claim(ClaimState.IN_PROGRESS)
            taken = await conn.execute(
                update(records)
                .where(
                    and_(
                        records.c.scope == scope,
                        records.c.key == key,
                        records.c.status == IN_PROGRESS,
                        records.c.locked_until <= now,
                    )
                )
                .values(locked_until=now + lock_for)
            )
            return Claim(ClaimState.NEW if taken.rowcount == 1 else ClaimState.IN_PROGRESS)

    async def complete(self, scope: str, key: str, response: Any) -> None:
        async with self._engine.begin() as conn:
            await conn.execute(
                update(records)
                .where(records.c.scope == scope, records.c.key == key)
                .values(status=COMPLETE, response=response)
            )

    async def release(self, scope: str, key: str) -> None:
        """Forget an unfinished claim (the request failed), so a retry can run."""
        async with self._engine.begin() as conn:
            await conn.execute(
                delete(records).where(
                    records.c.scope == scope,
                    records.c.key == key,
                    records.c.status == IN_PROGRESS,
                )
            )

    async def purge(self, older_than: datetime) -> int:
        """Delete records created before `older_than`; returns how many."""
        async with self._engine.begin() as conn:
            result = await conn.execute(delete(records).where(records.c.created_at < older_than))
            return int(result.rowcount or 0)
