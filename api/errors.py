"""Error codes of the public API, and the one place that maps domain errors to them.

Expected failures are `userErrors` in a mutation's payload; top-level errors are for
authentication, authorisation, limits and faults (masked, with a request id).
"""

from __future__ import annotations

from collections.abc import Sequence
from enum import Enum, StrEnum

import strawberry
from graphql import GraphQLError, Node
from strawberry.exceptions import StrawberryInputCoercionError

from domain import errors as domain_errors
from domain.access import errors as access_errors


@strawberry.enum(description="Why a mutation refused its input.")
class ErrorCode(Enum):
    INVALID = "INVALID"
    NOT_FOUND = "NOT_FOUND"
    ALREADY_EXISTS = "ALREADY_EXISTS"
    INVALID_TRANSITION = "INVALID_TRANSITION"
    CONFLICT = "CONFLICT"
    IDEMPOTENCY_CONFLICT = "IDEMPOTENCY_CONFLICT"
    INSUFFICIENT_POINTS = "INSUFFICIENT_POINTS"
    FORBIDDEN = "FORBIDDEN"
    INVALID_ID = "INVALID_ID"
    CONCURRENT_MODIFICATION = "CONCURRENT_MODIFICATION"


@strawberry.type(description="An expected failure of a mutation, tied to an input field.")
class UserError:
    field: list[str] | None = strawberry.field(
        description="Path of the input field at fault (camelCase names, list indexes).",
    )
    code: ErrorCode = strawberry.field(description="Machine-readable reason.")
    message: str = strawberry.field(description="Human-readable explanation.")


# Most specific first wins: `user_error` walks the MRO of the raised error, so contexts
# only add a line here when an error needs a code of its own.
ERROR_CODES: dict[type[domain_errors.DomainError], ErrorCode] = {
    domain_errors.ValidationFailed: ErrorCode.INVALID,
    domain_errors.NotFound: ErrorCode.NOT_FOUND,
    domain_errors.AlreadyExists: ErrorCode.ALREADY_EXISTS,
    domain_errors.InvalidTransition: ErrorCode.INVALID_TRANSITION,
    domain_errors.Conflict: ErrorCode.CONFLICT,
    domain_errors.IdempotencyConflict: ErrorCode.IDEMPOTENCY_CONFLICT,
    domain_errors.Forbidden: ErrorCode.FORBIDDEN,
    access_errors.ApiKeyAlreadyRevoked: ErrorCode.INVALID_TRANSITION,
}


def register_error_code(error: type[domain_errors.DomainError], code: ErrorCode) -> None:
    """Give a specific domain error its own public code (called by context modules)."""
    ERROR_CODES[error] = code


def user_error(error: domain_errors.DomainError) -> UserError:
    """The public form of one domain error (`user_errors` also unpacks `ValidationErrors`)."""
    for klass in type(error).__mro__:
        code = ERROR_CODES.get(klass)
        if code is not None:
            break
    else:
        code = ErrorCode.INVALID
    return UserError(
        field=list(error.field) if error.field is not None else None,
        code=code,
        message=error.message,
    )


def user_errors(errors: Sequence[domain_errors.DomainError]) -> list[UserError]:
    """The public form of domain errors: a `ValidationErrors` gives one per error it holds."""
    return [
        user_error(inner)
        for error in errors
        for inner in (
            error.errors if isinstance(error, domain_errors.ValidationErrors) else (error,)
        )
    ]


class TopLevelCode(StrEnum):
    """Codes of top-level errors (in `errors[].extensions.code`)."""

    UNAUTHENTICATED = "UNAUTHENTICATED"
    FORBIDDEN = "FORBIDDEN"
    THROTTLED = "THROTTLED"
    BAD_REQUEST = "BAD_REQUEST"
    IDEMPOTENCY_CONFLICT = "IDEMPOTENCY_CONFLICT"
    IDEMPOTENCY_IN_PROGRESS = "IDEMPOTENCY_IN_PROGRESS"
    INTERNAL_SERVER_ERROR = "INTERNAL_SERVER_ERROR"


class ApiError(GraphQLError):
    """A top-level error with a code; never masked."""

    def __init__(
        self, message: str, code: TopLevelCode, *, nodes: Sequence[Node] | None = None
    ) -> None:
        super().__init__(message, nodes=nodes, extensions={"code": code.value})
        self.code = code


def code_request_errors(result: object) -> None:
    """Gives BAD_REQUEST, in place, to the request errors that carry no code: argument
    values strawberry could not read, and errors of parsing and validation (the depth and
    alias limits included), so that every top-level error has a code.

    Strawberry refuses an argument it cannot convert for a resolver (a malformed `ID` of a
    node, say) with an error that has no code; our own refusals of malformed ids are
    BAD_REQUEST (`api.relay.decode_id_or_bad_request`), and so are these. Masking ran
    before: a fault without a code has one by now.
    """
    for error in getattr(result, "errors", None) or ():
        extensions = error.extensions or {}
        if "code" not in extensions and (
            isinstance(error.original_error, StrawberryInputCoercionError) or not error.path
        ):
            error.extensions = {**extensions, "code": TopLevelCode.BAD_REQUEST.value}
