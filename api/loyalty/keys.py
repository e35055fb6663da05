"""The idempotency key of a points-changing call, as the ledger stores it.

Every points change takes one (DESIGN: Points), in the input or the `Idempotency-Key`
header: `pointsRedeem`, `pointsAdjust` and `ticketGoodwillGrant`. Besides the stored-
response replay every mutation gets (api/idempotency.py), the key is written on the
ledger entry, so a retry after the stored response is gone still finds the first entry
instead of changing points twice.
"""

from __future__ import annotations

import strawberry

from api.idempotency import key_from_header
from domain.loyalty.errors import IdempotencyKeyRequired
from domain.loyalty.idempotency import prefixed_key


def ledger_key(info: strawberry.Info, given: str | None, *, dry_run: bool = False) -> str | None:
    """The key written on the ledger entry: the client's (from the input or the
    Idempotency-Key header), scoped to the caller as the stored responses are (two
    callers may use the same key for different things). None only for a dry run without
    one; any other call without a key is refused with IdempotencyKeyRequired."""
    raw = given if given is not None else key_from_header(info.context)
    if raw is None or not raw.strip():
        if dry_run:
            return None
        raise IdempotencyKeyRequired(
            "points changes need an idempotencyKey (or the Idempotency-Key header)",
            field=("idempotencyKey",),
        )
    return prefixed_key(f"api:{info.context.principal.scope}:", raw)
