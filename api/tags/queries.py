"""Queries of tags: `tags` with counts per tag and kind."""

from __future__ import annotations

from typing import Annotated

import strawberry

from api.permissions import Staff
from api.relay import PAGE_ARGS_DOC, Connection, connection, page_request
from api.tags.types import Tag, TagKind
from persistence.queries.paging import count, fetch_page
from persistence.queries.tags import tags_list


@strawberry.type
class TagQuery:
    @strawberry.field(
        description=(
            "Every tag in alphabetical order, with its kind and how many customers carry it "
            f"(staff). {PAGE_ARGS_DOC}"
        ),
        permission_classes=[Staff],
    )
    async def tags(
        self,
        info: strawberry.Info,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
        kind: Annotated[
            TagKind | None, strawberry.argument(description="Only MANUAL or only RULE tags.")
        ] = None,
        prefix: Annotated[
            str | None, strawberry.argument(description="Only tags starting with this text.")
        ] = None,
    ) -> Connection[Tag]:
        page = page_request(first, after, last, before)
        stmt, keys = tags_list(kind=kind.value if kind else None, prefix=prefix)
        services = info.context.services
        async with services.read() as conn:
            fetched = await fetch_page(conn, stmt, keys, page)

        async def total() -> int:
            async with services.read() as conn:
                return await count(conn, stmt)

        return connection(fetched, Tag.from_row, total)
