"""Queries of the access context."""

from __future__ import annotations

import strawberry

from api.access.types import ApiKey
from api.permissions import Admin
from api.relay import PAGE_ARGS_DOC, Connection, connection, page_request
from persistence.access import key_from_row
from persistence.queries.access import api_keys_list
from persistence.queries.paging import count, fetch_page


@strawberry.type
class AccessQuery:
    @strawberry.field(
        description=f"API keys, newest first (ADMIN). {PAGE_ARGS_DOC}", permission_classes=[Admin]
    )
    async def api_keys(
        self,
        info: strawberry.Info,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
        include_revoked: bool = False,
    ) -> Connection[ApiKey]:
        page = page_request(first, after, last, before)
        stmt, keys = api_keys_list(include_revoked=include_revoked)
        services = info.context.services
        async with services.read() as conn:
            fetched = await fetch_page(conn, stmt, keys, page, descending=True)

        async def total() -> int:
            async with services.read() as conn:
                return await count(conn, stmt)

        return connection(fetched, lambda row: ApiKey.from_model(key_from_row(row)), total)
