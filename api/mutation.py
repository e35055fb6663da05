"""How every mutation is declared: permissions, and domain errors become userErrors.

Resolvers just call a use case and build the payload; a `DomainError` raised on the way
is caught here and returned as the payload's `userErrors` (its other fields null), so
no resolver repeats a try/except.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import Any

import strawberry
from strawberry.extensions import FieldExtension
from strawberry.permission import BasePermission
from strawberry.types.field import StrawberryField

from api.errors import user_error
from domain.errors import DomainError


class DomainErrorsAsUserErrors(FieldExtension):
    def apply(self, field: StrawberryField) -> None:
        self.payload_type = field.type

    async def resolve_async(
        self,
        next_: Callable[..., Awaitable[Any]],
        source: Any,
        info: strawberry.Info,
        **kwargs: Any,
    ) -> Any:
        try:
            return await next_(source, info, **kwargs)
        except DomainError as error:
            payload_type: Any = self.payload_type
            return payload_type(user_errors=[user_error(error)])


def mutation(*, description: str, permission_classes: Sequence[type[BasePermission]]) -> Any:
    """Declare a mutation field: `@mutation(description=..., permission_classes=[Admin])`."""
    return strawberry.mutation(
        description=description,
        permission_classes=list(permission_classes),
        extensions=[DomainErrorsAsUserErrors()],
    )
