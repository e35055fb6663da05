"""Privacy use cases: export everything held about a customer; erase their personal data."""

from __future__ import annotations

from uuid import UUID

from domain.customers.commands import EraseCustomer
from domain.customers.consent import ConsentEntry, ConsentLog
from domain.customers.json_values import JsonValue
from domain.customers.lookup import customer_by_id
from domain.customers.model import Customer
from domain.customers.participants import Participants
from domain.customers.repository import CustomerRepository, CustomersUnitOfWork
from domain.ports import Clock

ERASURE_SOURCE = "erasure"


async def export_customer(
    uow: CustomersUnitOfWork, participants: Participants, customer_id: UUID
) -> dict[str, JsonValue]:
    """Everything held about the customer (a merged id exports its winner), JSON-friendly:
    profile, identities, consents (current and history), the customers merged into it,
    then one section per registered exporter (orders, events, ...)."""
    async with uow:
        customer = await customer_by_id(uow.customers, customer_id, field=("customerId",))
        log = await uow.consents.get_log(customer.id)
        merged = await _merged_cluster(uow.customers, customer)
        data: dict[str, JsonValue] = {
            "customer": customer_json(customer),
            "identities": [
                {
                    "id": str(i.id),
                    "channel": i.channel,
                    "externalId": i.external_id,
                    "createdAt": i.created_at.isoformat(),
                }
                for i in customer.identities
            ],
            "consents": consents_json(log),
            "mergedCustomers": [customer_json(loser) for loser in merged[1:]],
        }
        for exporter in participants.exporters():
            data[exporter.name] = await exporter.export(uow, customer.id)
    return data


async def erase_customer(
    uow: CustomersUnitOfWork, clock: Clock, command: EraseCustomer
) -> Customer:
    """Scrub the personal data of a person: the customer (a merged id means its winner)
    and every customer merged into it. Identities are dropped, consents withdrawn, orders
    kept (they hold no personal data). Idempotent: erasing again changes nothing.
    Each erasure is audited and emits CustomerErased (other contexts react in-transaction).
    """
    async with uow:
        customer = await customer_by_id(
            uow.customers, command.customer_id, lock=True, field=("customerId",)
        )
        now = clock.now()
        for person in await _merged_cluster(uow.customers, customer):
            if not person.erase(now=now):
                continue
            await uow.customers.save(person)
            log = await uow.consents.get_log(person.id)
            withdrawn = log.withdraw_all(source=ERASURE_SOURCE, now=now)
            if withdrawn:
                await uow.consents.append(withdrawn)
            for event in [*person.pull_events(), *log.pull_events()]:
                uow.emit(event)
            await uow.audit.record(
                actor=command.actor,
                action="customer.erase",
                target=str(person.id),
                details={"requestedId": str(command.customer_id)},
            )
        await uow.commit()
    return customer


async def _merged_cluster(customers: CustomerRepository, winner: Customer) -> list[Customer]:
    """The winner, then every customer merged into it, directly or through others."""
    cluster = [winner]
    index = 0
    while index < len(cluster):
        cluster.extend(await customers.list_merged_into(cluster[index].id))
        index += 1
    return cluster


def customer_json(customer: Customer) -> dict[str, JsonValue]:
    """The profile as exported (public camelCase names)."""
    return {
        "id": str(customer.id),
        "email": customer.email,
        "phone": customer.phone,
        "firstName": customer.first_name,
        "lastName": customer.last_name,
        "gender": customer.gender.value if customer.gender else None,
        "birthday": customer.birthday.isoformat() if customer.birthday else None,
        "country": customer.country,
        "region": customer.region,
        "city": customer.city,
        "locale": customer.locale,
        "timezone": customer.timezone,
        "metadata": dict(customer.public_metadata),
        "privateMetadata": dict(customer.private_metadata),
        "createdAt": customer.created_at.isoformat(),
        "updatedAt": customer.updated_at.isoformat(),
        "mergedInto": str(customer.merged_into) if customer.merged_into else None,
        "erasedAt": customer.erased_at.isoformat() if customer.erased_at else None,
    }


def consents_json(log: ConsentLog) -> dict[str, JsonValue]:
    """Current consent per channel and the full history."""
    history = log.history()
    current: dict[str, JsonValue] = {}
    for entry in history:
        current[entry.channel.value] = _entry_json(entry)
    return {"current": current, "history": [_entry_json(entry) for entry in history]}


def _entry_json(entry: ConsentEntry) -> dict[str, JsonValue]:
    return {
        "channel": entry.channel.value,
        "state": entry.state.value,
        "optInLevel": entry.opt_in_level.value if entry.opt_in_level else None,
        "source": entry.source,
        "occurredAt": entry.occurred_at.isoformat(),
        "recordedAt": entry.recorded_at.isoformat(),
    }
