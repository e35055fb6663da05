"""The set-based writes of one import batch.

A batch costs a fixed number of statements whatever its size (`persistence.bulk`):
customers, new and changed alike, by one multi-row `INSERT ... ON CONFLICT (id) DO
UPDATE`; identities, consents, memberships, orders, lines and rejects appended in bulk
(COPY on PostgreSQL); stats by `persistence.customer_stats`.
Before the customers, those whose email changes give up their old key, so emails that
move between customers within a batch never collide halfway.

Rejected rows are kept with the run for the rejects file. PostgreSQL's text and jsonb
cannot hold U+0000 (NUL), which a CSV cell may: a cell holding NUL is stored as the list
of its NUL-separated parts (any other cell stays a string), so `cells_from_stored` gives
the cells back exactly and the rejects file shows the row as it was; in the reason (our
own text) NUL becomes U+FFFD. Both databases store the same form.

Customers created by an import bypass CustomerCreated on purpose (no sign-up bonus).
Where the loyalty tables exist, each gets a membership in the lowest tier (the `tiers`
row of lowest rank, else 'MEMBER') with its INITIAL tier-history entry, so lists and
segments see them as members. No points account is made: loyalty opens one on the first
points change, and readers count a missing account as 0 points.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    bindparam,
    inspect,
    select,
    update,
)
from sqlalchemy.ext.asyncio import AsyncConnection

from domain.customers.consent import ConsentChannel
from domain.ids import new_id
from domain.imports.model import ImportRun
from domain.imports.people import Person
from domain.imports.repository import BatchPlan
from persistence.batches import batches
from persistence.bulk import in_values, insert_rows, upsert_rows
from persistence.customer_stats import recompute_stats_many
from persistence.tables.customers import consent_entries, customer_identities, customers
from persistence.tables.imports import import_rejects
from persistence.tables.loyalty import memberships, tier_changes, tiers
from persistence.tables.orders import order_lines, orders

DEFAULT_TIER = "MEMBER"
NUL = "\x00"
# Columns an import may change on a customer that exists (never metadata, merge, erasure).
_UPSERT_SET = (
    "created_at",
    "updated_at",
    "email",
    "email_key",
    "phone",
    "first_name",
    "last_name",
    "gender",
    "birthday",
    "country",
    "region",
    "city",
    "locale",
    "timezone",
    "email_consent",
    "sms_consent",
)


@dataclass(frozen=True)
class Loyalty:
    """Whether the tier history exists, and the tier new members start in."""

    tier_code: str
    history: bool

    @classmethod
    async def detect(cls, conn: AsyncConnection) -> Loyalty | None:
        names = await conn.run_sync(lambda sync: set(inspect(sync).get_table_names()))
        if memberships.name not in names:
            return None
        tier = None
        if tiers.name in names:
            lowest = select(tiers.c.code).order_by(tiers.c.rank).limit(1)
            tier = (await conn.execute(lowest)).scalar_one_or_none()
        return cls(
            tier_code=tier or DEFAULT_TIER,
            history=tier_changes.name in names,
        )


async def write_plan(
    conn: AsyncConnection, run: ImportRun, plan: BatchPlan, *, loyalty: Loyalty | None
) -> None:
    """Write everything `plan` holds, in this order: customers (emails released first),
    identities, consents, memberships, orders and lines, status changes, stats, rejects."""
    await _release_emails(conn, plan.customers)
    await upsert_rows(
        conn,
        customers,
        [_customer_values(p) for p in plan.customers],
        key=["id"],
        update=_UPSERT_SET,
    )
    await insert_rows(
        conn,
        customer_identities,
        [
            {
                "id": identity.id,
                "customer_id": customer_id,
                "channel": identity.channel,
                "external_id": identity.external_id,
                "created_at": identity.created_at,
            }
            for customer_id, identity in plan.identities
        ],
    )
    await insert_rows(
        conn,
        consent_entries,
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
            for e in plan.consents
        ],
    )
    if loyalty is not None:
        await _enrol(conn, [p for p in plan.customers if p.is_new], loyalty)
    await insert_rows(
        conn,
        orders,
        [
            {
                "id": o.id,
                "channel": o.channel,
                "external_id": o.external_id,
                "customer_id": o.customer_id,
                "status": o.status.value,
                "placed_at": o.placed_at,
                "currency": o.total.currency,
                "total_amount": o.total.amount,
                "base_total": o.base_total,
                "created_at": o.created_at,
                "updated_at": o.updated_at,
            }
            for o in plan.orders
        ],
    )
    await insert_rows(
        conn,
        order_lines,
        [
            {
                "order_id": o.id,
                "position": position,
                "sku": line.sku,
                "name": line.name,
                "quantity": line.quantity,
                "unit_price": line.unit_price.amount,
                "category": line.category,
            }
            for o in plan.orders
            for position, line in enumerate(o.lines)
        ],
    )
    if plan.status_changes:
        await conn.execute(
            update(orders)
            .where(orders.c.id == bindparam("order_id"))
            .values(status=bindparam("new_status"), updated_at=bindparam("new_updated_at")),
            [
                {"order_id": o.id, "new_status": o.status.value, "new_updated_at": o.updated_at}
                for o in plan.status_changes
            ],
        )
    await recompute_stats_many(conn, plan.stats_for)
    await insert_rows(
        conn,
        import_rejects,
        [
            {
                "run_id": run.id,
                "line": r.line,
                "reason": without_nul(r.reason),
                "cells": stored_cells(r.cells),
            }
            for r in plan.rejections
        ],
    )


StoredCells = dict[str, str | list[str]]


def stored_cells(cells: dict[str, str]) -> StoredCells:
    """A rejected row's cells in a form both databases hold (see the module docstring)."""
    return {name: value.split(NUL) if NUL in value else value for name, value in cells.items()}


