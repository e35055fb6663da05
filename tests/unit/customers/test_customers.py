from __future__ import annotations

from datetime import date
from uuid import uuid4

import pytest

from domain.customers.commands import (
    UNSET,
    AddIdentity,
    EraseCustomer,
    IdentityInput,
    ProfileFields,
    UpdateCustomer,
)
from domain.customers.errors import (
    CustomerIsErased,
    DuplicateEmail,
    DuplicateIdentity,
    InvalidEmail,
    InvalidIdentity,
    InvalidPhoneNumber,
    UnknownCustomer,
)
from domain.customers.events import CustomerCreated, CustomerIdentityAdded, CustomerUpdated
from domain.customers.privacy import erase_customer
from domain.customers.profile import Gender
from domain.customers.services import (
    add_identity,
    create_customer,
    find_customer,
    get_customer,
    update_customer,
)
from domain.errors import AlreadyExists, NotFound, ValidationFailed
from tests.unit.customers.builders import create_command, make_customer
from tests.unit.customers.fakes import FakeCustomersUnitOfWork
from tests.unit.fakes import FixedClock


async def test_create_customer_stores_the_normalised_profile(
    uow: FakeCustomersUnitOfWork, clock: FixedClock
) -> None:
    customer = await make_customer(
        uow, clock, email="Ana@Example.COM", phone="06 12 34 56 78", phone_region="FR",
        first_name=" Ana ", gender=Gender.FEMALE, birthday=date(1990, 5, 1), country="pt",
        locale="pt_br", timezone="America/Sao_Paulo", metadata={"shoe_size": 38},
        identities=(("Shopify", " c-77 "),),
    )  # fmt: skip

    stored = uow.customers.rows[customer.id]
    assert stored.email == "Ana@example.com"
    assert stored.email_key == "ana@example.com"
    assert stored.phone == "+33612345678"
    assert stored.first_name == "Ana"
    assert (stored.country, stored.locale) == ("PT", "pt-BR")
    assert stored.public_metadata == {"shoe_size": 38}
    assert [(i.channel, i.external_id) for i in stored.identities] == [("shopify", "c-77")]
    assert stored.created_at == clock.now()
    assert uow.committed == 1
    assert [type(e) for e in uow.published] == [CustomerCreated, CustomerIdentityAdded]


async def test_invalid_email_is_refused_with_its_field_and_nothing_is_stored(
    uow: FakeCustomersUnitOfWork, clock: FixedClock
) -> None:
    with pytest.raises(InvalidEmail) as caught:
        await make_customer(uow, clock, email="ana@")

    assert isinstance(caught.value, ValidationFailed)
    assert caught.value.field == ("email",)
    assert uow.customers.rows == {}
    assert uow.committed == 0


async def test_invalid_phone_is_refused_with_its_field(
    uow: FakeCustomersUnitOfWork, clock: FixedClock
) -> None:
    with pytest.raises(InvalidPhoneNumber) as caught:
        await make_customer(uow, clock, email="ana@example.com", phone="12345")

    assert caught.value.field == ("phone",)
    assert uow.committed == 0


async def test_duplicate_email_is_refused_case_insensitively(
    uow: FakeCustomersUnitOfWork, clock: FixedClock
) -> None:
    await make_customer(uow, clock, email="ana@example.com")

    with pytest.raises(DuplicateEmail) as caught:
        await make_customer(uow, clock, email="ANA@example.com")

    assert isinstance(caught.value, AlreadyExists)
    assert caught.value.field == ("email",)
    assert len(uow.customers.rows) == 1
    assert uow.committed == 1


async def test_identity_of_another_customer_is_refused_at_creation(
    uow: FakeCustomersUnitOfWork, clock: FixedClock
) -> None:
    await make_customer(uow, clock, identities=(("shopify", "c-77"),))

    with pytest.raises(DuplicateIdentity) as caught:
        await make_customer(uow, clock, identities=(("pos", "card-1"), ("SHOPIFY", "c-77")))

    assert caught.value.field == ("identities", "1", "externalId")
    assert len(uow.customers.rows) == 1


async def test_malformed_identity_is_refused_with_its_path(
    uow: FakeCustomersUnitOfWork, clock: FixedClock
) -> None:
    with pytest.raises(InvalidIdentity) as caught:
        await create_customer(uow, clock, create_command(identities=(("shop ify", "1"),)))

    assert caught.value.field == ("identities", "0", "channel")


async def test_update_keeps_omitted_fields_and_clears_null_ones(
    uow: FakeCustomersUnitOfWork, clock: FixedClock
) -> None:
    customer = await make_customer(
        uow, clock, email="ana@example.com", first_name="Ana", last_name="Silva", city="Porto"
    )
    clock.advance(hours=1)

    updated = await update_customer(
        uow,
        clock,
        UpdateCustomer(
            customer_id=customer.id, profile=ProfileFields(last_name=None, city="Lisboa")
        ),
    )

    stored = uow.customers.rows[customer.id]
    assert (stored.first_name, stored.last_name, stored.city) == ("Ana", None, "Lisboa")
    assert stored.email == "ana@example.com"
    assert stored.updated_at == clock.now()
    assert updated.city == "Lisboa"
    changed = [e for e in uow.published if isinstance(e, CustomerUpdated)]
    assert [e.fields for e in changed] == [("last_name", "city")]


async def test_update_that_changes_nothing_emits_nothing(
    uow: FakeCustomersUnitOfWork, clock: FixedClock
) -> None:
    customer = await make_customer(uow, clock, email="ana@example.com", city="Porto")
    before = len(uow.published)

    await update_customer(
        uow, clock, UpdateCustomer(customer_id=customer.id, profile=ProfileFields(city="Porto"))
    )

    assert len(uow.published) == before


