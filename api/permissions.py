"""Permission classes declared on fields; resolvers never check roles by hand.

Usage: `strawberry.field(permission_classes=[Staff])` or a role set of your own via
`require(Role.ADMIN, Role.SUPPORT)`. A missing principal is UNAUTHENTICATED (normally
refused earlier by the view); a principal without the role is FORBIDDEN.
"""

from __future__ import annotations

from typing import Any, ClassVar

from strawberry.permission import BasePermission
from strawberry.types import Info

from api.errors import ApiError, TopLevelCode
from domain.access.model import Role


class RolePermission(BasePermission):
    """Allows callers whose role is in `roles`."""

    roles: ClassVar[frozenset[Role]] = frozenset()
    message = "Your role may not use this field"

    def has_permission(self, source: Any, info: Info, **kwargs: Any) -> bool:
        # Instances are shared by every request, so the message is raised, not stored.
        principal = info.context.principal
        if principal is None:
            raise ApiError("Authentication required", TopLevelCode.UNAUTHENTICATED)
        if principal.role not in self.roles:
            names = ", ".join(sorted(r.value for r in self.roles))
            raise ApiError(
                f"This field needs one of the roles {names}; you are {principal.role.value}",
                TopLevelCode.FORBIDDEN,
            )
        return True


_cache: dict[frozenset[Role], type[RolePermission]] = {}


def require(*roles: Role) -> type[RolePermission]:
    """A permission class allowing exactly `roles` (classes are cached per role set)."""
    key = frozenset(roles)
    if key not in _cache:
        name = "Require" + "Or".join(sorted(r.value.title() for r in key))
        _cache[key] = type(name, (RolePermission,), {"roles": key})
    return _cache[key]


Admin = require(Role.ADMIN)
Staff = require(Role.ADMIN, Role.MARKETER, Role.SUPPORT, Role.ANALYST)
Storefront = require(Role.ADMIN, Role.STOREFRONT)
AnyCaller = require(*Role)
