"""Customers with identities on SQLite and PostgreSQL, through the use cases."""

from __future__ import annotations

import asyncio
from datetime import date

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from domain.customers.commands import AddIdentity, IdentityInput, ProfileFields, UpdateCustomer
from domain.customers.errors import DuplicateEmail, DuplicateIdentity, UnknownCustomer
from domain.customers.model import Customer
from domain.customers.profile import Gender
from domain.customers.services import add_identity, find_customer, get_customer, update_customer
from domain.ids import new_id
from persistence.tables.customers import customer_identities, customers
from tests.integration.customers.builders import count_rows, fetch_one, make_customer
from tests.integration.customers.conftest import MakeUow
from tests.unit.fakes import FixedClock


async def test_a_created_customer_reads_back_with_its_identities(
    make_uow: MakeUow, clock: FixedClock
) -> None:
    created = await make_customer(
        make_uow(),
        clock,
        email="Ana.Lopez@Example.com",
        phone="+33 6 12 34 56 78",
        first_name="Ana",
        gender=Gender.FEMALE,
        birthday=date(1990, 5, 17),
        country="fr",
        metadata={"vip": True, "tags": ["a", 1]},
        identities=(("shopify", "c-1"), ("app", "u-9")),
    )

    loaded = await get_customer(make_uow(), created.id)

    assert loaded.email == "Ana.Lopez@example.com"
    assert loaded.email_key == "ana.lopez@example.com"
    assert loaded.phone == "+33612345678"
    assert (loaded.first_name, loaded.gender, loaded.birthday, loaded.country) == (
        "Ana",
        Gender.FEMALE,
        date(1990, 5, 17),
        "FR",
    )
    assert loaded.public_metadata == {"vip": True, "tags": ["a", 1]}
    assert loaded.created_at == created.created_at
    assert sorted((i.channel, i.external_id) for i in loaded.identities) == [
        ("app", "u-9"),
        ("shopify", "c-1"),
    ]
    assert {i.id for i in loaded.identities} == {i.id for i in created.identities}


async def test_update_clears_a_field_given_as_null_and_keeps_an_omitted_one(
    engine: AsyncEngine, make_uow: MakeUow, clock: FixedClock
) -> None:
    customer = await make_customer(
        make_uow(), clock, email="ben@example.com", first_name="Ben", city="Lyon"
    )
    clock.advance(hours=1)

    updated = await update_customer(
        make_uow(),
        clock,
        UpdateCustomer(customer_id=customer.id, profile=ProfileFields(city=None, last_name="Roy")),
    )

    row = await fetch_one(engine, customers, customers.c.id == customer.id)
    assert (row.first_name, row.last_name, row.city) == ("Ben", "Roy", None)
    assert row.updated_at == clock.now()
    assert updated.city is None


async def test_an_added_identity_finds_the_customer(make_uow: MakeUow, clock: FixedClock) -> None:
    customer = await make_customer(make_uow(), clock, email="cid@example.com")

    await add_identity(
        make_uow(), clock, AddIdentity(customer_id=customer.id, channel="POS", external_id=" 42 ")
    )

    found = await find_customer(make_uow(), identity=IdentityInput(channel="pos", external_id="42"))
    assert found is not None and found.id == customer.id
    assert [(i.channel, i.external_id) for i in found.identities] == [("pos", "42")]


async def test_lookups_by_email_are_case_insensitive_and_unknown_ids_are_refused(
    make_uow: MakeUow, clock: FixedClock
) -> None:
    customer = await make_customer(make_uow(), clock, email="dora@example.com")

    found = await find_customer(make_uow(), email="DORA@example.COM")
    assert found is not None and found.id == customer.id
    assert await find_customer(make_uow(), email="nobody@example.com") is None
    assert await find_customer(make_uow(), customer_id=new_id()) is None
    with pytest.raises(UnknownCustomer) as refused:
        await get_customer(make_uow(), new_id())
    assert refused.value.field == ("id",)


async def test_an_email_taken_in_another_case_is_refused(
    engine: AsyncEngine, make_uow: MakeUow, clock: FixedClock
) -> None:
    await make_customer(make_uow(), clock, email="eve@example.com")

    with pytest.raises(DuplicateEmail) as refused:
        await make_customer(make_uow(), clock, email="EVE@example.com")

    assert refused.value.field == ("email",)
    assert await count_rows(engine, customers) == 1


