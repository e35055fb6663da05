from __future__ import annotations

import json
from datetime import date
from typing import Any
from uuid import UUID

from domain.customers.commands import EraseCustomer, SetConsent
from domain.customers.consent import ConsentChannel, ConsentState
from domain.customers.events import CustomerErased
from domain.customers.participants import Participants
from domain.customers.privacy import erase_customer, export_customer
from domain.customers.profile import Gender
from domain.customers.services import set_consent
from tests.unit.customers.builders import make_customer, merge
from tests.unit.customers.fakes import FakeCustomersUnitOfWork
from tests.unit.fakes import FixedClock


async def test_erase_scrubs_personal_data_and_drops_identities(
    uow: FakeCustomersUnitOfWork, clock: FixedClock
) -> None:
    ana = await make_customer(
        uow, clock, email="ana@example.com", phone="+33612345678", first_name="Ana",
        last_name="Silva", gender=Gender.FEMALE, birthday=date(1990, 5, 1), country="PT",
        region="Norte", city="Porto", locale="pt-PT", metadata={"size": 38},
        private_metadata={"note": "x"}, identities=(("pos", "9"),),
    )  # fmt: skip
    await set_consent_subscribed(uow, clock, ana.id)

    await erase_customer(uow, clock, EraseCustomer(customer_id=ana.id, actor="admin:1"))

    stored = uow.customers.rows[ana.id]
    for name in ("email", "email_key", "phone", "first_name", "last_name", "gender",
                 "birthday", "country", "region", "city"):  # fmt: skip
        assert getattr(stored, name) is None, name
    assert stored.public_metadata == {} and stored.private_metadata == {}
    assert stored.identities == []
    assert stored.erased_at == clock.now()
    log = await uow.consents.get_log(ana.id)
    assert log.state_of(ConsentChannel.EMAIL) == ConsentState.UNSUBSCRIBED
    assert [e for e in uow.published if isinstance(e, CustomerErased)] == [
        CustomerErased(customer_id=ana.id)
    ]
    assert uow.audit.entries[-1] == {
        "actor": "admin:1",
        "action": "customer.erase",
        "target": str(ana.id),
        "details": {"requestedId": str(ana.id)},
    }


async def test_erased_email_and_identity_can_be_used_again(
    uow: FakeCustomersUnitOfWork, clock: FixedClock
) -> None:
    ana = await make_customer(uow, clock, email="ana@example.com", identities=(("pos", "9"),))
    await erase_customer(uow, clock, EraseCustomer(customer_id=ana.id, actor="admin:1"))

    again = await make_customer(uow, clock, email="ana@example.com", identities=(("pos", "9"),))

    assert again.id != ana.id


async def test_erase_is_idempotent(uow: FakeCustomersUnitOfWork, clock: FixedClock) -> None:
    ana = await make_customer(uow, clock, email="ana@example.com")
    command = EraseCustomer(customer_id=ana.id, actor="admin:1")
    await erase_customer(uow, clock, command)
    erased_at = uow.customers.rows[ana.id].erased_at
    published, audited = len(uow.published), len(uow.audit.entries)

    clock.advance(days=1)
    again = await erase_customer(uow, clock, command)

    assert again.erased_at == erased_at
    assert uow.customers.rows[ana.id].erased_at == erased_at
    assert (len(uow.published), len(uow.audit.entries)) == (published, audited)


async def test_erasing_a_merged_id_erases_the_whole_person(
    uow: FakeCustomersUnitOfWork, clock: FixedClock, participants: Participants
) -> None:
    loser = await make_customer(uow, clock, email="ana@old.example", first_name="Ana")
    winner = await make_customer(uow, clock, email="ana@example.com")
    await merge(uow, clock, participants, loser=loser, winner=winner)

    await erase_customer(uow, clock, EraseCustomer(customer_id=loser.id, actor="admin:1"))

    for customer_id in (loser.id, winner.id):
        stored = uow.customers.rows[customer_id]
        assert stored.erased_at is not None
        assert stored.email is None
    assert uow.audit.actions().count("customer.erase") == 2


async def test_export_holds_profile_identities_consents_and_merged_customers(
    uow: FakeCustomersUnitOfWork, clock: FixedClock, participants: Participants
) -> None:
    loser = await make_customer(uow, clock, email="ana@old.example", first_name="Ana")
    winner = await make_customer(
        uow, clock, email="ana@example.com", birthday=date(1990, 5, 1), identities=(("pos", "9"),)
    )
    await set_consent_subscribed(uow, clock, winner.id)
    await merge(uow, clock, participants, loser=loser, winner=winner)

    data: Any = await export_customer(uow, participants, loser.id)

    assert json.loads(json.dumps(data)) == data
    assert data["customer"]["email"] == "ana@example.com"
    assert data["customer"]["birthday"] == "1990-05-01"
    assert data["identities"][0]["externalId"] == "9"
    consents = data["consents"]
    assert consents["current"]["EMAIL"]["state"] == "SUBSCRIBED"
    assert len(consents["history"]) == 1
    assert [c["email"] for c in data["mergedCustomers"]] == ["ana@old.example"]


async def set_consent_subscribed(
    uow: FakeCustomersUnitOfWork, clock: FixedClock, customer_id: UUID
) -> None:
    await set_consent(
        uow,
        clock,
        SetConsent(customer_id=customer_id, channel=ConsentChannel.EMAIL,
                   state=ConsentState.SUBSCRIBED, source="signup"),
    )  # fmt: skip
