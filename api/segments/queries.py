"""Queries of segments: segment, segments, segmentPreview."""

from __future__ import annotations

from typing import Annotated

import strawberry

from api.permissions import Staff
from api.relay import PAGE_ARGS_DOC, Connection, connection, decode_id_or_bad_request, page_request
from api.segments.checking import checked_query
from api.segments.evaluation import request_evaluation
from api.segments.loaders import SegmentByIdLoader
from api.segments.types import (
    PREVIEW_DOC,
    Segment,
    SegmentPreview,
    SegmentQueryProblem,
    preview_size,
)
from api.segments.types import preview_customers as _preview_customers
from domain.segments.errors import SegmentQueryError
from persistence.queries.paging import count, fetch_page
from persistence.queries.segments import count_matching
from persistence.queries.segments.reads import segments_list
from persistence.segments import segment_from_row

QUERY_DOC = (
    "A query in the segment language, e.g. "
    "`tier IN ('GOLD', 'PLATINUM') AND last_order_days > 90 AND NOT tags CONTAINS 'vip'`."
)


@strawberry.type
class SegmentQuery:
    @strawberry.field(
        description="A saved segment (ADMIN, MARKETER, SUPPORT, ANALYST).",
        permission_classes=[Staff],
    )
    async def segment(self, info: strawberry.Info, id: strawberry.ID) -> Segment | None:
        segment_id = decode_id_or_bad_request(id, "Segment")
        found = await info.context.loader(SegmentByIdLoader).load(segment_id)
        return Segment.from_model(found) if found is not None else None

    @strawberry.field(
        description=f"Saved segments, oldest first (staff). {PAGE_ARGS_DOC}",
        permission_classes=[Staff],
    )
    async def segments(
        self,
        info: strawberry.Info,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
        name_contains: Annotated[
            str | None,
            strawberry.argument(description="Only segments whose name contains this text."),
        ] = None,
    ) -> Connection[Segment]:
        page = page_request(first, after, last, before)
        stmt, keys = segments_list(name_contains=name_contains)
        services = info.context.services
        async with services.read() as conn:
            fetched = await fetch_page(conn, stmt, keys, page)

        async def total() -> int:
            async with services.read() as conn:
                return await count(conn, stmt)

        return connection(fetched, lambda row: Segment.from_model(segment_from_row(row)), total)

    @strawberry.field(
        description=(
            "What a query would select now, without saving it: the count and the first "
            "customers, or `error` (with line and column) when it does not parse (staff)."
        ),
        permission_classes=[Staff],
    )
    async def segment_preview(
        self,
        info: strawberry.Info,
        query: Annotated[str, strawberry.argument(description=QUERY_DOC)],
        first: Annotated[int | None, strawberry.argument(description=PREVIEW_DOC)] = None,
    ) -> SegmentPreview:
        preview_size(first)  # a bad size is refused before any work
        try:
            parsed = await checked_query(info, query)
        except SegmentQueryError as error:
            return SegmentPreview(count=None, customers=[], error=SegmentQueryProblem.of(error))
        evaluation = request_evaluation(info)
        async with info.context.services.read() as conn:
            matching = await count_matching(
                conn,
                parsed,
                as_of=evaluation.as_of,
                zone=evaluation.zone,
                currency_exponent=evaluation.currency_exponent,
            )
        customers = await _preview_customers(info, parsed, first)
        return SegmentPreview(count=matching, customers=customers, error=None)
