"""Read side of the access context."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from uuid import UUID

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncConnection

from domain.access.model import ApiKey
from persistence.access import key_from_row
from persistence.tables.access import api_keys


async def api_keys_by_id(conn: AsyncConnection, ids: Sequence[UUID]) -> dict[UUID, ApiKey]:
    rows = (await conn.execute(select(api_keys).where(api_keys.c.id.in_(ids)))).all()
    return {row.id: key_from_row(row) for row in rows}


def api_keys_list(*, include_revoked: bool) -> tuple[Select[Any], list[Any]]:
    """The statement and keyset sort keys of the API key list (newest first)."""
    stmt = select(api_keys)
    if not include_revoked:
        stmt = stmt.where(api_keys.c.revoked_at.is_(None))
    return stmt, [api_keys.c.created_at, api_keys.c.id]
