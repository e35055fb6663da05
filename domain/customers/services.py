"""Use cases on customers: create, update, identities, consent, look-ups."""

from __future__ import annotations

from uuid import UUID

from domain.customers.commands import (
    AddIdentity,
    CreateCustomer,
    IdentityInput,
    SetConsent,
    UpdateCustomer,
)
from domain.customers.consent import ConsentLog
from domain.customers.errors import CustomerIsErased, DuplicateEmail
from domain.customers.lookup import (
    customer_by_email,
    customer_by_id,
    customer_by_identity,
    ensure_identity_free,
)
from domain.customers.model import Customer, normalise_identity
from domain.customers.paths import under
from domain.customers.repository import CustomerRepository, CustomersUnitOfWork
from domain.ports import Clock


async def create_customer(
    uow: CustomersUnitOfWork, clock: Clock, command: CreateCustomer
) -> Customer:
    """Create a customer; DuplicateEmail / DuplicateIdentity if those are taken."""
    async with uow:
        now = clock.now()
        customer = Customer.register(command.profile, now=now)
        for index, identity in enumerate(command.identities):
            with under("identities", str(index)):
                channel, external_id = normalise_identity(identity.channel, identity.external_id)
                await ensure_identity_free(uow.customers, channel, external_id, customer.id)
                customer.add_identity(channel, external_id, now=now)
        await _ensure_email_free(uow.customers, customer)
        await uow.customers.add(customer)
        _emit(uow, customer)
        await uow.commit()
    return customer


async def update_customer(
    uow: CustomersUnitOfWork, clock: Clock, command: UpdateCustomer
) -> Customer:
    """Change profile fields: UNSET ones are kept, None ones cleared.

    A merged customer's id updates its winner.
    """
    async with uow:
        customer = await customer_by_id(uow.customers, command.customer_id, lock=True)
        changed = customer.update_profile(command.profile, now=clock.now())
        if changed:
            if "email" in changed:
                await _ensure_email_free(uow.customers, customer)
            await uow.customers.save(customer)
            _emit(uow, customer)
        await uow.commit()
    return customer


async def add_identity(uow: CustomersUnitOfWork, clock: Clock, command: AddIdentity) -> Customer:
    """Link a (channel, externalId) identity; DuplicateIdentity if another customer has it."""
    async with uow:
        customer = await customer_by_id(
            uow.customers, command.customer_id, lock=True, field=("customerId",)
        )
        channel, external_id = normalise_identity(command.channel, command.external_id)
        await ensure_identity_free(uow.customers, channel, external_id, customer.id)
        if customer.has_identity(channel, external_id) is None:
            customer.add_identity(channel, external_id, now=clock.now())
            await uow.customers.save(customer)
            _emit(uow, customer)
        await uow.commit()
    return customer


async def set_consent(uow: CustomersUnitOfWork, clock: Clock, command: SetConsent) -> ConsentLog:
    """Append a consent change (a repeat of the current state appends nothing)."""
    async with uow:
        customer = await customer_by_id(
            uow.customers, command.customer_id, lock=True, field=("customerId",)
        )
        if customer.is_erased:
            raise CustomerIsErased(f"customer {customer.id} was erased", field=("customerId",))
        log = await uow.consents.get_log(customer.id)
        entry = log.record(
            channel=command.channel,
            state=command.state,
            source=command.source,
            now=clock.now(),
            opt_in_level=command.opt_in_level,
            occurred_at=command.occurred_at,
        )
        if entry is not None:
            await uow.consents.append([entry])
            for event in log.pull_events():
                uow.emit(event)
        await uow.commit()
    return log


async def get_customer(uow: CustomersUnitOfWork, customer_id: UUID) -> Customer:
    """The customer with this id (a merged loser's id answers its winner); UnknownCustomer."""
    async with uow:
        return await customer_by_id(uow.customers, customer_id)


async def find_customer(
    uow: CustomersUnitOfWork,
    *,
    customer_id: UUID | None = None,
    email: str | None = None,
    identity: IdentityInput | None = None,
) -> Customer | None:
    """The customer named by id, else email, else identity (through merges), or None."""
    async with uow:
        if customer_id is not None:
            found = await uow.customers.get(customer_id)
            return await customer_by_id(uow.customers, customer_id) if found else None
        if email is not None:
            return await customer_by_email(uow.customers, email)
        if identity is not None:
            with under("identity"):
                return await customer_by_identity(
                    uow.customers, identity.channel, identity.external_id
                )
        return None


async def _ensure_email_free(customers: CustomerRepository, customer: Customer) -> None:
    if customer.email_key is None:
        return
    holder = await customers.get_by_email(customer.email_key)
    if holder is not None and holder.id != customer.id:
        raise DuplicateEmail(f"{customer.email} is already taken", field=("email",))


def _emit(uow: CustomersUnitOfWork, customer: Customer) -> None:
    for event in customer.pull_events():
        uow.emit(event)
