"""Planning a batch of orders: new orders for their customers, replays of known ones.

Per order, in file order, as `record_order` does it: an order not recorded yet (in the
database or by an earlier row of the batch) is placed for the customer its row names —
found by identity, else by email (adopting the identity), else created with both. An
order recorded already is a replay (`Order.replay`): the same content changes nothing,
a new allowed status is an update, anything else rejects the order. An order an earlier
row of the run named (in this batch or an earlier one: `named`) counts as folded. No
events are emitted: imported orders earn no points and change no tiers (historic data).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence, Set
from datetime import datetime
from uuid import UUID

from domain.errors import DomainError
from domain.imports.model import Rejection
from domain.imports.order_rows import CustomerReference, OrderRows
from domain.imports.people import People, Person
from domain.imports.repository import BatchPlan
from domain.orders.model import Order


def plan_orders(
    parsed: Sequence[OrderRows | list[Rejection]],
    people: People,
    recorded: Mapping[tuple[str, str], Order],
    *,
    cells: Mapping[int, dict[str, str]],
    now: datetime,
    named: Set[UUID] = frozenset(),
) -> BatchPlan:
    """The batch's plan; `cells` are its original cells by line (for rejections); `named`
    the orders the run's earlier batches named (the plan's `named` adds this batch's)."""
    plan = BatchPlan()
    counts = plan.counts
    placed: dict[tuple[str, str], Order] = {}
    changed_orders: dict[UUID, Order] = {}
    stats: dict[UUID, None] = {}
    for item in parsed:
        if isinstance(item, list):
            plan.rejections.extend(item)
            counts.rejected += len(item)
            continue
        rows = len(item.lines)
        earlier = placed.get(item.key)
        known = earlier or recorded.get(item.key)
        if known is None:
            person = _customer(item.customer, people, created_at=item.content.placed_at, now=now)
            if isinstance(person, str):
                _reject(plan, item, person, cells)
                continue
            order = Order.place(
                channel=item.channel,
                external_id=item.external_id,
                customer_id=person.id,
                status=item.status,
                content=item.content,
                now=now,
            )
            placed[item.key] = order
            plan.named.add(order.id)
            plan.orders.append(order)
            stats[person.id] = None
            counts.imported += rows
            continue
        try:
            changed = known.replay(item.content, item.status, now=now)
        except DomainError as error:
            _reject(plan, item, f"{item.channel}:{item.external_id}: {error.message}", cells)
            continue
        known.pull_events()  # bulk writes emit nothing
        if changed and earlier is None:  # an order placed in this batch is inserted as it is
            changed_orders[known.id] = known
            stats[known.customer_id] = None
        if known.id in plan.named or known.id in named:
            counts.folded += rows
        elif changed:
            counts.updated += rows
        else:
            counts.unchanged += rows
        plan.named.add(known.id)
    plan.customers = people.written()
    plan.identities = people.identities
    plan.status_changes = list(changed_orders.values())
    plan.stats_for = list(stats)
    counts.customers_created = sum(1 for person in plan.customers if person.is_new)
    return plan


def _customer(
    ref: CustomerReference, people: People, *, created_at: datetime, now: datetime
) -> Person | str:
    """The customer `ref` names, or why the order cannot have it."""
    if ref.identity is not None:
        person = people.by_identity.get(ref.identity)
        if person is not None:
            return "the customer was erased" if person.erased else _named(people, person)
    if ref.email_key is not None:
        person = people.by_email.get(ref.email_key)
        if person is not None:
            if person.erased:
                return "the customer was erased"
            if ref.identity is not None:
                people.add_identity(person, ref.identity)
                if not person.is_new:
                    person.changed = True
                    person.updated_at = now
            return _named(people, person)
    # Unknown: created as orderRecord does, dated by the order that names it first.
    person = people.create(created_at=created_at)
    if ref.email is not None and ref.email_key is not None:
        people.set_email(person, ref.email, ref.email_key)
    if ref.identity is not None:
        people.add_identity(person, ref.identity)
    return _named(people, person)


def _named(people: People, person: Person) -> Person:
    people.named.add(person.id)
    return person


def _reject(
    plan: BatchPlan, item: OrderRows, reason: str, cells: Mapping[int, dict[str, str]]
) -> None:
    first = item.lines[0]
    for line in item.lines:
        text = reason if line == first else f"rejected with its order (see line {first})"
        plan.rejections.append(Rejection(line=line, reason=text, cells=cells[line]))
    plan.counts.rejected += len(item.lines)
