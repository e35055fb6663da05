"""Repositories of the customers context: customers with identities, consent log, merges.

A customer is read with its identities in one statement (a LEFT JOIN). Writes that may
hit a unique constraint run inside a SAVEPOINT, so that on PostgreSQL the transaction
stays usable after the violation is turned into DuplicateEmail / DuplicateIdentity.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from typing import Any
from uuid import UUID

from sqlalchemy import and_, delete, func, insert, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.sql.elements import ColumnElement

from domain.customers.consent import (
    ConsentChannel,
    ConsentEntry,
    ConsentLog,
    ConsentState,
    OptInLevel,
)
from domain.customers.errors import DuplicateEmail, DuplicateIdentity
from domain.customers.merge import Merge, Moved
from domain.customers.model import Customer, Identity
from domain.customers.profile import Gender
from persistence.batches import batches
from persistence.tables.customers import (
    consent_entries,
    customer_identities,
    customer_merges,
    customers,
)

_IDENTITY_COLUMNS = (
    customer_identities.c.id.label("identity_id"),
    customer_identities.c.channel.label("identity_channel"),
    customer_identities.c.external_id.label("identity_external_id"),
    customer_identities.c.created_at.label("identity_created_at"),
)


@asynccontextmanager
async def unique_values_checked(conn: AsyncConnection) -> AsyncIterator[None]:
    """Run writes in a SAVEPOINT; a unique violation on email or identity becomes the
    domain error (the savepoint is rolled back, the transaction goes on)."""
    try:
        async with conn.begin_nested():
            yield
    except IntegrityError as error:
        text = str(error.orig)
        if "email_key" in text:
            raise DuplicateEmail(
                "this email is already taken by another customer", field=("email",)
            ) from error
        # uq_customer_identities_channel_external_id / customer_identities.external_id
        if "external_id" in text:
            raise DuplicateIdentity(
                "this identity already belongs to another customer", field=("externalId",)
            ) from error
        raise


def _profile_values(customer: Customer) -> dict[str, Any]:
    return {
        "updated_at": customer.updated_at,
        "email": customer.email,
        "email_key": customer.email_key,
        "phone": customer.phone,
        "first_name": customer.first_name,
        "last_name": customer.last_name,
        "gender": customer.gender.value if customer.gender is not None else None,
        "birthday": customer.birthday,
        "country": customer.country,
        "region": customer.region,
        "city": customer.city,
        "locale": customer.locale,
        "timezone": customer.timezone,
        "public_metadata": customer.public_metadata,
        "private_metadata": customer.private_metadata,
        "merged_into": customer.merged_into,
        "erased_at": customer.erased_at,
    }


def _identity_values(customer_id: UUID, identity: Identity) -> dict[str, Any]:
    return {
        "id": identity.id,
        "customer_id": customer_id,
        "channel": identity.channel,
        "external_id": identity.external_id,
        "created_at": identity.created_at,
    }


def _customer_from_row(row: Any) -> Customer:
    return Customer(
        id=row.id,
        created_at=row.created_at,
        updated_at=row.updated_at,
        email=row.email,
        email_key=row.email_key,
        phone=row.phone,
        first_name=row.first_name,
        last_name=row.last_name,
        gender=Gender(row.gender) if row.gender is not None else None,
        birthday=row.birthday,
        country=row.country,
        region=row.region,
        city=row.city,
        locale=row.locale,
        timezone=row.timezone,
        public_metadata=dict(row.public_metadata or {}),
        private_metadata=dict(row.private_metadata or {}),
        merged_into=row.merged_into,
        erased_at=row.erased_at,
    )


class SqlAlchemyCustomerRepository:
    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def add(self, customer: Customer) -> None:
        async with unique_values_checked(self._conn):
            await self._conn.execute(
                insert(customers).values(
                    id=customer.id, created_at=customer.created_at, **_profile_values(customer)
                )
            )
            if customer.identities:
                await self._conn.execute(
                    insert(customer_identities),
                    [_identity_values(customer.id, i) for i in customer.identities],
                )

    async def save(self, customer: Customer) -> None:
        async with unique_values_checked(self._conn):
            await self._conn.execute(
                update(customers)
                .where(customers.c.id == customer.id)
                .values(**_profile_values(customer))
            )
            stored = set(
                (
                    await self._conn.execute(
                        select(customer_identities.c.id).where(
                            customer_identities.c.customer_id == customer.id
                        )
                    )
                ).scalars()
            )
            wanted = {identity.id for identity in customer.identities}
            # Release first: a merge moves rows by deleting here and inserting there.
            if stored - wanted:
                await self._conn.execute(
                    delete(customer_identities).where(
                        customer_identities.c.id.in_(list(stored - wanted))
                    )
                )
            new = [i for i in customer.identities if i.id not in stored]
            if new:
                await self._conn.execute(
                    insert(customer_identities), [_identity_values(customer.id, i) for i in new]
                )

    async def get(self, customer_id: UUID) -> Customer | None:
        found = await self._select(customers.c.id == customer_id)
        return found[0] if found else None

    async def get_for_update(self, customer_id: UUID) -> Customer | None:
        found = await self._select(customers.c.id == customer_id, lock=True)
        return found[0] if found else None

    async def get_by_email(self, email_key: str) -> Customer | None:
        found = await self._select(customers.c.email_key == email_key)
        return found[0] if found else None

    async def get_by_identity(self, channel: str, external_id: str) -> Customer | None:
        holder = (
            select(customer_identities.c.customer_id)
            .where(
                customer_identities.c.channel == channel,
                customer_identities.c.external_id == external_id,
            )
            .scalar_subquery()
        )
        found = await self._select(customers.c.id == holder)
        return found[0] if found else None

    async def list_merged_into(self, winner_id: UUID) -> list[Customer]:
        return await self._select(customers.c.merged_into == winner_id)

    async def _select(self, where: ColumnElement[bool], *, lock: bool = False) -> list[Customer]:
        stmt = (
            select(customers, *_IDENTITY_COLUMNS)
            .select_from(
                customers.outerjoin(
                    customer_identities, customer_identities.c.customer_id == customers.c.id
                )
            )
            .where(where)
            .order_by(customers.c.id, customer_identities.c.created_at, customer_identities.c.id)
        )
        if lock:
            stmt = stmt.with_for_update(of=customers)
        found: dict[UUID, Customer] = {}
        for row in await self._conn.execute(stmt):
            customer = found.get(row.id)
            if customer is None:
                customer = found[row.id] = _customer_from_row(row)
            if row.identity_id is not None:
                customer.identities.append(
                    Identity(
                        id=row.identity_id,
                        channel=row.identity_channel,
                        external_id=row.identity_external_id,
                        created_at=row.identity_created_at,
                    )
                )
        return list(found.values())


def _entry_from_row(row: Any) -> ConsentEntry:
    return ConsentEntry(
        id=row.id,
        customer_id=row.customer_id,
        channel=ConsentChannel(row.channel),
        state=ConsentState(row.state),
        opt_in_level=OptInLevel(row.opt_in_level) if row.opt_in_level is not None else None,
        source=row.source,
        occurred_at=row.occurred_at,
        recorded_at=row.recorded_at,
    )


_CURRENT_COLUMNS = {
    ConsentChannel.EMAIL: "email_consent",
    ConsentChannel.SMS: "sms_consent",
    ConsentChannel.PUSH: "push_consent",
}


def _current_state(channel: ConsentChannel) -> Any:
    """The state of the customer's latest entry on `channel` (by occurred_at, recorded_at,
    id, as `ConsentLog.current`), correlated to the customers row being updated."""
    return (
        select(consent_entries.c.state)
        .where(
            consent_entries.c.customer_id == customers.c.id,
            consent_entries.c.channel == channel.value,
        )
        .order_by(
            consent_entries.c.occurred_at.desc(),
            consent_entries.c.recorded_at.desc(),
            consent_entries.c.id.desc(),
        )
        .limit(1)
        .scalar_subquery()
    )


class SqlAlchemyConsentRepository:
    """Appends to the consent log and keeps customers.*_consent equal to the current state."""

    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def get_log(self, customer_id: UUID) -> ConsentLog:
        rows = await self._conn.execute(
            select(consent_entries)
            .where(consent_entries.c.customer_id == customer_id)
            .order_by(
                consent_entries.c.occurred_at,
                consent_entries.c.recorded_at,
                consent_entries.c.id,
            )
        )
        return ConsentLog(customer_id=customer_id, entries=[_entry_from_row(r) for r in rows])

    async def append(self, entries: Sequence[ConsentEntry]) -> None:
        if not entries:
            return
        await self._conn.execute(
            insert(consent_entries),
            [
                {
                    "id": e.id,
                    "customer_id": e.customer_id,
                    "channel": e.channel.value,
                    "state": e.state.value,
                    "opt_in_level": e.opt_in_level.value if e.opt_in_level else None,
                    "source": e.source,
                    "occurred_at": e.occurred_at,
                    "recorded_at": e.recorded_at,
                }
                for e in entries
            ],
        )
        await self._refresh_current({e.customer_id for e in entries})

    async def count_for_customer(self, customer_id: UUID) -> int:
        count = await self._conn.execute(
            select(func.count())
            .select_from(consent_entries)
            .where(consent_entries.c.customer_id == customer_id)
        )
        return int(count.scalar_one())

    async def reassign_all(self, from_customer_id: UUID, to_customer_id: UUID) -> list[UUID]:
        moved = await self._move(consent_entries.c.customer_id == from_customer_id, to_customer_id)
        await self._refresh_current({from_customer_id, to_customer_id})
        return moved

    async def reassign(
        self, ids: Sequence[UUID], from_customer_id: UUID, to_customer_id: UUID
    ) -> list[UUID]:
        moved: list[UUID] = []
        for batch in batches(list(ids)):
            moved += await self._move(
                and_(
                    consent_entries.c.id.in_(batch),
                    consent_entries.c.customer_id == from_customer_id,
                ),
                to_customer_id,
            )
        await self._refresh_current({from_customer_id, to_customer_id})
        return moved

    async def _move(self, where: ColumnElement[bool], to_customer_id: UUID) -> list[UUID]:
        result = await self._conn.execute(
            update(consent_entries)
            .where(where)
            .values(customer_id=to_customer_id)
            .returning(consent_entries.c.id)
        )
        return list(result.scalars())

    async def _refresh_current(self, customer_ids: set[UUID]) -> None:
        await self._conn.execute(
            update(customers)
            .where(customers.c.id.in_(sorted(customer_ids)))
            .values(
                {column: _current_state(channel) for channel, column in _CURRENT_COLUMNS.items()}
            )
        )


def _moved_to_json(moved: dict[str, Moved]) -> dict[str, dict[str, list[str]]]:
    return {
        participant: {kind: [str(i) for i in ids] for kind, ids in kinds.items()}
        for participant, kinds in moved.items()
    }


def _moved_from_json(data: Any) -> dict[str, Moved]:
    return {
        participant: {kind: tuple(UUID(i) for i in ids) for kind, ids in kinds.items()}
        for participant, kinds in (data or {}).items()
    }


def _merge_from_row(row: Any) -> Merge:
    return Merge(
        id=row.id,
        loser_id=row.loser_id,
        winner_id=row.winner_id,
        actor=row.actor,
        created_at=row.created_at,
        moved=_moved_from_json(row.moved),
        undone_at=row.undone_at,
    )


class SqlAlchemyMergeRepository:
    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def add(self, merge: Merge) -> None:
        await self._conn.execute(
            insert(customer_merges).values(
                id=merge.id,
                loser_id=merge.loser_id,
                winner_id=merge.winner_id,
                actor=merge.actor,
                created_at=merge.created_at,
                moved=_moved_to_json(merge.moved),
                undone_at=merge.undone_at,
            )
        )

    async def save(self, merge: Merge) -> None:
        await self._conn.execute(
            update(customer_merges)
            .where(customer_merges.c.id == merge.id)
            .values(moved=_moved_to_json(merge.moved), undone_at=merge.undone_at)
        )

    async def get_for_update(self, merge_id: UUID) -> Merge | None:
        row = (
            await self._conn.execute(
                select(customer_merges).where(customer_merges.c.id == merge_id).with_for_update()
            )
        ).first()
        return _merge_from_row(row) if row else None

    async def later_involving(self, merge: Merge) -> list[Merge]:
        people = (merge.loser_id, merge.winner_id)
        rows = await self._conn.execute(
            select(customer_merges)
            .where(
                or_(
                    customer_merges.c.created_at > merge.created_at,
                    and_(
                        customer_merges.c.created_at == merge.created_at,
                        customer_merges.c.id > merge.id,
                    ),
                ),
                or_(
                    customer_merges.c.loser_id.in_(people), customer_merges.c.winner_id.in_(people)
                ),
            )
            .order_by(customer_merges.c.created_at, customer_merges.c.id)
        )
        return [_merge_from_row(row) for row in rows]
