"""Rules shared by every `Node.resolve_nodes`: which ids a caller may resolve.

A malformed id is a top-level BAD_REQUEST, as for every other id argument of a query: one
strawberry cannot read at all (`api.errors.code_request_errors`), one naming no
node type (`UnknownNodeTypeIsBadRequest`), one whose key is not a UUID (`visible_ids`).
An id of nothing (visible to the caller) resolves to null.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from inspect import isawaitable
from typing import Any
from uuid import UUID

import strawberry
from strawberry.extensions import FieldExtension
from strawberry.relay.types import GlobalIDValueError

from api.errors import ApiError, TopLevelCode
from domain.access.model import Role

NODE_IDS_DOC = (
    "A malformed id, or one naming no type of node, is a BAD_REQUEST error; "
    "an id of nothing you may see resolves to null."
)


def visible_ids(info: strawberry.Info, node_ids: Iterable[str], *, roles: set[Role]) -> list[UUID]:
    """Parse node ids; a caller whose role is not in `roles` is refused (FORBIDDEN), a key
    that is not a UUID is a BAD_REQUEST."""
    principal = info.context.principal
    if principal is None:
        raise ApiError("Authentication required", TopLevelCode.UNAUTHENTICATED)
    if principal.role not in roles:
        raise ApiError(
            f"Your role {principal.role.value} may not read these nodes", TopLevelCode.FORBIDDEN
        )
    parsed: list[UUID] = []
    for raw in node_ids:
        try:
            parsed.append(UUID(raw))
        except ValueError:
            raise ApiError(
                f"{raw!r} is not the key of any node (ids are opaque: send them as received)",
                TopLevelCode.BAD_REQUEST,
            ) from None
    return parsed


class UnknownNodeTypeIsBadRequest(FieldExtension):
    """On `node`/`nodes`: an id naming no node type is refused as BAD_REQUEST (strawberry
    raises a plain ValueError there, which would be masked as a fault of ours)."""

    def resolve(
        self, next_: Callable[..., Any], source: Any, info: strawberry.Info, **kwargs: Any
    ) -> Any:
        try:
            return next_(source, info, **kwargs)
        except GlobalIDValueError as error:
            raise ApiError(str(error), TopLevelCode.BAD_REQUEST) from None

    async def resolve_async(
        self,
        next_: Callable[..., Awaitable[Any]],
        source: Any,
        info: strawberry.Info,
        **kwargs: Any,
    ) -> Any:
        try:
            result = next_(source, info, **kwargs)
            return await result if isawaitable(result) else result
        except GlobalIDValueError as error:
            raise ApiError(str(error), TopLevelCode.BAD_REQUEST) from None
