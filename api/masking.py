"""Unexpected errors are masked for clients and logged with the request id.

`MaskUnexpectedErrors` masks what resolvers raise. An exception raised by an extension
hook (the idempotency store's database, say) unwinds past that extension's hooks, so
the schema masks its results once more on the way out (`mask_result`): an error masked
already has no original error left, so nothing is masked twice.
"""

from __future__ import annotations

import logging

from graphql import GraphQLError
from strawberry.extensions import MaskErrors

from patronage.observability import request_id_var

log = logging.getLogger("patronage.api")


def is_unexpected(error: GraphQLError) -> bool:
    """A fault of ours, as opposed to a validation error or a deliberate top-level error."""
    original = error.original_error
    if original is None or isinstance(original, GraphQLError):
        return False
    return not (error.extensions and "code" in error.extensions)


def masked(error: GraphQLError) -> GraphQLError:
    """The client's view of a fault: "Internal server error" and the request id to quote."""
    request_id = request_id_var.get()
    return GraphQLError(
        message=f"Internal server error (request id {request_id})",
        nodes=error.nodes,
        source=error.source,
        positions=error.positions,
        path=error.path,
        original_error=None,
        extensions={"code": "INTERNAL_SERVER_ERROR", "requestId": request_id},
    )


def mask_result(result: object) -> None:
    """Masks, in place, the faults among a result's errors."""
    errors: list[GraphQLError] | None = getattr(result, "errors", None)
    if errors and any(is_unexpected(e) for e in errors):
        result.errors = [masked(e) if is_unexpected(e) else e for e in errors]  # type: ignore[attr-defined]


class MaskUnexpectedErrors(MaskErrors):
    """Replaces faults by "Internal server error" with the request id to quote."""

    def __init__(self) -> None:
        super().__init__(should_mask_error=is_unexpected, error_message="Internal server error")

    def anonymise_error(self, error: GraphQLError) -> GraphQLError:
        return masked(error)
