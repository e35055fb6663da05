"""Idempotency of points-changing requests.

Each request carries a key; the entry it appended stores the key (unique over the ledger)
and a fingerprint of the request's arguments. A replay with the same key and fingerprint
returns the first result; the same key with another fingerprint is refused.
"""

from __future__ import annotations

import hashlib
import json
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from uuid import UUID

from domain.errors import IdempotencyConflict, ValidationFailed
from domain.loyalty.ledger import LedgerEntry

MAX_KEY_LENGTH = 200
"""Longest key a ledger entry takes (its column holds 255)."""


def _plain(value: object) -> object:
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, UUID | Decimal | datetime | date):
        return str(value)
    return value


def fingerprint(operation: str, **arguments: object) -> str:
    """A stable digest of an operation and its arguments (order of keywords irrelevant)."""
    payload = json.dumps(
        {"op": operation, **{k: _plain(v) for k, v in arguments.items()}},
        sort_keys=True,
        default=str,
    )
    return hashlib.sha256(payload.encode()).hexdigest()


def prefixed_key(prefix: str, raw: str) -> str:
    """`prefix + raw` (a key namespaced to its caller or its cause), or, when that would
    exceed MAX_KEY_LENGTH, `prefix` and a digest of `raw`: any key a client may send fits
    the ledger and still replays to the same entry."""
    if len(prefix) + len(raw) <= MAX_KEY_LENGTH:
        return prefix + raw
    return prefix + "sha256:" + hashlib.sha256(raw.encode()).hexdigest()


def check_key(key: str) -> None:
    """Refuse a blank or over-long idempotency key."""
    if not key.strip() or len(key) > MAX_KEY_LENGTH:
        raise ValidationFailed(
            f"idempotencyKey must be 1-{MAX_KEY_LENGTH} characters", field=("idempotencyKey",)
        )


def replay(existing: LedgerEntry, fingerprint_: str) -> LedgerEntry:
    """The first result for a replayed key, or IdempotencyConflict if the request differs."""
    if existing.fingerprint != fingerprint_:
        raise IdempotencyConflict(
            f"idempotency key {existing.idempotency_key!r} was used for another request",
            field=("idempotencyKey",),
        )
    return existing
