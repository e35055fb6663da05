"""Repositories of the access context."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from domain.access.model import ApiKey, Role
from patronage.observability import request_id_var
from persistence.tables.access import api_keys, audit_log


def key_from_row(row: Any) -> ApiKey:
    return ApiKey(
        id=row.id,
        name=row.name,
        role=Role(row.role),
        digest=row.digest,
        hint=row.hint,
        created_at=row.created_at,
        revoked_at=row.revoked_at,
        created_by=row.created_by,
    )


class SqlAlchemyApiKeyRepository:
    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def add(self, key: ApiKey) -> None:
        await self._conn.execute(
            insert(api_keys).values(
                id=key.id,
                name=key.name,
                role=key.role.value,
                digest=key.digest,
                hint=key.hint,
                created_at=key.created_at,
                revoked_at=key.revoked_at,
                created_by=key.created_by,
            )
        )

    async def get(self, key_id: UUID) -> ApiKey | None:
        row = (await self._conn.execute(select(api_keys).where(api_keys.c.id == key_id))).first()
        return key_from_row(row) if row else None

    async def get_by_digest(self, digest: str) -> ApiKey | None:
        row = (
            await self._conn.execute(select(api_keys).where(api_keys.c.digest == digest))
        ).first()
        return key_from_row(row) if row else None

    async def save(self, key: ApiKey) -> None:
        await self._conn.execute(
            update(api_keys).where(api_keys.c.id == key.id).values(revoked_at=key.revoked_at)
        )


class SqlAlchemyAuditLog:
    def __init__(self, conn: AsyncConnection, now: Any) -> None:
        self._conn = conn
        self._now = now

    async def record(
        self, *, actor: str, action: str, target: str, details: dict[str, object]
    ) -> None:
        await self._conn.execute(
            insert(audit_log).values(
                at=self._now(),
                actor=actor,
                action=action,
                target=target,
                details=details,
                request_id=request_id_var.get(),
            )
        )
