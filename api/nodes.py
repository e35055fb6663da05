"""Rules shared by every `Node.resolve_nodes`: which ids a caller may resolve."""

from __future__ import annotations

from collections.abc import Iterable
from uuid import UUID

import strawberry

from api.errors import ApiError, TopLevelCode
from domain.access.model import Role


def visible_ids(
    info: strawberry.Info, node_ids: Iterable[str], *, roles: set[Role]
) -> list[UUID | None]:
    """Parse node ids; a caller whose role is not in `roles` is refused (FORBIDDEN)."""
    principal = info.context.principal
    if principal is None:
        raise ApiError("Authentication required", TopLevelCode.UNAUTHENTICATED)
    if principal.role not in roles:
        raise ApiError(
            f"Your role {principal.role.value} may not read these nodes", TopLevelCode.FORBIDDEN
        )
    parsed: list[UUID | None] = []
    for raw in node_ids:
        try:
            parsed.append(UUID(raw))
        except ValueError:
            parsed.append(None)
    return parsed
