"""Dataloaders of customers, identities and consents."""

from __future__ import annotations

from uuid import UUID

from api.loaders import BatchLoader
from persistence.queries.customers import (
    ConsentEntryView,
    CustomerView,
    IdentityView,
    consent_entries_by_customer,
    customers_by_id,
    identities_by_customer,
)


class CustomerByIdLoader(BatchLoader[UUID, CustomerView | None]):
    """A merged loser's id loads its winner."""

    fetch = staticmethod(customers_by_id)  # type: ignore[assignment]


class IdentitiesByCustomerLoader(BatchLoader[UUID, list[IdentityView]]):
    fetch = staticmethod(identities_by_customer)  # type: ignore[assignment]
    many = True


class ConsentEntriesByCustomerLoader(BatchLoader[UUID, list[ConsentEntryView]]):
    fetch = staticmethod(consent_entries_by_customer)  # type: ignore[assignment]
    many = True
