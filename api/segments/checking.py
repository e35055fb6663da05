"""The catalog a request's new segment queries are checked against.

The domain's parser knows the language; two checks need what only the request knows:
- the tier codes are data (configured with tierCreate), so `tier = 'NOPE'` is refused
  here, as a type error listing the known codes (`tier` compares case-insensitively);
- personal data is masked for ANALYST keys (DESIGN, Access), so their queries may not
  test personal attributes (`email = '...'` counting 1 would reveal what is masked).
Saved segments are re-read with the default catalog: a tier deleted since a segment was
saved makes it match nobody, not INVALID.
"""

from __future__ import annotations

import strawberry

from api.customers.masking import masked
from domain.segments.catalog import DEFAULT_CATALOG, AttributeCatalog
from domain.segments.language import parse
from domain.segments.syntax import Expr
from persistence.queries.loyalty import ladder_of, tiers_all

MASKED_REASON = "personal data is masked for ANALYST keys (query it with another role)"
MASKED_CATALOG = DEFAULT_CATALOG.without_personal_data(MASKED_REASON)


def masked_catalog(info: strawberry.Info) -> AttributeCatalog:
    """The default catalog, without personal attributes for an ANALYST principal."""
    return MASKED_CATALOG if masked(info) else DEFAULT_CATALOG


async def request_catalog(info: strawberry.Info) -> AttributeCatalog:
    """The catalog for a query typed in this request: the configured tier codes only,
    and no personal attributes for an ANALYST principal (one statement)."""
    async with info.context.services.read() as conn:
        codes = [tier.code for tier in ladder_of(await tiers_all(conn)).tiers]
    return masked_catalog(info).with_values("tier", codes)


async def checked_query(info: strawberry.Info, text: str) -> Expr:
    """`text` parsed against the request's catalog; raises SegmentQueryError."""
    return parse(text, await request_catalog(info))
