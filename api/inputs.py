"""Pieces every mutation input and payload shares."""

from __future__ import annotations

import strawberry

IDEMPOTENCY_KEY_DOC = (
    "Client-chosen key (at most 255 characters) making the call safe to retry: a replay "
    "returns the first response; the same key with a different request is refused with "
    "IDEMPOTENCY_CONFLICT. The `Idempotency-Key` header works the same way."
)


def idempotency_key_field() -> str | None:
    return strawberry.field(default=None, description=IDEMPOTENCY_KEY_DOC)


def user_errors_field() -> list:  # type: ignore[type-arg]
    return strawberry.field(
        default_factory=list, description="Why the input was refused; empty on success."
    )
