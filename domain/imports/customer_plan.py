"""Folding a batch of customer rows onto the customers they name.

Per row, in file order: the person is found by identity, then by email key; a row whose
email and identity name two different customers is rejected (merge them first). An
unknown person is created. Otherwise the row updates the fields it gives (blank cells
keep what is stored), adds its identity, records a consent change when the state
differs, and moves `created_at` back if it gives an earlier one. A row found through a
merged-away customer's email updates the customer it was merged into, whose own email
stays. A row naming a customer an earlier row of the run named (in this batch or an
earlier one: `named`) is counted as folded.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence, Set
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from domain.imports.customer_rows import CustomerRow
from domain.imports.model import Rejection
from domain.imports.people import People, Person
from domain.imports.repository import BatchPlan


def fold_customers(
    parsed: Sequence[CustomerRow | Rejection],
    people: People,
    *,
    cells: Mapping[int, dict[str, str]],
    now: datetime,
    named: Set[UUID] = frozenset(),
) -> BatchPlan:
    """The batch's plan: persons to write, identities and consents to add, outcomes.
    `cells` are the batch's original cells by line (for the rejects file); `named` the
    customers the run's earlier batches named (the plan's `named` adds this batch's)."""
    plan = BatchPlan()
    counts = plan.counts
    for row in parsed:
        if isinstance(row, Rejection):
            plan.rejections.append(row)
            counts.rejected += 1
            continue
        outcome = _apply(row, people, now=now, named=named)
        if isinstance(outcome, _Refused):
            plan.rejections.append(
                Rejection(line=row.line, reason=outcome.reason, cells=cells[row.line])
            )
            counts.rejected += 1
        else:
            setattr(counts, outcome, getattr(counts, outcome) + 1)
    plan.customers = people.written()
    plan.identities = people.identities
    plan.consents = people.consents
    plan.named = people.named
    counts.customers_created = sum(1 for person in plan.customers if person.is_new)
    return plan


@dataclass(frozen=True)
class _Refused:
    reason: str


def _apply(row: CustomerRow, people: People, *, now: datetime, named: Set[UUID]) -> str | _Refused:
    """The name of the count the row goes to, or why it is refused."""
    by_identity = people.by_identity.get(row.identity) if row.identity else None
    by_email = people.by_email.get(row.email_key) if row.email_key else None
    if by_identity is not None and by_email is not None and by_identity is not by_email:
        return _Refused(
            "the email belongs to one customer and the identity to another (merge them first)"
        )
    person = by_identity or by_email
    if person is not None and person.erased:
        return _Refused("the customer this row names was erased")
    outcome = None
    if person is None:
        person = people.create(created_at=row.created_at or now)
        outcome = "imported"
    elif person.id in people.named or person.id in named:
        outcome = "folded"
    changed = _update(person, row, people, by_identity=by_identity, by_email=by_email)
    if changed and not person.is_new:
        person.changed = True
        person.updated_at = now
    people.named.add(person.id)
    return outcome or ("updated" if changed else "unchanged")


def _update(
    person: Person,
    row: CustomerRow,
    people: People,
    *,
    by_identity: Person | None,
    by_email: Person | None,
) -> bool:
    changed = False
    # An email free or the person's own (maybe in another case): take this spelling.
    # Found through a merged-away customer's email: the winner keeps its own.
    if (
        row.email is not None
        and row.email_key is not None
        and (by_email is None or person.email_key == row.email_key)
    ):
        changed |= people.set_email(person, row.email, row.email_key)
    if row.identity is not None and by_identity is None:
        people.add_identity(person, row.identity)
        changed = True
    for name, value in row.profile:
        if person.profile.get(name) != value:
            person.profile[name] = value
            changed = True
    if row.created_at is not None and row.created_at < person.created_at:
        person.created_at = row.created_at
        changed = True
    for channel, state in row.consents:
        changed |= people.record_consent(person, channel, state)
    return changed
