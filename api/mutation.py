"""How every mutation is declared: permissions, fresh reads, domain errors as userErrors.

Resolvers just call a use case and build the payload; a `DomainError` raised on the way
is caught here and returned as the payload's `userErrors` (its other fields null), so
no resolver repeats a try/except.

The top-level fields of a mutation run one after another, sharing the request's loaders:
each starts with their caches emptied, so its payload shows what the ones before it wrote
(`a: customerUpdate(...) b: customerUpdate(...)` on one customer: `b` sees `a`'s change
and its own).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import Any

import strawberry
from strawberry.extensions import FieldExtension
from strawberry.permission import BasePermission
from strawberry.types.field import StrawberryField

from api.errors import user_errors
from domain.errors import DomainError


class FreshReads(FieldExtension):
    """Empties the request's loader caches before the mutation runs."""

    async def resolve_async(
        self,
        next_: Callable[..., Awaitable[Any]],
        source: Any,
        info: strawberry.Info,
        **kwargs: Any,
    ) -> Any:
        info.context.forget_loaded()
        return await next_(source, info, **kwargs)


class DomainErrorsAsUserErrors(FieldExtension):
    """Returns a raised `DomainError` as the payload's userErrors (several for a
    `ValidationErrors`)."""

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
            return payload_type(user_errors=user_errors([error]))


def mutation(*, description: str, permission_classes: Sequence[type[BasePermission]]) -> Any:
    """Declare a mutation field: `@mutation(description=..., permission_classes=[Admin])`."""
    return strawberry.mutation(
        description=description,
        permission_classes=list(permission_classes),
        extensions=[FreshReads(), DomainErrorsAsUserErrors()],
    )