async def test_an_identity_of_another_customer_is_refused(
    engine: AsyncEngine, make_uow: MakeUow, clock: FixedClock
) -> None:
    await make_customer(make_uow(), clock, identities=(("shopify", "c-5"),))
    other = await make_customer(make_uow(), clock, email="fay@example.com")

    with pytest.raises(DuplicateIdentity) as refused:
        await add_identity(
            make_uow(),
            clock,
            AddIdentity(customer_id=other.id, channel="shopify", external_id="c-5"),
        )

    assert refused.value.field == ("externalId",)
    assert await count_rows(engine, customer_identities) == 1


async def test_unique_violations_become_domain_errors_and_the_transaction_goes_on(
    engine: AsyncEngine, make_uow: MakeUow, clock: FixedClock
) -> None:
    # Given a stored customer with an email and an identity
    first = await make_customer(
        make_uow(), clock, email="gil@example.com", identities=(("shopify", "g-1"),)
    )
    # When the repository is asked to store others that collide (as a concurrent
    # transaction would, past the use case's check), then more work in the same transaction
    async with make_uow() as uow:
        same_email = Customer.register(ProfileFields(email="GIL@example.com"), now=clock.now())
        with pytest.raises(DuplicateEmail) as email_refused:
            await uow.customers.add(same_email)
        same_identity = Customer.register(ProfileFields(email="gil2@example.com"), now=clock.now())
        same_identity.add_identity("shopify", "g-1", now=clock.now())
        with pytest.raises(DuplicateIdentity) as identity_refused:
            await uow.customers.add(same_identity)
        fine = Customer.register(ProfileFields(email="gil3@example.com"), now=clock.now())
        await uow.customers.add(fine)
        await uow.commit()
    # Then the errors name the fields, and only the good row is stored
    assert email_refused.value.field == ("email",)
    assert identity_refused.value.field == ("externalId",)
    assert await count_rows(engine, customers) == 2
    assert await count_rows(engine, customer_identities) == 1
    stored = await get_customer(make_uow(), first.id)
    assert [i.external_id for i in stored.identities] == ["g-1"]


async def test_a_save_that_takes_a_held_email_raises_duplicate_email(
    make_uow: MakeUow, clock: FixedClock
) -> None:
    await make_customer(make_uow(), clock, email="hal@example.com")
    other = await make_customer(make_uow(), clock, email="ivy@example.com")
    async with make_uow() as uow:
        loaded = await uow.customers.get_for_update(other.id)
        assert loaded is not None
        loaded.update_profile(ProfileFields(email="Hal@example.com"), now=clock.now())
        with pytest.raises(DuplicateEmail):
            await uow.customers.save(loaded)
    assert (await get_customer(make_uow(), other.id)).email == "ivy@example.com"


async def test_a_creation_racing_an_uncommitted_one_with_the_same_email_is_refused(
    engine: AsyncEngine, make_uow: MakeUow, clock: FixedClock
) -> None:
    # Given a transaction that inserted a customer and has not committed yet
    async with make_uow() as holder:
        await holder.customers.add(
            Customer.register(ProfileFields(email="jo@example.com"), now=clock.now())
        )
        # When another request creates a customer with the same email meanwhile
        racer = asyncio.create_task(make_customer(make_uow(), clock, email="JO@example.com"))
        await asyncio.sleep(0.3)
        assert not racer.done(), "the racer must wait for the holder's transaction"
        await holder.commit()
    # Then it fails with DuplicateEmail (PostgreSQL: the unique index waited for the
    # holder; SQLite: BEGIN IMMEDIATE waited, then the use case's check saw the row)
    with pytest.raises(DuplicateEmail) as refused:
        await racer
    assert refused.value.field == ("email",)
    assert await count_rows(engine, customers) == 1


async def test_parallel_creations_with_one_email_store_one_customer(
    engine: AsyncEngine, make_uow: MakeUow, clock: FixedClock
) -> None:
    results = await asyncio.gather(
        *(make_customer(make_uow(), clock, email="kim@example.com") for _ in range(8)),
        return_exceptions=True,
    )

    created = [r for r in results if isinstance(r, Customer)]
    refused = [r for r in results if isinstance(r, DuplicateEmail)]
    assert (len(created), len(refused)) == (1, 7), results
    assert await count_rows(engine, customers) == 1