async def test_metadata_update_merges_keys(uow: FakeCustomersUnitOfWork, clock: FixedClock) -> None:
    customer = await make_customer(uow, clock, metadata={"a": 1, "b": 2})

    await update_customer(
        uow,
        clock,
        UpdateCustomer(
            customer_id=customer.id,
            profile=ProfileFields(metadata={"b": None, "c": [1]}, private_metadata={"n": "x"}),
        ),
    )

    stored = uow.customers.rows[customer.id]
    assert stored.public_metadata == {"a": 1, "c": [1]}
    assert stored.private_metadata == {"n": "x"}


async def test_refused_update_changes_no_field(
    uow: FakeCustomersUnitOfWork, clock: FixedClock
) -> None:
    customer = await make_customer(uow, clock, email="ana@example.com", city="Porto")

    with pytest.raises(InvalidPhoneNumber) as caught:
        await update_customer(
            uow,
            clock,
            UpdateCustomer(
                customer_id=customer.id, profile=ProfileFields(city="Lisboa", phone="+1 555")
            ),
        )

    assert caught.value.field == ("phone",)
    assert uow.customers.rows[customer.id].city == "Porto"


async def test_update_to_an_email_taken_by_another_customer_is_refused(
    uow: FakeCustomersUnitOfWork, clock: FixedClock
) -> None:
    await make_customer(uow, clock, email="ana@example.com")
    bea = await make_customer(uow, clock, email="bea@example.com")

    with pytest.raises(DuplicateEmail) as caught:
        await update_customer(
            uow,
            clock,
            UpdateCustomer(customer_id=bea.id, profile=ProfileFields(email="Ana@Example.com")),
        )

    assert caught.value.field == ("email",)
    assert uow.customers.rows[bea.id].email == "bea@example.com"


async def test_update_of_an_unknown_customer_is_refused(
    uow: FakeCustomersUnitOfWork, clock: FixedClock
) -> None:
    with pytest.raises(UnknownCustomer) as caught:
        await update_customer(
            uow, clock, UpdateCustomer(customer_id=uuid4(), profile=ProfileFields(city="Porto"))
        )

    assert isinstance(caught.value, NotFound)
    assert caught.value.field == ("id",)


async def test_update_of_an_erased_customer_is_refused(
    uow: FakeCustomersUnitOfWork, clock: FixedClock
) -> None:
    customer = await make_customer(uow, clock, email="ana@example.com")
    await erase_customer(uow, clock, EraseCustomer(customer_id=customer.id, actor="admin:1"))

    with pytest.raises(CustomerIsErased):
        await update_customer(
            uow, clock, UpdateCustomer(customer_id=customer.id, profile=ProfileFields(city="X"))
        )


async def test_add_identity_links_it_once(uow: FakeCustomersUnitOfWork, clock: FixedClock) -> None:
    customer = await make_customer(uow, clock, email="ana@example.com")
    command = AddIdentity(customer_id=customer.id, channel="tmall", external_id="buyer_nick")

    await add_identity(uow, clock, command)
    await add_identity(uow, clock, command)

    identities = uow.customers.rows[customer.id].identities
    assert [(i.channel, i.external_id) for i in identities] == [("tmall", "buyer_nick")]
    assert sum(isinstance(e, CustomerIdentityAdded) for e in uow.published) == 1


async def test_add_identity_held_by_another_customer_is_refused(
    uow: FakeCustomersUnitOfWork, clock: FixedClock
) -> None:
    await make_customer(uow, clock, identities=(("pos", "card-99"),))
    bea = await make_customer(uow, clock, email="bea@example.com")

    with pytest.raises(DuplicateIdentity) as caught:
        await add_identity(
            uow, clock, AddIdentity(customer_id=bea.id, channel="POS", external_id="card-99")
        )

    assert caught.value.field == ("externalId",)
    assert uow.customers.rows[bea.id].identities == []


async def test_add_identity_to_an_unknown_customer_is_refused(
    uow: FakeCustomersUnitOfWork, clock: FixedClock
) -> None:
    with pytest.raises(UnknownCustomer) as caught:
        await add_identity(
            uow, clock, AddIdentity(customer_id=uuid4(), channel="pos", external_id="1")
        )

    assert caught.value.field == ("customerId",)


async def test_customer_is_found_by_email_case_insensitively_and_by_identity(
    uow: FakeCustomersUnitOfWork, clock: FixedClock
) -> None:
    ana = await make_customer(uow, clock, email="ana@example.com", identities=(("pos", "7"),))

    by_email = await find_customer(uow, email="ANA@EXAMPLE.COM")
    by_identity = await find_customer(uow, identity=IdentityInput(channel="POS", external_id="7"))
    by_id = await get_customer(uow, ana.id)

    assert by_email is not None and by_email.id == ana.id
    assert by_identity is not None and by_identity.id == ana.id
    assert by_id.id == ana.id
    assert await find_customer(uow, email="bea@example.com") is None
    assert await find_customer(uow, customer_id=uuid4()) is None


async def test_get_of_an_unknown_customer_is_refused(uow: FakeCustomersUnitOfWork) -> None:
    with pytest.raises(UnknownCustomer):
        await get_customer(uow, uuid4())


def test_unset_is_falsy_and_distinct_from_none() -> None:
    assert not UNSET
    assert UNSET is not None
    assert ProfileFields().email is UNSET
