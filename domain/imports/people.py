"""Who is who within one batch: the customers the batch's rows name, by email key and by
identity, whether found in the database or created by an earlier row of the batch.

Rows are applied in file order against this index, so the result does not depend on
where batch boundaries fall: a row meets an earlier row's person in memory or, if that
row was in an earlier batch, in the database, and is applied the same way. Customers
found by a merged-away record resolve to the customer they were merged into.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from uuid import UUID

from domain.customers.consent import ConsentChannel, ConsentEntry, ConsentLog, ConsentState
from domain.customers.model import Identity
from domain.ids import new_id
from domain.imports.repository import FoundCustomers, ImportBatch

# Merges refuse a merged winner, so chains cannot loop; the bound only guards bad data.
MAX_CHAIN = 64
CONSENT_SOURCE = "import"


@dataclass(eq=False, kw_only=True)
class Person:
    """A customer as an import batch reads and writes it (the stored, normalised form).

    `profile` holds phone, first_name, last_name, gender, birthday, country, region,
    city, locale and timezone (absent or None when unknown).
    """

    id: UUID
    is_new: bool
    created_at: datetime
    updated_at: datetime
    email: str | None = None
    email_key: str | None = None
    profile: dict[str, Any] = field(default_factory=dict)
    consent: dict[ConsentChannel, ConsentState | None] = field(default_factory=dict)
    merged_into: UUID | None = None
    erased: bool = False
    stored_email_key: str | None = None
    changed: bool = False


class People:
    """The batch's index of persons and what it adds (customers, identities, consents)."""

    def __init__(self, found: FoundCustomers, *, now: datetime) -> None:
        self.now = now
        self._all = {person.id: person for person in found.customers}
        self.by_email: dict[str, Person] = {}
        self.by_identity: dict[tuple[str, str], Person] = {}
        for person in found.customers:
            if person.email_key is not None:
                self.by_email[person.email_key] = self.winner(person)
        for identity, owner in found.identity_owners.items():
            if owner in self._all:
                self.by_identity[identity] = self.winner(self._all[owner])
        self.named: set[UUID] = set()
        self.identities: list[tuple[UUID, Identity]] = []
        self.consents: list[ConsentEntry] = []

    @classmethod
    async def look_up(
        cls,
        batch: ImportBatch,
        email_keys: Iterable[str],
        identities: Iterable[tuple[str, str]],
        *,
        now: datetime,
    ) -> People:
        """The customers holding these emails or identities (locked), with the customers
        they were merged into."""
        found = await batch.find_customers(sorted(set(email_keys)), sorted(set(identities)))
        known = {person.id for person in found.customers}
        for _ in range(MAX_CHAIN):
            missing = {p.merged_into for p in found.customers if p.merged_into} - known
            if not missing:
                break
            more = await batch.customers_by_ids(sorted(missing))
            found.customers.extend(more)
            known |= {person.id for person in more}
        return cls(found, now=now)

    def winner(self, person: Person) -> Person:
        for _ in range(MAX_CHAIN):
            if person.merged_into is None:
                return person
            winner = self._all.get(person.merged_into)
            if winner is None:
                raise RuntimeError(f"customer {person.id} is merged into a missing customer")
            person = winner
        raise RuntimeError(f"merge chain from customer {person.id} is too long")

    def create(self, *, created_at: datetime) -> Person:
        person = Person(id=new_id(), is_new=True, created_at=created_at, updated_at=self.now)
        person.changed = True
        self._all[person.id] = person
        return person

    def set_email(self, person: Person, email: str, key: str) -> bool:
        """Give `person` this email, whose key is free or already the person's own."""
        if person.email == email:
            return False
        if person.email_key is not None and person.email_key != key:
            self.by_email.pop(person.email_key, None)
        person.email, person.email_key = email, key
        self.by_email[key] = person
        return True

    def add_identity(self, person: Person, identity: tuple[str, str]) -> None:
        """Link an identity nobody holds to `person`."""
        channel, external_id = identity
        self.identities.append(
            (
                person.id,
                Identity(
                    id=new_id(), channel=channel, external_id=external_id, created_at=self.now
                ),
            )
        )
        self.by_identity[identity] = person

    def record_consent(self, person: Person, channel: ConsentChannel, state: ConsentState) -> bool:
        """Append a consent entry if `state` is not the person's current one there."""
        if person.consent.get(channel) == state:
            return False
        entry = ConsentLog(customer_id=person.id).record(
            channel=channel, state=state, source=CONSENT_SOURCE, now=self.now
        )
        if entry is not None:
            self.consents.append(entry)
        person.consent[channel] = state
        return True

    def written(self) -> list[Person]:
        """Persons to insert or update, in the order they were first named."""
        return [person for person in self._all.values() if person.changed]
