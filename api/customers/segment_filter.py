"""`customers(query:)`: the segment language as a list filter."""

from __future__ import annotations

from typing import Any

import strawberry

from api.errors import ApiError, TopLevelCode
from api.segments.checking import checked_query
from domain.money import currency_exponent
from domain.segments.errors import SegmentQueryError
from persistence.queries.segments import customer_query_filter


async def customer_filter(info: strawberry.Info, query: str) -> Any:
    """The SQL condition for `query`; a query that does not parse or type-check (against
    the configured tiers; without personal attributes for ANALYST keys) is a BAD_REQUEST
    whose message names the line, column and what was expected."""
    settings = info.context.services.settings
    today = info.context.services.clock.now().astimezone(settings.zone).date()
    try:
        return customer_query_filter(
            await checked_query(info, query),
            as_of=today,
            zone=settings.zone,
            currency_exponent=currency_exponent(settings.base_currency),
        )
    except SegmentQueryError as error:
        raise ApiError(f"query: {error.message}", TopLevelCode.BAD_REQUEST) from None
