"""The error hierarchy of the domain.

Every expected failure is a `DomainError` subclass named for its condition. Contexts
subclass one of the categories below; `api/errors.py` maps classes (most specific first)
to public `ErrorCode`s, so a new error needs no change here. `ValidationErrors` carries
several refusals at once (every invalid field of an input), each shown on its own.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager


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


class ValidationErrors(DomainError):
    """Raised when several input fields are refused at once; `errors` holds one per field."""

    def __init__(self, errors: Sequence[DomainError]) -> None:
        flat = tuple(e for error in errors for e in _flattened(error))
        super().__init__("; ".join(e.message for e in flat))
        self.errors = flat

    # The paths live on the errors held: a prefix given to the whole (by a caller that nests
    # the input, as `domain.customers.paths.under` does) is passed on to each of them.
    @property
    def field(self) -> tuple[str, ...] | None:
        return None

    @field.setter
    def field(self, prefix: Sequence[str] | None) -> None:
        for error in getattr(self, "errors", ()):
            error.field = (*(prefix or ()), *(error.field or ()))


def _flattened(error: DomainError) -> tuple[DomainError, ...]:
    return error.errors if isinstance(error, ValidationErrors) else (error,)


class FieldErrors:
    """Collects the refusals of independent checks, to report them all together.

    `with found.check(): ...` keeps a DomainError raised inside; `found.raise_any()` then
    raises nothing, the one error, or a `ValidationErrors` of them all.
    """

    def __init__(self) -> None:
        self.errors: list[DomainError] = []

    @contextmanager
    def check(self) -> Iterator[None]:
        try:
            yield
        except DomainError as error:
            self.errors.extend(_flattened(error))

    def raise_any(self) -> None:
        if len(self.errors) == 1:
            raise self.errors[0]
        if self.errors:
            raise ValidationErrors(self.errors)