def cells_from_stored(stored: StoredCells) -> dict[str, str]:
    """The cells `stored_cells` was given."""
    return {
        name: value if isinstance(value, str) else NUL.join(value) for name, value in stored.items()
    }


def without_nul(text: str) -> str:
    """`text` fit for a text column (NUL replaced by U+FFFD)."""
    return text.replace(NUL, "\ufffd")


async def _release_emails(conn: AsyncConnection, persons: Sequence[Person]) -> None:
    moving = [
        p.id
        for p in persons
        if not p.is_new and p.stored_email_key is not None and p.stored_email_key != p.email_key
    ]
    for chunk in batches(moving):
        await conn.execute(
            update(customers)
            .where(in_values(customers.c.id, chunk, conn.dialect.name))
            .values(email_key=None)
        )


def _customer_values(person: Person) -> dict[str, Any]:
    profile = person.profile
    gender = profile.get("gender")
    return {
        "id": person.id,
        "created_at": person.created_at,
        "updated_at": person.updated_at,
        "email": person.email,
        "email_key": person.email_key,
        "phone": profile.get("phone"),
        "first_name": profile.get("first_name"),
        "last_name": profile.get("last_name"),
        "gender": str(gender) if gender is not None else None,
        "birthday": profile.get("birthday"),
        "country": profile.get("country"),
        "region": profile.get("region"),
        "city": profile.get("city"),
        "locale": profile.get("locale"),
        "timezone": profile.get("timezone"),
        "public_metadata": {},
        "private_metadata": {},
        "email_consent": _state(person, ConsentChannel.EMAIL),
        "sms_consent": _state(person, ConsentChannel.SMS),
        "push_consent": None,
        "merged_into": None,
        "erased_at": None,
    }


def _state(person: Person, channel: ConsentChannel) -> str | None:
    state = person.consent.get(channel)
    return state.value if state is not None else None


async def _enrol(conn: AsyncConnection, persons: Sequence[Person], loyalty: Loyalty) -> None:
    await insert_rows(
        conn,
        memberships,
        [
            {
                "customer_id": p.id,
                "tier_code": loyalty.tier_code,
                "tier_since": p.updated_at,
                "hold_until": None,
                "version": 1,
            }
            for p in persons
        ],
    )
    if loyalty.history:
        await insert_rows(
            conn,
            tier_changes,
            [
                {
                    "id": new_id(),
                    "customer_id": p.id,
                    "from_code": None,
                    "to_code": loyalty.tier_code,
                    "reason": "INITIAL",
                    "at": p.updated_at,
                }
                for p in persons
            ],
        )
