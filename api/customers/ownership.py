"""Which customer a call acts on: customer tokens act on their own customer only."""

from __future__ import annotations

from uuid import UUID

import strawberry

from api.relay import decode_id
from domain.errors import Forbidden, ValidationFailed


class CustomerIdRequired(ValidationFailed):
    """Raised when an API key calls without naming the customer."""


class NotYourCustomer(Forbidden):
    """Raised when a customer token names another customer."""


def acting_customer(
    info: strawberry.Info, requested: str | None, field: str = "customerId"
) -> UUID:
    principal = info.context.principal
    wanted = decode_id(requested, "Customer", field=(field,)) if requested is not None else None
    if principal.is_customer:
        if wanted is not None and wanted != principal.customer_id:
            raise NotYourCustomer("a customer token acts only on its own customer", field=(field,))
        return principal.customer_id
    if wanted is None:
        raise CustomerIdRequired(f"{field} is required", field=(field,))
    return wanted
