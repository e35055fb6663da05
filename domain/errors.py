"""The error hierarchy of the domain.

Every expected failure is a `DomainError` subclass named for its condition. Contexts
subclass one of the categories below; `api/errors.py` maps classes (most specific first)
to public `ErrorCode`s, so a new error needs no change here.
"""

from __future__ import annotations

from collections.abc import Sequence


class DomainError(Exception):
    """Raised when a use case refuses a request; the message is shown to clients."""

    def __init__(self, message: str, *, field: Sequence[str] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field: tuple[str, ...] | None = tuple(field) if field is not None else None


class ValidationFailed(DomainError):
    """Raised when an input value is malformed or out of range."""


class NotFound(DomainError):
    """Raised when a referenced record does not exist (or is not visible to the caller)."""


class AlreadyExists(DomainError):
    """Raised when a unique value (email, identity, code) is already taken."""


class InvalidTransition(DomainError):
    """Raised when a state change is not allowed from the current state."""


class Conflict(DomainError):
    """Raised when the request contradicts the current state in some other way."""


class IdempotencyConflict(DomainError):
    """Raised when an idempotency key is reused with different arguments."""


class Forbidden(DomainError):
    """Raised when the caller may not act on this particular record."""
