"""Finding customers: merged losers resolve to their winner; unknown references create one.

These helpers run inside a use case's unit of work; they do not commit.
"""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from domain.customers.commands import CustomerRef, ProfileFields
from domain.customers.errors import (
    CustomerIsErased,
    DuplicateIdentity,
    MissingCustomerReference,
    UnknownCustomer,
)
from domain.customers.model import Customer, normalise_identity
from domain.customers.paths import under
from domain.customers.profile import email_key, normalise_email
from domain.customers.repository import CustomerRepository, CustomersUnitOfWork

# Merges refuse a merged winner, so chains cannot loop; the bound only guards bad data.
MAX_CHAIN = 64


async def follow_merges(
    customers: CustomerRepository, customer: Customer, *, lock: bool = False
) -> Customer:
    """The customer at the end of `customer`'s merge chain (itself if never merged).

    With `lock`, the returned customer's row is locked (and re-read, in case a concurrent
    merge moved it on meanwhile).
    """
    for _ in range(MAX_CHAIN):
        if customer.merged_into is None:
            if not lock:
                return customer
            locked = await customers.get_for_update(customer.id)
            if locked is None:
                raise UnknownCustomer(f"customer {customer.id} vanished", field=("id",))
            if locked.merged_into is None:
                return locked
            customer = locked
            continue
        winner = await customers.get(customer.merged_into)
        if winner is None:
            raise RuntimeError(f"customer {customer.id} is merged into a missing customer")
        customer = winner
    raise RuntimeError(f"merge chain from customer {customer.id} is too long")


async def customer_by_id(
    customers: CustomerRepository,
    customer_id: UUID,
    *,
    lock: bool = False,
    field: tuple[str, ...] = ("id",),
) -> Customer:
    """The customer with this id, or the winner it was merged into; UnknownCustomer if none."""
    customer = await customers.get(customer_id)
    if customer is None:
        raise UnknownCustomer(f"no customer with id {customer_id}", field=field)
    return await follow_merges(customers, customer, lock=lock)


async def customer_by_email(customers: CustomerRepository, email: str) -> Customer | None:
    """The customer with this email (case-insensitive), resolved through merges."""
    found = await customers.get_by_email(email_key(normalise_email(email)))
    return await follow_merges(customers, found) if found is not None else None


async def customer_by_identity(
    customers: CustomerRepository, channel: str, external_id: str
) -> Customer | None:
    """The customer known on `channel` as `external_id`, resolved through merges."""
    channel, external_id = normalise_identity(channel, external_id)
    found = await customers.get_by_identity(channel, external_id)
    return await follow_merges(customers, found) if found is not None else None


async def resolve_or_create_customer(
    uow: CustomersUnitOfWork, ref: CustomerRef, *, now: datetime
) -> tuple[Customer, bool]:
    """The customer `ref` names, locked; created when its identity or email is unknown.

    By id: that customer (or its winner), which must exist. Otherwise the identity is
    looked up first, then the email; a customer found by email adopts the unknown
    identity; if neither is known, a customer is created with both. Erased customers
    are refused. Returns (customer, created). Error fields are relative to the reference
    (("id",), ("email",), ("identity", "channel")). Events go to `uow`.
    """
    if ref.id is not None:
        customer = await customer_by_id(uow.customers, ref.id, lock=True)
        _ensure_not_erased(customer, ("id",))
        return customer, False
    if ref.identity is None and ref.email is None:
        raise MissingCustomerReference("name the customer by id, identity or email")
    identity: tuple[str, str] | None = None
    if ref.identity is not None:
        with under("identity"):
            identity = normalise_identity(ref.identity.channel, ref.identity.external_id)
        found = await uow.customers.get_by_identity(*identity)
        if found is not None:
            customer = await follow_merges(uow.customers, found, lock=True)
            _ensure_not_erased(customer, ("identity",))
            return customer, False
    email = normalise_email(ref.email) if ref.email is not None else None
    if email is not None:
        found = await uow.customers.get_by_email(email_key(email))
        if found is not None:
            customer = await follow_merges(uow.customers, found, lock=True)
            _ensure_not_erased(customer, ("email",))
            if identity is not None:
                customer.add_identity(*identity, now=now)
                await uow.customers.save(customer)
                _emit(uow, customer)
            return customer, False
    customer = Customer.register(ProfileFields(email=email), now=now)
    if identity is not None:
        customer.add_identity(*identity, now=now)
    await uow.customers.add(customer)
    _emit(uow, customer)
    return customer, True


async def ensure_identity_free(
    customers: CustomerRepository, channel: str, external_id: str, owner_id: UUID
) -> None:
    """Refuse an identity that a customer other than `owner_id` already has."""
    holder = await customers.get_by_identity(channel, external_id)
    if holder is not None and holder.id != owner_id:
        raise DuplicateIdentity(
            f"identity {channel}:{external_id} already belongs to another customer",
            field=("externalId",),
        )


def _ensure_not_erased(customer: Customer, field: tuple[str, ...]) -> None:
    if customer.is_erased:
        raise CustomerIsErased(f"customer {customer.id} was erased", field=field)


def _emit(uow: CustomersUnitOfWork, customer: Customer) -> None:
    for event in customer.pull_events():
        uow.emit(event)
